"""Every write to pairings (结对帮扶): making one, ending one, handing one over.

Units and county leaders (单位包村, 县领导联乡包村) are paired by a county-level user; a cadre or a
party member is paired with a household (干部包户, 党员联户) at any level inside the household's
area. The lock of seed 004 — 贫困户不脱贫、帮扶责任人不脱钩 — is checked with the household's row
locked, so a pairing cannot be ended in the instant a status change makes the household poor
again: ``do_change_status`` updates that same row, so the two queue behind each other.
A pairing can always be handed over to a successor; the old one ends and the new one starts in
one transaction, so the household is never without its helper.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fupin.accounts.models import User
from fupin.accounts.permissions import EDIT_PAIRINGS, Role
from fupin.areas.models import Area, Level
from fupin.core import audit, crypto
from fupin.core.access import SYSTEM, covers, require
from fupin.core.errors import FupinError, NotFound, ValidationFailed
from fupin.pairing.errors import AlreadyEnded, CountyOnly, PairingError
from fupin.pairing.models import HOUSEHOLD_KINDS, Pairing, PairingKind
from fupin.party.models import MemberStatus, PartyMember, Unit
from fupin.registry.choices import HouseholdStatus
from fupin.registry.cleaning import clean_phone
from fupin.registry.models import Household

COUNTY_KINDS = (PairingKind.UNIT_VILLAGE, PairingKind.LEADER_TOWNSHIP, PairingKind.LEADER_VILLAGE)
# The statuses under which a household's helper cannot let go (贫困户不脱贫、帮扶责任人不脱钩).
LOCKED_STATUSES = (HouseholdStatus.POOR, HouseholdStatus.MONITORED)
HELPER_ROLES = (Role.CADRE, Role.FIRST_SECRETARY)
CURRENT_MEMBER = (MemberStatus.FULL, MemberStatus.PROBATIONARY)


@dataclass
class Helper:
    """Who helps: a unit (unit for a village), or a named person with post, phone and optionally
    their login and party record."""

    unit: Unit | None = None
    name: str = ""
    post: str = ""
    phone: str = ""
    user: User | None = None
    party_member: PartyMember | None = None


# --- checks --------------------------------------------------------------------------------


def is_county_level(actor: Any) -> bool:
    if actor is SYSTEM:
        return True
    area = getattr(actor, "area", None)
    return area is not None and area.level <= Level.COUNTY


def may_make(actor: Any, kind: str) -> bool:
    """Whether the actor's role and level allow making (and ending) pairings of ``kind``."""
    if not actor.can(EDIT_PAIRINGS):
        return False
    return kind not in COUNTY_KINDS or is_county_level(actor)


def _require_kind(actor: Any, kind: str, area_code: str | None) -> None:
    require(actor, EDIT_PAIRINGS, area_code=area_code)
    if kind in COUNTY_KINDS and not is_county_level(actor):
        raise CountyOnly()


def _text(value: Any, limit: int, field: str, required: PairingError | None = None) -> str:
    text = str(value or "").strip()
    if required is not None and not text:
        raise FupinError(required, field=field)
    if len(text) > limit:
        raise FupinError(PairingError.TOO_LONG, field=field, max=limit)
    return text


def _day(value: Any, field: str) -> dt.date:
    today = timezone.localdate()
    if value is None or (isinstance(value, str) and not value.strip()):
        return today
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise FupinError(PairingError.BAD_DATE, field=field) from None
    if value > today:
        raise FupinError(PairingError.FUTURE_DATE, field=field)
    return value


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _mask_phone(value: str) -> str:
    return crypto.mask(value, 3, 4)


