"""API for cases (识别纳入, 退出, 纳入监测, 风险消除): list, detail, and one endpoint per step.

Thin like the rest: look the case up through ``cases.queries`` (the same 404 for a missing case
and one outside the caller's area), call the step's action, return the case. Role, level,
area, the step the case is at, and the audit entry are the actions' business.

The one thing done here rather than in ``cases.actions``: tying a monitoring case to the alert
that led to it. Alerts sit above cases, so cases never calls them; this layer, above both,
does (``open_monitoring_case``, used by the pages too).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from typing import Annotated, Any

from django.apps import apps
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from fupin.accounts.models import User
from fupin.api.enums import CaseStatus
from fupin.api.schemas import ErrorOut
from fupin.areas.queries import access_area_by_code, within
from fupin.cases import actions, rules
from fupin.cases.models import Case, Kind, Origin, Step
from fupin.cases.queries import access_case_by_id, inbox, timeline
from fupin.cases.workflow import may_act, path_of
from fupin.core.errors import NotFound
from fupin.registry.choices import EliminationWay, MonitoringCategory, RiskType
from fupin.registry.models import Household
from fupin.registry.queries import access_household_by_id

router = Router(tags=["cases"])

CaseId = Annotated[int, Path(description="The case's id.")]
ObjectionId = Annotated[int, Path(description="The objection's id.")]
RuleCode = Annotated[str, Path(description="The rule's code, as listed in the case's `rules`.")]

READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 409: ErrorOut, **READ_ERRORS}


def _caller(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


# --- schemas -------------------------------------------------------------------------------


class CaseListItem(Schema):
    id: int
    kind: Kind = Field(
        description="identification (识别纳入), exit (退出), monitoring (纳入监测) or elimination (风险消除)."
    )
    household_id: int
    head_name: str = Field(description="Head of the household (户主).")
    area_code: str = Field(description="The household's village or village group.")
    status: CaseStatus = Field(description="open, completed or rejected.")
    step: Step = Field(description="The step the case waits at (done when completed).")
    year: int = Field(description="The work year of the case.")
    step_since: dt.datetime = Field(description="When the case reached its current step.")


class StepOut(Schema):
    step: str
    decision: str
    by: str
    at: dt.datetime
    remarks: str


class ObjectionOut(Schema):
    id: int
    raised_by: str
    content: str
    raised_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None


class NoticeOut(Schema):
    round: int
    starts_on: dt.date
    ends_on: dt.date = Field(description="The first day the notice may close.")
    last_day: dt.date = Field(description="The notice period's last day (the day before ends_on).")
    days: int = Field(description="The notice period in days, starts_on to last_day inclusive.")
    days_left: int = Field(description="Days until it may close; 0 when it may close now.")
    closed_at: dt.datetime | None
    objections: list[ObjectionOut]


class MeetingOut(Schema):
    held_on: dt.date
    representatives_total: int
    representatives_present: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    quorum: str
    passed: bool


class CaseRuleOut(Schema):
    code: str
    label: str
    passed: bool
    evidence: dict[str, Any]
    overridable: bool = Field(description="False for a rule no reviewer may override (no labour capacity).")
    overridden_by: str | None
    override_reason: str


class CaseOut(CaseListItem):
    origin: str
    reason: str = Field(description="Why the case was opened; becomes the status change's reason.")
    rejection_reason: str
    path: list[str] = Field(description="The steps this case takes, in order.")
    can_act: bool = Field(description="Whether the caller may take the current step.")
    consent_name: str
    consent_on: dt.date | None
    announced_on: dt.date | None
    authorised_name: str = Field(description="Monitoring: who in the household signed the authorisation.")
    authorised_on: dt.date | None = Field(description="Monitoring: when the authorisation was signed.")
    comparison_findings: str = Field(description="Monitoring: what the data comparison found.")
    first_clue_on: dt.date | None = Field(
        description="Monitoring: the day of the first risk clue (the alert's, else the application's)."
    )
    identification_due: dt.date | None = Field(
        description="Monitoring: identification is due by this day (first clue + 15 days, a setting)."
    )
    identification_late: bool = Field(
        description="Monitoring: still open after the due day, or tagged after it."
    )
    category: MonitoringCategory | None = Field(
        description="Monitoring: unstable (脱贫不稳定户), edge (边缘易致贫户) or sudden (突发严重困难户); "
        "proposed at the data comparison, fixed at tagging."
    )
    risk_types: list[RiskType] = Field(description="Monitoring: the 1 to 5 risk types, set at tagging.")
    elimination_way: EliminationWay | None = Field(
        description="Elimination: assisted (帮扶消除) or natural (自然消除), set at tagging."
    )
    steps: list[StepOut] = Field(description="The timeline: every act on the case.")
    meeting: MeetingOut | None
    notices: list[NoticeOut]
    rules: list[CaseRuleOut] = Field(description="Each rule's result now, its evidence and any override.")
    attachments: list[str]


class OpenIdentificationIn(Schema):
    household_id: int = Field(description="The household to identify; must be an ordinary household.")
    origin: Origin = Field(description="application (农户申请) or nomination (村委会提名).")
    reason: str = Field(description="Why, in a sentence; at most 300 characters.")
    year: int | None = Field(None, description="Work year; this year if left out.")


class OpenExitIn(Schema):
    household_id: int = Field(description="The registered poor household proposed for exit.")
    reason: str = Field(description="Why, in a sentence; at most 300 characters.")
    year: int | None = Field(None, description="Work year; this year if left out.")


class OpenMonitoringIn(Schema):
    household_id: int = Field(
        description="The household: ordinary, exited, or risk-eliminated and at risk again."
    )
    origin: Origin = Field(
        description="How the risk came to light: application (农户自主申报), cadre_check (基层干部排查) "
        "or screening (部门筛查预警)."
    )
    reason: str = Field(description="Why, in a sentence; at most 300 characters.")
    year: int | None = Field(None, description="Work year; this year if left out.")
    alert_id: int | None = Field(
        None,
        description="The alert that led here, visited and waiting for a decision; it is marked "
        "'monitoring case started' with this case, or nothing is written.",
    )


class OpenEliminationIn(Schema):
    household_id: int = Field(description="The monitored household whose risk is eliminated.")
    reason: str = Field(description="Why, in a sentence; at most 300 characters.")
    year: int | None = Field(None, description="Work year; this year if left out.")


class AuthorisationIn(Schema):
    signed_by: str = Field(description="The household member who signed 《监测对象申请及承诺授权查询书》.")
    signed_on: dt.date = Field(description="When they signed.")
    remarks: str = Field("", description="Remarks.")


class ComparisonIn(Schema):
    findings: str = Field(description="What comparing the household's data across departments found.")
    category: MonitoringCategory | None = Field(
        None, description="The category the findings point to, if any; the reviews judge income for it."
    )


class TaggingIn(Schema):
    category: MonitoringCategory | None = Field(
        None,
        description="Monitoring: the category; it must fit the household (unstable: an exited "
        "household; edge: an ordinary one; sudden: either).",
    )
    risk_types: list[RiskType] = Field(
        default_factory=list, description="Monitoring: 1 to 5 risk types, none twice."
    )
    way: EliminationWay | None = Field(None, description="Elimination: how the risk was eliminated.")
    remarks: str = Field("", description="Remarks.")


class VerificationIn(Schema):
    public_funds_member: bool = Field(
        False, description="A member is paid from public funds or is a village cadre."
    )
    non_productive_vehicle: bool = Field(False, description="The household owns a non-productive vehicle.")
    commercial_housing: bool = Field(False, description="The household owns commercial housing.")
    runs_business: bool = Field(False, description="Runs a business or employs labour long-term.")
    policies_effective: bool = Field(True, description="Assistance policies have taken effect (exit).")
    spending_resolved: bool = Field(
        True, description="Large unavoidable spending is resolved or under control (risk elimination)."
    )
    remarks: str = Field("", description="What the visit found.")


class MeetingIn(Schema):
    held_on: dt.date = Field(description="Date of the meeting.")
    representatives_total: int = Field(description="Village representatives in total.")
    representatives_present: int = Field(description="Representatives present.")
    votes_for: int = Field(description="Votes for.")
    votes_against: int = Field(description="Votes against.")
    votes_abstain: int = Field(description="Abstentions.")
    remarks: str = Field("", description="Minutes in short.")


class ConsentIn(Schema):
    consent_name: str = Field(description="The household member who agreed to exit.")
    consent_on: dt.date = Field(description="When they agreed.")
    remarks: str = Field("", description="Remarks.")


class NoticeIn(Schema):
    starts_on: dt.date = Field(description="The day the notice was posted.")


class RemarksIn(Schema):
    remarks: str = Field("", description="Remarks.")


class ReasonIn(Schema):
    reason: str = Field(description="The written reason; required.")
    step: Step | None = Field(
        None,
        description="The step the case was at when the caller decided to reject it; if the case "
        "has left it since, the answer is 409 ALREADY_DECIDED naming who decided it and when.",
    )


class ObjectionIn(Schema):
    raised_by: str = Field(description="Who objected (a name as given).")
    content: str = Field(description="The objection as said.")


class AnswerIn(Schema):
    answer: str = Field(description="The village's answer after checking.")


class AnnounceIn(Schema):
    announced_on: dt.date = Field(description="The day the result was announced.")
    remarks: str = Field("", description="Remarks.")


# --- building the answer -------------------------------------------------------------------


def describe(case: Case, user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    meeting = getattr(case, "meeting", None)  # the reverse one-to-one raises when absent
    return {
        "id": case.pk,
        "kind": case.kind,
        "household_id": case.household_id,
        "head_name": case.household.head_name,
        "area_code": case.area_code,
        "status": case.status,
        "step": case.step,
        "year": case.year,
        "step_since": case.step_since,
        "origin": case.origin,
        "reason": case.reason,
        "rejection_reason": case.rejection_reason,
        "path": path_of(case),
        "can_act": may_act(user, case),
        "consent_name": case.consent_name,
        "consent_on": case.consent_on,
        "announced_on": case.announced_on,
        "authorised_name": case.authorised_name,
        "authorised_on": case.authorised_on,
        "comparison_findings": case.comparison_findings,
        "first_clue_on": case.first_clue_on,
        "identification_due": case.identification_due,
        "identification_late": case.identification_late_on(timezone.localdate()),
        "category": case.category or None,
        "risk_types": list(case.risk_types.values_list("risk", flat=True)),
        "elimination_way": case.elimination_way or None,
        "steps": [
            {"step": s.step, "decision": s.decision, "by": s.actor_name, "at": s.at, "remarks": s.remarks}
            for s in timeline(case)
        ],
        "meeting": meeting,
        "notices": [
            {
                "round": n.round,
                "starts_on": n.starts_on,
                "ends_on": n.ends_on,
                "last_day": n.last_day,
                "days": n.days,
                "days_left": max(0, (n.ends_on - today).days),
                "closed_at": n.closed_at,
                "objections": list(n.objections.all()),
            }
            for n in case.notices.all()
        ],
        "rules": [
            {
                "code": r.code,
                "label": str(r.label),
                "passed": r.passed,
                "evidence": r.evidence,
                "overridable": r.overridable,
                "overridden_by": getattr(r.override.overridden_by, "username", None) if r.override else None,
                "override_reason": r.override.override_reason if r.override else "",
            }
            for r in rules.evaluate(case)
        ],
        "attachments": [a.name for a in case.attachments.all()],
    }


def _answer(request: HttpRequest, case: Case) -> dict[str, Any]:
    user = _caller(request)
    return describe(access_case_by_id(user, case.pk), user)


# --- monitoring cases opened from an alert -------------------------------------------------


def _alert_functions() -> tuple[Callable[..., Any] | None, Callable[..., Any] | None]:
    """(alerts' access_alert_by_id, alerts' do_mark_case_started), or None for what is absent.

    Looked up by name at call time: the alerts app is built by another engineer alongside this
    code, and a deployment may run without it; where the function is missing the case simply
    opens without the link.
    """
    if not apps.is_installed("fupin.alerts"):
        return None, None
    try:
        queries = importlib.import_module("fupin.alerts.queries")
        alert_actions = importlib.import_module("fupin.alerts.actions")
    except ImportError:
        return None, None
    return getattr(queries, "access_alert_by_id", None), getattr(alert_actions, "do_mark_case_started", None)


def open_monitoring_case(
    user: Any,
    household: Household,
    *,
    origin: str,
    reason: str,
    year: int | None = None,
    alert_id: Any = None,
) -> Case:
    """Open a monitoring case and, given the alert that led to it, mark the alert decided with
    the case, both or neither: a case the alert does not point to would leave the alert
    waiting (and overdue) for a decision already taken."""
    access_alert, mark_case_started = _alert_functions()
    if alert_id in (None, "") or access_alert is None or mark_case_started is None:
        return actions.do_open_monitoring(household, origin=origin, reason=reason, year=year, actor=user)
    alert = access_alert(user, alert_id)  # missing or outside the area: 404 before any write
    with transaction.atomic():
        # The alert is the first clue: the 15-day identification clock runs from its date.
        case = actions.do_open_monitoring(
            household,
            origin=origin,
            reason=reason,
            year=year,
            actor=user,
            first_clue_on=timezone.localdate(alert.raised_at),
        )
        mark_case_started(alert, case, actor=user)
    return case


# --- endpoints -----------------------------------------------------------------------------


class CaseFilters(Schema):
    status: CaseStatus | None = Field(None, description="Only cases with this status.")
    kind: Kind | None = Field(None, description="Only cases of this kind.")
    area: str | None = Field(
        None, description="Only cases in this area (a code inside the caller's area; 404 otherwise)."
    )


@router.get("/cases", response={200: list[CaseListItem], **READ_ERRORS}, summary="List cases")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> list[dict[str, Any]]:
    """Cases inside the caller's area: open ones waiting for the caller's level first."""
    user = _caller(request)
    qs = inbox(user, status=filters.status or "", kind=filters.kind or "")
    if filters.area:
        try:
            qs = qs.filter(within(access_area_by_code(user, filters.area), "area_code"))
        except NotFound as exc:
            exc.field = "area"
            raise
    qs = qs[:500]
    return [
        {
            "id": c.pk,
            "kind": c.kind,
            "household_id": c.household_id,
            "head_name": c.household.head_name,
            "area_code": c.area_code,
            "status": c.status,
            "step": c.step,
            "year": c.year,
            "step_since": c.step_since,
        }
        for c in qs
    ]


# Fixed paths before /cases/{case_id}, which would otherwise claim them.
@router.post(
    "/cases/identification", response={201: CaseOut, **WRITE_ERRORS}, summary="Start an identification"
)
def open_identification(request: HttpRequest, payload: OpenIdentificationIn) -> Status[dict[str, Any]]:
    """农户申请 or 村委会提名: the village opens an identification case for an ordinary household."""
    user = _caller(request)
    household = access_household_by_id(user, payload.household_id)
    case = actions.do_open_identification(
        household, origin=payload.origin, reason=payload.reason, year=payload.year, actor=user
    )
    return Status(201, _answer(request, case))


@router.post("/cases/exit", response={201: CaseOut, **WRITE_ERRORS}, summary="Start an exit")
def open_exit(request: HttpRequest, payload: OpenExitIn) -> Status[dict[str, Any]]:
    """The village proposes a registered poor household for exit."""
    user = _caller(request)
    household = access_household_by_id(user, payload.household_id)
    case = actions.do_open_exit(household, reason=payload.reason, year=payload.year, actor=user)
    return Status(201, _answer(request, case))


@router.post(
    "/cases/monitoring", response={201: CaseOut, **WRITE_ERRORS}, summary="Start a monitoring inclusion"
)
def open_monitoring(request: HttpRequest, payload: OpenMonitoringIn) -> Status[dict[str, Any]]:
    """纳入监测: the village opens a monitoring case for an ordinary, exited or risk-eliminated
    household, optionally from the (visited) alert that led to it."""
    user = _caller(request)
    household = access_household_by_id(user, payload.household_id)
    case = open_monitoring_case(
        user,
        household,
        origin=payload.origin,
        reason=payload.reason,
        year=payload.year,
        alert_id=payload.alert_id,
    )
    return Status(201, _answer(request, case))


@router.post(
    "/cases/elimination", response={201: CaseOut, **WRITE_ERRORS}, summary="Start a risk elimination"
)
def open_elimination(request: HttpRequest, payload: OpenEliminationIn) -> Status[dict[str, Any]]:
    """风险消除: the village proposes that a monitored household's risk is eliminated."""
    user = _caller(request)
    household = access_household_by_id(user, payload.household_id)
    case = actions.do_open_elimination(household, reason=payload.reason, year=payload.year, actor=user)
    return Status(201, _answer(request, case))


