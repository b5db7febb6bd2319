"""The yearly rating (五星党组织, 三分类, 软弱涣散) and what is read from it: 0 to 5 stars, a
weak and lax organisation needs its rectification measures, one rating per organisation and
year (rating again replaces it, the audit keeps the old one); the counts by class and stars,
the weak-branch list with the urban units' branches paired with each; the cadres' profile."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fupin.areas.models import Area
from fupin.cases.area_settings import do_set_area_setting
from fupin.core.errors import NotFound, PermissionDenied
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, VILLAGE
from fupin.party import actions, queries
from fupin.party.models import Cadre, Linkage, LinkKind, Organisation, Rating
from tests.party.helpers import last_entry, refused


def rate(
    org: Organisation, actor: Any, year: int = 2024, stars: Any = 3, cls: str = "middle", **more: Any
) -> Rating:
    return actions.do_rate_organisation(
        org, {"year": year, "stars": stars, "rating_class": cls, **more}, actor=actor
    )


# --- rating --------------------------------------------------------------------------------


def test_a_rating_is_recorded_and_audited(world: dict[str, Any], personas: Any) -> None:
    dept = personas["org_dept"]
    rating = rate(world["branch"], dept, stars="4", cls="advanced")
    assert (rating.year, rating.stars, rating.rating_class, rating.weak) == (2024, 4, "advanced", False)
    assert rating.area_id == VILLAGE and rating.rated_by_id == dept.pk
    entry = last_entry("party.rate")
    assert entry.before is None and entry.after["stars"] == 4 and entry.area_code == VILLAGE


def test_rating_a_year_again_replaces_it_and_the_audit_keeps_the_old_one(
    world: dict[str, Any], personas: Any
) -> None:
    dept, branch = personas["org_dept"], world["branch"]
    first = rate(
        branch, dept, stars=2, cls="lagging", weak=True, rectification="班子软弱，县委组织部派员整顿"
    )
    second = rate(branch, dept, stars=3, cls="middle")
    assert second.pk == first.pk and Rating.objects.filter(organisation=branch).count() == 1
    second.refresh_from_db()
    assert (second.stars, second.rating_class, second.weak) == (3, "middle", False)
    entry = last_entry("party.rate")
    assert entry.object_id == str(first.pk)
    assert (entry.before["stars"], entry.before["weak"], entry.before["rating_class"]) == (2, True, "lagging")
    assert (entry.after["stars"], entry.after["weak"]) == (3, False)
    # another year is another rating
    assert rate(branch, dept, year=2023).pk != first.pk


@pytest.mark.parametrize("stars", [-1, 6, "5.5", "x", "", None])
def test_stars_are_a_whole_number_from_0_to_5(stars: Any, world: dict[str, Any], personas: Any) -> None:
    refused(lambda: rate(world["branch"], personas["org_dept"], stars=stars), ("STARS_RANGE", "stars"))


@pytest.mark.parametrize("stars", [0, 5, "0", " 5 "])
def test_0_and_5_stars_are_allowed(stars: Any, world: dict[str, Any], personas: Any) -> None:
    assert rate(world["branch"], personas["org_dept"], stars=stars).stars == int(str(stars))


def test_a_weak_organisation_needs_rectification_measures(world: dict[str, Any], personas: Any) -> None:
    dept, branch = personas["org_dept"], world["branch"]
    refused(
        lambda: rate(branch, dept, cls="lagging", weak=True), ("WEAK_NEEDS_RECTIFICATION", "rectification")
    )
    refused(
        lambda: rate(branch, dept, cls="lagging", weak="on", rectification="  "),
        ("WEAK_NEEDS_RECTIFICATION", "rectification"),
    )
    weak = rate(branch, dept, stars=1, cls="lagging", weak="on", rectification="选派第一书记，整顿班子")
    assert weak.weak and weak.rectification == "选派第一书记，整顿班子"


def test_the_class_and_year_are_required_and_the_organisation_existed_that_year(
    world: dict[str, Any], personas: Any
) -> None:
    dept, coop = personas["org_dept"], world["coop"]  # founded 2018
    refused(
        lambda: actions.do_rate_organisation(coop, {"stars": 3}, actor=dept),
        ("REQUIRED", "year"),
        ("REQUIRED", "rating_class"),
    )
    refused(lambda: rate(coop, dept, cls="best"), ("UNKNOWN_CHOICE", "rating_class"))
    refused(lambda: rate(coop, dept, year=2017), ("NOT_IN_YEAR", "year"))
    refused(lambda: rate(coop, dept, year=timezone.localdate().year + 1), ("BAD_YEAR", "year"))
    Organisation.objects.filter(pk=coop.pk).update(dissolved_on=dt.date(2022, 6, 30))
    coop.refresh_from_db()
    refused(lambda: rate(coop, dept, year=2023), ("NOT_IN_YEAR", "year"))
    assert rate(coop, dept, year=2022).year == 2022


def test_a_township_editor_may_not_rate(world: dict[str, Any], personas: Any) -> None:
    with pytest.raises(PermissionDenied):
        rate(world["branch"], personas["township_officer"])
    assert not Rating.objects.exists()


# --- the year's figures --------------------------------------------------------------------


@pytest.fixture
def rated(world: dict[str, Any], personas: Any) -> dict[str, Any]:
    """2024: the 十八洞村 branch weak (1 star, lagging) paired with the county transport bureau's
    branch; the neighbour branch weak with no pairing; the cooperative's branch advanced, 5
    stars; the township committee middle, 3 stars; the far county's branch rated too."""
    dept = personas["org_dept"]
    rate(world["branch"], dept, stars=1, cls="lagging", weak=True, rectification="软弱涣散，整顿")
    rate(world["neighbour"], dept, stars=2, cls="lagging", weak=True, rectification="换届后整顿")
    rate(world["coop"], dept, stars=5, cls="advanced")
    rate(world["township"], dept, stars=3, cls="middle")
    rate(world["branch"], dept, year=2023, stars=2, cls="middle")
    Rating.objects.create(
        organisation=world["far"],
        area=world["far"].area,
        year=2024,
        stars=0,
        rating_class="lagging",
        weak=True,
    )
    actions.do_create_linkage(world["unit_branch"], world["branch"], {"kind": "urban_rural"}, actor=dept)
    # not pairings: another kind of linkage, and an urban–rural one that has ended
    actions.do_create_linkage(world["unit_branch"], world["neighbour"], {"kind": "strong_weak"}, actor=dept)
    Linkage.objects.create(
        first=world["county_committee"],
        second=world["neighbour"],
        kind=LinkKind.URBAN_RURAL,
        started_on=dt.date(2020, 1, 1),
        ended_on=dt.date(2023, 12, 31),
    )
    return world


