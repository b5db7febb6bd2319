"""How a person is named on a page: by their name, never by their login.

Logins such as ``village_clerk`` are identifiers for signing in; a page names the person
behind them (排查人, 核实人, 决定人 …). Without a full name on file the role stands in, which
still tells the reader who acted; the login is never shown.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from fupin.accounts.permissions import Role

_SYSTEM_LOGINS = {"system", ""}
# What the alerts app's public reporter calls itself in the audit log (alerts.actions.PUBLIC).
_PUBLIC_PAGE = "public self-report page"


def display_name(user: Any) -> str:
    """The user's full name, else their role's label, else "system" for the operator."""
    if user is None:
        return "—"
    full = ""
    if hasattr(user, "get_full_name"):
        full = (user.get_full_name() or "").strip()
    if full:
        return full
    role = getattr(user, "role", "")
    if role in Role.values:
        return str(Role(role).label)
    if getattr(user, "pk", None) is None and getattr(user, "username", "") in _SYSTEM_LOGINS:
        return _("System")
    if getattr(user, "username", "") == _PUBLIC_PAGE:
        return _("the public self-report page")
    return _("a former user")


def display_name_for_login(login: str | None) -> str:
    """The same for a login kept as text (audit entries, case steps, evidence)."""
    from fupin.accounts.models import User

    if not login or login in _SYSTEM_LOGINS:
        return _("System")
    if login == _PUBLIC_PAGE:
        return _("the public self-report page")
    user = User.objects.filter(username=login).only("first_name", "last_name", "role").first()
    if user is None:
        return _("a former user")
    return display_name(user)
