"""The full refresh as a job: one progress step per year, each year committed on its own."""

from __future__ import annotations

from typing import Any

from fupin.areas.models import Area
from fupin.core.jobs import progress, register
from fupin.core.models import Job
from fupin.stats.actions import REFRESH_KIND
from fupin.stats.refresh import refresh_area


@register(REFRESH_KIND)
def run_refresh(job: Job) -> dict[str, Any]:
    area = Area.objects.get(code=job.params["area"])

    def step(done: int, total: int, year: str) -> None:
        progress(job, done, total, year)

    return refresh_area(area, on_progress=step)
