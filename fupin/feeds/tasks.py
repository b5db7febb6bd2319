"""The job that reads an uploaded feed file: it takes only the job (whose params name the batch
and the file) and is safe to run twice, since a batch no longer waiting is left as it is.

An uploaded file holds raw ID numbers, so it is deleted when the job is done with it, whatever
the outcome; a batch whose job broke off is refused and must be sent again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from fupin.core.access import SYSTEM
from fupin.core.jobs import progress, register
from fupin.core.models import Job
from fupin.feeds.actions import FEED_JOB, do_fail_feed, do_process_upload, summary
from fupin.feeds.models import FeedBatch


def upload_dir() -> Path:
    path = Path(settings.FUPIN_FILES_DIR) / "feeds"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _actor(job: Job) -> Any:
    # A batch sent at the command line has no user: the operator acts as the system.
    return job.created_by or SYSTEM


@register(FEED_JOB)
def run_feed(job: Job, on_progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    batch = FeedBatch.objects.get(pk=job.params["batch"])
    path = Path(job.params["path"])

    def report(done: int, total: int) -> None:
        progress(job, done, total)
        if on_progress:
            on_progress(done, total)

    try:
        batch = do_process_upload(batch, path, actor=_actor(job), on_progress=report)
    except Exception:
        do_fail_feed(batch, actor=_actor(job))
        raise
    finally:
        if job.params.get("delete_file"):
            path.unlink(missing_ok=True)
    return {"batch": batch.pk, **summary(batch)}