def _clean_helper(kind: str, helper: Helper, household: Household | None, errors: list[FupinError]) -> Helper:
    """The helper checked for ``kind``: what is required, what must lie where."""
    out = Helper(unit=helper.unit, user=helper.user, party_member=helper.party_member)
    if kind == PairingKind.UNIT_VILLAGE and helper.unit is None:
        errors.append(FupinError(PairingError.UNIT_REQUIRED, field="unit"))
    if kind != PairingKind.UNIT_VILLAGE:
        out.unit = None if kind in HOUSEHOLD_KINDS else helper.unit
    if kind == PairingKind.MEMBER_HOUSEHOLD:
        member = helper.party_member
        if member is None:
            errors.append(FupinError(PairingError.MEMBER_REQUIRED, field="party_member"))
        elif household is not None and member.area_id[:12] != household.area_id[:12]:
            errors.append(FupinError(PairingError.MEMBER_OTHER_VILLAGE, field="party_member"))
        elif member.status not in CURRENT_MEMBER:
            errors.append(FupinError(PairingError.MEMBER_NOT_CURRENT, field="party_member"))
    else:
        out.party_member = None
    if helper.user is not None:
        if kind not in HOUSEHOLD_KINDS:
            errors.append(FupinError(PairingError.HELPER_USER_HOUSEHOLD_ONLY, field="helper_user"))
        elif (
            not helper.user.is_active
            or helper.user.role not in HELPER_ROLES
            or household is None
            or not covers(helper.user, household.area_id)
        ):
            errors.append(FupinError(PairingError.HELPER_USER_ROLE, field="helper_user"))
    name = helper.name
    if not str(name or "").strip() and out.party_member is not None:
        name = out.party_member.name
    try:
        required = None if kind == PairingKind.UNIT_VILLAGE else PairingError.HELPER_REQUIRED
        out.name = _text(name, 50, "helper_name", required)
    except FupinError as exc:
        errors.append(exc)
    try:
        out.post = _text(helper.post, 60, "helper_post")
    except FupinError as exc:
        errors.append(exc)
    try:
        out.phone = clean_phone(helper.phone)
    except FupinError as exc:
        exc.field = "helper_phone"
        errors.append(exc)
    return out


def _target(
    kind: str, area: Area | None, household: Household | None
) -> tuple[Area | None, list[FupinError]]:
    """The area the pairing is for, checked against the kind."""
    errors: list[FupinError] = []
    if kind in HOUSEHOLD_KINDS:
        if household is None:
            errors.append(FupinError(PairingError.HOUSEHOLD_REQUIRED, field="household"))
            return None, errors
        return household.area, errors
    wanted = Level.TOWNSHIP if kind == PairingKind.LEADER_TOWNSHIP else Level.VILLAGE
    if area is None or area.level != wanted:
        code = PairingError.NOT_A_TOWNSHIP if wanted == Level.TOWNSHIP else PairingError.NOT_A_VILLAGE
        errors.append(FupinError(code, field="area"))
        return None, errors
    return area, errors


def _same_helper(kind: str, helper: Helper) -> Q:
    """Rows with the same helper as ``helper`` (by unit, login, party record or name)."""
    if kind == PairingKind.UNIT_VILLAGE:
        return Q(unit=helper.unit)
    same = Q(helper_name=helper.name)
    if helper.user is not None:
        same |= Q(helper_user=helper.user)
    if helper.party_member is not None:
        same |= Q(party_member=helper.party_member)
    return same


def _lock_target(area: Area, household: Household | None) -> Household | None:
    """Lock the row duplicates are checked against (the household, or the area paired), so two
    people pairing the same helper at once cannot both pass the check."""
    if household is not None:
        return Household.objects.select_for_update().get(pk=household.pk)
    Area.objects.select_for_update().filter(code=area.code).first()
    return None


def _refuse_duplicate(kind: str, area: Area, household: Household | None, helper: Helper) -> None:
    active = Pairing.objects.filter(kind=kind, ended_on__isnull=True)
    active = active.filter(household=household) if household is not None else active.filter(area=area)
    if active.filter(_same_helper(kind, helper)).exists():
        raise ValidationFailed([FupinError(PairingError.DUPLICATE, field="helper_name")])


def _new_pairing(
    kind: str, area: Area, household: Household | None, helper: Helper, started_on: dt.date
) -> Pairing:
    pairing = Pairing(
        kind=kind,
        area=area,
        household=household,
        unit=helper.unit,
        helper_name=helper.name,
        helper_post=helper.post,
        helper_phone_enc=crypto.encrypt(helper.phone) if helper.phone else "",
        helper_phone_masked=_mask_phone(helper.phone) if helper.phone else "",
        helper_user=helper.user,
        party_member=helper.party_member,
        started_on=started_on,
    )
    pairing.save(force_insert=True)
    return pairing


# --- actions -------------------------------------------------------------------------------


