"""API for monitoring alerts (防返贫监测预警): the inbox, one alert, the overdue counts, and the
triage steps — cadre check, home visit, dismissal, starting a monitoring case.

Thin like the rest: look the alert up through ``alerts.queries`` (the same 404 for a missing
alert and one outside the caller's area), call the action, return the alert. Role, area, the
alert's status and the audit entry are the actions' business.
"""

# No ``from __future__ import annotations``: ninja's ``paginate`` rebuilds the view's signature
# and must see the real ``Query[...]`` type, not its name as a string.
import datetime as dt
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from fupin.accounts.models import User
from fupin.accounts.permissions import TRIAGE_ALERTS, VIEW_ALERTS
from fupin.alerts import actions
from fupin.alerts.labels import rule_label
from fupin.alerts.models import Alert, AlertStatus, Channel
from fupin.alerts.queries import access_alert_by_id, inbox, overdue_counts
from fupin.api.pagination import LimitOffset
from fupin.api.schemas import ErrorOut
from fupin.areas.queries import access_area_by_code
from fupin.core.access import covers, require
from fupin.registry.queries import access_household_by_id

router = Router(tags=["alerts"])

AlertId = Annotated[int, Path(description="The alert's id.")]

READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 409: ErrorOut, **READ_ERRORS}


