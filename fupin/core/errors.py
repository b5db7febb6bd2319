"""Errors that carry a stable code and a translated message.

Every app declares its codes in ``errors.py`` as a ``ErrorCode`` enum whose value is the
English source message; the API answers ``{"code", "message", "field"}`` and pages show the
message next to the field.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext, gettext_noop


class ErrorCode(StrEnum):
    """Base for app error enums: the member name is the code, the value the message."""

    def message(self, **params: Any) -> str:
        text = gettext(self.value)
        return text.format(**params) if params else text


class CoreError(ErrorCode):
    NOT_FOUND = gettext_noop("Not found.")
    PERMISSION_DENIED = gettext_noop("Your role may not do this.")
    OUTSIDE_AREA = gettext_noop("This area is outside your jurisdiction.")
    CONFLICT = gettext_noop("Someone else changed this record first; reload and try again.")
    INVALID = gettext_noop("The input is not valid.")
    NOT_SETTING_OWNER = gettext_noop(
        "This value belongs to another level: only the office of the area it is set for may change it."
    )


class FupinError(Exception):
    status = 400

    def __init__(self, code: ErrorCode, field: str | None = None, **params: Any) -> None:
        self.code = code
        self.field = field
        self.params = params
        super().__init__(code.name)

    @property
    def message(self) -> str:
        return self.code.message(**self.params)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code.name, "message": self.message, "field": self.field}


class NotFound(FupinError):
    """Raised alike for a missing object and one outside the user's area, so nothing leaks."""

    status = 404

    def __init__(self, field: str | None = None) -> None:
        super().__init__(CoreError.NOT_FOUND, field=field)


class PermissionDenied(FupinError):
    status = 403

    def __init__(self) -> None:
        super().__init__(CoreError.PERMISSION_DENIED)


class NotSettingOwner(PermissionDenied):
    """A settings write by a role that may write settings, but not for this area's level.
    A PermissionDenied, so pages and the API answer it as 403 with its own message."""

    def __init__(self) -> None:
        FupinError.__init__(self, CoreError.NOT_SETTING_OWNER, field="area")


class Conflict(FupinError):
    status = 409

    def __init__(self) -> None:
        super().__init__(CoreError.CONFLICT)


class ValidationFailed(FupinError):
    """Several field errors at once, so a form can show them all."""

    def __init__(self, errors: list[FupinError]) -> None:
        super().__init__(CoreError.INVALID)
        self.errors = errors

    def as_dict(self) -> dict[str, Any]:
        first = self.errors[0] if self.errors else None
        return {
            "code": first.code.name if first else self.code.name,
            "message": first.message if first else self.message,
            "field": first.field if first else None,
            "errors": [e.as_dict() for e in self.errors],
        }