@router.get("/cases/{case_id}", response={200: CaseOut, **READ_ERRORS}, summary="One case")
def get_case(request: HttpRequest, case_id: CaseId) -> dict[str, Any]:
    """The case with its timeline, meeting, notices and objections, and each rule's result now
    with its evidence and any override."""
    user = _caller(request)
    return describe(access_case_by_id(user, case_id), user)


@router.post(
    "/cases/{case_id}/verification", response={200: CaseOut, **WRITE_ERRORS}, summary="Record the home visit"
)
def verify(request: HttpRequest, case_id: CaseId, payload: VerificationIn) -> dict[str, Any]:
    """入户核实 by the village clerk or first secretary, with the exclusion findings."""
    user = _caller(request)
    case = actions.do_record_verification(
        access_case_by_id(user, case_id), actor=user, **payload.model_dump()
    )
    return _answer(request, case)


@router.post(
    "/cases/{case_id}/review-meeting",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Record the review meeting",
)
def review_meeting(request: HttpRequest, case_id: CaseId, payload: MeetingIn) -> dict[str, Any]:
    """民主评议: attendance and votes; refused without quorum, and a no vote ends the case."""
    user = _caller(request)
    case = actions.do_record_review_meeting(
        access_case_by_id(user, case_id), actor=user, **payload.model_dump()
    )
    return _answer(request, case)


