"""The screening job: snapshot → rules on the chosen engine → alerts loaded back.

The runner takes only the job row; running it twice is harmless (a fresh snapshot, the same
alerts found, none raised twice). Progress is one step per snapshot table, per rule run and
per rule loaded, each committed at once so the page and the command line can follow it.
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow.dataset as pads
from django.utils import timezone

from fupin.alerts.raising import Found, record_screening_alerts
from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.jobs import progress, register
from fupin.core.models import Job
from fupin.screening import conf
from fupin.screening.actions import RUN_KIND
from fupin.screening.engines import alerts_path, run_rules, stop_spark
from fupin.screening.errors import ScreeningNotice
from fupin.screening.models import ScreeningRun
from fupin.screening.rules import BY_KEY, RULES, Rule, evidence_of, summary_of
from fupin.screening.snapshot import write_snapshot

TABLE_LABELS = {
    "rule_params": "规则参数",
    "lines": "监测范围",
    "run_info": "年度",
    "households": "家庭",
    "members": "成员",
    "feeds": "部门数据",
}
STEPS = len(TABLE_LABELS) + 2 * len(RULES)
LOAD_BATCH = 10_000

OnProgress = Callable[[int, int, str], None]


def run_dir(run: ScreeningRun) -> Path:
    # Unique per attempt: a job run twice, or two databases sharing one var/ (tests), never
    # write into each other's files.
    return conf.snapshot_dir() / f"run-{run.pk}-{uuid.uuid4().hex[:12]}"


def found_in(out: Path, rule: Rule) -> Iterator[Found]:
    """The rule's rows as alerts to raise, read in batches (a province may flag many)."""
    dataset = pads.dataset(str(alerts_path(out, rule.key)), format="parquet")
    for batch in dataset.to_batches(batch_size=LOAD_BATCH):
        for row in batch.to_pylist():
            period = str(row["period"])
            evidence = evidence_of(row)
            yield Found(
                household_id=int(row["household_id"]),
                rule=rule.key,
                period=period,
                summary=summary_of(rule, period, evidence),
                evidence=evidence,
            )


@register(RUN_KIND)
def run_screening(job: Job, on_progress: OnProgress | None = None) -> dict[str, Any]:
    run = ScreeningRun.objects.get(job=job)
    area = Area.objects.get(code=run.area_code)
    # A job started at the command line has no user: the operator acts as the system.
    actor = job.created_by or SYSTEM
    step = 0

    def advance(message: str) -> None:
        nonlocal step
        step += 1
        progress(job, step, STEPS, message)
        if on_progress:
            on_progress(step, STEPS, message)

    started = time.perf_counter()
    directory = run_dir(run)
    snapshot, out = directory / "snapshot", directory / "alerts"
    new: dict[str, int] = {}
    try:
        snap = write_snapshot(
            snapshot,
            area,
            run.year,
            on_table=lambda name, rows: advance(f"快照·{TABLE_LABELS[name]}：{rows} 行"),
        )
        found = run_rules(
            run.engine,
            snapshot,
            out,
            RULES,
            on_rule=lambda key, rows: advance(f"规则·{BY_KEY[key].label}：{rows} 户"),
            spark=conf.spark_config(),
            duckdb_threads=conf.duckdb_threads(),
            duckdb_memory=conf.duckdb_memory(),
        )
        for rule in RULES:
            # One call (one transaction, one audit entry) per rule: progress between rules is
            # visible, and a province's alerts are not one long transaction.
            new[rule.key] = 0
            if found[rule.key]:
                loaded = record_screening_alerts(found_in(out, rule), area_code=area.code, actor=actor)
                new[rule.key] = loaded["new"]
            advance(f"载入·{rule.label}：新增 {new[rule.key]} 条")
    finally:
        if run.engine == "spark":
            # A JVM holds a gigabyte; a web or worker process should not keep one between runs.
            stop_spark()
        if not conf.keep_snapshots():
            shutil.rmtree(directory, ignore_errors=True)
    warnings = [
        {"code": ScreeningNotice.NO_THRESHOLD.name, "province": p, "year": run.year}
        for p in snap.missing_thresholds
    ]
    seconds = round(time.perf_counter() - started, 2)
    total, total_new = sum(found.values()), sum(new.values())
    ScreeningRun.objects.filter(pk=run.pk).update(
        found=found,
        new_alerts=total_new,
        seconds=seconds,
        finished_at=timezone.now(),
        snapshot_rows=snap.rows,
        warnings=warnings,
    )
    Job.objects.filter(pk=job.pk).update(
        message=f"共找到 {total} 条预警，新增 {total_new} 条，用时 {seconds} 秒。"
    )
    return {
        "run": run.pk,
        "found": found,
        "new": new,
        "total": total,
        "total_new": total_new,
        "seconds": seconds,
    }


def notice_text(warning: dict[str, Any]) -> str:
    """A stored warning in the reader's language."""
    code = ScreeningNotice[warning["code"]]
    return code.message(**{k: v for k, v in warning.items() if k != "code"})
