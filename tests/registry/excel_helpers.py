"""Writing and reading real spreadsheet files for the Excel tests (no format is mocked)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import python_calamine
from openpyxl import Workbook

from fupin.areas.models import Area
from fupin.core.jobs import create_job, run_job
from fupin.core.models import Job
from fupin.registry import excel, tasks


def write_rows(path: Path, rows: list[dict[str, Any]], headers: list[str] | None = None) -> Path:
    """An .xlsx with the template's headers (or ``headers``) and one row per dict."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = excel.DATA_SHEET
    headers = headers or list(excel.HEADERS)
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    book.save(path)
    return path


def read_sheet(path: Path, name: str | None = None) -> list[list[Any]]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    sheet = book.get_sheet_by_name(name) if name else book.get_sheet_by_index(0)
    return sheet.to_python()


def all_cells(path: Path) -> list[str]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    cells: list[str] = []
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python():
            cells += [str(v) for v in row]
    return cells


def run_import(path: Path, *, user: Any, area_code: str) -> Job:
    """Create and run an import job in this thread, as the worker would."""
    job = create_job(
        tasks.IMPORT_KIND,
        actor=user,
        area_code=Area.objects.get(code=area_code).code,
        params={"path": str(path), "filename": path.name},
        start=False,
    )
    return run_job(job.pk)


def member_row(
    *,
    head_id: str,
    id_number: str,
    name: str,
    relation: str,
    area: str,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "户主身份证号": head_id,
        "身份证号": id_number,
        "姓名": name,
        "与户主关系": relation,
        "村/组区划代码": area,
        **extra,
    }
