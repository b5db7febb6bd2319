"""Template tags for showing a household's assistance on the household page without its view
knowing about assistance: ``web/assistance_household.html`` asks for its data here."""

from __future__ import annotations

from typing import Any

from django import template

from fupin.accounts.permissions import VIEW_REGISTRY
from fupin.assistance.queries import household_assistance
from fupin.registry.models import Household

register = template.Library()


@register.simple_tag(takes_context=True)
def assistance_for_household(context: template.Context, household: Household) -> dict[str, Any] | None:
    """Measures, visits, jobs, trainings and care flags of the household, and whether the
    reader may record a measure or a visit; None for a reader who does not read the registry."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.can(VIEW_REGISTRY):
        return None
    return household_assistance(user, household)