def _caller(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


# --- schemas -------------------------------------------------------------------------------


class AlertListItem(Schema):
    id: int
    household_id: int | None = Field(
        description="The household; empty for a self-report by someone not registered yet."
    )
    head_name: str | None = Field(description="Head of the household (户主), when there is one.")
    area_code: str = Field(description="The household's village or group, or the reported village.")
    channel: Channel = Field(
        description="screening (部门筛查), cadre_check (干部排查) or self_report (自主申报)."
    )
    rule: str = Field(description="The screening rule's key, or the channel for the other two.")
    rule_label: str = Field(description="The rule's name in the request's language.")
    period: str = Field(description="What the alert is about: a year, a month or a day.")
    summary: str
    status: AlertStatus = Field(description="open, visited, case_started or dismissed.")
    raised_at: dt.datetime
    visit_due: dt.date = Field(description="The last day for the home visit (入户核查).")
    decision_due: dt.date = Field(description="The last day for completing identification.")
    visit_late: bool = Field(description="Still waiting for its home visit after visit_due.")
    decision_late: bool = Field(description="Still undecided after decision_due.")
    overdue: bool = Field(description="visit_late or decision_late.")

    # The list is a queryset the paginator slices: these read each alert as it comes (one
    # alert's answer is built as a dict by ``describe``, which already holds both).
    @staticmethod
    def resolve_head_name(alert: Alert | dict[str, Any]) -> str | None:
        if isinstance(alert, dict):
            return alert["head_name"]
        return alert.household.head_name if alert.household else None

    @staticmethod
    def resolve_rule_label(alert: Alert | dict[str, Any]) -> str:
        if isinstance(alert, dict):
            return alert["rule_label"]
        return rule_label(alert.rule)


class AlertOut(AlertListItem):
    evidence: dict[str, Any] = Field(
        description="What the rule or the report found; personal numbers only masked."
    )
    visited_at: dt.datetime | None
    visit_notes: str
    decided_at: dt.datetime | None
    dismiss_reason: str
    decision_notes: str = Field(description="Why a monitoring case was started.")
    handled_by: str | None = Field(description="Who last acted on the alert.")
    case_id: int | None = Field(description="The monitoring case, once such cases exist.")
    can_triage: bool = Field(description="Whether the caller may record the visit and decide.")


class AlertFilters(Schema):
    status: str | None = Field(None, description="active (default: open or visited), all, or one status.")
    channel: Channel | None = Field(None, description="Only alerts from this channel.")
    rule: str | None = Field(None, description="Only alerts of this rule.")
    area: str | None = Field(None, description="Only inside this area (inside the caller's).")
    overdue: bool = Field(False, description="Only overdue alerts.")


class AreaFilter(Schema):
    area: str | None = Field(None, description="Only inside this area (inside the caller's).")


class CadreCheckIn(Schema):
    household_id: int = Field(description="The household the cadres checked.")
    summary: str = Field(description="What the check found; at most 300 characters.")


class AlertVisitIn(Schema):
    notes: str = Field(description="What the home visit found; required, at most 1000 characters.")


class DismissIn(Schema):
    reason: str = Field(description="Why no monitoring is needed; required, at most 500 characters.")


class StartCaseIn(Schema):
    notes: str = Field(description="Why the household should be monitored; required.")


class PlaceCount(Schema):
    code: str = Field(description="The village's or township's code.")
    name: str
    active: int = Field(description="Alerts waiting for a visit or a decision.")
    visit_overdue: int
    decision_overdue: int
    overdue: int


class OverdueOut(Schema):
    villages: list[PlaceCount]
    townships: list[PlaceCount]


# --- building the answer -------------------------------------------------------------------


def _item(alert: Alert) -> dict[str, Any]:
    household = alert.household
    return {
        "id": alert.pk,
        "household_id": alert.household_id,
        "head_name": household.head_name if household else None,
        "area_code": alert.area_code,
        "channel": alert.channel,
        "rule": alert.rule,
        "rule_label": rule_label(alert.rule),
        "period": alert.period,
        "summary": alert.summary,
        "status": alert.status,
        "raised_at": alert.raised_at,
        "visit_due": alert.visit_due,
        "decision_due": alert.decision_due,
        "visit_late": getattr(alert, "visit_late", False),
        "decision_late": getattr(alert, "decision_late", False),
        "overdue": getattr(alert, "overdue", False),
    }


def describe(alert: Alert, user: Any) -> dict[str, Any]:
    return {
        **_item(alert),
        "evidence": alert.evidence or {},
        "visited_at": alert.visited_at,
        "visit_notes": alert.visit_notes,
        "decided_at": alert.decided_at,
        "dismiss_reason": alert.dismiss_reason,
        "decision_notes": alert.decision_notes,
        "handled_by": alert.handled_by.username if alert.handled_by else None,
        "case_id": alert.case_id,
        "can_triage": user.can(TRIAGE_ALERTS) and covers(user, alert.area_code),
    }


def _answer(request: HttpRequest, alert: Alert) -> dict[str, Any]:
    user = _caller(request)
    return describe(access_alert_by_id(user, alert.pk), user)


# --- endpoints -----------------------------------------------------------------------------


@router.get("/alerts", response={200: list[AlertListItem], **READ_ERRORS}, summary="List alerts")
@paginate(LimitOffset)
def list_alerts(request: HttpRequest, filters: Query[AlertFilters]) -> QuerySet[Alert]:
    """Alerts inside the caller's area: overdue ones first, then by the nearest deadline."""
    user = _caller(request)
    require(user, VIEW_ALERTS)
    area = access_area_by_code(user, filters.area) if filters.area else None
    return inbox(
        user,
        area=area,
        status=filters.status or "active",
        rule=(filters.rule or "").strip(),
        channel=filters.channel or "",
        overdue_only=filters.overdue,
    )


# Fixed paths before /alerts/{alert_id}, which would otherwise claim them.
@router.get("/alerts/overdue", response={200: OverdueOut, **READ_ERRORS}, summary="Overdue counts")
def overdue(request: HttpRequest, filters: Query[AreaFilter]) -> dict[str, Any]:
    """Alerts waiting, and how many are overdue, per village and per township, worst first."""
    user = _caller(request)
    require(user, VIEW_ALERTS)
    scope = access_area_by_code(user, filters.area) if filters.area else None
    return overdue_counts(user, scope)


@router.post("/alerts/cadre-checks", response={201: AlertOut, **WRITE_ERRORS}, summary="Record a cadre check")
def cadre_check(request: HttpRequest, payload: CadreCheckIn) -> Status[dict[str, Any]]:
    """干部排查: the village records a household at risk; it becomes an alert dated today."""
    user = _caller(request)
    require(user, TRIAGE_ALERTS)
    household = access_household_by_id(user, payload.household_id)
    alert = actions.do_record_cadre_check(household, payload.summary, actor=user)
    return Status(201, _answer(request, alert))


@router.get("/alerts/{alert_id}", response={200: AlertOut, **READ_ERRORS}, summary="One alert")
def get_alert(request: HttpRequest, alert_id: AlertId) -> dict[str, Any]:
    """The alert with its evidence, its clock and what has been done."""
    user = _caller(request)
    return describe(access_alert_by_id(user, alert_id), user)


@router.post(
    "/alerts/{alert_id}/visit", response={200: AlertOut, **WRITE_ERRORS}, summary="Record the home visit"
)
def visit(request: HttpRequest, alert_id: AlertId, payload: AlertVisitIn) -> dict[str, Any]:
    """入户核查 by the village clerk or first secretary; 409 if it is already recorded."""
    user = _caller(request)
    alert = actions.do_record_visit(access_alert_by_id(user, alert_id), payload.notes, actor=user)
    return _answer(request, alert)


@router.post(
    "/alerts/{alert_id}/dismiss", response={200: AlertOut, **WRITE_ERRORS}, summary="Dismiss the alert"
)
def dismiss(request: HttpRequest, alert_id: AlertId, payload: DismissIn) -> dict[str, Any]:
    """No monitoring needed, with the reason; 409 if someone decided the alert first."""
    user = _caller(request)
    alert = actions.do_dismiss_alert(access_alert_by_id(user, alert_id), payload.reason, actor=user)
    return _answer(request, alert)


@router.post(
    "/alerts/{alert_id}/start-case",
    response={200: AlertOut, **WRITE_ERRORS},
    summary="Start a monitoring case",
)
def start_case(request: HttpRequest, alert_id: AlertId, payload: StartCaseIn) -> dict[str, Any]:
    """纳入监测: after the home visit, the village decides to monitor the household."""
    user = _caller(request)
    alert = actions.do_mark_case_started(
        access_alert_by_id(user, alert_id), None, notes=payload.notes, actor=user
    )
    return _answer(request, alert)
