from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "site_name": settings.FUPIN_SITE_NAME,
        "can": (lambda perm: user.can(perm))
        if user is not None and user.is_authenticated
        else (lambda perm: False),
    }
