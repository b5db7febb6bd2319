"""Long work as job rows: created by a request, run by a worker, progress polled by a page.

A runner takes only the job id and must be safe to run twice; a worker claims a job with a
conditional update, so two workers never run the same job.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, transaction
from django.utils import timezone

from fupin.core.models import Job

log = logging.getLogger(__name__)
Runner = Callable[[Job], dict[str, Any]]
_RUNNERS: dict[str, Runner] = {}


def register(kind: str) -> Callable[[Runner], Runner]:
    def wrap(fn: Runner) -> Runner:
        _RUNNERS[kind] = fn
        return fn

    return wrap


def create_job(
    kind: str, *, actor: Any, area_code: str = "", params: dict[str, Any] | None = None, start: bool = True
) -> Job:
    """Create a queued job; with ``start`` it begins in a background thread after commit."""
    if kind not in _RUNNERS:
        raise KeyError(f"no runner registered for job kind {kind!r}")
    job = Job.objects.create(
        kind=kind,
        created_by=actor if getattr(actor, "pk", None) else None,
        area_code=area_code,
        params=params or {},
    )
    if start:
        transaction.on_commit(lambda: start_in_thread(job.pk))
    return job


def start_in_thread(job_id: int) -> threading.Thread:
    def target() -> None:
        try:
            run_job(job_id)
        finally:
            close_old_connections()

    thread = threading.Thread(target=target, name=f"fupin-job-{job_id}", daemon=True)
    thread.start()
    return thread


def claim(job_id: int) -> bool:
    return bool(
        Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, started_at=timezone.now()
        )
    )


def run_job(job_id: int) -> Job:
    """Claim and run one job; returns it in its final state (or as found if already claimed)."""
    if not claim(job_id):
        return Job.objects.get(pk=job_id)
    job = Job.objects.get(pk=job_id)
    try:
        result = _RUNNERS[job.kind](job)
    except Exception as exc:
        log.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, message=str(exc)[:300], finished_at=timezone.now()
        )
    else:
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.DONE, result=result or {}, finished_at=timezone.now()
        )
    return Job.objects.get(pk=job_id)


def progress(job: Job, done: int, total: int | None = None, message: str | None = None) -> None:
    """Record progress at once; pages see it only if the runner holds no transaction around
    the call (this writes on the same connection), so runners commit work in batches."""
    fields: dict[str, Any] = {"done": done}
    if total is not None:
        fields["total"] = total
    if message is not None:
        fields["message"] = message[:300]
    Job.objects.filter(pk=job.pk).update(**fields)
    job.done = done
    if total is not None:
        job.total = total


def run_queued(limit: int | None = None) -> int:
    """Run queued jobs one after another (the ``fupin worker`` loop body); returns how many ran."""
    ran = 0
    for job_id in Job.objects.filter(status=Job.Status.QUEUED).order_by("pk").values_list("pk", flat=True):
        if limit is not None and ran >= limit:
            break
        run_job(job_id)
        ran += 1
    return ran
