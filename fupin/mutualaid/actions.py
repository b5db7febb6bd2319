"""Every write to mutual-aid groups (互助五兴, seed 003): forming a group in a village, its
households joining and leaving, dissolving it, the activities under the five 兴, the four sources'
evaluations, and households' star ratings.

A household is in at most one group at a time: the database holds that with a partial unique
index, and the add action turns a collision into a clear message. The size limit is a local
setting (``aid_group_max_households``), checked with the group's row locked so two clerks adding
at once cannot both take the last place.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fupin.accounts.permissions import EDIT_GROUPS
from fupin.areas.models import Area, Level
from fupin.cases.area_settings import setting_for
from fupin.core import audit
from fupin.core.access import require
from fupin.core.errors import Conflict, FupinError, ValidationFailed
from fupin.mutualaid.errors import GroupError
from fupin.mutualaid.models import (
    Activity,
    AidGroup,
    Evaluation,
    EvaluationSource,
    FiveKind,
    GroupHousehold,
    HouseholdStar,
    LeaderKind,
)
from fupin.party.models import MemberStatus, PartyMember
from fupin.registry.models import Household

# The first year a score or rating can be for: the 精准扶贫 programme began in 2013.
FIRST_YEAR = 2013
CURRENT_MEMBER = (MemberStatus.FULL, MemberStatus.PROBATIONARY)
GONE_MEMBER = (MemberStatus.TRANSFERRED, MemberStatus.DECEASED)
MAX_PARTICIPANTS = 1000


# --- cleaning ------------------------------------------------------------------------------


def _text(value: Any, limit: int, field: str, required: GroupError | None = None) -> str:
    text = str(value or "").strip()
    if required is not None and not text:
        raise FupinError(required, field=field)
    if len(text) > limit:
        raise FupinError(GroupError.TOO_LONG, field=field, max=limit)
    return text


def _day(value: Any, field: str, *, default_today: bool = True) -> dt.date:
    """A date not in the future; empty means today."""
    today = timezone.localdate()
    if value is None or (isinstance(value, str) and not value.strip()):
        if default_today:
            return today
        raise FupinError(GroupError.BAD_DATE, field=field)
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise FupinError(GroupError.BAD_DATE, field=field) from None
    if value > today:
        raise FupinError(GroupError.FUTURE_DATE, field=field)
    return value


def _year(value: Any, field: str = "year") -> int:
    last = timezone.localdate().year
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise FupinError(GroupError.BAD_YEAR, field=field, first=FIRST_YEAR, last=last) from None
    if not FIRST_YEAR <= year <= last:
        raise FupinError(GroupError.BAD_YEAR, field=field, first=FIRST_YEAR, last=last)
    return year


def _score(value: Any) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        raise FupinError(GroupError.BAD_SCORE, field="score") from None
    exponent = score.as_tuple().exponent
    if not score.is_finite() or not isinstance(exponent, int) or exponent < -2 or not 0 <= score <= 100:
        raise FupinError(GroupError.BAD_SCORE, field="score")
    # Two places, as the column stores it, so the audit's before and after compare alike.
    return score.quantize(Decimal("0.01"))


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"1", "true", "yes", "on", "是"}


def _refuse_dissolved(group: AidGroup) -> None:
    if group.dissolved_on is not None:
        raise FupinError(GroupError.DISSOLVED, day=group.dissolved_on.isoformat())


def _lock(group: AidGroup) -> AidGroup:
    return AidGroup.objects.select_for_update().get(pk=group.pk)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _leader_record(village: Area, kind: str, raw: Any) -> PartyMember | None:
    """The leader's party record: required for a party member, optional for an activist (who may
    be on the list of those applying to join); either way it must be of the group's village."""
    if raw in (None, ""):
        if kind == LeaderKind.PARTY_MEMBER:
            raise FupinError(GroupError.LEADER_RECORD_REQUIRED, field="leader_party_member")
        return None
    if isinstance(raw, PartyMember):
        record: PartyMember | None = raw
    else:
        try:
            record = PartyMember.objects.filter(pk=int(str(raw))).first()
        except ValueError:
            record = None
    if record is None:
        raise FupinError(GroupError.LEADER_RECORD_UNKNOWN, field="leader_party_member")
    if not village.contains_code(record.area_id):
        raise FupinError(GroupError.LEADER_OTHER_VILLAGE, field="leader_party_member")
    if kind == LeaderKind.PARTY_MEMBER and record.status not in CURRENT_MEMBER:
        raise FupinError(GroupError.LEADER_NOT_CURRENT, field="leader_party_member")
    if record.status in GONE_MEMBER:
        raise FupinError(GroupError.LEADER_NOT_CURRENT, field="leader_party_member")
    return record