@router.post(
    "/cases/{case_id}/authorisation",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Record the signed authorisation",
)
def authorisation(request: HttpRequest, case_id: CaseId, payload: AuthorisationIn) -> dict[str, Any]:
    """承诺授权 (monitoring): who in the household signed the authorisation to check its assets,
    and when. A scan of the form can be added on the case page."""
    user = _caller(request)
    case = actions.do_record_authorisation(
        access_case_by_id(user, case_id), actor=user, **payload.model_dump()
    )
    return _answer(request, case)


@router.post(
    "/cases/{case_id}/comparison",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Record the data comparison",
)
def comparison(request: HttpRequest, case_id: CaseId, payload: ComparisonIn) -> dict[str, Any]:
    """信息比对 (monitoring), by the township: the findings, and the category they point to."""
    user = _caller(request)
    case = actions.do_record_comparison(
        access_case_by_id(user, case_id),
        findings=payload.findings,
        category=payload.category or "",
        actor=user,
    )
    return _answer(request, case)


@router.post(
    "/cases/{case_id}/tagging", response={200: CaseOut, **WRITE_ERRORS}, summary="Tag (enter the result)"
)
def tagging(request: HttpRequest, case_id: CaseId, payload: TaggingIn) -> dict[str, Any]:
    """系统录入/标注, after county approval: a monitoring case tags the household monitored with
    its category and risk types; a risk elimination tags it eliminated with the way."""
    user = _caller(request)
    case = access_case_by_id(user, case_id)
    if case.kind == Kind.ELIMINATION:
        case = actions.do_tag_elimination(case, way=payload.way or "", remarks=payload.remarks, actor=user)
    else:
        # Any other kind is refused by the action (wrong step) after its role and area checks.
        case = actions.do_tag_monitoring(
            case,
            category=payload.category or "",
            risk_types=list(payload.risk_types),
            remarks=payload.remarks,
            actor=user,
        )
    return _answer(request, case)


