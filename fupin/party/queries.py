"""Reads of party organisations, members, cadres, units and ratings, always scoped to the
reader's area: the lists, one object by id (NotFound alike for a missing one and one outside),
the year's rating figures with the weak-branch list (软弱涣散) and the urban units' branches
paired with each, and the village cadres' profile with who is to be replaced or trained.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fupin.accounts.permissions import VIEW_PARTY, VIEW_REGISTRY
from fupin.areas.models import Area, Level
from fupin.areas.queries import areas_within, within
from fupin.cases.area_settings import setting_for
from fupin.core.access import covers, require
from fupin.core.errors import NotFound
from fupin.party.actions import CURRENT_STATUSES
from fupin.party.models import (
    Cadre,
    Linkage,
    LinkKind,
    Organisation,
    PartyMember,
    Rating,
    RatingClass,
    Unit,
)
from fupin.registry.choices import Education
from fupin.registry.models import Member

# Seed 001: village cadres over 60, or with primary schooling or less, are to be replaced or
# trained. The seed gives these as one county's practice; kept here until a county asks for
# its own values (then they belong in the area settings).
LOW_EDUCATION = (Education.NONE, Education.PRESCHOOL, Education.PRIMARY)


def _pk(raw: Any) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise NotFound() from None


def _scoped(model: type[Any], user: Any, area: Area | None) -> QuerySet[Any]:
    require(user, VIEW_PARTY)
    scope = area or user.area
    if not scope.code.startswith(user.area.prefix):
        return model.objects.none()
    return model.objects.filter(within(scope, "area_id"))


# --- lists ---------------------------------------------------------------------------------


def organisations_within(user: Any, area: Area | None = None) -> QuerySet[Organisation]:
    """Organisations in ``area`` (default: the user's own), never outside the user's area."""
    return _scoped(Organisation, user, area)


def units_within(user: Any, area: Area | None = None) -> QuerySet[Unit]:
    return _scoped(Unit, user, area)


def party_members_within(user: Any, area: Area | None = None) -> QuerySet[PartyMember]:
    return _scoped(PartyMember, user, area)


def cadres_within(user: Any, area: Area | None = None) -> QuerySet[Cadre]:
    return _scoped(Cadre, user, area)


def ratings_within(user: Any, area: Area | None = None) -> QuerySet[Rating]:
    return _scoped(Rating, user, area)


def search_organisations(
    user: Any, *, area: Area | None = None, kind: str = "", q: str = "", dissolved: bool = False
) -> QuerySet[Organisation]:
    qs = organisations_within(user, area).select_related("area", "parent", "unit")
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__contains=q)
    if not dissolved:
        qs = qs.filter(dissolved_on__isnull=True)
    return qs.order_by("area_id", "name")


# --- one object ----------------------------------------------------------------------------


def access_organisation_by_id(user: Any, org_id: Any) -> Organisation:
    org = organisations_within(user).select_related("area", "parent", "unit").filter(pk=_pk(org_id)).first()
    if org is None:
        raise NotFound()
    return org


def access_unit_by_id(user: Any, unit_id: Any) -> Unit:
    unit = units_within(user).select_related("area").filter(pk=_pk(unit_id)).first()
    if unit is None:
        raise NotFound()
    return unit


def access_party_member_by_id(user: Any, member_id: Any) -> PartyMember:
    member = (
        party_members_within(user)
        .select_related("organisation", "organisation__area", "registry_member__household")
        .filter(pk=_pk(member_id))
        .first()
    )
    if member is None:
        raise NotFound()
    return member


def access_cadre_by_id(user: Any, cadre_id: Any) -> Cadre:
    cadre = cadres_within(user).select_related("area", "unit").filter(pk=_pk(cadre_id)).first()
    if cadre is None:
        raise NotFound()
    return cadre


def access_linkage_by_id(user: Any, linkage_id: Any) -> Linkage:
    """A linkage whose either side lies in the user's area (changing it needs both)."""
    require(user, VIEW_PARTY)
    link = Linkage.objects.select_related("first", "second").filter(pk=_pk(linkage_id)).first()
    if link is None or not (covers(user, link.first.area_id) or covers(user, link.second.area_id)):
        raise NotFound()
    return link


# --- one organisation's page ---------------------------------------------------------------


def members_of(org: Organisation) -> list[PartyMember]:
    """The organisation's members, current ones first (the caller may read the organisation)."""
    members = list(org.members.select_related("registry_member__household"))
    members.sort(key=lambda m: (m.status not in CURRENT_STATUSES, m.name, m.pk))
    return members


def party_records_of_household(user: Any, household: Any) -> list[PartyMember]:
    """The party records of a household's members (for the household page), inside the user's
    area; empty for a role without VIEW_PARTY rather than an error, as the page is not about them."""
    if not user.can(VIEW_PARTY):
        return []
    return list(
        party_members_within(user)
        .filter(registry_member__household=household)
        .select_related("organisation", "registry_member")
        .order_by("registry_member_id", "pk")
    )


def children_of(org: Organisation) -> list[Organisation]:
    return list(org.children.select_related("area").order_by("dissolved_on", "area_id", "name"))


def linkages_of(user: Any, org: Organisation) -> list[dict[str, Any]]:
    """The organisation's linkages, active first, each with the organisation on the other side.
    That one may lie outside the user's area (a county unit's branch paired with a village):
    its name is shown, as the pairing is the point, but it is linked only where the user may go;
    ending a linkage needs both sides in the user's area."""
    links = Linkage.objects.filter(Q(first=org) | Q(second=org)).select_related(
        "first", "second", "first__unit", "second__unit", "first__area", "second__area"
    )
    rows = []
    for link in links.order_by("-started_on", "pk"):
        other = link.second if link.first_id == org.pk else link.first
        rows.append(
            {
                "link": link,
                "other": other,
                "leads": link.first_id == org.pk,
                "other_visible": covers(user, other.area_id),
                "both_visible": covers(user, link.first.area_id) and covers(user, link.second.area_id),
            }
        )
    rows.sort(key=lambda r: r["link"].ended_on is not None)
    return rows


def ratings_of(org: Organisation) -> list[Rating]:
    return list(org.ratings.select_related("rated_by").order_by("-year"))


def link_candidates(user: Any, org: Organisation) -> list[Organisation]:
    """The organisations the user may link ``org`` with: active ones in the user's area."""
    return list(
        organisations_within(user)
        .filter(dissolved_on__isnull=True)
        .exclude(pk=org.pk)
        .select_related("area")
        .order_by("area_id", "name")
    )


def villagers_for(user: Any, org: Organisation, limit: int = 2000) -> list[Member]:
    """Current household members in the organisation's village(s) without a current party
    record, for linking a party member to the household file. Only for a village-level
    organisation (a committee over a township would list thousands) and a user who reads the
    registry."""
    if not user.can(VIEW_REGISTRY):
        return []
    places = [org.area, *org.villages.all()]
    if org.area.level < Level.VILLAGE and len(places) == 1:
        return []
    place_q = Q()
    for place in places:
        place_q |= place.within_q("household__area_id")
    taken = PartyMember.objects.filter(status__in=CURRENT_STATUSES, registry_member__isnull=False)
    return list(
        Member.objects.filter(place_q, within(user.area, "household__area_id"), left_on__isnull=True)
        .exclude(pk__in=taken.values("registry_member_id"))
        .select_related("household")
        .order_by("household__number", "id")[:limit]
    )


# --- areas for the forms --------------------------------------------------------------------


def area_choices(user: Any) -> list[Area]:
    """The county, townships and villages inside the user's area (not village groups)."""
    return list(areas_within(user.area).filter(level__lte=Level.VILLAGE).order_by("code"))


def village_choices(user: Any) -> list[Area]:
    return list(areas_within(user.area).filter(level=Level.VILLAGE).select_related("parent").order_by("code"))


# --- the year's ratings --------------------------------------------------------------------


def rating_years(user: Any, area: Area | None = None) -> list[int]:
    return list(ratings_within(user, area).order_by("-year").values_list("year", flat=True).distinct())


def default_year(user: Any, area: Area | None = None) -> int:
    """The last year with ratings, or the current year when there are none."""
    years = rating_years(user, area)
    return years[0] if years else timezone.localdate().year


def rating_counts(user: Any, year: int, area: Area | None = None) -> dict[str, Any]:
    """How many organisations are in each class (三分类) and have each number of stars, how
    many are weak and lax, and how many active organisations have no rating for the year."""
    qs = ratings_within(user, area).filter(year=year)
    by_class = dict(qs.values_list("rating_class").annotate(n=Count("id")).order_by())
    by_stars = dict(qs.values_list("stars").annotate(n=Count("id")).order_by())
    rated = qs.values("organisation_id")
    # Organisations that existed during the year and are not rated for it.
    unrated = (
        organisations_within(user, area)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__year__lte=year))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__year__gte=year))
        .exclude(pk__in=rated)
        .count()
    )
    return {
        "year": year,
        "total": sum(by_class.values()),
        "classes": [
            {"key": value, "label": label, "count": by_class.get(value, 0)}
            for value, label in RatingClass.choices
        ],
        "stars": [{"stars": s, "count": by_stars.get(s, 0)} for s in range(5, -1, -1)],
        "weak": qs.filter(weak=True).count(),
        "unrated": unrated,
    }


