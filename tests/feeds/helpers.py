"""Writing real feed files (CSV in several encodings, .xlsx) and sending them as a department
would: through the action and the job, nothing mocked."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from fupin.areas.models import Area
from fupin.core.jobs import run_job
from fupin.core.models import AuditEntry, Job
from fupin.core.personas import COUNTY
from fupin.feeds.actions import do_upload_feed
from fupin.feeds.models import FeedBatch, FeedRecord

# One good row per kind of event each source sends, without the ID number (added per test).
GOOD: dict[str, list[dict[str, Any]]] = {
    "medical": [
        {"类型": "住院", "结算日期": "2024-03-05", "三重保障后自付金额": "8200.50"},
        {"类型": "年度自付", "三重保障后自付金额": "12,000", "年度": "2023"},
    ],
    "civil_affairs": [
        {"救助类别": "低保", "认定日期": "2021/6/1", "月救助金额": "350"},
        {"救助类别": "特困供养"},
        {"救助类别": "低保边缘"},
    ],
    "education": [
        {"类型": "辍学", "学段": "初中", "日期": "20240220"},
        {"类型": "资助", "资助金额": "2500", "资助项目": "国家助学金", "学段": "高中"},
    ],
    "housing": [{"鉴定等级": "C", "鉴定日期": "2023年11月2日"}, {"鉴定等级": "ｄ级"}],
    "disability": [{"残疾等级": "二级", "残疾类别": "肢体", "发证日期": "2015-04-01"}],
    "human_resources": [{"类型": "失业", "日期": "2024-01-10"}, {"类型": "养老金", "月金额": "180"}],
    "emergency": [{"灾害类型": "洪涝", "受灾日期": "2024-06-20", "直接经济损失": "30000"}],
    "public_security": [{"死亡日期": "2024-02-01"}],
}


def headers_of(rows: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {"身份证号": None}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def write_csv(
    path: Path,
    rows: list[dict[str, Any]],
    *,
    encoding: str = "utf-8",
    headers: list[str] | None = None,
    title: str | None = None,
) -> Path:
    headers = headers or headers_of(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    if title:
        writer.writerow([title])
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else row.get(h) for h in headers])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[dict[str, Any]], headers: list[str] | None = None) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    headers = headers or headers_of(rows)
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    book.save(path)
    return path


def send_file(
    path: Path, source: str, *, user: Any, period: str = "2024-03", area_code: str = COUNTY
) -> FeedBatch:
    """Upload and run the job in this thread, as the worker would."""
    batch = do_upload_feed(
        source,
        path,
        period=period,
        actor=user,
        area=Area.objects.get(code=area_code),
        filename=path.name,
        start=False,
    )
    assert batch.job_id is not None
    job = run_job(batch.job_id)
    assert job.status == Job.Status.DONE, job.message
    batch.refresh_from_db()
    return batch


def stored_text() -> str:
    """Everything the feed leaves in the database, as one text to search for a raw number."""
    rows: list[Any] = []
    for model in (FeedRecord, FeedBatch, AuditEntry, Job):
        rows += list(model.objects.values())
    return json.dumps(rows, default=str, ensure_ascii=False)