# --- groups --------------------------------------------------------------------------------


def do_create_group(actor: Any, village: Area, data: dict[str, Any]) -> AidGroup:
    """A group in a village: a name, a leader (a party member with their party record in the
    village, or an activist) and the day it was formed."""
    require(actor, EDIT_GROUPS, area_code=village.code)
    if village.level != Level.VILLAGE:
        raise ValidationFailed([FupinError(GroupError.NOT_A_VILLAGE, field="area")])
    errors: list[FupinError] = []
    values: dict[str, Any] = {}
    checks = {
        "name": lambda: _text(data.get("name"), 60, "name", GroupError.NAME_REQUIRED),
        "formed_on": lambda: _day(data.get("formed_on"), "formed_on"),
    }
    for name, check in checks.items():
        try:
            values[name] = check()
        except FupinError as exc:
            errors.append(exc)
    kind = str(data.get("leader_kind") or "").strip()
    if kind not in LeaderKind.values:
        errors.append(FupinError(GroupError.LEADER_KIND, field="leader_kind"))
    else:
        try:
            values["leader_party_member"] = _leader_record(village, kind, data.get("leader_party_member"))
        except FupinError as exc:
            errors.append(exc)
    record = values.get("leader_party_member")
    try:
        # The leader's name defaults to the party record's; a refused record is reason enough.
        leader = data.get("leader_name") or (record.name if record else "")
        refused = any(e.field == "leader_party_member" for e in errors)
        required = None if refused else GroupError.LEADER_REQUIRED
        values["leader_name"] = _text(leader, 50, "leader_name", required)
    except FupinError as exc:
        errors.append(exc)
    if errors:
        raise ValidationFailed(errors)
    group = AidGroup(area=village, leader_kind=kind, **values)
    try:
        with transaction.atomic():
            group.save(force_insert=True)
            audit.record(
                actor,
                "mutualaid.create_group",
                obj=group,
                area_code=village.code,
                after=audit.snapshot(group),
            )
    except IntegrityError:
        raise ValidationFailed([FupinError(GroupError.NAME_TAKEN, field="name")]) from None
    return group


def do_dissolve_group(actor: Any, group: AidGroup, dissolved_on: Any = None) -> AidGroup:
    """Dissolve a group; its households leave it the same day, free to join another."""
    require(actor, EDIT_GROUPS, area_code=group.area_id)
    day = _day(dissolved_on, "dissolved_on")
    with transaction.atomic():
        locked = _lock(group)
        _refuse_dissolved(locked)
        if day < locked.formed_on:
            raise FupinError(
                GroupError.BEFORE_FORMED, field="dissolved_on", formed=locked.formed_on.isoformat()
            )
        left = list(locked.memberships.filter(left_on__isnull=True).values_list("household_id", flat=True))
        locked.memberships.filter(left_on__isnull=True).update(left_on=day)
        locked.dissolved_on = day
        locked.save(update_fields=["dissolved_on"])
        audit.record(
            actor,
            "mutualaid.dissolve_group",
            obj=locked,
            area_code=locked.area_id,
            before={"dissolved_on": None},
            after={"dissolved_on": day, "households_left": left},
        )
    return locked