def weak_list(user: Any, year: int, area: Area | None = None) -> list[dict[str, Any]]:
    """The weak and lax organisations (软弱涣散) of the year, each with the urban units'
    organisations paired with it by an active urban–rural linkage (journey 5.3): the leading
    side of such a linkage is the unit's organisation."""
    ratings = list(
        ratings_within(user, area)
        .filter(year=year, weak=True)
        .select_related("organisation", "organisation__area")
        .order_by("area_id", "organisation__name")
    )
    paired: dict[int, list[dict[str, Any]]] = defaultdict(list)
    links = Linkage.objects.filter(
        kind=LinkKind.URBAN_RURAL,
        ended_on__isnull=True,
        second_id__in=[r.organisation_id for r in ratings],
    ).select_related("first", "first__unit", "first__area")
    for link in links.order_by("started_on", "pk"):
        paired[link.second_id].append(
            {"organisation": link.first, "unit": link.first.unit, "visible": covers(user, link.first.area_id)}
        )
    return [
        {"rating": r, "organisation": r.organisation, "paired": paired.get(r.organisation_id, [])}
        for r in ratings
    ]


# --- village cadres' profile ---------------------------------------------------------------


def cadre_summary(user: Any, area: Area | None = None, *, year: int | None = None) -> dict[str, Any]:
    """Current cadres (not left) with their age in ``year`` (default: this year) and flags:
    over the age limit, or with primary schooling or less — "to be replaced or trained"
    (seed 001) — and the reserve cadres (后备干部, seed 002)."""
    year = year or timezone.localdate().year
    # The limit is the viewed area's local setting (cadre_max_age), one value for the page.
    age_limit = int(setting_for((area or user.area).code, "cadre_max_age"))
    cadres = list(
        cadres_within(user, area)
        .filter(left_on__isnull=True)
        .select_related("area", "unit")
        .order_by("area_id", "post", "name")
    )
    for cadre in cadres:
        cadre.age = year - cadre.birth_year  # type: ignore[attr-defined]
        cadre.over_age = cadre.age > age_limit  # type: ignore[attr-defined]
        cadre.low_education = cadre.education in LOW_EDUCATION  # type: ignore[attr-defined]
        cadre.flagged = cadre.over_age or cadre.low_education  # type: ignore[attr-defined]
    return {
        "year": year,
        "age_limit": age_limit,
        "cadres": cadres,
        "flagged": [c for c in cadres if c.flagged],  # type: ignore[attr-defined]
        "reserve": [c for c in cadres if c.reserve],
        "counts": {
            "total": len(cadres),
            "over_age": sum(1 for c in cadres if c.over_age),  # type: ignore[attr-defined]
            "low_education": sum(1 for c in cadres if c.low_education),  # type: ignore[attr-defined]
            "flagged": sum(1 for c in cadres if c.flagged),  # type: ignore[attr-defined]
            "reserve": sum(1 for c in cadres if c.reserve),
            "never_trained": sum(1 for c in cadres if c.last_trained_on is None),
        },
    }
