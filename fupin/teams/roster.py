"""The roster of village work teams (驻村工作队), kept by the county organisation department.

The 2017 central rule (中办/国办, domain.md §7, CONFIRMED) asks for at least 3 people and a term
of at least 2 years. A county may ask for more (the settings team_min_members and
team_min_term_years, never below the central values) and may ask for less only through the two
settings that say they deviate from the central rule, which the team page then shows. A term
under the minimum is refused when the team is sent or a member added; the size is refused when
a member would leave an active team below it. A team is staffed one member at a time after it is
sent, so while it is below the size it is shown with a warning, not refused; a recall, a
disciplinary decision, still ends a membership whatever the size.

Also the scoped reads of teams and members the organisation department's pages use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from fupin.accounts.permissions import MANAGE_TEAMS, Role
from fupin.areas.models import Area, Level
from fupin.cases.area_settings import setting_for
from fupin.core import audit
from fupin.core.access import require
from fupin.core.errors import FupinError, NotFound
from fupin.party.models import Unit
from fupin.teams.errors import GradingError
from fupin.teams.models import TeamMember, TeamRole, WorkTeam

# --- reads ---------------------------------------------------------------------------------


def teams_within(actor: Any, area: Area | None = None) -> QuerySet[WorkTeam]:
    """Teams in the actor's area (or in ``area``, which the caller has checked lies inside)."""
    scope = area or actor.area
    return WorkTeam.objects.filter(scope.within_q("area_id")).select_related("area", "lead_unit")