def do_pair(
    actor: Any,
    kind: str,
    *,
    area: Area | None = None,
    household: Household | None = None,
    helper: Helper | None = None,
    started_on: Any = None,
) -> Pairing:
    """Pair a helper with a village, a township or a household.

    unit_village: a unit (inside the actor's area) with a village; leader_township and
    leader_village: a county leader (by name) with a township or a village — these three only by a
    county-level user. cadre_household and member_household: a named helper with a household in
    the actor's area; a party member's record must be of the household's village.
    """
    if kind not in PairingKind.values:
        require(actor, EDIT_PAIRINGS)
        raise ValidationFailed([FupinError(PairingError.BAD_KIND, field="kind")])
    helper = helper or Helper()
    if kind in HOUSEHOLD_KINDS:
        require(actor, EDIT_PAIRINGS, area_code=household.area_id if household is not None else None)
    else:
        _require_kind(actor, kind, area.code if area is not None else None)
    if helper.unit is not None and not covers(actor, helper.unit.area_id):
        raise NotFound(field="unit")
    target, errors = _target(kind, area, household)
    cleaned = _clean_helper(kind, helper, household, errors)
    try:
        day = _day(started_on, "started_on")
    except FupinError as exc:
        errors.append(exc)
    if errors:
        raise ValidationFailed(errors)
    assert target is not None
    with transaction.atomic():
        _lock_target(target, household)
        _refuse_duplicate(kind, target, household, cleaned)
        pairing = _new_pairing(kind, target, household, cleaned, day)
        audit.record(actor, "pairing.pair", obj=pairing, area_code=target.code, after=audit.snapshot(pairing))
    return pairing


def _lock_pairing(pairing: Pairing) -> Pairing:
    locked = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if locked.ended_on is not None:
        raise AlreadyEnded(PairingError.ALREADY_ENDED, day=locked.ended_on.isoformat())
    return locked


def do_end_pairing(actor: Any, pairing: Pairing, reason: Any, *, ended_on: Any = None) -> Pairing:
    """End a pairing with a reason. A household's pairing cannot end while the household is poor
    or monitored (贫困户不脱贫、帮扶责任人不脱钩); it is handed over instead."""
    _require_kind(actor, pairing.kind, pairing.area_id)
    errors: list[FupinError] = []
    try:
        reason = _text(reason, 200, "reason", PairingError.REASON_REQUIRED)
    except FupinError as exc:
        errors.append(exc)
    try:
        day = _day(ended_on, "ended_on")
    except FupinError as exc:
        errors.append(exc)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        locked = _lock_pairing(pairing)
        if locked.household_id is not None:
            # The status is read under the household row's lock: a status change waits for us,
            # or we wait for it and see the status it left.
            household = Household.objects.select_for_update().get(pk=locked.household_id)
            if household.status in LOCKED_STATUSES:
                raise FupinError(
                    PairingError.LOCKED, field="reason", status=str(HouseholdStatus(household.status).label)
                )
        if day < locked.started_on:
            raise FupinError(
                PairingError.BEFORE_START, field="ended_on", started=locked.started_on.isoformat()
            )
        locked.ended_on = day
        locked.end_reason = reason
        locked.save(update_fields=["ended_on", "end_reason"])
        audit.record(
            actor,
            "pairing.end",
            obj=locked,
            area_code=locked.area_id,
            before={"ended_on": None, "end_reason": ""},
            after={"ended_on": day, "end_reason": reason},
        )
    return locked


def do_hand_over(actor: Any, pairing: Pairing, helper: Helper, *, reason: Any = "") -> Pairing:
    """Hand a pairing over to a new helper: the old one ends today with its successor set and the
    new one starts today, in one transaction. Always allowed, whatever the household's status."""
    _require_kind(actor, pairing.kind, pairing.area_id)
    if helper.unit is not None and not covers(actor, helper.unit.area_id):
        raise NotFound(field="unit")
    household = pairing.household
    errors: list[FupinError] = []
    cleaned = _clean_helper(pairing.kind, helper, household, errors)
    try:
        reason = _text(reason, 200, "reason")
    except FupinError as exc:
        errors.append(exc)
    if errors:
        raise ValidationFailed(errors)
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock_pairing(pairing)
        _lock_target(locked.area, household)
        # The old pairing is still active here, so handing over to the same helper is refused.
        _refuse_duplicate(locked.kind, locked.area, household, cleaned)
        successor = _new_pairing(locked.kind, locked.area, household, cleaned, today)
        locked.ended_on = today
        locked.end_reason = reason or f"→ {successor.helper_name or successor.unit}"
        locked.successor = successor
        locked.save(update_fields=["ended_on", "end_reason", "successor"])
        audit.record(
            actor,
            "pairing.hand_over",
            obj=locked,
            area_code=locked.area_id,
            before={"ended_on": None, "successor_id": None},
            after={"ended_on": today, "end_reason": locked.end_reason, "successor_id": successor.pk},
        )
        audit.record(
            actor, "pairing.pair", obj=successor, area_code=locked.area_id, after=audit.snapshot(successor)
        )
    return successor
