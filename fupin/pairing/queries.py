"""Reads of pairings, always scoped to the reader's area (a pairing lies where its village,
township or household lies).

Pairings are read by whoever reads party work (VIEW_PARTY) or the household file (VIEW_REGISTRY):
a household's helpers are on its page and its assistance card.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from fupin.accounts.models import User
from fupin.accounts.permissions import VIEW_PARTY, VIEW_REGISTRY
from fupin.areas.models import Area, prefix_range
from fupin.areas.queries import within
from fupin.cases.area_settings import lineage
from fupin.core.errors import NotFound, PermissionDenied
from fupin.pairing.actions import HELPER_ROLES
from fupin.pairing.models import Pairing, PairingKind
from fupin.party.models import MemberStatus, PartyMember, Unit
from fupin.registry.models import Household

STATUS_FILTERS = ("active", "ended", "all")


def may_read(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and (user.can(VIEW_PARTY) or user.can(VIEW_REGISTRY))
    )


def require_read(user: Any) -> None:
    if not may_read(user):
        raise PermissionDenied()


def pairings_within(user: Any, area: Area | None = None) -> QuerySet[Pairing]:
    """Pairings in ``area`` (default: the user's own), never outside the user's area."""
    require_read(user)
    scope = area or user.area
    if not scope.code.startswith(user.area.prefix):
        return Pairing.objects.none()
    return Pairing.objects.filter(within(scope, "area_id"))


def access_pairing_by_id(user: Any, pairing_id: Any) -> Pairing:
    try:
        pk = int(pairing_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    pairing = (
        pairings_within(user)
        .select_related(
            "area", "household", "household__area", "unit", "helper_user", "party_member", "successor"
        )
        .filter(pk=pk)
        .first()
    )
    if pairing is None:
        raise NotFound()
    return pairing


def pairing_list(
    user: Any, area: Area, *, kind: str = "", status: str = "active", household: Household | None = None
) -> QuerySet[Pairing]:
    qs = pairings_within(user, area).select_related(
        "area", "household", "unit", "helper_user", "party_member"
    )
    if kind in PairingKind.values:
        qs = qs.filter(kind=kind)
    if status == "ended":
        qs = qs.filter(ended_on__isnull=False)
    elif status != "all":
        qs = qs.filter(ended_on__isnull=True)
    if household is not None:
        qs = qs.filter(household=household)
    return qs.order_by("area_id", "kind", "-started_on", "-pk")


def predecessor_of(pairing: Pairing) -> Pairing | None:
    return Pairing.objects.filter(successor=pairing).first()


@dataclass
class HouseholdPairings:
    cadres: list[Pairing]
    members: list[Pairing]
    ended: list[Pairing]


def household_pairings(user: Any, household: Household) -> HouseholdPairings | None:
    """The household's helpers for its page: active cadres, active party members, ended ones."""
    if not may_read(user) or not household.area_id.startswith(user.area.prefix):
        return None
    rows = list(
        Pairing.objects.filter(household=household)
        .select_related("helper_user", "party_member", "unit")
        .order_by("-started_on", "-pk")
    )
    active = [p for p in rows if p.ended_on is None]
    return HouseholdPairings(
        cadres=[p for p in active if p.kind == PairingKind.CADRE_HOUSEHOLD],
        members=[p for p in active if p.kind == PairingKind.MEMBER_HOUSEHOLD],
        ended=[p for p in rows if p.ended_on is not None],
    )


# --- what the forms offer ------------------------------------------------------------------


def units_for(user: Any) -> QuerySet[Unit]:
    return Unit.objects.filter(within(user.area, "area_id")).order_by("name")


def unit_by_id(user: Any, unit_id: Any) -> Unit | None:
    """The unit chosen on a form (None when none was), NotFound outside the user's area."""
    if unit_id in (None, ""):
        return None
    try:
        pk = int(str(unit_id))
    except ValueError:
        raise NotFound(field="unit") from None
    unit = units_for(user).filter(pk=pk).first()
    if unit is None:
        raise NotFound(field="unit")
    return unit


def areas_for(user: Any, level: int) -> QuerySet[Area]:
    return Area.objects.filter(within(user.area, "code"), level=level).order_by("code")


def area_by_code(user: Any, code: Any) -> Area | None:
    if not code:
        return None
    code = str(code).strip()
    if not code.startswith(user.area.prefix):
        raise NotFound(field="area")
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise NotFound(field="area")
    return area


def household_by_number(user: Any, number: str) -> Household | None:
    number = str(number or "").strip()
    if not number:
        return None
    return Household.objects.filter(within(user.area, "area_id"), number=number).first()


def helper_users_for(household: Household) -> QuerySet[User]:
    """The logins that can be a household's helper: active cadres and first secretaries whose
    area includes the household (its village, township or county)."""
    codes = lineage(household.area_id)
    return User.objects.filter(is_active=True, role__in=HELPER_ROLES, area_id__in=codes).order_by("username")


def helper_user_by_id(household: Household, user_id: Any) -> User | None:
    if user_id in (None, ""):
        return None
    try:
        pk = int(str(user_id))
    except ValueError:
        return None
    # Any login by that id; the action says why one that does not fit is refused.
    return User.objects.filter(pk=pk).select_related("area").first()


def party_members_for(household: Household) -> QuerySet[PartyMember]:
    return PartyMember.objects.filter(
        prefix_range(household.area_id[:12], "area_id"),
        status__in=(MemberStatus.FULL, MemberStatus.PROBATIONARY),
    ).order_by("name", "pk")


def party_member_by_id(household: Household | None, member_id: Any) -> PartyMember | None:
    if member_id in (None, ""):
        return None
    try:
        pk = int(str(member_id))
    except ValueError:
        return None
    return PartyMember.objects.filter(pk=pk).first()
