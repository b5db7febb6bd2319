"""Builders for screening tests: households with incomes, members and department feed rows.

Feed rows are created directly (with a batch each), as the feeds app's upload would leave them:
matched to a member and household, or unmatched with only the keyed hash.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from decimal import Decimal
from typing import Any

from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.jobs import run_job
from fupin.feeds.models import EventKind, FeedBatch, FeedRecord, Source
from fupin.registry import actions as registry
from fupin.registry.models import Household, Member
from fupin.screening.actions import do_start_screening
from fupin.screening.models import ScreeningRun

YEAR = 2024
SOURCE_OF = {
    EventKind.HOSPITAL_STAY: Source.MEDICAL,
    EventKind.YEARLY_OUT_OF_POCKET: Source.MEDICAL,
    EventKind.DROPOUT: Source.EDUCATION,
    EventKind.HOUSE_RATING: Source.HOUSING,
    EventKind.DISABILITY_CERTIFICATE: Source.DISABILITY,
    EventKind.DEATH: Source.PUBLIC_SECURITY,
    EventKind.DISASTER_LOSS: Source.EMERGENCY,
    EventKind.UNEMPLOYMENT: Source.HUMAN_RESOURCES,
}
_batches = itertools.count(1)


def income(household: Household, year: int, per_capita: Any) -> None:
    """Record a year's income whose per-capita net is exactly ``per_capita``."""
    size = household.members.filter(left_on=None).count()
    registry.do_record_income(household, year, {"wage": Decimal(str(per_capita)) * size}, actor=SYSTEM)


def head(household: Household) -> Member:
    return household.members.get(relation="head")


def feed(
    household: Household | None,
    kind: str,
    *,
    member: Member | None = None,
    amount: Any = None,
    code: str = "",
    event_date: dt.date | None = None,
    year: int = YEAR,
    person_hash: str | None = None,
) -> FeedRecord:
    """One feed row about ``member`` (the head by default) of ``household``; with
    ``household=None`` an unmatched row carrying only ``person_hash``."""
    if household is not None and member is None:
        member = head(household)
    source = SOURCE_OF[EventKind(kind)]
    area_code = household.area_id if household is not None else "433124000000"
    batch = FeedBatch.objects.create(
        source=source,
        area_code=area_code,
        period=str(year),
        content_hash=f"test-{next(_batches)}",
        status=FeedBatch.Status.DONE,
    )
    return FeedRecord.objects.create(
        batch=batch,
        source=source,
        kind=kind,
        person_hash=person_hash or (member.id_number_hash if member else "0" * 64),
        member=member if household is not None else None,
        household=household,
        area_code=area_code,
        year=year,
        event_date=event_date,
        amount=None if amount is None else Decimal(str(amount)),
        code=code,
        fingerprint=uuid.uuid4().hex,
    )


def screen(
    area_code: str = "433124000000", *, year: int = YEAR, engine: str = "duckdb", actor: Any = SYSTEM
) -> ScreeningRun:
    """Start a run and run its job here, as the worker would; returns the finished run."""
    run = do_start_screening(
        actor, area=Area.objects.get(code=area_code), year=year, engine=engine, start=False
    )
    job = run_job(run.job_id)
    assert job.status == "done", job.message
    run.refresh_from_db()
    return run


def flagged(rule: str, period: str | None = None) -> set[int]:
    from fupin.alerts.models import Alert

    rows = Alert.objects.filter(rule=rule)
    if period is not None:
        rows = rows.filter(period=period)
    return set(rows.values_list("household_id", flat=True))
