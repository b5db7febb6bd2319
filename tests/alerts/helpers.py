"""Raising alerts the way the system does: screening through the bulk loader, cadre checks
through the village's action. Queries are asked about another day to move time; where a page
must show an old alert, ``age_alert`` moves its dates back (like the cases' ``age_notice``),
never by mocking the clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F

from fupin.alerts import actions
from fupin.alerts.models import Alert
from fupin.alerts.raising import Found, record_screening_alerts
from fupin.core.access import SYSTEM
from fupin.core.personas import COUNTY
from fupin.registry.models import Household

# Roles and where they sit, for the permission matrices.
READERS = {
    "county_admin",
    "org_dept",
    "township_officer",
    "village_clerk",
    "first_secretary",
    "cadre",
    "supervisor",
}
TRIAGERS = {"village_clerk", "first_secretary"}
OUTSIDE = {"outsider", "neighbour_clerk"}  # their areas do not hold 十八洞村


def screened(
    household: Household, rule: str = "medical_cost", period: str = "2024", **evidence: Any
) -> Alert:
    """One screening alert for ``household``, raised by the county's run."""
    record_screening_alerts(
        [Found(household.pk, rule, period, f"{rule} {period}", evidence or {"cost": 12000})],
        area_code=COUNTY,
        actor=SYSTEM,
    )
    return Alert.objects.get(household=household, rule=rule, period=period)


def checked(household: Household, actor: Any, summary: str = "户主生病住院") -> Alert:
    return actions.do_record_cadre_check(household, summary, actor=actor)


def expected(persona: str, allowed: set[str], success: int = 200) -> int:
    """Status for a request about an alert in 十八洞村 that needs one of ``allowed``: outside
    the area it is 404 like a missing alert, whatever the role; inside, the role decides."""
    if persona in OUTSIDE:
        return 404
    return success if persona in allowed else 403


def age_alert(alert: Alert, days: int) -> Alert:
    """The alert as if raised ``days`` ago: its clock runs from then."""
    shift = dt.timedelta(days=days)
    Alert.objects.filter(pk=alert.pk).update(
        raised_at=F("raised_at") - shift,
        visit_due=F("visit_due") - shift,
        decision_due=F("decision_due") - shift,
    )
    alert.refresh_from_db()
    return alert