@router.post("/cases/{case_id}/consent", response={200: CaseOut, **WRITE_ERRORS}, summary="Record consent")
def consent(request: HttpRequest, case_id: CaseId, payload: ConsentIn) -> dict[str, Any]:
    """拟退出贫困户认可: who in the household agreed to exit, and when."""
    user = _caller(request)
    case = actions.do_record_consent(access_case_by_id(user, case_id), actor=user, **payload.model_dump())
    return _answer(request, case)


@router.post("/cases/{case_id}/notice", response={200: CaseOut, **WRITE_ERRORS}, summary="Post the notice")
def post_notice(request: HttpRequest, case_id: CaseId, payload: NoticeIn) -> dict[str, Any]:
    """公示: the notice runs for the area's notice period from ``starts_on``."""
    user = _caller(request)
    case = access_case_by_id(user, case_id)
    actions.do_post_notice(case, starts_on=payload.starts_on, actor=user)
    return _answer(request, case)


@router.post(
    "/cases/{case_id}/notice/close", response={200: CaseOut, **WRITE_ERRORS}, summary="Close the notice"
)
def close_notice(request: HttpRequest, case_id: CaseId, payload: RemarksIn) -> dict[str, Any]:
    """Refused before the period ends or while an objection is unanswered."""
    user = _caller(request)
    case = actions.do_close_notice(access_case_by_id(user, case_id), actor=user, remarks=payload.remarks)
    return _answer(request, case)