def test_counts_by_class_and_stars_for_a_year(rated: dict[str, Any], personas: Any) -> None:
    counts = queries.rating_counts(personas["org_dept"], 2024)
    assert counts["total"] == 4 and counts["weak"] == 2
    assert {c["key"]: c["count"] for c in counts["classes"]} == {"advanced": 1, "middle": 1, "lagging": 2}
    assert {s["stars"]: s["count"] for s in counts["stars"]} == {5: 1, 4: 0, 3: 1, 2: 1, 1: 1, 0: 0}
    # the county committee and the unit's branch are not rated for 2024
    assert counts["unrated"] == 2
    # 2023: only the village branch; the cooperative founded in 2018 and the others count as unrated
    earlier = queries.rating_counts(personas["org_dept"], 2023)
    assert earlier["total"] == 1 and {c["key"]: c["count"] for c in earlier["classes"]}["middle"] == 1
    # the township officer counts only the township's organisations
    township = queries.rating_counts(personas["township_officer"], 2024)
    assert township["total"] == 4 and township["unrated"] == 0
    village = queries.rating_counts(personas["village_clerk"], 2024)
    assert village["total"] == 2 and village["weak"] == 1


def test_the_weak_list_names_the_urban_units_branch_paired_with_each(
    rated: dict[str, Any], personas: Any
) -> None:
    rows = queries.weak_list(personas["org_dept"], 2024)
    by_org = {r["organisation"].pk: r for r in rows}
    assert set(by_org) == {rated["branch"].pk, rated["neighbour"].pk}
    paired = by_org[rated["branch"].pk]["paired"]
    assert [p["organisation"].pk for p in paired] == [rated["unit_branch"].pk]
    assert paired[0]["unit"].name == "县交通运输局" and paired[0]["visible"]
    assert by_org[rated["branch"].pk]["rating"].rectification == "软弱涣散，整顿"
    # neither a strong-with-weak linkage nor an ended urban–rural one is a pairing
    assert by_org[rated["neighbour"].pk]["paired"] == []
    # the village clerk sees her branch and the name of the county unit's branch, not a link to it
    own = queries.weak_list(personas["village_clerk"], 2024)
    assert [r["organisation"].pk for r in own] == [rated["branch"].pk]
    assert (
        own[0]["paired"][0]["organisation"].name == "县交通运输局机关党支部"
        and not own[0]["paired"][0]["visible"]
    )
    assert queries.weak_list(personas["org_dept"], 2023) == []
    # an ended pairing leaves the branch unpaired
    Linkage.objects.filter(first=rated["unit_branch"], kind="urban_rural").update(
        ended_on=dt.date(2024, 12, 31)
    )
    assert queries.weak_list(personas["org_dept"], 2024)[0]["paired"] == []


def test_the_default_year_is_the_last_with_ratings(rated: dict[str, Any], personas: Any) -> None:
    assert queries.default_year(personas["org_dept"]) == 2024
    assert queries.rating_years(personas["org_dept"]) == [2024, 2023]
    Rating.objects.all().delete()
    assert queries.default_year(personas["org_dept"]) == timezone.localdate().year


