"""Reads of mutual-aid groups, always scoped to the reader's area.

Groups are read by whoever reads party work (VIEW_PARTY) or the household file (VIEW_REGISTRY):
a household's group shows on its page, so anyone who reads the household reads its group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from fupin.accounts.permissions import VIEW_PARTY, VIEW_REGISTRY
from fupin.areas.models import Area, Level
from fupin.areas.queries import within
from fupin.core.errors import NotFound, PermissionDenied
from fupin.mutualaid.models import Activity, AidGroup, Evaluation, GroupHousehold, HouseholdStar
from fupin.mutualaid.scoring import GroupScore, group_score, scores_for_groups
from fupin.party.models import MemberStatus, PartyMember
from fupin.registry.models import Household

# A leader's party record: a member, a probationary member, or an activist applying to join.
LEADER_STATUSES = (MemberStatus.FULL, MemberStatus.PROBATIONARY, MemberStatus.ACTIVIST)


def may_read(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and (user.can(VIEW_PARTY) or user.can(VIEW_REGISTRY))
    )


def require_read(user: Any) -> None:
    if not may_read(user):
        raise PermissionDenied()


def groups_within(user: Any, area: Area | None = None) -> QuerySet[AidGroup]:
    """Groups in ``area`` (default: the user's own), never outside the user's area."""
    require_read(user)
    scope = area or user.area
    if not scope.code.startswith(user.area.prefix):
        return AidGroup.objects.none()
    return AidGroup.objects.filter(within(scope, "area_id"))


def access_group_by_id(user: Any, group_id: Any) -> AidGroup:
    """The group, or NotFound alike for a missing one and one outside the user's area."""
    try:
        pk = int(group_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    group = (
        groups_within(user)
        .select_related("area", "area__parent", "leader_party_member")
        .filter(pk=pk)
        .first()
    )
    if group is None:
        raise NotFound()
    return group


def group_list(user: Any, area: Area, *, dissolved: bool = False) -> QuerySet[AidGroup]:
    """The groups of ``area`` with their current household count, village by village."""
    qs = groups_within(user, area).select_related("area")
    if not dissolved:
        qs = qs.filter(dissolved_on__isnull=True)
    return qs.annotate(households=Count("memberships", filter=Q(memberships__left_on__isnull=True))).order_by(
        "area_id", "name"
    )


def with_scores(groups: list[AidGroup], year: int) -> list[AidGroup]:
    """Attach each group's ``result`` (GroupScore) of ``year``, in two queries for the page."""
    scores = scores_for_groups(groups, year)
    for g in groups:
        g.result = scores[g.pk]  # type: ignore[attr-defined]
    return groups


def memberships(group: AidGroup) -> tuple[list[GroupHousehold], list[GroupHousehold]]:
    """The group's current households and those who left, for its page."""
    rows = list(group.memberships.select_related("household", "household__area").order_by("joined_on", "pk"))
    return [m for m in rows if m.left_on is None], [m for m in rows if m.left_on is not None]


def activities(group: AidGroup, limit: int = 100) -> list[Activity]:
    return list(group.activities.select_related("recorded_by")[:limit])


def evaluations(group: AidGroup, year: int) -> dict[str, Evaluation]:
    return {
        e.source: e for e in Evaluation.objects.filter(group=group, year=year).select_related("recorded_by")
    }


def evaluation_years(group: AidGroup) -> list[int]:
    return list(
        Evaluation.objects.filter(group=group).order_by("-year").values_list("year", flat=True).distinct()
    )


def stars_of(households: list[Household], year: int) -> dict[int, HouseholdStar]:
    """Each household's star rating of ``year``, keyed by household id."""
    rows = HouseholdStar.objects.filter(household__in=[h.pk for h in households], year=year)
    return {r.household_id: r for r in rows}


def candidates(group: AidGroup, limit: int = 500) -> QuerySet[Household]:
    """Households of the group's village in no group now: those the add form offers."""
    taken = GroupHousehold.objects.filter(left_on__isnull=True).values("household_id")
    return (
        Household.objects.filter(within(group.area, "area_id"))
        .exclude(pk__in=taken)
        .order_by("number")[:limit]
    )


def leader_candidates(user: Any, village: Area) -> QuerySet[PartyMember]:
    """Party records of the village a leader can be picked from."""
    require_read(user)
    if not village.code.startswith(user.area.prefix):
        return PartyMember.objects.none()
    return PartyMember.objects.filter(within(village, "area_id"), status__in=LEADER_STATUSES).order_by(
        "name", "pk"
    )


def villages_for_groups(user: Any) -> QuerySet[Area]:
    """The villages a user may form groups in (their own area's)."""
    return Area.objects.filter(within(user.area, "code"), level=Level.VILLAGE).order_by("code")


@dataclass
class HouseholdAid:
    """What the household page shows of mutual aid: the household's group now, the group's score
    of the year, and the household's own star rating."""

    membership: GroupHousehold | None
    result: GroupScore | None
    rating: HouseholdStar | None
    year: int


def household_aid(user: Any, household: Household, year: int) -> HouseholdAid | None:
    if not may_read(user) or not household.area_id.startswith(user.area.prefix):
        return None
    membership = (
        GroupHousehold.objects.filter(household=household, left_on__isnull=True)
        .select_related("group", "group__area")
        .first()
    )
    result = group_score(membership.group, year) if membership else None
    rating = HouseholdStar.objects.filter(household=household, year=year).first()
    if rating is None:
        rating = HouseholdStar.objects.filter(household=household).order_by("-year").first()
    return HouseholdAid(membership=membership, result=result, rating=rating, year=year)
