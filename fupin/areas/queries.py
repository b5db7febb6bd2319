"""Reads of areas, always through the user's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fupin.areas.models import Area, prefix_range
from fupin.core.errors import NotFound


def within(area: Area, field: str = "area_id") -> Any:
    """Q for rows whose area code lies inside ``area`` (the one scoping rule of the project)."""
    return prefix_range(area.prefix, field)


def areas_within(area: Area) -> QuerySet[Area]:
    return Area.objects.filter(within(area, "code"))


def access_area_by_code(user: Any, code: str) -> Area:
    """The area if it exists and lies inside the user's; otherwise the same NotFound."""
    home: Area | None = getattr(user, "area", None)
    if home is None or not code or not code.startswith(home.prefix):
        raise NotFound()
    try:
        return Area.objects.get(code=code)
    except Area.DoesNotExist:
        raise NotFound() from None


def children_of(area: Area) -> QuerySet[Area]:
    return Area.objects.filter(parent=area).order_by("code")
