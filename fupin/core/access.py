"""The checks every action starts with: may this actor do this, here?

The role map lives in ``accounts``; lower apps only need an actor that answers ``can(perm)``
and has an ``area``, so they check permissions without importing the apps above them.
"""

from __future__ import annotations

from typing import Any, Protocol

from fupin.core.errors import NotFound, NotSettingOwner, PermissionDenied


class Actor(Protocol):
    username: str

    def can(self, perm: str) -> bool: ...


class _System:
    """The operator at the command line: trusted, all of the country, still audited."""

    pk = None
    username = "system"
    is_authenticated = True
    area = None
    role = "system"

    def can(self, perm: str) -> bool:
        return True

    def __str__(self) -> str:
        return "system"


SYSTEM = _System()


def covers(actor: Any, code: str) -> bool:
    if actor is SYSTEM:
        return True
    area = getattr(actor, "area", None)
    return area is not None and bool(code) and code.startswith(area.prefix)


def require(actor: Any, perm: str, *, area_code: str | None = None) -> None:
    """Raise unless ``actor`` holds ``perm`` and, if given, ``area_code`` lies in its area.

    An area outside the actor's answers NotFound, the same as one that does not exist.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    if area_code is not None and not covers(actor, area_code):
        raise NotFound()
    if not actor.can(perm):
        raise PermissionDenied()


def setting_owner(code: str) -> str:
    """The area whose office owns a value set at ``code``.

    A province, prefecture or county owns its own values. Townships and villages have no office
    that writes settings, so their values (a village's notice period, its exit-assessment
    thresholds) belong to the county bureau that runs them. Derived from the code's digits
    (2+2+2+3+3), so core needs no area table.
    """
    code = (code or "")[:12].ljust(12, "0")
    for digits in (2, 4, 6):
        if code[digits:] == "0" * (12 - digits):
            return code
    return code[:6].ljust(12, "0")


def owns_setting(actor: Any, perm: str, code: str) -> bool:
    """May ``actor`` set a value of the area ``code``: its role holds ``perm`` and its own area
    is the one that owns the value, so a county sets its county's values but not its
    province's, and a province does not override what belongs to one of its counties."""
    if actor is SYSTEM:
        return True
    area = getattr(actor, "area", None)
    if actor is None or area is None or not getattr(actor, "is_authenticated", False):
        return False
    return actor.can(perm) and area.code == setting_owner(code)


def require_setting_owner(actor: Any, perm: str, *, area_code: str) -> None:
    """``require`` for a settings write, plus: the actor's own area owns the value.

    Outside the actor's area answers NotFound as everywhere; inside it but owned by another
    level (a township's value for a province office) answers NotSettingOwner.
    """
    area = getattr(actor, "area", None)
    if (
        area is not None
        and actor is not SYSTEM
        and getattr(actor, "is_authenticated", False)
        and actor.can(perm)
        and _is_above(area_code, area.code)
    ):
        # A settings writer's own province or prefecture: known to it, so refused as not its
        # to set rather than answered as missing.
        raise NotSettingOwner()
    require(actor, perm, area_code=area_code)
    if not owns_setting(actor, perm, area_code):
        raise NotSettingOwner()


def _is_above(code: str, below: str) -> bool:
    code = (code or "")[:12].ljust(12, "0")
    for digits in (2, 4, 6, 9):
        if code[digits:] == "0" * (12 - digits):
            return code != below and below.startswith(code[:digits])
    return False
