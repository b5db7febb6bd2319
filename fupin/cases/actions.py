"""Every write to a case. Each action checks the role AND the level of the actor's area for the
step, runs in one transaction, moves the case with a conditional update on the step it was at
(of two concurrent acts exactly one succeeds, the other gets Conflict), appends the timeline
and writes the audit entry. Household status changes only here, through registry's action.
"""

from __future__ import annotations

import copy
import datetime as dt
from fractions import Fraction
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from fupin.accounts.display import display_name, display_name_for_login
from fupin.accounts.models import User
from fupin.accounts.permissions import ACT_VILLAGE_STEP, APPROVE_COUNTY, REVIEW_TOWNSHIP, VIEW_CASES
from fupin.cases import rules
from fupin.cases.area_settings import fraction, setting_for
from fupin.cases.errors import CaseError
from fupin.cases.models import (
    Attachment,
    Case,
    CaseRiskType,
    CaseStep,
    Decision,
    Kind,
    Notice,
    Objection,
    Origin,
    ReviewMeeting,
    RuleCheck,
    Status,
    Step,
    Verification,
    notice_ends_on,
)
from fupin.cases.workflow import (
    MONITORING_KINDS,
    MONITORING_NOTICE_MIN_DAYS,
    NOTICE_ROUND,
    REVIEW_STEPS,
    STEP_ACTORS,
    at_level,
    decides,
    next_step,
    path_of,
)
from fupin.core import audit
from fupin.core.access import covers, require
from fupin.core.errors import Conflict, FupinError, NotFound, PermissionDenied, ValidationFailed
from fupin.registry import actions as registry
from fupin.registry.choices import EliminationWay, HouseholdStatus, MonitoringCategory, RiskType
from fupin.registry.errors import RegistryError
from fupin.registry.models import Household

MAX_FILE_MB = 10
NOTICE_LEAD_DAYS = 30


# --- helpers -------------------------------------------------------------------------------


