"""The one write a user makes in the stats app: asking for a full refresh of their area."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fupin.accounts.permissions import REFRESH_STATS
from fupin.areas.models import Area
from fupin.core import audit
from fupin.core.access import require
from fupin.core.jobs import create_job
from fupin.core.models import Job

REFRESH_KIND = "stats.refresh"


def do_start_refresh(area: Area, *, actor: Any, start: bool = True) -> Job:
    """Queue a full refresh of every area inside ``area``; the job page shows its progress."""
    require(actor, REFRESH_STATS, area_code=area.code)
    with transaction.atomic():
        params = {"area": area.code}
        job = create_job(REFRESH_KIND, actor=actor, area_code=area.code, params=params, start=start)
        audit.record(actor, "stats.start_refresh", obj=job, area_code=area.code, after={"area": area.code})
    return job