# --- households joining and leaving --------------------------------------------------------


def do_add_household(
    actor: Any, group: AidGroup, household: Household, joined_on: Any = None
) -> GroupHousehold:
    require(actor, EDIT_GROUPS, area_code=group.area_id)
    require(actor, EDIT_GROUPS, area_code=household.area_id)
    day = _day(joined_on, "joined_on")
    if household.area_id[:12] != group.area_id[:12]:
        raise FupinError(GroupError.HOUSEHOLD_OTHER_VILLAGE, field="household")
    try:
        with transaction.atomic():
            locked = _lock(group)
            _refuse_dissolved(locked)
            if day < locked.formed_on:
                raise FupinError(
                    GroupError.BEFORE_FORMED, field="joined_on", formed=locked.formed_on.isoformat()
                )
            most = int(setting_for(locked.area_id, "aid_group_max_households"))
            if locked.memberships.filter(left_on__isnull=True).count() >= most:
                raise FupinError(GroupError.GROUP_FULL, field="household", max=most)
            # No look-before-insert: the partial unique index on active memberships is the one
            # judge of "one group at a time", so a race between two groups cannot slip past it.
            membership = GroupHousehold.objects.create(group=locked, household=household, joined_on=day)
            audit.record(
                actor,
                "mutualaid.add_household",
                obj=locked,
                area_code=locked.area_id,
                after={"household_id": household.pk, "joined_on": day},
            )
    except IntegrityError:
        current = (
            GroupHousehold.objects.filter(household=household, left_on__isnull=True)
            .select_related("group")
            .first()
        )
        if current is None:  # the other group's insert was itself rolled back since
            raise FupinError(GroupError.HOUSEHOLD_IN_A_GROUP, field="household") from None
        raise FupinError(GroupError.HOUSEHOLD_IN_GROUP, field="household", group=current.group.name) from None
    return membership


def do_remove_household(
    actor: Any, group: AidGroup, household: Household, left_on: Any = None
) -> GroupHousehold:
    require(actor, EDIT_GROUPS, area_code=group.area_id)
    day = _day(left_on, "left_on")
    with transaction.atomic():
        locked = _lock(group)
        membership = (
            GroupHousehold.objects.select_for_update()
            .filter(group=locked, household=household, left_on__isnull=True)
            .first()
        )
        if membership is None:
            raise FupinError(GroupError.NOT_IN_GROUP, field="household")
        if day < membership.joined_on:
            raise FupinError(
                GroupError.LEFT_BEFORE_JOINED, field="left_on", joined=membership.joined_on.isoformat()
            )
        membership.left_on = day
        membership.save(update_fields=["left_on"])
        audit.record(
            actor,
            "mutualaid.remove_household",
            obj=locked,
            area_code=locked.area_id,
            before={"household_id": household.pk, "left_on": None},
            after={"household_id": household.pk, "left_on": day},
        )
    return membership


# --- activities ----------------------------------------------------------------------------


def do_log_activity(actor: Any, group: AidGroup, data: dict[str, Any]) -> Activity:
    """An activity under one of the five 兴, on a day not in the future."""
    require(actor, EDIT_GROUPS, area_code=group.area_id)
    errors: list[FupinError] = []
    kind = str(data.get("kind") or "").strip()
    if kind not in FiveKind.values:
        errors.append(FupinError(GroupError.KIND_REQUIRED, field="kind"))
    day: dt.date | None = None
    description = ""
    try:
        day = _day(data.get("day"), "day")
        if day < group.formed_on:
            raise FupinError(GroupError.BEFORE_FORMED, field="day", formed=group.formed_on.isoformat())
        if group.dissolved_on is not None and day > group.dissolved_on:
            raise FupinError(GroupError.DISSOLVED, field="day", day=group.dissolved_on.isoformat())
    except FupinError as exc:
        errors.append(exc)
    try:
        description = _text(data.get("description"), 500, "description", GroupError.DESCRIPTION_REQUIRED)
    except FupinError as exc:
        errors.append(exc)
    households = 0
    raw = str(data.get("households") or "").strip()
    if raw:
        try:
            households = int(raw)
        except ValueError:
            households = -1
        if not 0 <= households <= MAX_PARTICIPANTS:
            errors.append(FupinError(GroupError.BAD_COUNT, field="households", max=MAX_PARTICIPANTS))
    if errors:
        raise ValidationFailed(errors)
    assert day is not None
    activity = Activity(
        group=group,
        area_id=group.area_id,
        day=day,
        kind=kind,
        description=description,
        households=households,
        recorded_by=_user(actor),
    )
    with transaction.atomic():
        activity.save(force_insert=True)
        audit.record(
            actor,
            "mutualaid.log_activity",
            obj=activity,
            area_code=group.area_id,
            after=audit.snapshot(activity),
        )
    return activity


