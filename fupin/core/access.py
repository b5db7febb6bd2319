"""The checks every action starts with: may this actor do this, here?

The role map lives in ``accounts``; lower apps only need an actor that answers ``can(perm)``
and has an ``area``, so they check permissions without importing the apps above them.
"""

from __future__ import annotations

from typing import Any, Protocol

from fupin.core.errors import NotFound, PermissionDenied


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
