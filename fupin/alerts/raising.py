"""Raising alerts in bulk: what a screening run found, loaded back into the database.

A screening run may find tens of thousands of households; they are inserted in batches, an
alert already raised for the same household, rule and period is left as it is (a re-run
duplicates nothing), and the run leaves one audit entry with its counts rather than one per
alert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from fupin.accounts.permissions import RUN_SCREENING
from fupin.alerts.models import Alert, Channel
from fupin.areas.models import Area
from fupin.areas.queries import within
from fupin.cases.area_settings import setting_for
from fupin.core import audit
from fupin.core.access import require
from fupin.registry.models import Household

BATCH = 2000


@dataclass(frozen=True)
class Found:
    """One household a rule flagged for a period, with the evidence the reviewer will read."""

    household_id: int
    rule: str
    period: str
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)


def due_dates(area_code: str, raised_on: dt.date) -> tuple[dt.date, dt.date]:
    """(home visit due, identification due) under the area's time limits."""
    visit = int(setting_for(area_code, "alert_visit_days"))
    decide = int(setting_for(area_code, "alert_decision_days"))
    return raised_on + dt.timedelta(days=visit), raised_on + dt.timedelta(days=decide)


def record_screening_alerts(found: Iterable[Found], *, area_code: str, actor: Any) -> dict[str, int]:
    """Insert the alerts not raised yet; returns {"found": n, "new": m}.

    ``area_code`` is the screened area: every household must lie inside it, so a run for one
    county can never raise an alert in another.
    """
    require(actor, RUN_SCREENING, area_code=area_code)
    area = Area.objects.get(code=area_code)
    today = timezone.localdate()
    totals = {"found": 0, "new": 0}
    deadlines: dict[str, tuple[dt.date, dt.date]] = {}
    batch: list[Found] = []

    def flush() -> None:
        ids = {f.household_id for f in batch}
        areas = dict(
            Household.objects.filter(within(area, "area_id"), pk__in=ids).values_list("pk", "area_id")
        )
        existing = set(
            Alert.objects.filter(household_id__in=ids, rule__in={f.rule for f in batch}).values_list(
                "household_id", "rule", "period"
            )
        )
        rows = []
        for f in batch:
            household_area = areas.get(f.household_id)
            if household_area is None or (f.household_id, f.rule, f.period) in existing:
                continue
            if household_area not in deadlines:
                deadlines[household_area] = due_dates(household_area, today)
            visit_due, decision_due = deadlines[household_area]
            rows.append(
                Alert(
                    household_id=f.household_id,
                    area_code=household_area,
                    channel=Channel.SCREENING,
                    rule=f.rule,
                    period=f.period,
                    summary=f.summary[:300],
                    evidence=f.evidence,
                    visit_due=visit_due,
                    decision_due=decision_due,
                )
            )
            existing.add((f.household_id, f.rule, f.period))
        Alert.objects.bulk_create(rows, ignore_conflicts=True)
        totals["new"] += len(rows)

    with transaction.atomic():
        for item in found:
            totals["found"] += 1
            batch.append(item)
            if len(batch) >= BATCH:
                flush()
                batch = []
        if batch:
            flush()
        audit.record(
            actor,
            "alerts.raise_screening",
            object_type="alerts.alert",
            area_code=area_code,
            after=totals,
        )
    return totals