# --- evaluations and star ratings ----------------------------------------------------------


def do_record_evaluation(actor: Any, group: AidGroup, year: Any, source: Any, score: Any) -> Evaluation:
    """One source's score for a group's year; a second score from the same source replaces the
    first, with both kept in the audit log."""
    require(actor, EDIT_GROUPS, area_code=group.area_id)
    errors: list[FupinError] = []
    source = str(source or "").strip()
    if source not in EvaluationSource.values:
        errors.append(FupinError(GroupError.BAD_SOURCE, field="source"))
    values: dict[str, Any] = {}
    for name, check in (("year", lambda: _year(year)), ("score", lambda: _score(score))):
        try:
            values[name] = check()
        except FupinError as exc:
            errors.append(exc)
    if errors:
        raise ValidationFailed(errors)
    year_, score_ = values["year"], values["score"]
    try:
        with transaction.atomic():
            # The group's row is the lock: two people scoring the same source at once queue here.
            _lock(group)
            row = Evaluation.objects.filter(group=group, year=year_, source=source).first()
            before = {"year": year_, "source": source, "score": row.score} if row else None
            if row is None:
                row = Evaluation(group=group, area_id=group.area_id, year=year_, source=source)
            row.score = score_
            row.recorded_by = _user(actor)
            row.save()
            audit.record(
                actor,
                "mutualaid.evaluate",
                obj=row,
                area_code=group.area_id,
                before=before,
                after={"year": year_, "source": source, "score": score_},
            )
    except IntegrityError:
        raise Conflict() from None
    return row


def do_rate_household(actor: Any, household: Household, year: Any, data: dict[str, Any]) -> HouseholdStar:
    """A household's star rating of a year (农户思想道德星级化评定), with the 党员之星 and 五好家庭
    titles; rating the same year again replaces it, audited with before and after."""
    require(actor, EDIT_GROUPS, area_code=household.area_id)
    errors: list[FupinError] = []
    year_ = 0
    try:
        year_ = _year(year)
    except FupinError as exc:
        errors.append(exc)
    try:
        stars = int(str(data.get("stars") or "").strip())
    except ValueError:
        stars = 0
    if not 1 <= stars <= 5:
        errors.append(FupinError(GroupError.BAD_STARS, field="stars"))
    if errors:
        raise ValidationFailed(errors)
    party_star = _flag(data.get("party_star"))
    five_good = _flag(data.get("five_good_family"))
    with transaction.atomic():
        Household.objects.select_for_update().filter(pk=household.pk).first()
        row = HouseholdStar.objects.filter(household=household, year=year_).first()
        before = audit.snapshot(row) if row else None
        if row is None:
            row = HouseholdStar(household=household, year=year_)
        row.area_id = household.area_id
        row.stars = stars
        row.party_star = party_star
        row.five_good_family = five_good
        row.rated_by = _user(actor)
        row.save()
        audit.record(
            actor,
            "mutualaid.rate_household",
            obj=row,
            area_code=household.area_id,
            before=before,
            after=audit.snapshot(row),
        )
    return row