def _text(value: Any, limit: int, field: str, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise FupinError(CaseError.REASON_REQUIRED, field=field)
    if len(text) > limit:
        raise FupinError(RegistryError.TOO_LONG, field=field, max=limit)
    return text


def _past_date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise FupinError(RegistryError.BAD_DATE, field=field) from None
    if day > timezone.localdate():
        raise FupinError(CaseError.DATE_IN_FUTURE, field=field)
    return day


def _count(value: Any, field: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise FupinError(RegistryError.BAD_NUMBER, field=field) from None
    if number < 0 or number > 10000:
        raise FupinError(RegistryError.BAD_NUMBER, field=field)
    return number


# The acts that move a case off its step: the one a slower decider of that step lost to.
DECIDING = (Decision.DONE, Decision.APPROVED, Decision.REJECTED, Decision.CLOSED)


class AlreadyDecided(Conflict):
    """Someone took the step first: 409 with who and when, never "no permission" (the loser
    could act there a moment ago; the case has moved to a step they may not act on). A
    Conflict, so every caller that handles the slower of two keeps doing so."""

    def __init__(self, entry: CaseStep) -> None:
        # Named as every page names people (full name, else the role), never by login.
        name = (
            display_name(entry.actor) if entry.actor is not None else display_name_for_login(entry.actor_name)
        )
        at = timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M")
        FupinError.__init__(
            self, CaseError.ALREADY_DECIDED, name=name, at=at, decision=str(Decision(entry.decision).label)
        )
        self.decided_by = name
        self.decided_at = at


def _decision_at(case: Case, step: str | None = None) -> CaseStep | None:
    """The act that moved the case off ``step`` (or its latest such act). Read afresh: in a race
    the winner has committed by the time the loser's conditional update finds no row."""
    entries = CaseStep.objects.filter(case_id=case.pk, decision__in=DECIDING).select_related("actor")
    if step is not None:
        entries = entries.filter(step=step)
    return entries.order_by("-at", "-id").first()


def _could_act(actor: Any, case: Case, step: str) -> bool:
    if step not in STEP_ACTORS:
        return False
    perm, level = STEP_ACTORS[step]
    return bool(actor.can(perm)) and at_level(actor, level) and covers(actor, case.area_code)


def refuse_if_decided(case: Case, seen_step: str, actor: Any) -> None:
    """A form names the step it was shown at: if the case has left it since, answer who decided
    it (only to someone who could have acted there; anyone else gets the ordinary answer)."""
    if case.status == Status.OPEN and case.step == seen_step:
        return
    entry = _decision_at(case, seen_step)
    if entry is not None and _could_act(actor, case, seen_step):
        raise AlreadyDecided(entry)


def require_step(case: Case, step: str, actor: Any) -> None:
    """The actor may act at ``step`` of this case (role, level, area); the case is there."""
    perm, level = STEP_ACTORS[step]
    require(actor, perm, area_code=case.area_code)
    if not at_level(actor, level):
        # A role bound to the wrong level (e.g. a clerk account on a township) acts nowhere.
        raise PermissionDenied()
    if case.status != Status.OPEN or case.step != step:
        entry = _decision_at(case, step)
        if entry is not None:
            raise AlreadyDecided(entry)
        raise FupinError(CaseError.CASE_CLOSED if case.status != Status.OPEN else CaseError.WRONG_STEP)


def _require_current(
    case: Case, actor: Any, *, seen_step: str | None = None, lost: tuple[str, ...] = ()
) -> str:
    """The actor may act at the case's current step; returns that step. Who is asking is
    checked before anything about the case is said.

    ``seen_step`` is the step the caller was shown (a page's form, an API call that names it);
    ``lost`` the steps this act could only have been meant for (an approval is for the review
    at the actor's level). Either way, if the case has left that step, the answer is who
    decided it and when rather than "no permission" at the step it waits at now."""
    if seen_step:
        refuse_if_decided(case, seen_step, actor)
    try:
        if case.status != Status.OPEN or case.step not in STEP_ACTORS:
            require(actor, VIEW_CASES, area_code=case.area_code)
            raise FupinError(CaseError.CASE_CLOSED)
        require_step(case, case.step, actor)
    except FupinError as exc:
        if exc.status in (400, 403):
            for step in lost:
                if _could_act(actor, case, step) and (entry := _decision_at(case, step)) is not None:
                    raise AlreadyDecided(entry) from None
        raise
    return case.step


def _claim(case: Case, at: str, **changes: Any) -> None:
    """Move the case off step ``at``, only if it is still open there: the one conditional update
    that makes a second, concurrent act on the same step fail, naming who won."""
    now = timezone.now()
    rows = Case.objects.filter(pk=case.pk, status=Status.OPEN, step=at).update(step_since=now, **changes)
    if rows != 1:
        entry = _decision_at(case, at)
        raise AlreadyDecided(entry) if entry is not None else Conflict()


def _log(case: Case, step: str, decision: str, actor: Any, remarks: str = "") -> CaseStep:
    # Every text a user types is checked against its own limit before it gets here; a history
    # line that joins a label to one (an overruled rule and its reason, in full on the rule
    # check) is cut to the column rather than failing the whole step on PostgreSQL.
    remarks = remarks[: CaseStep._meta.get_field("remarks").max_length]
    return CaseStep.objects.create(
        case=case,
        step=step,
        decision=decision,
        actor=actor if isinstance(actor, User) else None,
        actor_name=getattr(actor, "username", "") or str(actor),
        remarks=remarks,
    )


def _audit(actor: Any, action: str, case: Case, before: dict[str, Any] | None, **after: Any) -> None:
    audit.record(
        actor, f"cases.{action}", obj=case, area_code=case.area_code, before=before, after=after or None
    )


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


def _with_status_authority(actor: Any) -> Any:
    """The actor, allowed for this one call to change a household's status.

    No role holds ``registry.change_status``: a status changes only because a case reached
    its deciding step, so the case action lends that authority to the user who took the step.
    A copy of the user is used, so the entries written still name the real person.
    """
    if not isinstance(actor, User):
        return actor  # the command-line operator already may
    delegate = copy.copy(actor)

    def can(perm: str) -> bool:
        return perm == registry.CHANGE_STATUS or actor.can(perm)

    delegate.can = can  # type: ignore[method-assign]
    return delegate


def _reload(case: Case) -> Case:
    return Case.objects.select_related("household", "household__area").get(pk=case.pk)


def _check_rules(case: Case, step: str) -> None:
    """Record each rule's result with its evidence; refuse while one fails without override."""
    if not decides(case, step):
        return
    results = rules.evaluate(case)
    for result in results:
        RuleCheck.objects.update_or_create(
            case=case, rule=result.code, defaults={"passed": result.passed, "evidence": result.evidence}
        )
    _refuse_blocking(results)


def _refuse_blocking(results: list[rules.RuleResult]) -> None:
    # A rule nobody may override is named on its own: telling the reviewer to override it
    # would send them looking for a form that is not there.
    hard = [str(r.label) for r in results if r.blocking and not r.overridable]
    if hard:
        raise FupinError(CaseError.RULES_BLOCK, rules="；".join(hard))
    blocking = [str(r.label) for r in results if r.blocking]
    if blocking:
        raise FupinError(CaseError.RULES_FAILED, rules="；".join(blocking))


# --- opening a case ------------------------------------------------------------------------

# The household statuses each kind starts from, and the error when the household is in another.
# Monitoring takes a household that was never registered, one that has exited, or one whose
# risk was eliminated and has come back (返贫致贫风险 again); a registered poor household is
# still assisted as such and is not monitored.
OPENS_FROM: dict[str, tuple[tuple[str, ...], CaseError]] = {
    Kind.IDENTIFICATION: ((HouseholdStatus.NONE,), CaseError.IDENTIFY_NEEDS_ORDINARY),
    Kind.EXIT: ((HouseholdStatus.POOR,), CaseError.EXIT_NEEDS_POOR),
    Kind.MONITORING: (
        (HouseholdStatus.NONE, HouseholdStatus.EXITED, HouseholdStatus.RISK_ELIMINATED),
        CaseError.MONITORING_NEEDS_STATUS,
    ),
    Kind.ELIMINATION: ((HouseholdStatus.MONITORED,), CaseError.ELIMINATION_NEEDS_MONITORED),
}
MONITORING_ORIGINS = (Origin.APPLICATION, Origin.CADRE_CHECK, Origin.SCREENING)


def _open(
    household: Household,
    kind: str,
    *,
    origin: str,
    reason: str,
    year: int | None,
    actor: Any,
    first_clue_on: dt.date | None = None,
) -> Case:
    require(actor, ACT_VILLAGE_STEP, area_code=household.area_id)
    if not at_level(actor, 5):
        raise PermissionDenied()
    reason = _text(reason, 300, "reason", required=True)
    statuses, wrong_status = OPENS_FROM[kind]
    if household.status not in statuses:
        raise FupinError(wrong_status, field="household")
    case = Case(
        kind=kind,
        household=household,
        area_code=household.area_id,
        origin=origin,
        year=year or timezone.localdate().year,
        reason=reason,
        # Only an exit's reviews are local settings; every other kind always has both.
        needs_township_review=kind != Kind.EXIT
        or bool(setting_for(household.area_id, "exit_requires_township_review")),
        needs_county_approval=kind != Kind.EXIT
        or bool(setting_for(household.area_id, "exit_requires_county_approval")),
        opened_by=_user(actor),
        step_since=timezone.now(),
    )
    if kind == Kind.MONITORING:
        # The 15-day clock runs from the first clue, not from whenever the village got round
        # to opening the case (domain.md §5).
        clue = min(first_clue_on or timezone.localdate(), timezone.localdate())
        case.first_clue_on = clue
        case.identification_due = clue + dt.timedelta(
            days=int(setting_for(household.area_id, "alert_decision_days"))
        )
    first = path_of(case)[0]
    case.step = first
    try:
        with transaction.atomic():
            case.save(force_insert=True)
            _log(case, first, Decision.STARTED, actor, reason)
            _audit(actor, f"open_{kind}", case, None, **audit.snapshot(case) or {})
    except IntegrityError:
        # The partial unique index: another case for this household is open.
        raise FupinError(CaseError.OPEN_CASE_EXISTS, field="household") from None
    return _reload(case)


def do_open_identification(
    household: Household, *, origin: str, reason: str, actor: Any, year: int | None = None
) -> Case:
    """农户申请 or 村委会提名: start identifying a household as poor."""
    if origin not in Origin.values:
        raise FupinError(CaseError.BAD_ORIGIN, field="origin")
    return _open(household, Kind.IDENTIFICATION, origin=origin, reason=reason, year=year, actor=actor)


def do_open_exit(household: Household, *, reason: str, actor: Any, year: int | None = None) -> Case:
    """村两委 propose a registered household for exit (贫困户退出)."""
    return _open(household, Kind.EXIT, origin="", reason=reason, year=year, actor=actor)


def do_open_monitoring(
    household: Household,
    *,
    origin: str,
    reason: str,
    actor: Any,
    year: int | None = None,
    first_clue_on: dt.date | None = None,
) -> Case:
    """纳入监测: the village starts including an ordinary, exited or risk-eliminated household in
    monitoring, after a household's own report (application), a cadre check or department
    screening. Linking the alert that led here is the caller's business (alerts sit above
    cases); the caller passes the alert's date as ``first_clue_on``, else the clock starts
    today (the application)."""
    if origin not in MONITORING_ORIGINS:
        raise FupinError(CaseError.BAD_MONITORING_ORIGIN, field="origin")
    return _open(
        household,
        Kind.MONITORING,
        origin=origin,
        reason=reason,
        year=year,
        actor=actor,
        first_clue_on=first_clue_on,
    )


def do_open_elimination(household: Household, *, reason: str, actor: Any, year: int | None = None) -> Case:
    """风险消除: the village proposes that a monitored household's risk is eliminated."""
    return _open(household, Kind.ELIMINATION, origin="", reason=reason, year=year, actor=actor)


# --- village steps -------------------------------------------------------------------------


def do_record_verification(
    case: Case,
    *,
    actor: Any,
    public_funds_member: bool = False,
    non_productive_vehicle: bool = False,
    commercial_housing: bool = False,
    runs_business: bool = False,
    policies_effective: bool = True,
    spending_resolved: bool = True,
    remarks: str = "",
) -> Case:
    """入户核实: the village clerk or first secretary records what the home visit found (for a
    risk elimination, 入户核实 too: whether large unavoidable spending is resolved)."""
    require_step(case, Step.VERIFICATION, actor)
    remarks = _text(remarks, 500, "remarks")
    with transaction.atomic():
        _claim(case, Step.VERIFICATION, step=next_step(case, Step.VERIFICATION))
        found = Verification.objects.create(
            case=case,
            verified_by=_user(actor),
            public_funds_member=bool(public_funds_member),
            non_productive_vehicle=bool(non_productive_vehicle),
            commercial_housing=bool(commercial_housing),
            runs_business=bool(runs_business),
            policies_effective=bool(policies_effective),
            spending_resolved=bool(spending_resolved),
            remarks=remarks,
        )
        _log(case, Step.VERIFICATION, Decision.DONE, actor, remarks)
        _audit(actor, "record_verification", case, {"step": case.step}, **audit.snapshot(found) or {})
    return _reload(case)


def do_record_review_meeting(
    case: Case,
    *,
    held_on: Any,
    representatives_total: Any,
    representatives_present: Any,
    votes_for: Any,
    votes_against: Any,
    votes_abstain: Any,
    actor: Any,
    remarks: str = "",
) -> Case:
    """民主评议: attendance and votes. Without quorum the meeting cannot decide (nothing is
    recorded); a meeting that votes the case down ends it, with the vote as the reason."""
    require_step(case, Step.REVIEW, actor)
    errors: list[FupinError] = []
    values: dict[str, Any] = {}
    for name, raw in (
        ("representatives_total", representatives_total),
        ("representatives_present", representatives_present),
        ("votes_for", votes_for),
        ("votes_against", votes_against),
        ("votes_abstain", votes_abstain),
    ):
        try:
            values[name] = _count(raw, name)
        except FupinError as exc:
            errors.append(exc)
    try:
        day = _past_date(held_on, "held_on")
        remarks = _text(remarks, 500, "remarks")
    except FupinError as exc:
        errors.append(exc)
    if errors:
        raise ValidationFailed(errors)
    total, present = values["representatives_total"], values["representatives_present"]
    if total < 1 or present > total:
        raise ValidationFailed([FupinError(CaseError.PRESENT_INVALID, field="representatives_present")])
    if values["votes_for"] + values["votes_against"] + values["votes_abstain"] > present:
        raise ValidationFailed([FupinError(CaseError.VOTES_INVALID, field="votes_for")])
    quorum = str(setting_for(case.area_code, "quorum"))
    if Fraction(present, total) < fraction(quorum):
        raise ValidationFailed(
            [FupinError(CaseError.QUORUM_NOT_MET, field="representatives_present", quorum=quorum)]
        )
    passed = Fraction(values["votes_for"], present) > fraction(str(setting_for(case.area_code, "majority")))
    with transaction.atomic():
        if passed:
            _claim(case, Step.REVIEW, step=next_step(case, Step.REVIEW))
        else:
            reason = CaseError.REVIEW_NOT_PASSED.message(votes_for=values["votes_for"], present=present)
            _claim(
                case, Step.REVIEW, status=Status.REJECTED, rejection_reason=reason, closed_at=timezone.now()
            )
        meeting = ReviewMeeting.objects.create(
            case=case, held_on=day, quorum=quorum, passed=passed, recorded_by=_user(actor), **values
        )
        _log(case, Step.REVIEW, Decision.APPROVED if passed else Decision.REJECTED, actor, remarks)
        _audit(actor, "record_review_meeting", case, {"step": case.step}, **audit.snapshot(meeting) or {})
    return _reload(case)


def do_record_consent(
    case: Case, *, consent_name: str, consent_on: Any, actor: Any, remarks: str = ""
) -> Case:
    """拟退出贫困户认可: the village records which household member agreed to exit, and when."""
    require_step(case, Step.CONSENT, actor)
    name = _text(consent_name, 50, "consent_name")
    if not name or not consent_on:
        raise ValidationFailed([FupinError(CaseError.CONSENT_REQUIRED, field="consent_name")])
    day = _past_date(consent_on, "consent_on")
    remarks = _text(remarks, 500, "remarks")
    with transaction.atomic():
        _claim(case, Step.CONSENT, step=next_step(case, Step.CONSENT), consent_name=name, consent_on=day)
        _log(case, Step.CONSENT, Decision.DONE, actor, remarks or name)
        _audit(actor, "record_consent", case, None, consent_name=name, consent_on=day)
    return _reload(case)


def do_record_authorisation(
    case: Case,
    *,
    signed_by: str,
    signed_on: Any,
    actor: Any,
    remarks: str = "",
    upload: UploadedFile | None = None,
) -> Case:
    """承诺授权: the household signed 《监测对象申请及承诺授权查询书》, allowing its assets to be
    checked. The village records who signed and when, with a scan of the form if at hand."""
    require_step(case, Step.AUTHORISATION, actor)
    name = _text(signed_by, 50, "signed_by")
    if not name or not signed_on:
        raise ValidationFailed([FupinError(CaseError.AUTHORISATION_REQUIRED, field="signed_by")])
    day = _past_date(signed_on, "signed_on")
    remarks = _text(remarks, 500, "remarks")
    if upload is not None:
        _check_upload(upload)
    with transaction.atomic():
        _claim(
            case,
            Step.AUTHORISATION,
            step=next_step(case, Step.AUTHORISATION),
            authorised_name=name,
            authorised_on=day,
        )
        if upload is not None:
            _store_attachment(case, Step.AUTHORISATION, upload, actor)
        _log(case, Step.AUTHORISATION, Decision.DONE, actor, remarks or name)
        _audit(actor, "record_authorisation", case, None, authorised_name=name, authorised_on=day)
    return _reload(case)


def _category(value: Any, household: Household) -> str:
    """A monitoring category that fits the household (domain.md §5): 脱贫不稳定户 only for a
    household that has exited poverty, 边缘易致贫户 only for an ordinary one, 突发严重困难户
    for either."""
    category = str(value or "").strip()
    if category not in MonitoringCategory.values:
        raise FupinError(CaseError.CATEGORY_REQUIRED, field="category")
    if category == MonitoringCategory.UNSTABLE and not rules.former_poor(household):
        raise FupinError(CaseError.CATEGORY_NEEDS_EXITED, field="category")
    if category == MonitoringCategory.EDGE and rules.former_poor(household):
        raise FupinError(CaseError.CATEGORY_NEEDS_ORDINARY, field="category")
    return category


def do_record_comparison(case: Case, *, findings: str, actor: Any, category: str = "") -> Case:
    """信息比对: the township records what comparing the household's data across departments
    found (income, assets, members paid from public funds), and may propose the category the
    findings point to, so the reviews judge the income rule for it. The category is fixed at
    tagging."""
    require_step(case, Step.COMPARISON, actor)
    findings = _text(findings, 1000, "findings")
    if not findings:
        raise ValidationFailed([FupinError(CaseError.FINDINGS_REQUIRED, field="findings")])
    proposed = _category(category, case.household) if str(category or "").strip() else ""
    with transaction.atomic():
        _claim(
            case,
            Step.COMPARISON,
            step=next_step(case, Step.COMPARISON),
            comparison_findings=findings,
            category=proposed,
        )
        _log(case, Step.COMPARISON, Decision.DONE, actor, findings[:500])
        _audit(actor, "record_comparison", case, None, comparison_findings=findings, category=proposed)
    return _reload(case)


def _notice_step(case: Case, actor: Any, *, lost: tuple[str, ...] = ()) -> str:
    step = _require_current(case, actor, lost=lost)
    if step not in NOTICE_ROUND:
        raise FupinError(CaseError.WRONG_STEP)
    return step


def current_notice(case: Case) -> Notice | None:
    if case.step not in NOTICE_ROUND:
        return None
    return Notice.objects.filter(case=case, round=NOTICE_ROUND[case.step]).first()


def do_post_notice(case: Case, *, starts_on: Any, actor: Any) -> Notice:
    """公示: post the notice; it may close ``notice_days`` (the area's setting) later."""
    step = _notice_step(case, actor)
    day = starts_on if isinstance(starts_on, dt.date) else None
    if day is None:
        try:
            day = dt.date.fromisoformat(str(starts_on or "").strip())
        except ValueError:
            raise FupinError(RegistryError.BAD_DATE, field="starts_on") from None
    # Never earlier than the case reached this step: a backdated notice would shorten the
    # period villagers really had to object.
    earliest = timezone.localdate(case.step_since)
    if not earliest <= day <= timezone.localdate() + dt.timedelta(days=NOTICE_LEAD_DAYS):
        raise FupinError(CaseError.NOTICE_START_INVALID, field="starts_on")
    days = int(setting_for(case.area_code, "notice_days"))
    if case.kind in MONITORING_KINDS:
        # 村内公示 ≥ 5 days (domain.md §5): a national floor, kept even if a setting row says
        # less (the settings page refuses less, but a row may come from elsewhere).
        days = max(days, MONITORING_NOTICE_MIN_DAYS)
    try:
        with transaction.atomic():
            # Lock the case at this step so posting cannot race a move off it.
            if (
                not Case.objects.select_for_update()
                .filter(pk=case.pk, status=Status.OPEN, step=step)
                .exists()
            ):
                raise Conflict()
            notice = Notice.objects.create(
                case=case,
                round=NOTICE_ROUND[step],
                starts_on=day,
                ends_on=notice_ends_on(day, days),
                posted_by=_user(actor),
            )
            _log(case, step, Decision.POSTED, actor, notice.period)
            _audit(actor, "post_notice", case, None, **audit.snapshot(notice) or {})
    except IntegrityError:
        raise FupinError(CaseError.NOTICE_ALREADY_POSTED) from None
    return notice


def do_record_objection(case: Case, *, raised_by: str, content: str, actor: Any) -> Objection:
    """异议: a villager objects while the notice is up; the village records it as said."""
    step = _notice_step(case, actor)
    raised_by = _text(raised_by, 50, "raised_by", required=True)
    content = _text(content, 1000, "content", required=True)
    with transaction.atomic():
        notice = Notice.objects.select_for_update().filter(case=case, round=NOTICE_ROUND[step]).first()
        if notice is None or notice.closed_at is not None:
            raise FupinError(CaseError.NOTICE_NOT_POSTED)
        objection = Objection.objects.create(
            notice=notice, raised_by=raised_by, content=content, recorded_by=_user(actor)
        )
        _log(case, step, Decision.OBJECTION, actor, f"{raised_by}: {content}")
        _audit(actor, "record_objection", case, None, **audit.snapshot(objection) or {})
    return objection


def do_answer_objection(objection: Objection, *, answer: str, actor: Any) -> Objection:
    """The village answers an objection (after checking it); only then may the notice close."""
    case = objection.notice.case
    step = _notice_step(case, actor)
    answer = _text(answer, 1000, "answer", required=True)
    with transaction.atomic():
        rows = Objection.objects.filter(pk=objection.pk, answered_at=None).update(
            answer=answer, answered_by=_user(actor), answered_at=timezone.now()
        )
        if rows != 1:
            raise FupinError(CaseError.ALREADY_ANSWERED)
        objection.refresh_from_db()
        _log(case, step, Decision.ANSWERED, actor, answer)
        _audit(actor, "answer_objection", case, None, **audit.snapshot(objection) or {})
    return objection


def do_close_notice(case: Case, *, actor: Any, remarks: str = "") -> Case:
    """End the notice: not before its last day has passed, and with every objection answered."""
    step = _notice_step(case, actor, lost=tuple(NOTICE_ROUND))
    remarks = _text(remarks, 500, "remarks")
    with transaction.atomic():
        notice = Notice.objects.select_for_update().filter(case=case, round=NOTICE_ROUND[step]).first()
        if notice is None:
            raise FupinError(CaseError.NOTICE_NOT_POSTED)
        if timezone.localdate() < notice.ends_on:
            raise FupinError(
                CaseError.NOTICE_NOT_OVER,
                last_day=notice.last_day.isoformat(),
                ends_on=notice.ends_on.isoformat(),
            )
        open_count = notice.objections.filter(answered_at=None).count()
        if open_count:
            raise FupinError(CaseError.OBJECTIONS_OPEN, count=open_count)
        _claim(case, step, step=next_step(case, step))
        Notice.objects.filter(pk=notice.pk).update(closed_at=timezone.now())
        _log(case, step, Decision.CLOSED, actor, remarks)
        _audit(actor, "close_notice", case, {"step": step}, notice=notice.pk, step=next_step(case, step))
    return _reload(case)


# --- reviews -------------------------------------------------------------------------------


def do_override_rule(case: Case, *, rule: str, reason: str, actor: Any) -> RuleCheck:
    """A reviewer overrules a failing rule; the written reason is kept and shown with it."""
    step = _require_current(case, actor)
    if not decides(case, step):
        raise FupinError(CaseError.NOT_REVIEW_STEP)
    if rule not in rules.rules_of(case):
        raise FupinError(CaseError.UNKNOWN_RULE, field="rule")
    reason = _text(reason, 500, "reason", required=True)
    result = next(r for r in rules.evaluate(case) if r.code == rule)
    if result.passed:
        raise FupinError(CaseError.RULE_PASSED, field="rule")
    if not result.overridable:
        raise FupinError(CaseError.RULE_NOT_OVERRIDABLE, field="rule")
    with transaction.atomic():
        if (
            not Case.objects.select_for_update()
            .filter(pk=case.pk, status=Status.OPEN, step=case.step)
            .exists()
        ):
            entry = _decision_at(case, case.step)
            raise AlreadyDecided(entry) if entry is not None else Conflict()
        check, _created = RuleCheck.objects.update_or_create(
            case=case,
            rule=rule,
            defaults={
                "passed": False,
                "evidence": result.evidence,
                "overridden_by": _user(actor),
                "override_reason": reason,
                "overridden_at": timezone.now(),
            },
        )
        _log(case, case.step, Decision.OVERRIDDEN, actor, f"{rules.LABELS[rule]}: {reason}")
        _audit(actor, "override_rule", case, None, rule=rule, reason=reason, evidence=result.evidence)
    return check


def do_approve_case(case: Case, *, actor: Any, remarks: str = "", seen_step: str | None = None) -> Case:
    """乡镇审核 or 县级审定 passes the case on. County approval of an identification registers
    the household as poor (建档立卡) with the case's reason."""
    step = _require_current(case, actor, seen_step=seen_step, lost=REVIEW_STEPS)
    if step not in REVIEW_STEPS:
        raise FupinError(CaseError.WRONG_STEP)
    remarks = _text(remarks, 500, "remarks")
    with transaction.atomic():
        _claim(case, step, step=next_step(case, step))
        _check_rules(case, step)
        if case.kind == Kind.IDENTIFICATION and step == Step.COUNTY_APPROVAL:
            _change_status(case, HouseholdStatus.POOR, actor)
        _log(case, step, Decision.APPROVED, actor, remarks)
        _audit(actor, "approve", case, {"step": step}, step=next_step(case, step))
    return _reload(case)


def do_announce_case(case: Case, *, announced_on: Any, actor: Any, remarks: str = "") -> Case:
    """公告: the village announces the result and the case is done. An exit takes effect here
    (公告退出, then 销号): the household becomes exited."""
    require_step(case, Step.ANNOUNCEMENT, actor)
    day = _past_date(announced_on, "announced_on")
    remarks = _text(remarks, 500, "remarks")
    with transaction.atomic():
        _claim(
            case,
            Step.ANNOUNCEMENT,
            step=Step.DONE,
            status=Status.COMPLETED,
            announced_on=day,
            closed_at=timezone.now(),
        )
        _check_rules(case, Step.ANNOUNCEMENT)
        if case.kind == Kind.EXIT:
            _change_status(case, HouseholdStatus.EXITED, actor)
        _log(case, Step.ANNOUNCEMENT, Decision.DONE, actor, remarks)
        _audit(
            actor, "announce", case, {"step": Step.ANNOUNCEMENT}, announced_on=day, status=Status.COMPLETED
        )
    return _reload(case)


def _risk_types(values: Any) -> list[str]:
    """1 to 5 risk types from the declared list, none twice, in the order given."""
    if isinstance(values, str):
        values = [values]
    chosen = [str(v).strip() for v in (values or []) if str(v).strip()]
    if not 1 <= len(chosen) <= CaseRiskType.MAX:
        raise FupinError(CaseError.RISK_TYPES_COUNT, field="risk_types", max=CaseRiskType.MAX)
    for value in chosen:
        if value not in RiskType.values:
            raise FupinError(CaseError.RISK_TYPE_UNKNOWN, field="risk_types", value=value)
    twice = next((v for i, v in enumerate(chosen) if v in chosen[:i]), None)
    if twice is not None:
        raise FupinError(CaseError.RISK_TYPE_TWICE, field="risk_types", value=RiskType(twice).label)
    return chosen


def _change_status(case: Case, to_status: str, actor: Any, category: str = "") -> None:
    registry.do_change_status(
        Household.objects.get(pk=case.household_id),
        to_status,
        year=case.year,
        reason=case.reason,
        actor=_with_status_authority(actor),
        category=category,
    )


def do_tag_monitoring(case: Case, *, category: str, risk_types: Any, actor: Any, remarks: str = "") -> Case:
    """系统录入/标注: after county approval the village enters the household as monitored, with
    its category (fitting the household) and one to five risk types; the case is done."""
    require_step(case, Step.TAGGING, actor)
    if case.kind != Kind.MONITORING:
        raise FupinError(CaseError.WRONG_STEP)
    errors: list[FupinError] = []
    chosen: list[str] = []
    final = ""
    try:
        final = _category(category, case.household)
    except FupinError as exc:
        errors.append(exc)
    try:
        chosen = _risk_types(risk_types)
    except FupinError as exc:
        errors.append(exc)
    try:
        remarks = _text(remarks, 500, "remarks")
    except FupinError as exc:
        errors.append(exc)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        _claim(
            case,
            Step.TAGGING,
            step=Step.DONE,
            status=Status.COMPLETED,
            category=final,
            closed_at=timezone.now(),
        )
        # The reviews judged income for the category proposed then; a different one now must
        # not slip a household above the range past them (only sudden hardship may be above).
        probe = copy.copy(case)
        probe.category = final
        income = next(r for r in rules.evaluate(probe) if r.code == "income_in_monitoring_range")
        if income.blocking:
            raise ValidationFailed([FupinError(CaseError.CATEGORY_NEEDS_RANGE, field="category")])
        CaseRiskType.objects.bulk_create(
            CaseRiskType(case=case, risk=risk, position=n) for n, risk in enumerate(chosen, start=1)
        )
        # Judged now that the risk types exist (inside the transaction, so a refusal leaves none).
        water = next(r for r in rules.evaluate(case) if r.code == "water_measure_recorded")
        if water.blocking:
            raise ValidationFailed([FupinError(CaseError.WATER_MEASURE_REQUIRED, field="risk_types")])
        RuleCheck.objects.update_or_create(
            case=case, rule=water.code, defaults={"passed": water.passed, "evidence": water.evidence}
        )
        # The category goes on the dated history row too: the statistics read it by year.
        _change_status(case, HouseholdStatus.MONITORED, actor, category=final)
        _log(case, Step.TAGGING, Decision.DONE, actor, remarks)
        _audit(
            actor,
            "tag_monitoring",
            case,
            {"step": Step.TAGGING},
            status=Status.COMPLETED,
            category=final,
            risk_types=chosen,
        )
    return _reload(case)


def do_tag_elimination(case: Case, *, way: str, actor: Any, remarks: str = "") -> Case:
    """系统录入/标注: after county approval the village tags the household risk-eliminated, by
    assistance (帮扶消除) or naturally (自然消除); the case is done. Basic data stays on file."""
    require_step(case, Step.TAGGING, actor)
    if case.kind != Kind.ELIMINATION:
        raise FupinError(CaseError.WRONG_STEP)
    way = str(way or "").strip()
    if way not in EliminationWay.values:
        raise ValidationFailed([FupinError(CaseError.WAY_REQUIRED, field="way")])
    remarks = _text(remarks, 500, "remarks")
    with transaction.atomic():
        _claim(
            case,
            Step.TAGGING,
            step=Step.DONE,
            status=Status.COMPLETED,
            elimination_way=way,
            closed_at=timezone.now(),
        )
        # The household's members may have changed since the county approved: the one block
        # no reviewer can lift is checked again at the moment the status changes.
        _refuse_blocking([r for r in rules.evaluate(case) if not r.overridable])
        _change_status(case, HouseholdStatus.RISK_ELIMINATED, actor)
        _log(case, Step.TAGGING, Decision.DONE, actor, remarks)
        _audit(
            actor,
            "tag_elimination",
            case,
            {"step": Step.TAGGING},
            status=Status.COMPLETED,
            elimination_way=way,
        )
    return _reload(case)


def do_reject_case(case: Case, *, reason: str, actor: Any, seen_step: str | None = None) -> Case:
    """End the case at its current step with a written reason; the household is unchanged.
    A rejection may come at any step, so only ``seen_step`` tells a lost race from a wrong one."""
    step = _require_current(case, actor, seen_step=seen_step)
    reason = _text(reason, 300, "reason", required=True)
    with transaction.atomic():
        _claim(case, step, status=Status.REJECTED, rejection_reason=reason, closed_at=timezone.now())
        _log(case, step, Decision.REJECTED, actor, reason)
        _audit(
            actor,
            "reject",
            case,
            {"status": Status.OPEN, "step": step},
            status=Status.REJECTED,
            reason=reason,
        )
    return _reload(case)


# --- attachments ---------------------------------------------------------------------------


def may_attach(actor: Any, case: Case) -> bool:
    return (
        bool(getattr(actor, "is_authenticated", False))
        and covers(actor, case.area_code)
        and any(actor.can(p) for p in (ACT_VILLAGE_STEP, REVIEW_TOWNSHIP, APPROVE_COUNTY))
    )


def do_add_attachment(case: Case, upload: UploadedFile | None, *, actor: Any) -> Attachment:
    """A scan of the meeting minutes, the posted notice, the signed consent…: anyone who acts
    on cases in the area may add one while the case is open."""
    require(actor, VIEW_CASES, area_code=case.area_code)
    if not may_attach(actor, case):
        raise PermissionDenied()
    if case.status != Status.OPEN:
        raise FupinError(CaseError.CASE_CLOSED)
    upload = _check_upload(upload)
    with transaction.atomic():
        return _store_attachment(case, case.step, upload, actor)


def _check_upload(upload: UploadedFile | None) -> UploadedFile:
    if upload is None or not upload.name:
        raise FupinError(CaseError.FILE_REQUIRED, field="file")
    if (upload.size or 0) > MAX_FILE_MB * 1024 * 1024:
        raise FupinError(CaseError.FILE_TOO_LARGE, field="file", mb=MAX_FILE_MB)
    _text(_file_name(upload), 200, "file")
    return upload


def _file_name(upload: UploadedFile) -> str:
    return str(upload.name or "").replace("\\", "/").rsplit("/", 1)[-1]


def _store_attachment(case: Case, step: str, upload: UploadedFile, actor: Any) -> Attachment:
    """Save the file against ``step`` and log it; the caller holds the transaction."""
    name = _file_name(upload)
    attachment = Attachment(case=case, step=step, name=name, uploaded_by=_user(actor))
    attachment.file.save(f"case{case.pk}-{name}", upload, save=False)
    attachment.save()
    _log(case, step, Decision.ATTACHED, actor, name)
    _audit(actor, "add_attachment", case, None, name=name, file=attachment.file.name)
    return attachment


def access_objection(case: Case, objection_id: Any) -> Objection:
    try:
        return Objection.objects.select_related("notice__case").get(pk=int(objection_id), notice__case=case)
    except (TypeError, ValueError, Objection.DoesNotExist):
        raise NotFound() from None
