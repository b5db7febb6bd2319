"""API for cases (识别纳入, 退出): list, detail, and one endpoint per step.

Thin like the rest: look the case up through ``cases.queries`` (the same 404 for a missing case
and one outside the caller's area), call the step's action, return the case. Role, level,
area, the step the case is at, and the audit entry are the actions' business.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from fupin.accounts.models import User
from fupin.api.schemas import ErrorOut
from fupin.cases import actions, rules
from fupin.cases.models import Case, Kind, Origin, Step
from fupin.cases.models import Status as CaseStatus
from fupin.cases.queries import access_case_by_id, inbox
from fupin.cases.workflow import may_act, path_of
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
    kind: Kind = Field(description="identification (识别纳入) or exit (退出).")
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


class RuleOut(Schema):
    code: str
    label: str
    passed: bool
    evidence: dict[str, Any]
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
    steps: list[StepOut] = Field(description="The timeline: every act on the case.")
    meeting: MeetingOut | None
    notices: list[NoticeOut]
    rules: list[RuleOut] = Field(description="Each rule's result now, its evidence and any override.")
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


class VerificationIn(Schema):
    public_funds_member: bool = Field(
        False, description="A member is paid from public funds or is a village cadre."
    )
    non_productive_vehicle: bool = Field(False, description="The household owns a non-productive vehicle.")
    commercial_housing: bool = Field(False, description="The household owns commercial housing.")
    runs_business: bool = Field(False, description="Runs a business or employs labour long-term.")
    policies_effective: bool = Field(True, description="Assistance policies have taken effect (exit).")
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
        "steps": [
            {"step": s.step, "decision": s.decision, "by": s.actor_name, "at": s.at, "remarks": s.remarks}
            for s in case.steps.all()
        ],
        "meeting": meeting,
        "notices": [
            {
                "round": n.round,
                "starts_on": n.starts_on,
                "ends_on": n.ends_on,
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


# --- endpoints -----------------------------------------------------------------------------


class CaseFilters(Schema):
    status: CaseStatus | None = Field(None, description="Only cases with this status.")
    kind: Kind | None = Field(None, description="Only identification or only exit cases.")


@router.get("/cases", response={200: list[CaseListItem], **READ_ERRORS}, summary="List cases")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> list[dict[str, Any]]:
    """Cases inside the caller's area: open ones waiting for the caller's level first."""
    qs = inbox(_caller(request), status=filters.status or "", kind=filters.kind or "")[:500]
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
    case = actions.do_reject_case(access_case_by_id(user, case_id), reason=payload.reason, actor=user)
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
