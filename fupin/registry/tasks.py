"""Job runners for spreadsheet work: the household import and large roster exports.

Each runner takes the job row only (its params hold the file and the filter); running one
twice is harmless: the import changes nothing the second time, the export rewrites its file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.jobs import claim, progress, register
from fupin.core.models import Job
from fupin.registry.exporting import export_households, write_error_file
from fupin.registry.importing import do_import_households

IMPORT_KIND = "registry.import_households"
EXPORT_KIND = "registry.export_households"


def files_dir(kind: str) -> Path:
    path = Path(settings.FUPIN_FILES_DIR) / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_path(job_id: int, suffix: str) -> Path:
    return files_dir("imports") / f"{job_id}-upload{suffix}"


def error_path(job_id: int) -> Path:
    return files_dir("imports") / f"{job_id}-errors.xlsx"


def export_path(job_id: int) -> Path:
    return files_dir("exports") / f"{job_id}-roster.xlsx"


def _actor(job: Job) -> Any:
    # A job started at the command line has no user: the operator acts as the system.
    return job.created_by or SYSTEM


@register(IMPORT_KIND)
def run_import(job: Job, on_progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    area = Area.objects.get(code=job.area_code)
    path = Path(job.params["path"])

    def report(done: int, total: int) -> None:
        progress(job, done, total)
        if on_progress:
            on_progress(done, total)

    result = do_import_households(path, actor=_actor(job), area=area, on_progress=report)
    out: dict[str, Any] = result.as_dict()
    not_read = [*result.not_read, *result.cells_not_read]
    if result.bad_rows or not_read:
        # Also for a file whose every row passed: what was not read is listed there cell by cell.
        write_error_file(error_path(job.pk), result.bad_rows, result.positions, not_read)
        out["error_file"] = error_path(job.pk).name
    elif error_path(job.pk).exists():
        error_path(job.pk).unlink()
    with translation.override("zh-hans"):
        message = (
            f"共 {result.rows} 行：{result.good} 行通过，{result.bad} 行有错误；"
            f"新增 {result.households_created} 户、{result.members_created} 人，"
            f"更新 {result.households_updated} 户、{result.members_updated} 人，"
            f"{result.unchanged} 人无变化。"
        )
        message += " " + not_read_summary(out)
    Job.objects.filter(pk=job.pk).update(message=message.strip())
    return out


def not_read_summary(result: dict[str, Any]) -> str:
    """One sentence each for the households refused whole and for what was not read, in the
    reader's language; empty when the whole file was read and every household saved."""
    parts: list[str] = []
    if result.get("households_refused"):
        parts.append(
            gettext(
                "%(n)d households were not saved: each has a row with an error, shown in the error sheet."
            )
            % {"n": result["households_refused"]}
        )
    items = result.get("not_read", [])
    sheets = [i["sheet"] for i in items if i["what"] == "sheet"]
    columns = [
        f"{i['sheet']}!{i['where']}" + (f"（{i['header']}）" if i["header"] else "")
        for i in items
        if i["what"] == "column"
    ]
    if sheets:
        parts.append(gettext("Sheets not read: %(names)s.") % {"names": "、".join(sheets)})
    if columns:
        parts.append(gettext("Columns not read: %(names)s.") % {"names": "、".join(columns)})
    if result.get("cells_not_read"):
        parts.append(
            gettext("%(n)d cells not read (household values on rows other than the head's).")
            % {"n": result["cells_not_read"]}
        )
    return " ".join(parts)


@register(EXPORT_KIND)
def run_export(job: Job) -> dict[str, Any]:
    params = job.params
    area = Area.objects.get(code=job.area_code)
    rows = export_households(
        export_path(job.pk),
        user=_actor(job),
        area=area,
        q=params.get("q", ""),
        status=params.get("status", ""),
        cause=params.get("cause", ""),
        unmasked=bool(params.get("unmasked")),
        progress=lambda done, total: progress(job, done, total),
    )
    return {"rows": rows, "file": export_path(job.pk).name}


def run_now(job: Job, runner: Callable[..., dict[str, Any]], **kwargs: Any) -> Job:
    """Run a job in this process (the command line), with the job row kept as a worker would."""
    if not claim(job.pk):
        raise RuntimeError(f"job {job.pk} was already started")
    try:
        result = runner(job, **kwargs)
    except Exception as exc:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, message=str(exc)[:300], finished_at=timezone.now()
        )
        raise
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, result=result, finished_at=timezone.now())
    job.refresh_from_db()
    return job
