"""Template tags for showing alerts on other apps' pages without their views knowing about
alerts: the household page includes ``web/alerts_household.html``, which asks for its data here."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count
from django.utils import timezone

from fupin.accounts.permissions import TRIAGE_ALERTS, VIEW_ALERTS
from fupin.alerts.labels import rule_label
from fupin.alerts.queries import ACTIVE, alerts_within, decision_late, household_alerts, visit_late
from fupin.areas.models import Area
from fupin.core.access import covers
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household

register = template.Library()

# The statuses a household passes through in monitoring (纳入监测 → 风险消除).
MONITORING_STATUSES = {HouseholdStatus.MONITORED, HouseholdStatus.RISK_ELIMINATED}


@register.simple_tag(takes_context=True)
def alerts_for_household(context: template.Context, household: Household) -> dict[str, Any] | None:
    """The household's alerts and monitoring history for the reader, or None when the reader's
    role does not read alerts (the section is then left out)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.can(VIEW_ALERTS):
        return None
    alerts = household_alerts(user, household)
    for alert in alerts:
        alert.rule_label = rule_label(alert.rule)  # type: ignore[attr-defined]
    history = [
        change
        for change in household.status_history.all()
        if change.to_status in MONITORING_STATUSES or change.from_status in MONITORING_STATUSES
    ]
    return {
        "alerts": alerts,
        "history": history,
        "can_check": user.can(TRIAGE_ALERTS) and covers(user, household.area_id),
    }


@register.simple_tag(takes_context=True)
def alerts_for_area(context: template.Context, area: Area) -> dict[str, int] | None:
    """Alerts waiting in ``area`` and how many are overdue, for an overview page's cards (the
    village clerk's home page: open alerts, visits overdue); None for a role without alerts."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.can(VIEW_ALERTS):
        return None
    today = timezone.localdate()
    return (
        alerts_within(user, area)
        .filter(status__in=ACTIVE)
        .aggregate(
            active=Count("id"),
            visit_overdue=Count("id", filter=visit_late(today)),
            decision_overdue=Count("id", filter=decision_late(today)),
        )
    )


@register.filter
def rule_name(rule: str) -> str:
    return rule_label(rule)
