"""Reads of alerts, always scoped to the reader's area: the inbox with its clocks, the overdue
counts per village and township, and the monitoring dashboard's figures.

"Overdue" is one rule everywhere (domain.md §5): an alert still waiting for its home visit
after ``visit_due``, or still undecided after ``decision_due``. The date is a parameter so a
count can be taken as of any day (and tested on a fixed one).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import BooleanField, Count, Q, QuerySet, Value, When
from django.db.models import Case as When_
from django.db.models.functions import Substr
from django.utils import timezone

from fupin.accounts.permissions import RELEASE_REPORTS, VIEW_ALERTS, VIEW_REGISTRY
from fupin.alerts.labels import rule_label
from fupin.alerts.models import Alert, AlertStatus, Channel, SelfReport
from fupin.areas.models import Area, Level
from fupin.areas.queries import within
from fupin.cases.models import Case, Kind
from fupin.cases.models import Status as CaseStatus
from fupin.cases.queries import identification_late
from fupin.core.access import require
from fupin.core.errors import NotFound
from fupin.registry.choices import HouseholdStatus, MonitoringCategory
from fupin.registry.models import Household
from fupin.registry.queries import households_within

ACTIVE = (AlertStatus.OPEN, AlertStatus.VISITED)
CLOSED = (AlertStatus.CASE_STARTED, AlertStatus.DISMISSED)
# Inbox status filters besides the statuses themselves.
STATUS_FILTERS = ("active", "all", *AlertStatus.values)


def visit_late(today: dt.date) -> Q:
    return Q(status=AlertStatus.OPEN, visit_due__lt=today)


def decision_late(today: dt.date) -> Q:
    return Q(status__in=ACTIVE, decision_due__lt=today)


def overdue(today: dt.date) -> Q:
    return visit_late(today) | decision_late(today)


def alerts_within(user: Any, area: Area | None = None) -> QuerySet[Alert]:
    """Alerts in ``area`` (default: the user's own), never outside the user's area."""
    require(user, VIEW_ALERTS)
    scope = area or user.area
    if not scope.code.startswith(user.area.prefix):
        return Alert.objects.none()
    return Alert.objects.filter(within(scope, "area_code"))


def with_clock(qs: QuerySet[Alert], today: dt.date) -> QuerySet[Alert]:
    """Each alert with ``visit_late``, ``decision_late`` and ``overdue`` as of ``today``."""

    def flag(q: Q) -> Any:
        return When_(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())

    return qs.annotate(
        visit_late=flag(visit_late(today)),
        decision_late=flag(decision_late(today)),
        overdue=flag(overdue(today)),
    )


def inbox(
    user: Any,
    *,
    area: Area | None = None,
    status: str = "active",
    rule: str = "",
    channel: str = "",
    overdue_only: bool = False,
    today: dt.date | None = None,
) -> QuerySet[Alert]:
    """The alerts a user works on: overdue ones on top, then by the nearest deadline.
    Decided alerts, when asked for, come newest decision first."""
    today = today or timezone.localdate()
    qs = alerts_within(user, area).select_related("household", "household__area")
    if status == "active" or status not in STATUS_FILTERS:
        qs = qs.filter(status__in=ACTIVE)
    elif status != "all":
        qs = qs.filter(status=status)
    if rule:
        qs = qs.filter(rule=rule)
    if channel in Channel.values:
        qs = qs.filter(channel=channel)
    if overdue_only:
        qs = qs.filter(overdue(today))
    qs = with_clock(qs, today)
    if status in CLOSED:
        return qs.order_by("-decided_at", "-id")
    return qs.order_by("-overdue", "visit_due", "decision_due", "id")


def rules_in(user: Any, area: Area | None = None) -> list[str]:
    """The rules that raised alerts in the area, for a filter."""
    return list(alerts_within(user, area).order_by("rule").values_list("rule", flat=True).distinct())


def access_alert_by_id(user: Any, alert_id: Any, *, today: dt.date | None = None) -> Alert:
    """The alert with its clock, or NotFound alike for a missing one and one outside the area."""
    try:
        pk = int(alert_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    qs = alerts_within(user).select_related("household", "household__area", "handled_by", "case")
    alert = with_clock(qs, today or timezone.localdate()).filter(pk=pk).first()
    if alert is None:
        raise NotFound()
    return alert


def reports_of(alert: Alert) -> list[SelfReport]:
    """The self-reports behind an alert (the caller has already been allowed to read it)."""
    return list(SelfReport.objects.filter(alert=alert).order_by("received_at", "id"))


def access_report_by_id(user: Any, report_id: Any) -> SelfReport:
    try:
        pk = int(report_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    report = SelfReport.objects.select_related("alert").filter(pk=pk, alert__isnull=False).first()
    if report is None or report.alert is None:
        raise NotFound()
    access_alert_by_id(user, report.alert.pk)  # the same 404 outside the user's area
    return report


def queued_reports(user: Any) -> QuerySet[SelfReport]:
    """Self-reports past their village's daily cap, waiting in the user's area (the township's
    queue), oldest first."""
    require(user, RELEASE_REPORTS)
    waiting = SelfReport.objects.filter(within(user.area, "village_code"), queued=True)
    return waiting.order_by("received_at", "id")


def access_queued_report_by_id(user: Any, report_id: int) -> SelfReport:
    report = queued_reports(user).filter(pk=report_id).first()
    if report is None:
        raise NotFound()
    return report


def household_alerts(user: Any, household: Household, *, today: dt.date | None = None) -> list[Alert]:
    """A household's alerts, newest first, for its page (the caller may read the household)."""
    qs = alerts_within(user).filter(household=household).select_related("handled_by", "case")
    return list(with_clock(qs, today or timezone.localdate()).order_by("-raised_at", "-id"))


def _counts(qs: QuerySet[Alert], today: dt.date, group: Any) -> list[dict[str, Any]]:
    return list(
        qs.annotate(group=group)
        .values("group")
        .annotate(
            active=Count("id"),
            visit_overdue=Count("id", filter=visit_late(today)),
            decision_overdue=Count("id", filter=decision_late(today)),
            overdue=Count("id", filter=overdue(today)),
        )
        .order_by()
    )


def _named(rows: list[dict[str, Any]], code_of: Any) -> list[dict[str, Any]]:
    codes = {code_of(r["group"]) for r in rows}
    areas = Area.objects.in_bulk(list(codes))
    out = []
    for r in rows:
        code = code_of(r["group"])
        area = areas.get(code)
        out.append({**r, "code": code, "area": area, "name": area.name if area else code})
    out.sort(key=lambda r: (-r["overdue"], -r["active"], r["code"]))
    return out


def overdue_counts(user: Any, area: Area | None = None, *, today: dt.date | None = None) -> dict[str, Any]:
    """Active alerts and how many are overdue, per village and per township, inside ``area``.
    Only places with an active alert are listed, worst first."""
    today = today or timezone.localdate()
    qs = alerts_within(user, area).filter(status__in=ACTIVE)
    villages = _named(_counts(qs, today, Substr("area_code", 1, 12)), lambda g: g)
    townships = _named(_counts(qs, today, Substr("area_code", 1, 9)), lambda g: g.ljust(12, "0"))
    return {"villages": villages, "townships": townships}


def monitored_by_category(user: Any, area: Area) -> list[dict[str, Any]]:
    """Monitored households by category (domain.md §5): the category tagged by the household's
    latest completed monitoring case; a household monitored without one (entered before this
    system, or by a bulk change) is counted by its file: a former poor household as 脱贫不稳定户,
    one never registered as 边缘易致贫户."""
    if not user.can(VIEW_REGISTRY):
        return []
    qs = households_within(user, area).filter(status=HouseholdStatus.MONITORED)
    # Ordered by closing, so each household keeps its latest case's category.
    tagged: dict[int, str] = dict(
        Case.objects.filter(kind=Kind.MONITORING, status=CaseStatus.COMPLETED, household__in=qs.values("pk"))
        .exclude(category="")
        .order_by("household_id", "closed_at", "id")
        .values_list("household_id", "category")
    )
    counts = dict.fromkeys(MonitoringCategory.values, 0)
    for category in tagged.values():
        counts[category] += 1
    untagged = qs.exclude(pk__in=list(tagged))
    counts[MonitoringCategory.UNSTABLE] += untagged.filter(registered_year__isnull=False).count()
    counts[MonitoringCategory.EDGE] += untagged.filter(registered_year__isnull=True).count()
    eliminated = households_within(user, area).filter(status=HouseholdStatus.RISK_ELIMINATED).count()
    rows = [{"key": key, "count": count} for key, count in counts.items()]
    return [*rows, {"key": "eliminated", "count": eliminated}]


def dashboard(user: Any, area: Area, *, today: dt.date | None = None) -> dict[str, Any]:
    """The monitoring dashboard's figures for ``area`` (inside the user's): active alerts by
    rule, channel and sub-area, overdue counts, and monitored households by category."""
    today = today or timezone.localdate()
    alerts = alerts_within(user, area)
    active = alerts.filter(status__in=ACTIVE)
    totals = active.aggregate(
        active=Count("id"),
        open=Count("id", filter=Q(status=AlertStatus.OPEN)),
        visit_overdue=Count("id", filter=visit_late(today)),
        decision_overdue=Count("id", filter=decision_late(today)),
    )
    # The same 15-day clock once a case is open: the alert is decided, the case carries its due
    # day on, so an identification is overdue in one of the two counts, never both or neither.
    totals["identification_overdue"] = (
        Case.objects.filter(within(area, "area_code")).filter(identification_late(today)).count()
    )
    since = today - dt.timedelta(days=30)
    totals["raised_30"] = alerts.filter(raised_at__date__gte=since).count()
    totals["decided_30"] = alerts.filter(decided_at__date__gte=since).count()
    by_rule = [
        {**r, "label": rule_label(r["rule"])}
        for r in active.values("rule")
        .annotate(active=Count("id"), overdue=Count("id", filter=overdue(today)))
        .order_by("-active", "rule")
    ]
    by_channel = [
        {**r, "label": str(Channel(r["channel"]).label)}
        for r in active.values("channel").annotate(active=Count("id")).order_by("channel")
    ]
    # One level down from the area (townships of a county, villages of a township); a village
    # is split by its groups only when it has them, so it shows itself.
    level = min(area.level + 1, Level.VILLAGE)
    width = {Level.PREFECTURE: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}[level]
    children = _named(_counts(active, today, Substr("area_code", 1, width)), lambda g: g.ljust(12, "0"))
    counts = overdue_counts(user, area, today=today)
    return {
        "today": today,
        "totals": totals,
        "by_rule": by_rule,
        "by_channel": by_channel,
        "children": children,
        "villages": counts["villages"],
        "townships": counts["townships"],
        "categories": monitored_by_category(user, area),
    }