@router.post(
    "/cases/{case_id}/objections", response={201: CaseOut, **WRITE_ERRORS}, summary="Record an objection"
)
def record_objection(request: HttpRequest, case_id: CaseId, payload: ObjectionIn) -> Status[dict[str, Any]]:
    """异议 raised while the notice is up."""
    user = _caller(request)
    case = access_case_by_id(user, case_id)
    actions.do_record_objection(case, raised_by=payload.raised_by, content=payload.content, actor=user)
    return Status(201, _answer(request, case))


@router.post(
    "/cases/{case_id}/objections/{objection_id}/answer",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Answer an objection",
)
def answer_objection(
    request: HttpRequest, case_id: CaseId, objection_id: ObjectionId, payload: AnswerIn
) -> dict[str, Any]:
    """The village's answer; the notice may close only when every objection has one."""
    user = _caller(request)
    case = access_case_by_id(user, case_id)
    actions.do_answer_objection(
        actions.access_objection(case, objection_id), answer=payload.answer, actor=user
    )
    return _answer(request, case)


@router.post(
    "/cases/{case_id}/rules/{rule}/override",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Override a rule",
)
def override_rule(request: HttpRequest, case_id: CaseId, rule: RuleCode, payload: ReasonIn) -> dict[str, Any]:
    """A reviewer overrules a failing rule with a written reason, which is kept and shown."""
    user = _caller(request)
    case = access_case_by_id(user, case_id)
    actions.do_override_rule(case, rule=rule, reason=payload.reason, actor=user)
    return _answer(request, case)