def test_ratings_are_read_only_inside_the_area(rated: dict[str, Any], personas: Any) -> None:
    assert not queries.ratings_within(personas["outsider"]).filter(organisation=rated["branch"]).exists()
    assert queries.rating_counts(personas["outsider"], 2024)["total"] == 1  # its own county's branch
    assert queries.rating_counts(personas["neighbour_clerk"], 2024)["weak"] == 1
    # asking about an area outside one's own gives nothing
    assert (
        queries.rating_counts(personas["neighbour_clerk"], 2024, Area.objects.get(code=VILLAGE))["total"] == 0
    )
    with pytest.raises(PermissionDenied):
        queries.rating_counts(personas["cadre"], 2024)


# --- the cadres' profile -------------------------------------------------------------------


def test_the_cadre_summary_flags_age_over_60_and_primary_schooling(
    world: dict[str, Any], personas: Any
) -> None:
    year = timezone.localdate().year
    make = lambda name, born, edu, **kw: Cadre.objects.create(  # noqa: E731
        area_id=kw.pop("area", VILLAGE), name=name, post="committee", birth_year=born, education=edu, **kw
    )
    old = make("老委员", year - 61, "senior")
    sixty = make("六十岁", year - 60, "junior")
    primary = make("小学委员", 1980, "primary")
    none = make("文盲委员", 1985, "none")
    reserve = make("后备青年", 1998, "college", reserve=True)
    make("已离任", year - 70, "primary", left_on=dt.date(2023, 1, 1))
    make("邻村委员", year - 65, "primary", area=NEIGHBOUR_VILLAGE)
    summary = queries.cadre_summary(personas["village_clerk"])
    by_name = {c.name: c for c in summary["cadres"]}
    assert set(by_name) == {"施村主任", "老委员", "六十岁", "小学委员", "文盲委员", "后备青年"}
    assert by_name["老委员"].age == 61 and by_name["老委员"].over_age and by_name["老委员"].flagged
    assert not by_name["六十岁"].over_age and not by_name["六十岁"].flagged
    assert by_name["小学委员"].low_education and by_name["文盲委员"].low_education
    assert not by_name["后备青年"].flagged and not by_name["施村主任"].flagged
    assert {c.pk for c in summary["flagged"]} == {old.pk, primary.pk, none.pk}
    assert [c.pk for c in summary["reserve"]] == [reserve.pk]
    assert summary["counts"] == {
        "total": 6,
        "over_age": 1,
        "low_education": 2,
        "flagged": 3,
        "reserve": 1,
        "never_trained": 6,
    }
    assert sixty.pk in {c.pk for c in summary["cadres"]}
    # the township sees both villages; the age is counted in the year asked about
    township = queries.cadre_summary(personas["township_officer"], year=year + 1)
    assert township["counts"]["total"] == 7 and township["counts"]["over_age"] == 3


def test_one_object_by_id_is_not_found_outside_the_area(world: dict[str, Any], personas: Any) -> None:
    lookups = [
        (queries.access_organisation_by_id, world["branch"].pk),
        (queries.access_unit_by_id, world["unit"].pk),
        (queries.access_party_member_by_id, world["member"].pk),
        (queries.access_cadre_by_id, world["cadre"].pk),
        (queries.access_linkage_by_id, world["link"].pk),
    ]
    for lookup, pk in lookups:
        assert lookup(personas["village_clerk"], pk).pk == pk
        assert lookup(personas["township_officer"], str(pk)).pk == pk
        for user in ("neighbour_clerk", "outsider"):
            with pytest.raises(NotFound):
                lookup(personas[user], pk)
        for missing in (pk + 10**6, "x", None):
            with pytest.raises(NotFound):
                lookup(personas["org_dept"], missing)
        for user in ("cadre", "dept_provider"):
            with pytest.raises(PermissionDenied):
                lookup(personas[user], pk)
    # a linkage is found from either side; the county unit's branch is outside the village
    link = Linkage.objects.create(
        first=world["unit_branch"], second=world["branch"], kind="urban_rural", started_on=dt.date(2024, 1, 1)
    )
    assert queries.access_linkage_by_id(personas["village_clerk"], link.pk) == link
    with pytest.raises(NotFound):
        queries.access_linkage_by_id(personas["neighbour_clerk"], link.pk)


def test_the_cadre_age_limit_is_a_local_setting(world: dict[str, Any], personas: Any) -> None:
    year = timezone.localdate().year
    Cadre.objects.create(
        area_id=VILLAGE, name="五十八岁", post="committee", birth_year=year - 58, education="senior"
    )
    assert not {c.name for c in queries.cadre_summary(personas["village_clerk"])["flagged"]} & {"五十八岁"}
    do_set_area_setting(Area.objects.get(code=COUNTY), "cadre_max_age", "55", actor=personas["county_admin"])
    summary = queries.cadre_summary(personas["village_clerk"])
    assert summary["age_limit"] == 55
    assert "五十八岁" in {c.name for c in summary["flagged"]}
