"""``{{ user|person }}`` and ``{{ login|person_login }}``: a person by name, never by login."""

from __future__ import annotations

from typing import Any

from django import template

from fupin.accounts.display import display_name, display_name_for_login

register = template.Library()


@register.filter
def person(user: Any) -> str:
    return display_name(user)


@register.filter
def person_login(login: str | None) -> str:
    return display_name_for_login(login)