@router.post("/cases/{case_id}/approve", response={200: CaseOut, **WRITE_ERRORS}, summary="Approve (review)")
def approve(request: HttpRequest, case_id: CaseId, payload: RemarksIn) -> dict[str, Any]:
    """乡镇审核 or 县级审定; refused while a rule fails without override."""
    user = _caller(request)
    case = actions.do_approve_case(access_case_by_id(user, case_id), actor=user, remarks=payload.remarks)
    return _answer(request, case)


@router.post("/cases/{case_id}/reject", response={200: CaseOut, **WRITE_ERRORS}, summary="Reject")
def reject(request: HttpRequest, case_id: CaseId, payload: ReasonIn) -> dict[str, Any]:
    """End the case at its current step with a written reason; the household is unchanged."""
    user = _caller(request)
    case = actions.do_reject_case(
        access_case_by_id(user, case_id), reason=payload.reason, actor=user, seen_step=payload.step
    )
    return _answer(request, case)


@router.post("/cases/{case_id}/announce", response={200: CaseOut, **WRITE_ERRORS}, summary="Announce")
def announce(request: HttpRequest, case_id: CaseId, payload: AnnounceIn) -> dict[str, Any]:
    """公告: the case is done; an exit takes effect here."""
    user = _caller(request)
    case = actions.do_announce_case(
        access_case_by_id(user, case_id),
        announced_on=payload.announced_on,
        remarks=payload.remarks,
        actor=user,
    )
    return _answer(request, case)
