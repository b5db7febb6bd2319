"""Units and organisations: what may be created and changed, and how each refusal reads.

A joint party committee covers at least two villages and only it lists villages; the higher
organisation must be visible to the actor and cannot be the organisation itself or one below
it; an organisation built in a unit names its unit; names are unique in an area. Every write is
audited with what it was before; a refused write changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fupin.core.errors import NotFound
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP_VILLAGE, TOWNSHIP, VILLAGE
from fupin.party import actions
from fupin.party.models import Linkage, Organisation, OrgKind, Rating
from tests.party.helpers import last_entry, refused, state

GROUP_CODE = VILLAGE + "001"


# --- units ---------------------------------------------------------------------------------


def test_a_unit_is_created_in_an_area_of_the_actor_and_audited(world: dict[str, Any], personas: Any) -> None:
    dept = personas["org_dept"]
    unit = actions.do_create_unit(
        {"area": COUNTY, "name": " 县卫生健康局 ", "kind": "department"}, actor=dept
    )
    assert (unit.area_id, unit.name, unit.kind) == (COUNTY, "县卫生健康局", "department")
    entry = last_entry("party.create_unit")
    assert (
        entry.object_id == str(unit.pk)
        and entry.area_code == COUNTY
        and entry.after["name"] == "县卫生健康局"
    )
    assert entry.actor_id == dept.pk and entry.before is None


def test_unit_names_are_unique_in_an_area_and_the_area_is_a_county_township_or_village(
    world: dict[str, Any], personas: Any
) -> None:
    dept = personas["org_dept"]
    refused(
        lambda: actions.do_create_unit(
            {"area": COUNTY, "name": "县交通运输局", "kind": "department"}, actor=dept
        ),
        ("UNIT_NAME_TAKEN", "name"),
    )
    # the same name in another area is another unit
    actions.do_create_unit({"area": TOWNSHIP, "name": "县交通运输局", "kind": "department"}, actor=dept)
    refused(
        lambda: actions.do_create_unit({"area": "", "name": "", "kind": "nonsense"}, actor=dept),
        ("REQUIRED", "area"),
        ("NAME_REQUIRED", "name"),
        ("UNKNOWN_CHOICE", "kind"),
    )
    refused(
        lambda: actions.do_create_unit(
            {"area": COUNTY[:9] + "999", "name": "某局", "kind": "other"}, actor=dept
        ),
        ("AREA_UNKNOWN", "area"),
    )


def test_a_unit_cannot_sit_in_a_village_group(world: dict[str, Any], personas: Any) -> None:
    from fupin.areas.models import Area

    Area.objects.create(code=GROUP_CODE, name="一组", level=6, parent_id=VILLAGE)
    refused(
        lambda: actions.do_create_unit(
            {"area": GROUP_CODE, "name": "组", "kind": "other"}, actor=personas["org_dept"]
        ),
        ("AREA_LEVEL", "area"),
    )


def test_editing_a_unit_keeps_what_it_was_in_the_audit_log(world: dict[str, Any], personas: Any) -> None:
    unit = world["unit"]
    edited = actions.do_edit_unit(
        unit, {"name": "十八洞村苗绣合作社", "kind": "enterprise"}, actor=personas["township_officer"]
    )
    assert (edited.name, edited.kind) == ("十八洞村苗绣合作社", "enterprise")
    entry = last_entry("party.edit_unit")
    assert entry.before["name"] == unit.name and entry.after["name"] == "十八洞村苗绣合作社"
    # moving it out of the officer's township is not possible
    before = state()
    with pytest.raises(NotFound):
        actions.do_edit_unit(unit, {"area": OTHER_TOWNSHIP_VILLAGE}, actor=personas["township_officer"])
    assert state() == before


# --- organisations -------------------------------------------------------------------------


def test_an_organisation_is_created_with_its_parent_and_audited(world: dict[str, Any], personas: Any) -> None:
    officer = personas["township_officer"]
    org = actions.do_create_organisation(
        {
            "area": VILLAGE,
            "name": "十八洞村猕猴桃产业链党支部",
            "kind": "branch",
            "setting": "chain",
            "parent": str(world["township"].pk),
            "secretary_name": "施书记",
            "founded_on": "2019-06-30",
        },
        actor=officer,
    )
    assert org.parent_id == world["township"].pk and org.setting == "chain"
    assert org.founded_on == dt.date(2019, 6, 30) and org.secretary_name == "施书记"
    entry = last_entry("party.create_organisation")
    assert entry.object_id == str(org.pk) and entry.area_code == VILLAGE
    assert entry.after["parent_id"] == world["township"].pk and entry.after["villages"] == []


def test_a_joint_committee_covers_at_least_two_villages(world: dict[str, Any], personas: Any) -> None:
    officer = personas["township_officer"]
    base = {"area": TOWNSHIP, "name": "双龙镇十八洞联合党委", "kind": "joint", "setting": "village"}
    refused(lambda: actions.do_create_organisation(base, actor=officer), ("JOINT_NEEDS_VILLAGES", "villages"))
    refused(
        lambda: actions.do_create_organisation({**base, "villages": [VILLAGE]}, actor=officer),
        ("JOINT_NEEDS_VILLAGES", "villages"),
    )
    # the same village twice is still one village
    refused(
        lambda: actions.do_create_organisation({**base, "villages": [VILLAGE, VILLAGE]}, actor=officer),
        ("JOINT_NEEDS_VILLAGES", "villages"),
    )
    joint = actions.do_create_organisation({**base, "villages": [VILLAGE, NEIGHBOUR_VILLAGE]}, actor=officer)
    assert joint.kind == OrgKind.JOINT_COMMITTEE
    assert sorted(joint.villages.values_list("code", flat=True)) == sorted([VILLAGE, NEIGHBOUR_VILLAGE])
    assert sorted(last_entry("party.create_organisation").after["villages"]) == sorted(
        [VILLAGE, NEIGHBOUR_VILLAGE]
    )


def test_only_a_joint_committee_lists_villages_and_they_are_villages_inside_the_actors_area(
    world: dict[str, Any], personas: Any
) -> None:
    officer = personas["township_officer"]
    branch = {"area": VILLAGE, "name": "新支部", "kind": "branch", "setting": "village"}
    refused(
        lambda: actions.do_create_organisation(
            {**branch, "villages": [VILLAGE, NEIGHBOUR_VILLAGE]}, actor=officer
        ),
        ("VILLAGES_ONLY_JOINT", "villages"),
    )
    joint = {"area": TOWNSHIP, "name": "联合党委", "kind": "joint", "setting": "village"}
    refused(
        lambda: actions.do_create_organisation({**joint, "villages": [VILLAGE, TOWNSHIP]}, actor=officer),
        ("NOT_A_VILLAGE", "villages"),
        ("JOINT_NEEDS_VILLAGES", "villages"),
    )
    # a village of another township is outside the township officer's area: not found
    before = state()
    with pytest.raises(NotFound):
        actions.do_create_organisation(
            {**joint, "villages": [VILLAGE, OTHER_TOWNSHIP_VILLAGE]}, actor=officer
        )
    assert state() == before
    # the county's department may join villages of two townships
    made = actions.do_create_organisation(
        {**joint, "area": COUNTY, "villages": [VILLAGE, OTHER_TOWNSHIP_VILLAGE]}, actor=personas["org_dept"]
    )
    assert made.villages.count() == 2


def test_turning_a_joint_committee_into_a_branch_needs_its_villages_cleared(
    world: dict[str, Any], personas: Any
) -> None:
    officer = personas["township_officer"]
    joint = actions.do_create_organisation(
        {
            "area": TOWNSHIP,
            "name": "联合党委",
            "kind": "joint",
            "setting": "village",
            "villages": [VILLAGE, NEIGHBOUR_VILLAGE],
        },
        actor=officer,
    )
    refused(
        lambda: actions.do_edit_organisation(joint, {"kind": "committee"}, actor=officer),
        ("VILLAGES_ONLY_JOINT", "villages"),
    )
    refused(
        lambda: actions.do_edit_organisation(joint, {"villages": [VILLAGE]}, actor=officer),
        ("JOINT_NEEDS_VILLAGES", "villages"),
    )
    edited = actions.do_edit_organisation(joint, {"kind": "committee", "villages": []}, actor=officer)
    assert edited.kind == "committee" and not edited.villages.exists()
    entry = last_entry("party.edit_organisation")
    assert (
        sorted(entry.before["villages"]) == sorted([VILLAGE, NEIGHBOUR_VILLAGE])
        and entry.after["villages"] == []
    )
    assert entry.before["kind"] == "joint" and entry.after["kind"] == "committee"


def test_the_parent_is_neither_the_organisation_itself_nor_one_below_it(
    world: dict[str, Any], personas: Any
) -> None:
    dept = personas["org_dept"]
    county, township, branch = world["county_committee"], world["township"], world["branch"]
    refused(
        lambda: actions.do_edit_organisation(township, {"parent": township.pk}, actor=dept),
        ("PARENT_SELF", "parent"),
    )
    # the village branch is below the township committee, which is below the county committee
    refused(
        lambda: actions.do_edit_organisation(township, {"parent": branch.pk}, actor=dept),
        ("PARENT_DESCENDANT", "parent"),
    )
    refused(
        lambda: actions.do_edit_organisation(county, {"parent": branch.pk}, actor=dept),
        ("PARENT_DESCENDANT", "parent"),
    )
    # a sideways move is fine
    moved = actions.do_edit_organisation(world["coop"], {"parent": branch.pk}, actor=dept)
    assert moved.parent_id == branch.pk
    cleared = actions.do_edit_organisation(moved, {"parent": ""}, actor=dept)
    assert cleared.parent_id is None


def test_the_parent_must_be_visible_to_the_actor_and_not_dissolved(
    world: dict[str, Any], personas: Any
) -> None:
    officer = personas["township_officer"]
    data = {"area": VILLAGE, "name": "新支部", "kind": "branch", "setting": "village"}
    # the county committee lies outside the township officer's area
    for parent in (world["county_committee"].pk, world["far"].pk, 999999, "x"):
        before = state()
        with pytest.raises(NotFound):
            actions.do_create_organisation({**data, "parent": parent}, actor=officer)
        assert state() == before
    Organisation.objects.filter(pk=world["coop"].pk).update(dissolved_on=dt.date(2024, 1, 1))
    refused(
        lambda: actions.do_create_organisation({**data, "parent": world["coop"].pk}, actor=officer),
        ("PARENT_DISSOLVED", "parent"),
    )


def test_an_organisation_in_a_unit_names_a_unit_it_may_see(world: dict[str, Any], personas: Any) -> None:
    dept, officer = personas["org_dept"], personas["township_officer"]
    data = {"area": COUNTY, "name": "县卫健局机关党支部", "kind": "branch", "setting": "unit"}
    refused(lambda: actions.do_create_organisation(data, actor=dept), ("UNIT_REQUIRED", "unit"))
    refused(
        lambda: actions.do_create_organisation(
            {**data, "setting": "village", "unit": world["county_unit"].pk}, actor=dept
        ),
        ("UNIT_NOT_ALLOWED", "unit"),
    )
    made = actions.do_create_organisation({**data, "unit": world["county_unit"].pk}, actor=dept)
    assert made.unit_id == world["county_unit"].pk
    # an enterprise's branch may name it too
    in_enterprise = actions.do_create_organisation(
        {
            "area": VILLAGE,
            "name": "合作社企业支部",
            "kind": "branch",
            "setting": "enterprise",
            "unit": world["unit"].pk,
        },
        actor=officer,
    )
    assert in_enterprise.unit_id == world["unit"].pk
    # the county's unit is outside the township officer's area
    before = state()
    with pytest.raises(NotFound):
        actions.do_create_organisation(
            {
                "area": VILLAGE,
                "name": "x",
                "kind": "branch",
                "setting": "unit",
                "unit": world["county_unit"].pk,
            },
            actor=officer,
        )
    assert state() == before


def test_names_are_unique_in_an_area_dates_are_not_in_the_future_and_all_errors_come_at_once(
    world: dict[str, Any], personas: Any
) -> None:
    officer = personas["township_officer"]
    refused(
        lambda: actions.do_create_organisation(
            {"area": VILLAGE, "name": world["branch"].name, "kind": "branch", "setting": "village"},
            actor=officer,
        ),
        ("ORG_NAME_TAKEN", "name"),
    )
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    refused(
        lambda: actions.do_create_organisation(
            {"area": VILLAGE, "name": "", "kind": "cell", "setting": "", "founded_on": tomorrow},
            actor=officer,
        ),
        ("NAME_REQUIRED", "name"),
        ("UNKNOWN_CHOICE", "kind"),
        ("REQUIRED", "setting"),
        ("DATE_IN_FUTURE", "founded_on"),
    )
    refused(
        lambda: actions.do_edit_organisation(world["coop"], {"name": world["branch"].name}, actor=officer),
        ("ORG_NAME_TAKEN", "name"),
    )


def test_moving_an_organisation_moves_its_members_and_ratings(world: dict[str, Any], personas: Any) -> None:
    branch = world["branch"]
    Rating.objects.create(organisation=branch, area=branch.area, year=2023, stars=3, rating_class="middle")
    actions.do_edit_organisation(branch, {"area": NEIGHBOUR_VILLAGE}, actor=personas["township_officer"])
    assert set(branch.members.values_list("area_id", flat=True)) == {NEIGHBOUR_VILLAGE}
    assert set(branch.ratings.values_list("area_id", flat=True)) == {NEIGHBOUR_VILLAGE}
    entry = last_entry("party.edit_organisation")
    assert entry.before["area_id"] == VILLAGE and entry.after["area_id"] == NEIGHBOUR_VILLAGE


# --- dissolving ----------------------------------------------------------------------------


def test_dissolving_ends_the_active_linkages_the_same_day(world: dict[str, Any], personas: Any) -> None:
    coop, link = world["coop"], world["link"]
    ended_before = Linkage.objects.create(
        first=world["branch"],
        second=coop,
        kind="industry",
        started_on=dt.date(2020, 1, 1),
        ended_on=dt.date(2021, 1, 1),
    )
    done = actions.do_dissolve_organisation(coop, "2024-12-31", actor=personas["township_officer"])
    assert done.dissolved_on == dt.date(2024, 12, 31)
    link.refresh_from_db()
    ended_before.refresh_from_db()
    assert link.ended_on == dt.date(2024, 12, 31) and ended_before.ended_on == dt.date(2021, 1, 1)
    entry = last_entry("party.dissolve_organisation")
    assert entry.before["dissolved_on"] is None and entry.after["dissolved_on"] == "2024-12-31"
    assert entry.after["linkages_ended"] == [link.pk]
    # a dissolved organisation is neither dissolved again nor edited
    refused(
        lambda: actions.do_dissolve_organisation(coop, actor=personas["township_officer"]),
        ("ORG_DISSOLVED", None),
    )
    refused(
        lambda: actions.do_edit_organisation(
            done, {"secretary_name": "x"}, actor=personas["township_officer"]
        ),
        ("ORG_DISSOLVED", None),
    )


def test_an_organisation_with_lower_organisations_or_a_date_that_does_not_fit_is_not_dissolved(
    world: dict[str, Any], personas: Any
) -> None:
    officer = personas["township_officer"]
    refused(
        lambda: actions.do_dissolve_organisation(world["township"], actor=officer),
        ("HAS_ACTIVE_CHILDREN", None),
    )
    refused(
        lambda: actions.do_dissolve_organisation(world["coop"], "2017-01-01", actor=officer),
        ("DISSOLVED_BEFORE_FOUNDED", "dissolved_on"),
    )
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    refused(
        lambda: actions.do_dissolve_organisation(world["coop"], tomorrow, actor=officer),
        ("DATE_IN_FUTURE", "dissolved_on"),
    )
    refused(
        lambda: actions.do_dissolve_organisation(world["coop"], "31/12/2024", actor=officer),
        ("BAD_DATE", "dissolved_on"),
    )
    # with its lower organisations dissolved, the township committee may go; today by default
    for child in (world["branch"], world["neighbour"]):
        Organisation.objects.filter(pk=child.pk).update(dissolved_on=dt.date(2024, 1, 1))
    assert (
        actions.do_dissolve_organisation(world["township"], actor=officer).dissolved_on
        == timezone.localdate()
    )
