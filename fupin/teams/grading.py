"""The organisation department's hold on work teams (domain.md §7): spot checks (抽查), monthly
attendance against the required days in the village, the yearly assessment (一年一考核) with its
weights, the 优秀 cap and the absence caps, and recall (召回) — proposed by the system when a rule
trips, decided by a person.

Every threshold is a local setting (fupin.cases.area_settings), read for the member's village so
a county or township may set its own.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from fupin.accounts.permissions import ASSESS_TEAMS, MANAGE_TEAMS
from fupin.areas.models import Area, full_code
from fupin.cases.area_settings import setting_for
from fupin.core import audit
from fupin.core.access import SYSTEM, require
from fupin.core.errors import FupinError
from fupin.teams.errors import GradingError
from fupin.teams.models import (
    CheckIn,
    Grade,
    LeaveRequest,
    LeaveStatus,
    RecallProposal,
    RecallStatus,
    RecallTrigger,
    SpotCheck,
    TeamMember,
    WorkTeam,
    YearlyAssessment,
)
from fupin.teams.roster import active_between

# --- counting ------------------------------------------------------------------------------


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def leave_days_between(member: TeamMember, first: dt.date, last: dt.date) -> int:
    """Approved leave days of ``member`` that fall in [first, last].

    A leave crossing the boundary counts only its calendar days inside; never more than the
    days the leave itself recorded (so a request whose ``days`` left out a rest day is not
    counted for more than was approved).
    """
    total = 0
    leaves = LeaveRequest.objects.filter(
        member=member, status=LeaveStatus.APPROVED, first_day__lte=last, last_day__gte=first
    ).only("first_day", "last_day", "days")
    for leave in leaves:
        total += leave_inside(leave.first_day, leave.last_day, leave.days, first, last)
    return total


def unexcused_absences(member: TeamMember, year: int) -> int:
    first, last = year_bounds(year)
    return SpotCheck.objects.filter(
        member=member, present=False, excused=False, day__gte=first, day__lte=last
    ).count()


# --- recall triggers -----------------------------------------------------------------------


def _propose(member: TeamMember, year: int, trigger: str, evidence: dict[str, Any]) -> RecallProposal | None:
    """Create the proposal unless one exists for this member, year and trigger.

    The savepoint keeps a lost race (the unique constraint firing) from breaking the caller's
    transaction: the other writer's proposal stands and this one adds nothing.
    """
    if RecallProposal.objects.filter(member=member, year=year, trigger=trigger).exists():
        return None
    try:
        with transaction.atomic():
            proposal = RecallProposal.objects.create(
                member=member, area_id=member.area_id, year=year, trigger=trigger, evidence=evidence
            )
            audit.record(
                SYSTEM,
                "teams.propose_recall",
                obj=proposal,
                area_code=member.area_id,
                after=audit.snapshot(proposal),
            )
    except IntegrityError:
        return None
    return proposal


def months_below_minimum(member: TeamMember, year: int, today: dt.date) -> list[int]:
    """The finished months of ``year`` (the whole month before ``today``) in which the member,
    on the team for some of it, checked in on fewer days than required (``month_row``: the
    setting village_days_per_month, pro rata for part of a month, less approved leave). The
    month still running is left out: it is judged pro rata on the pages, and a recall needs a
    month that is over.

    Months before the member's first check-in are not judged: until then their days in the
    village were not kept here (a team recorded before the phone page, or kept on paper), and
    no check-in there is no evidence of absence."""
    last_month = 12 if today.year > year else today.month - 1
    if today.year < year or last_month < 1:
        return []
    first, _last = year_bounds(year)
    last = month_bounds(year, last_month)[1]
    on_to = member.left_on or last
    if member.term_starts_on > last or on_to < first:
        return []
    first_seen = CheckIn.objects.filter(member=member).order_by("day").values_list("day", flat=True).first()
    if first_seen is None or first_seen > last:
        return []
    from_month = first_seen.month if first_seen.year == year else 1
    present: dict[int, int] = defaultdict(int)
    for day in CheckIn.objects.filter(member=member, day__gte=first, day__lte=last).values_list(
        "day", flat=True
    ):
        present[day.month] += 1
    leaves = list(
        LeaveRequest.objects.filter(
            member=member, status=LeaveStatus.APPROVED, first_day__lte=last, last_day__gte=first
        ).only("first_day", "last_day", "days")
    )
    per_month = int(setting_for(member.area_id, "village_days_per_month"))
    short = []
    for month in range(from_month, last_month + 1):
        m_first, m_last = month_bounds(year, month)
        if member.term_starts_on > m_last or on_to < m_first:
            continue
        leave = sum(leave_inside(lv.first_day, lv.last_day, lv.days, m_first, m_last) for lv in leaves)
        row = month_row(
            member, year, month, present=present[month], leave=leave, per_month=per_month, today=today
        )
        if row.short > 0:
            short.append(month)
    return short


def check_recall_triggers(
    member: TeamMember, year: int, *, today: dt.date | None = None
) -> list[RecallProposal]:
    """Propose recall of ``member`` for every rule of domain.md §7 that has tripped in ``year``.

    Run by the system after leave is approved, a grade given, a spot check recorded or a
    member's first check-in of a month (the month before is then over), inside
    the caller's transaction: no permission check, audited as SYSTEM. Idempotent: one proposal
    per member, year and trigger. Returns the proposals this call created (none if every
    tripped rule already had its proposal). A member already recalled gets no more proposals.
    """
    if member.recalled:
        return []
    code = member.area_id
    created: list[RecallProposal] = []

    first, last = year_bounds(year)
    leave_days = leave_days_between(member, first, last)
    leave_limit = int(setting_for(code, "leave_recall_days"))
    if leave_days > leave_limit:
        p = _propose(member, year, RecallTrigger.LEAVE, {"leave_days": leave_days, "limit": leave_limit})
        if p:
            created.append(p)

    assessment = YearlyAssessment.objects.filter(member=member, year=year).first()
    if assessment is not None and assessment.grade == Grade.UNFIT:
        evidence = {"grade": assessment.grade, "total": str(assessment.total)}
        p = _propose(member, year, RecallTrigger.UNFIT, evidence)
        if p:
            created.append(p)

    absences = unexcused_absences(member, year)
    absence_limit = int(setting_for(code, "absences_recall"))
    if absences >= absence_limit:
        p = _propose(member, year, RecallTrigger.ABSENCE, {"absences": absences, "limit": absence_limit})
        if p:
            created.append(p)

    short = months_below_minimum(member, year, today or timezone.localdate())
    months_limit = int(setting_for(code, "attendance_recall_months"))
    if len(short) >= months_limit:
        evidence = {
            "months": short,
            "limit": months_limit,
            "days_per_month": int(setting_for(code, "village_days_per_month")),
        }
        p = _propose(member, year, RecallTrigger.ATTENDANCE, evidence)
        if p:
            created.append(p)
    return created


# --- spot checks ---------------------------------------------------------------------------


def _text(value: Any, limit: int, field: str, required: GradingError | None = None) -> str:
    text = str(value or "").strip()
    if required is not None and not text:
        raise FupinError(required, field=field)
    if len(text) > limit:
        raise FupinError(GradingError.TOO_LONG, field=field, max=limit)
    return text


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise FupinError(GradingError.DATE_INVALID, field=field) from None


def do_record_spot_check(
    actor: Any, member: TeamMember, day: Any, present: bool, excused: bool = False, note: str = ""
) -> SpotCheck:
    """An unannounced check (抽查) found the member in the village or not. One per member per
    day (a database constraint). An absence with an approved reason (``excused``) is kept but
    counts against nothing; an unexcused one may cap the grade and propose recall."""
    require(actor, MANAGE_TEAMS, area_code=member.area_id)
    day = _date(day, "day")
    note = _text(note, 300, "note")
    if day > timezone.localdate():
        raise FupinError(GradingError.DAY_IN_FUTURE, field="day")
    if day < member.term_starts_on or (member.left_on is not None and day > member.left_on):
        raise FupinError(GradingError.DAY_OUT_OF_TERM, field="day", name=member.name, day=day.isoformat())
    check = SpotCheck(
        member=member,
        area_id=member.area_id,
        day=day,
        present=bool(present),
        # Excused only makes sense for an absence.
        excused=bool(excused) and not present,
        note=note,
        checked_by=actor if getattr(actor, "pk", None) else None,
    )
    exists = FupinError(GradingError.SPOT_CHECK_EXISTS, field="day", name=member.name, day=day.isoformat())
    if SpotCheck.objects.filter(member=member, day=day).exists():
        raise exists
    try:
        with transaction.atomic():
            check.save(force_insert=True)
            audit.record(
                actor, "teams.spot_check", obj=check, area_code=member.area_id, after=audit.snapshot(check)
            )
            check_recall_triggers(member, day.year)
    except IntegrityError:
        raise exists from None
    return check


# --- attendance ----------------------------------------------------------------------------


@dataclass
class AttendanceRow:
    """One member's month: days in the village (their check-ins), approved leave, the days
    required after leave, and how many short of that they are.

    A month still running is judged pro rata: ``due`` is the part of ``required`` that the days
    gone before today stand for (required × days served before today ÷ days served in the
    month, rounded down; today's check-in may still come). Once the month is over, or the member
    has left, ``due`` is the whole requirement; before the month begins it is 0. A member is
    short (未达标) when their check-ins are below ``due``; days beyond it earn nothing more, so
    an attendance rate built on ``credited`` can never exceed 100 %."""

    member: TeamMember
    year: int
    month: int
    present: int
    leave: int
    required: int
    shortfall: int
    # Days of the month still to come (today included); 0 once the month is over.
    remaining: int
    due: int = 0

    @property
    def month_over(self) -> bool:
        return self.remaining == 0

    @property
    def unreachable(self) -> bool:
        """The shortfall can no longer be made up this month (always so once it is over)."""
        return self.shortfall > self.remaining

    @property
    def short(self) -> int:
        """Days short of what is due by now (the month's figure once it is over)."""
        return max(0, self.due - self.present)

    @property
    def credited(self) -> int:
        """Check-ins that count towards what is due: never more than it."""
        return min(self.present, self.due)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def leave_inside(first_day: dt.date, last_day: dt.date, days: int, first: dt.date, last: dt.date) -> int:
    """Days of an approved leave inside [first, last]: its calendar days there, never more than
    the days the leave itself recorded."""
    inside = (min(last_day, last) - max(first_day, first)).days + 1
    return max(0, min(inside, days))


def month_row(
    member: TeamMember,
    year: int,
    month: int,
    *,
    present: int,
    leave: int,
    per_month: int,
    today: dt.date,
) -> AttendanceRow:
    """One member's month from its counts: the one rule behind the attendance page, the phone
    page and the statistics' check-in rate.

    Required days are ``per_month`` (the setting village_days_per_month) minus approved leave in
    the month, not below 0. A member on the team for only part of the month (joined or left in
    it) owes the same share of the setting, rounded to the nearest day, before leave is taken
    off."""
    first, last = month_bounds(year, month)
    if today > last:
        remaining = 0
    elif today < first:
        remaining = last.day
    else:
        remaining = (last - today).days + 1
    days_in_month = last.day
    on_from = max(first, member.term_starts_on)
    on_to = min(last, member.left_on) if member.left_on else last
    on_days = max(0, (on_to - on_from).days + 1)
    owed = per_month
    if on_days < days_in_month:
        owed = (owed * on_days * 2 + days_in_month) // (2 * days_in_month)
    required = max(0, owed - leave)
    if today > on_to:
        due = required
    elif today <= on_from or on_days == 0:
        due = 0
    else:
        due = required * (today - on_from).days // on_days
    return AttendanceRow(
        member=member,
        year=year,
        month=month,
        present=present,
        leave=leave,
        required=required,
        shortfall=max(0, required - present),
        remaining=remaining,
        due=due,
    )


def attendance(
    subject: TeamMember | WorkTeam | Area, year: int, month: int, *, today: dt.date | None = None
) -> list[AttendanceRow]:
    """Attendance for a month of one member, a team's members or every member in an area
    (each row by ``month_row``)."""
    first, last = month_bounds(year, month)
    today = today or timezone.localdate()
    if isinstance(subject, TeamMember):
        members = [subject]
    else:
        qs = TeamMember.objects.filter(active_between(first, last))
        if isinstance(subject, WorkTeam):
            qs = qs.filter(team=subject)
        else:
            qs = qs.filter(subject.within_q("area_id"))
        members = list(
            qs.select_related("team", "area", "unit").order_by("area_id", "team_id", "role", "name")
        )
    if not members:
        return []
    ids = [m.pk for m in members]
    present = dict(
        CheckIn.objects.filter(member_id__in=ids, day__gte=first, day__lte=last)
        .values("member_id")
        .annotate(n=Count("pk"))
        .values_list("member_id", "n")
    )
    leave: dict[int, int] = defaultdict(int)
    for row in LeaveRequest.objects.filter(
        member_id__in=ids, status=LeaveStatus.APPROVED, first_day__lte=last, last_day__gte=first
    ).only("member_id", "first_day", "last_day", "days"):
        leave[row.member_id] += leave_inside(row.first_day, row.last_day, row.days, first, last)
    per_month: dict[str, int] = {}
    rows = []
    for m in members:
        if m.area_id not in per_month:
            per_month[m.area_id] = int(setting_for(m.area_id, "village_days_per_month"))
        rows.append(
            month_row(
                m,
                year,
                month,
                present=present.get(m.pk, 0),
                leave=leave[m.pk],
                per_month=per_month[m.area_id],
                today=today,
            )
        )
    return rows


# --- the yearly assessment -----------------------------------------------------------------

# Best first: a cap "at most X" allows X and everything after it.
GRADE_ORDER = [Grade.EXCELLENT, Grade.COMPETENT, Grade.BASIC, Grade.UNFIT]
CENT = Decimal("0.01")


def _score(value: Any, field: str) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise FupinError(GradingError.SCORE_INVALID, field=field) from None
    if not score.is_finite():
        raise FupinError(GradingError.SCORE_INVALID, field=field)
    if score != score.quantize(CENT):
        raise FupinError(GradingError.SCORE_INVALID, field=field)
    if not Decimal(0) <= score <= Decimal(100):
        raise FupinError(GradingError.SCORE_OUT_OF_RANGE, field=field)
    return score.quantize(CENT)


def half_year_weight(area_code: str) -> Decimal:
    return Decimal(int(setting_for(area_code, "half_year_weight_percent"))) / Decimal(100)


def weighted_total(area_code: str, half_year: Decimal, year_end: Decimal) -> Decimal:
    """half × w + year-end × (1 − w), w the local half-year weight; exact, then to the cent."""
    w = half_year_weight(area_code)
    return (half_year * w + year_end * (Decimal(1) - w)).quantize(CENT, rounding=ROUND_HALF_UP)


def best_grade_allowed(area_code: str, absences: int) -> Grade:
    """The best grade unexcused spot-check absences leave open (domain.md §7: once → no 优秀,
    twice → 基本称职, three times → 不称职), each count a local setting."""
    if absences >= int(setting_for(area_code, "absences_recall")):
        return Grade.UNFIT
    if absences >= int(setting_for(area_code, "absences_basic")):
        return Grade.BASIC
    if absences >= int(setting_for(area_code, "absences_no_excellent")):
        return Grade.COMPETENT
    return Grade.EXCELLENT


def county_code_of(area_code: str) -> str:
    return full_code(area_code[:6])


@dataclass
class ExcellentCap:
    """The 优秀 cap of one county for one year.

    The base ``n`` is every work-team member in the county whose time on a team overlaps the
    year (``roster.active_between``): members who left or were recalled during the year count,
    since they were on a team and are assessed for it; members who joined late count too. Not
    only those already graded, so the cap does not depend on the order grades are entered.
    """

    county_code: str
    year: int
    percent: int
    n: int
    taken: int

    @property
    def allowed(self) -> int:
        return self.n * self.percent // 100

    @property
    def left(self) -> int:
        return max(0, self.allowed - self.taken)


def excellent_cap(county_code: str, year: int, *, excluding_member: int | None = None) -> ExcellentCap:
    county = Area.objects.get(code=county_code)
    first, last = year_bounds(year)
    n = TeamMember.objects.filter(county.within_q("area_id")).filter(active_between(first, last)).count()
    taken_qs = YearlyAssessment.objects.filter(county.within_q("area_id"), year=year, grade=Grade.EXCELLENT)
    if excluding_member is not None:
        taken_qs = taken_qs.exclude(member_id=excluding_member)
    return ExcellentCap(
        county_code=county_code,
        year=year,
        percent=int(setting_for(county_code, "excellent_cap_percent")),
        n=n,
        taken=taken_qs.count(),
    )


def on_team_in(member: TeamMember, year: int) -> bool:
    first, last = year_bounds(year)
    return member.term_starts_on <= last and (member.left_on is None or member.left_on >= first)


def do_grade(
    actor: Any,
    member: TeamMember,
    year: Any,
    half_year_score: Any,
    year_end_score: Any,
    grade: str,
    note: str = "",
) -> YearlyAssessment:
    """一年一考核: record (or correct) a member's scores and grade for a year.

    Refused when the grade is better than unexcused spot-check absences allow, or when it is
    excellent and the county's excellent cap is reached. A 不称职 grade proposes recall.
    """
    require(actor, ASSESS_TEAMS, area_code=member.area_id)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise FupinError(GradingError.YEAR_OUT_OF_TERM, field="year", name=member.name, year=year) from None
    if year > timezone.localdate().year or not on_team_in(member, year):
        raise FupinError(GradingError.YEAR_OUT_OF_TERM, field="year", name=member.name, year=year)
    half = _score(half_year_score, "half_year_score")
    end = _score(year_end_score, "year_end_score")
    if grade not in Grade.values:
        raise FupinError(GradingError.GRADE_UNKNOWN, field="grade")
    note = _text(note, 300, "note")
    code = member.area_id
    absences = unexcused_absences(member, year)
    best = best_grade_allowed(code, absences)
    if GRADE_ORDER.index(Grade(grade)) < GRADE_ORDER.index(best):
        raise FupinError(
            GradingError.GRADE_CAPPED_BY_ABSENCES,
            field="grade",
            absences=absences,
            year=year,
            best=best.label,
        )
    total = weighted_total(code, half, end)
    county_code = county_code_of(code)
    with transaction.atomic():
        # Every grader in the county queues on the county's row, so two of them cannot both
        # take the last excellent place (SQLite serialises writers anyway). NO KEY: rows that
        # merely refer to the county (settings, users) can still be written meanwhile.
        Area.objects.select_for_update(no_key=True).get(code=county_code)
        existing = YearlyAssessment.objects.select_for_update().filter(member=member, year=year).first()
        if grade == Grade.EXCELLENT and not (existing and existing.grade == Grade.EXCELLENT):
            cap = excellent_cap(county_code, year, excluding_member=member.pk)
            if cap.taken + 1 > cap.allowed:
                raise FupinError(
                    GradingError.EXCELLENT_CAP,
                    field="grade",
                    cap=cap.percent,
                    year=year,
                    allowed=cap.allowed,
                    n=cap.n,
                    taken=cap.taken,
                )
        before = audit.snapshot(existing)
        row = existing or YearlyAssessment(member=member, area_id=code, year=year)
        row.half_year_score = half
        row.year_end_score = end
        row.total = total
        row.grade = grade
        row.note = note
        row.graded_by = actor if getattr(actor, "pk", None) else None
        row.save()
        audit.record(
            actor,
            "teams.grade",
            obj=row,
            area_code=code,
            before=before,
            after=audit.snapshot(row, extra={"weight_half_year": str(half_year_weight(code))}),
        )
        if grade == Grade.UNFIT:
            check_recall_triggers(member, year)
    return row


# --- recall decisions ----------------------------------------------------------------------


class AlreadyDecided(FupinError):
    status = 409


def do_decide_recall(actor: Any, proposal: RecallProposal, recall: bool, reason: str) -> RecallProposal:
    """The organisation department decides a recall proposal, once, with its reason.

    Recalling ends the membership today and marks the member recalled; the member's other open
    proposals are settled by the same decision, since there is no one left to recall.
    """
    require(actor, ASSESS_TEAMS, area_code=proposal.area_id)
    reason = _text(reason, 2000, "reason", GradingError.REASON_REQUIRED)
    today = timezone.localdate()
    user = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        locked = RecallProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status != RecallStatus.PROPOSED:
            raise AlreadyDecided(GradingError.ALREADY_DECIDED, status=str(RecallStatus(locked.status).label))
        outcome = RecallStatus.RECALLED if recall else RecallStatus.KEPT
        settled = [locked]
        if recall:
            settled += list(
                RecallProposal.objects.select_for_update()
                .filter(member_id=locked.member_id, status=RecallStatus.PROPOSED)
                .exclude(pk=locked.pk)
                .order_by("pk")
            )
        now = timezone.now()
        for p in settled:
            before = {"status": p.status}
            p.status = outcome
            p.decided_by = user
            p.decided_at = now
            p.reason = reason
            p.save(update_fields=["status", "decided_by", "decided_at", "reason"])
            audit.record(
                actor,
                "teams.decide_recall",
                obj=p,
                area_code=p.area_id,
                before=before,
                after={"status": p.status, "reason": reason, "decided_with": locked.pk},
            )
        if recall:
            member = TeamMember.objects.select_for_update().get(pk=locked.member_id)
            before = {"recalled": member.recalled, "left_on": member.left_on}
            member.recalled = True
            if member.left_on is None:
                member.left_on = max(today, member.term_starts_on)
            member.save(update_fields=["recalled", "left_on"])
            audit.record(
                actor,
                "teams.recall_member",
                obj=member,
                area_code=member.area_id,
                before=before,
                after={"recalled": True, "left_on": member.left_on, "proposal": locked.pk},
            )
    return locked
