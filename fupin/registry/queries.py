"""Reads of the household file, always scoped to the reader's area."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from fupin.accounts.permissions import VIEW_REGISTRY
from fupin.areas.models import Area
from fupin.areas.queries import within
from fupin.core.access import require
from fupin.core.errors import NotFound
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household, Member


def households_within(user: Any, area: Area | None = None) -> QuerySet[Household]:
    """Households in ``area`` (default: the user's own), never outside the user's area."""
    require(user, VIEW_REGISTRY)
    scope = area or user.area
    if not scope.code.startswith(user.area.prefix):
        return Household.objects.none()
    return Household.objects.filter(within(scope, "area_id"))


def access_household_by_id(user: Any, household_id: Any) -> Household:
    """The household, or NotFound alike for a missing one and one outside the user's area."""
    try:
        pk = int(household_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    household = households_within(user).select_related("area").filter(pk=pk).first()
    if household is None:
        raise NotFound()
    return household


def access_member_by_id(user: Any, member_id: Any) -> Member:
    try:
        pk = int(member_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    require(user, VIEW_REGISTRY)
    member = (
        Member.objects.select_related("household", "household__area")
        .filter(within(user.area, "household__area_id"), pk=pk)
        .first()
    )
    if member is None:
        raise NotFound()
    return member


def search_households(
    user: Any, *, area: Area | None = None, q: str = "", status: str = "", cause: str = ""
) -> QuerySet[Household]:
    qs = households_within(user, area).select_related("area")
    if q:
        qs = qs.filter(Q(head_name__contains=q) | Q(number__startswith=q))
    if status:
        qs = qs.filter(status=status)
    if cause:
        qs = qs.filter(main_cause=cause)
    return qs


def area_counts(user: Any, area: Area) -> dict[str, int]:
    """Households, people and households by status inside ``area``."""
    qs = households_within(user, area)
    by_status = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    people = Member.objects.filter(within(area, "household__area_id"), left_on=None)
    if not area.code.startswith(user.area.prefix):
        people = people.none()
    return {
        "households": sum(by_status.values()),
        "people": people.count(),
        **{status: by_status.get(status, 0) for status in HouseholdStatus.values},
    }


def child_counts(user: Any, area: Area) -> list[dict[str, Any]]:
    """Per direct sub-area: households and registered-poor, monitored counts (for drill-down)."""
    qs = households_within(user, area)
    if area.level >= 6:
        return []
    n = {1: 4, 2: 6, 3: 9, 4: 12, 5: 15}[area.level]
    rows = (
        qs.annotate(child=Substr("area_id", 1, n))
        .values("child")
        .annotate(
            total=Count("id"),
            poor=Count("id", filter=Q(status=HouseholdStatus.POOR)),
            exited=Count("id", filter=Q(status=HouseholdStatus.EXITED)),
            monitored=Count("id", filter=Q(status=HouseholdStatus.MONITORED)),
        )
        .order_by()
    )
    by_prefix = {r["child"]: r for r in rows}
    out = []
    for child in Area.objects.filter(parent=area).order_by("code"):
        r = by_prefix.get(child.prefix, {})
        out.append(
            {
                "area": child,
                "total": r.get("total", 0),
                "poor": r.get("poor", 0),
                "exited": r.get("exited", 0),
                "monitored": r.get("monitored", 0),
            }
        )
    return out
