"""The household page's section on mutual aid and pairing (``web/party_household.html``): the
household's group and star rating, and its helpers. Asked for here so the household view need not
know about either app, as with the alerts section."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from fupin.accounts.permissions import EDIT_GROUPS
from fupin.core.access import covers
from fupin.mutualaid.queries import household_aid
from fupin.pairing.actions import may_make
from fupin.pairing.models import PairingKind
from fupin.pairing.queries import household_pairings
from fupin.registry.models import Household

register = template.Library()


@register.simple_tag(takes_context=True)
def party_for_household(context: template.Context, household: Household) -> dict[str, Any] | None:
    """None when the reader may read neither groups nor pairings (the section is left out)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    year = timezone.localdate().year
    aid = household_aid(user, household, year)
    pairings = household_pairings(user, household)
    if aid is None and pairings is None:
        return None
    inside = covers(user, household.area_id)
    return {
        "year": year,
        "aid": aid,
        "pairings": pairings,
        "can_rate": inside and user.can(EDIT_GROUPS),
        "can_pair": inside
        and (may_make(user, PairingKind.CADRE_HOUSEHOLD) or may_make(user, PairingKind.MEMBER_HOUSEHOLD)),
    }