def access_team_by_id(actor: Any, team_id: Any) -> WorkTeam:
    """The team if it exists and lies in the actor's area; NotFound alike otherwise."""
    try:
        return teams_within(actor).get(pk=int(team_id))
    except (WorkTeam.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def members_within(actor: Any, area: Area | None = None) -> QuerySet[TeamMember]:
    scope = area or actor.area
    return TeamMember.objects.filter(scope.within_q("area_id")).select_related("team", "area", "unit", "user")


def access_member_by_id(actor: Any, member_id: Any) -> TeamMember:
    try:
        return members_within(actor).get(pk=int(member_id))
    except (TeamMember.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def active_between(first: dt.date, last: dt.date) -> Q:
    """Members whose time on a team overlaps [first, last]: started by its end and not left
    before its start. A member past the term end who has not been marked as left is still
    there; a recalled member counts for the time before the recall."""
    return Q(term_starts_on__lte=last) & (Q(left_on__isnull=True) | Q(left_on__gte=first))


def units_for(actor: Any) -> QuerySet[Unit]:
    """Sending units a team or member may come from: the actor's area and the areas above it
    (city and provincial units send cadres to villages too)."""
    area = actor.area
    codes = [a.code for a in area.ancestors()]
    return Unit.objects.filter(area.within_q("area_id") | Q(area_id__in=codes)).order_by("name")


def eligible_logins(team: WorkTeam) -> QuerySet[Any]:
    """Active first-secretary logins of the team's village not yet on an active team."""
    from fupin.accounts.models import User

    busy = TeamMember.objects.filter(left_on__isnull=True, user__isnull=False).values("user_id")
    return (
        User.objects.filter(is_active=True, role=Role.FIRST_SECRETARY, area_id=team.area_id)
        .exclude(pk__in=busy)
        .order_by("username")
    )


# --- warnings ------------------------------------------------------------------------------


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


CENTRAL_MIN_MEMBERS = 3
CENTRAL_MIN_TERM_YEARS = 2


@dataclass(frozen=True)
class TeamRules:
    """The size and term a team in an area is held to, and why."""

    min_members: int
    min_years: int
    members_deviate: bool
    years_deviate: bool

    def source(self, deviates: bool) -> str:
        if deviates:
            return gettext("this county's deviation from the central rule allows")
        return gettext("the central rule and the local settings allow")

    def deviations(self) -> list[str]:
        """The notices the team page shows: 本县设置偏离中央规定：…"""
        notes = []
        if self.members_deviate:
            notes.append(
                gettext(
                    "This county's settings deviate from the central rule: a work team of at least "
                    "{n} people (the central rule asks for at least {central})."
                ).format(n=self.min_members, central=CENTRAL_MIN_MEMBERS)
            )
        if self.years_deviate:
            notes.append(
                gettext(
                    "This county's settings deviate from the central rule: a term of at least "
                    "{n} years (the central rule asks for at least {central})."
                ).format(n=self.min_years, central=CENTRAL_MIN_TERM_YEARS)
            )
        return notes


def team_rules(area_code: str) -> TeamRules:
    """The minimums in force: the local setting, never below the central rule (a value stored
    before the rule was enforced is read as the central one), unless the county's explicit
    deviation setting (0 = none) lowers it."""
    standard_members = max(CENTRAL_MIN_MEMBERS, int(setting_for(area_code, "team_min_members")))
    standard_years = max(CENTRAL_MIN_TERM_YEARS, int(setting_for(area_code, "team_min_term_years")))
    dev_members = int(setting_for(area_code, "team_deviation_min_members"))
    dev_years = int(setting_for(area_code, "team_deviation_min_term_years"))
    return TeamRules(
        min_members=dev_members or standard_members,
        min_years=dev_years or standard_years,
        members_deviate=bool(dev_members),
        years_deviate=bool(dev_years),
    )


def check_term(area_code: str, start: dt.date, end: dt.date, field: str) -> None:
    rules = team_rules(area_code)
    if end < add_years(start, rules.min_years):
        raise FupinError(
            GradingError.TERM_TOO_SHORT,
            field=field,
            start=start.isoformat(),
            end=end.isoformat(),
            years=rules.min_years,
            source=rules.source(rules.years_deviate),
        )


def team_deviations(team: WorkTeam) -> list[str]:
    return team_rules(team.area_id).deviations()


def team_warnings(team: WorkTeam) -> list[str]:
    """What falls short of the central guidance (as set locally): too few active members, a
    team term or a member's term shorter than the minimum. An ended team has none."""
    if team.ended_on is not None:
        return []
    code = team.area_id
    # Measured against the central rule (or a county's stricter setting) even where the county
    # deviates: the deviation allows the team, it does not make it meet the rule.
    min_members = max(CENTRAL_MIN_MEMBERS, int(setting_for(code, "team_min_members")))
    min_years = max(CENTRAL_MIN_TERM_YEARS, int(setting_for(code, "team_min_term_years")))
    warnings: list[str] = []
    active = list(team.members.filter(left_on__isnull=True).order_by("name"))
    if len(active) < min_members:
        warnings.append(
            gettext("{n} active members; a work team should have at least {min}.").format(
                n=len(active), min=min_members
            )
        )
    if team.term_ends_on < add_years(team.started_on, min_years):
        warnings.append(
            gettext("The team's term, {start} to {end}, is shorter than {years} years.").format(
                start=team.started_on.isoformat(), end=team.term_ends_on.isoformat(), years=min_years
            )
        )
    warnings.extend(
        gettext("{name}'s term, {start} to {end}, is shorter than {years} years.").format(
            name=member.name,
            start=member.term_starts_on.isoformat(),
            end=member.term_ends_on.isoformat(),
            years=min_years,
        )
        for member in active
        if member.term_ends_on < add_years(member.term_starts_on, min_years)
    )
    return warnings


# --- helpers -------------------------------------------------------------------------------


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


# --- writes --------------------------------------------------------------------------------


def do_create_team(
    actor: Any, village: Area, lead_unit: Unit | None, started_on: Any, term_ends_on: Any
) -> WorkTeam:
    """Send a work team to a village; one active team per village (a database constraint, so
    two people creating one at once cannot both succeed)."""
    require(actor, MANAGE_TEAMS, area_code=village.code)
    if village.level != Level.VILLAGE:
        raise FupinError(GradingError.NOT_A_VILLAGE, field="village")
    if lead_unit is None:
        raise FupinError(GradingError.UNIT_REQUIRED, field="lead_unit")
    start = _date(started_on, "started_on")
    end = _date(term_ends_on, "term_ends_on")
    if end <= start:
        raise FupinError(GradingError.TERM_ORDER, field="term_ends_on")
    check_term(village.code, start, end, "term_ends_on")
    exists = FupinError(GradingError.TEAM_EXISTS, field="village", village=village.name)
    if WorkTeam.objects.filter(area=village, ended_on__isnull=True).exists():
        raise exists
    team = WorkTeam(area=village, lead_unit=lead_unit, started_on=start, term_ends_on=end)
    try:
        with transaction.atomic():
            team.save(force_insert=True)
            audit.record(
                actor, "teams.create_team", obj=team, area_code=village.code, after=audit.snapshot(team)
            )
    except IntegrityError:
        raise exists from None
    return team


def do_add_member(
    actor: Any,
    team: WorkTeam,
    name: str,
    unit: Unit | None,
    role: str,
    term_starts_on: Any,
    term_ends_on: Any,
    user: Any = None,
) -> TeamMember:
    """Add a person to an active team. ``user`` ties the member to their own login so the phone
    page knows whose check-in it is: an active first-secretary login of the team's village, on
    no other active team (a database constraint)."""
    require(actor, MANAGE_TEAMS, area_code=team.area_id)
    name = _text(name, 50, "name", GradingError.NAME_REQUIRED)
    if unit is None:
        raise FupinError(GradingError.UNIT_REQUIRED, field="unit")
    if role not in TeamRole.values:
        raise FupinError(GradingError.ROLE_UNKNOWN, field="role")
    start = _date(term_starts_on, "term_starts_on")
    end = _date(term_ends_on, "term_ends_on")
    if end <= start:
        raise FupinError(GradingError.TERM_ORDER, field="term_ends_on")
    check_term(team.area_id, start, end, "term_ends_on")
    if user is not None and not (
        user.is_active and user.area_id == team.area_id and user.role == Role.FIRST_SECRETARY
    ):
        raise FupinError(GradingError.LOGIN_NOT_ELIGIBLE, field="user", village=team.area.name)
    busy = FupinError(GradingError.LOGIN_IN_ANOTHER_TEAM, field="user")
    member = TeamMember(
        team=team,
        area_id=team.area_id,
        user=user,
        name=name,
        unit=unit,
        role=role,
        term_starts_on=start,
        term_ends_on=end,
    )
    try:
        with transaction.atomic():
            # The team row is locked so a member is never added to a team being ended.
            locked = WorkTeam.objects.select_for_update().get(pk=team.pk)
            if locked.ended_on is not None:
                raise FupinError(GradingError.TEAM_ENDED)
            if user is not None and TeamMember.objects.filter(user=user, left_on__isnull=True).exists():
                raise busy
            member.save(force_insert=True)
            audit.record(
                actor, "teams.add_member", obj=member, area_code=team.area_id, after=audit.snapshot(member)
            )
    except IntegrityError:
        raise busy from None
    return member


def do_end_membership(actor: Any, member: TeamMember, left_on: Any = None) -> TeamMember:
    """The member leaves the team (term over, rotated out); the history stays."""
    require(actor, MANAGE_TEAMS, area_code=member.area_id)
    day = timezone.localdate() if left_on in (None, "") else _date(left_on, "left_on")
    with transaction.atomic():
        # The team row first: two members leaving at once are counted one after the other.
        team = WorkTeam.objects.select_for_update().get(pk=member.team_id)
        locked = TeamMember.objects.select_for_update().get(pk=member.pk)
        if locked.left_on is not None:
            raise FupinError(GradingError.MEMBERSHIP_ENDED, name=locked.name)
        if day < locked.term_starts_on:
            raise FupinError(GradingError.END_BEFORE_START, field="left_on")
        if team.ended_on is None:
            rules = team_rules(team.area_id)
            staying = TeamMember.objects.filter(team=team, left_on__isnull=True).exclude(pk=locked.pk).count()
            if staying < rules.min_members:
                raise FupinError(
                    GradingError.TEAM_TOO_SMALL,
                    name=locked.name,
                    n=staying,
                    min=rules.min_members,
                    source=rules.source(rules.members_deviate),
                )
        locked.left_on = day
        locked.save(update_fields=["left_on"])
        audit.record(
            actor,
            "teams.end_membership",
            obj=locked,
            area_code=locked.area_id,
            before={"left_on": None},
            after={"left_on": day},
        )
    return locked


def do_end_team(actor: Any, team: WorkTeam, ended_on: Any = None) -> WorkTeam:
    """The team's mission is over; its members still on it leave the same day, and the village
    may then be sent a new team."""
    require(actor, MANAGE_TEAMS, area_code=team.area_id)
    day = timezone.localdate() if ended_on in (None, "") else _date(ended_on, "ended_on")
    with transaction.atomic():
        locked = WorkTeam.objects.select_for_update().get(pk=team.pk)
        if locked.ended_on is not None:
            raise FupinError(GradingError.TEAM_ENDED)
        if day < locked.started_on:
            raise FupinError(GradingError.END_BEFORE_START, field="ended_on")
        staying = list(
            TeamMember.objects.select_for_update().filter(team=locked, left_on__isnull=True).order_by("pk")
        )
        for member in staying:
            # A member who joined after ``day`` leaves on the day they joined, never before.
            member.left_on = max(day, member.term_starts_on)
            member.save(update_fields=["left_on"])
        locked.ended_on = day
        locked.save(update_fields=["ended_on"])
        audit.record(
            actor,
            "teams.end_team",
            obj=locked,
            area_code=locked.area_id,
            before={"ended_on": None},
            after={"ended_on": day, "members_left": [m.pk for m in staying]},
        )
    return locked
