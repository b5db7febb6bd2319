from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from fupin.accounts.permissions import ROLE_PERMISSIONS


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the navigation needs: the user's permissions as a set a template can test."""
    user = getattr(request, "user", None)
    perms: frozenset[str] = frozenset()
    if user is not None and user.is_authenticated:
        perms = ROLE_PERMISSIONS.get(getattr(user, "role", ""), frozenset())
    return {"site_name": settings.FUPIN_SITE_NAME, "user_perms": perms}


def landing_page(user: object) -> str:
    """Where a user starts after logging in: the page of their daily task. A first secretary
    or work-team member checks in and visits (我的工作); a department provider only sends feeds;
    everyone else starts at the overview of their area."""
    perms = ROLE_PERMISSIONS.get(getattr(user, "role", ""), frozenset())
    if "teams.check_in" in perms:
        return "my_work"
    if "feeds.send" in perms and "registry.view" not in perms:
        return "feeds"
    return "home"
