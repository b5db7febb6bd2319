"""Party members and village cadres: statuses, posts and dates as the rules allow, the link
from a party member to a villager in the household file, and every change audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fupin.core.errors import NotFound
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP_VILLAGE, TOWNSHIP, VILLAGE
from fupin.party import actions
from fupin.party.models import CadrePost, MemberStatus, Organisation
from fupin.registry.models import Member
from tests.conftest import make_household
from tests.party.helpers import last_entry, refused, state


def tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def head_of(area_code: str, name: str) -> Member:
    return make_household(area_code, head_name=name).members.get(relation="head")


# --- party members -------------------------------------------------------------------------


def test_a_member_is_added_to_the_organisations_area_and_audited(
    world: dict[str, Any], personas: Any
) -> None:
    branch = world["branch"]
    member = actions.do_add_party_member(
        branch,
        {
            "name": "石党员",
            "status": "full",
            "post": "组织委员",
            "joined_on": "2001-07-01",
            "gender": "f",
            "birth_year": "1975",
        },
        actor=personas["township_officer"],
    )
    assert member.organisation_id == branch.pk and member.area_id == VILLAGE
    assert (member.status, member.post, member.joined_on, member.birth_year) == (
        "full",
        "组织委员",
        dt.date(2001, 7, 1),
        1975,
    )
    entry = last_entry("party.add_member")
    assert (
        entry.object_id == str(member.pk) and entry.area_code == VILLAGE and entry.after["name"] == "石党员"
    )


def test_the_joining_date_is_not_in_the_future_nor_before_birth(world: dict[str, Any], personas: Any) -> None:
    officer, branch = personas["township_officer"], world["branch"]
    refused(
        lambda: actions.do_add_party_member(
            branch, {"name": "甲", "status": "full", "joined_on": tomorrow()}, actor=officer
        ),
        ("DATE_IN_FUTURE", "joined_on"),
    )
    refused(
        lambda: actions.do_add_party_member(
            branch,
            {"name": "甲", "status": "full", "joined_on": "1969-12-31", "birth_year": 1970},
            actor=officer,
        ),
        ("JOINED_BEFORE_BORN", "joined_on"),
    )
    # on an edit too, against the year of birth already on record (1960)
    refused(
        lambda: actions.do_edit_party_member(world["member"], {"joined_on": tomorrow()}, actor=officer),
        ("DATE_IN_FUTURE", "joined_on"),
    )
    refused(
        lambda: actions.do_edit_party_member(world["member"], {"joined_on": "1959-01-01"}, actor=officer),
        ("JOINED_BEFORE_BORN", "joined_on"),
    )
    today = timezone.localdate().isoformat()
    assert actions.do_add_party_member(
        branch, {"name": "乙", "status": "full", "joined_on": today}, actor=officer
    ).pk


def test_a_member_needs_a_name_and_a_known_status(world: dict[str, Any], personas: Any) -> None:
    refused(
        lambda: actions.do_add_party_member(
            world["branch"], {"name": " ", "status": "member"}, actor=personas["org_dept"]
        ),
        ("NAME_REQUIRED", "name"),
        ("UNKNOWN_CHOICE", "status"),
    )
    refused(
        lambda: actions.do_add_party_member(world["branch"], {}, actor=personas["org_dept"]),
        ("NAME_REQUIRED", "name"),
        ("REQUIRED", "status"),
    )


def test_editing_a_member_records_the_change(world: dict[str, Any], personas: Any) -> None:
    member = world["member"]
    edited = actions.do_edit_party_member(
        member, {"status": "transferred", "post": ""}, actor=personas["org_dept"]
    )
    assert edited.status == MemberStatus.TRANSFERRED and edited.name == member.name
    entry = last_entry("party.edit_member")
    assert entry.before["status"] == "full" and entry.after["status"] == "transferred"


def test_no_member_is_added_to_a_dissolved_organisation(world: dict[str, Any], personas: Any) -> None:
    Organisation.objects.filter(pk=world["coop"].pk).update(dissolved_on=dt.date(2024, 1, 1))
    world["coop"].refresh_from_db()
    refused(
        lambda: actions.do_add_party_member(
            world["coop"], {"name": "丙", "status": "full"}, actor=personas["org_dept"]
        ),
        ("ORG_DISSOLVED", None),
    )


def test_a_member_links_to_a_villager_of_the_organisations_area(world: dict[str, Any], personas: Any) -> None:
    officer, branch = personas["township_officer"], world["branch"]
    villager = head_of(VILLAGE, "施大姐")
    # name, gender and year of birth come from the household file when left empty
    member = actions.do_add_party_member(
        branch, {"status": "full", "registry_member": str(villager.pk)}, actor=officer
    )
    assert member.registry_member_id == villager.pk and member.name == "施大姐"
    assert member.gender == villager.gender and member.birth_year == villager.birth_date.year
    assert last_entry("party.add_member").after["registry_member_id"] == villager.pk
    # a second current record for the same villager is refused
    refused(
        lambda: actions.do_add_party_member(
            branch, {"status": "full", "registry_member": villager.pk}, actor=officer
        ),
        ("VILLAGER_TAKEN", "registry_member"),
    )
    # a villager of the neighbouring village is inside the officer's area but not the branch's
    neighbour = head_of(NEIGHBOUR_VILLAGE, "龙大哥")
    refused(
        lambda: actions.do_add_party_member(
            branch, {"status": "full", "registry_member": neighbour.pk}, actor=officer
        ),
        ("VILLAGER_OUTSIDE", "registry_member"),
    )
    # a villager who left the household is not a current member of it
    leaver = head_of(VILLAGE, "麻二哥")
    Member.objects.filter(pk=leaver.pk).update(left_on=dt.date(2024, 1, 1))
    refused(
        lambda: actions.do_add_party_member(
            branch, {"status": "full", "registry_member": leaver.pk}, actor=officer
        ),
        ("VILLAGER_OUTSIDE", "registry_member"),
    )
    # once the first record is transferred out, the villager may be recorded again (the new branch)
    actions.do_edit_party_member(member, {"status": "transferred"}, actor=officer)
    again = actions.do_add_party_member(
        world["coop"], {"status": "full", "registry_member": villager.pk}, actor=officer
    )
    assert again.registry_member_id == villager.pk


def test_a_villager_outside_the_actors_area_is_not_found(world: dict[str, Any], personas: Any) -> None:
    far = head_of(OTHER_TOWNSHIP_VILLAGE, "田大爷")
    for pk in (far.pk, 10**9):
        before = state()
        with pytest.raises(NotFound):
            actions.do_add_party_member(
                world["branch"], {"status": "full", "registry_member": pk}, actor=personas["township_officer"]
            )
        assert state() == before


def test_a_joint_committee_takes_members_from_the_villages_it_covers(
    world: dict[str, Any], personas: Any
) -> None:
    officer = personas["township_officer"]
    joint = actions.do_create_organisation(
        {
            "area": VILLAGE,
            "name": "十八洞联合党委",
            "kind": "joint",
            "setting": "village",
            "villages": [VILLAGE, NEIGHBOUR_VILLAGE],
        },
        actor=officer,
    )
    neighbour = head_of(NEIGHBOUR_VILLAGE, "杨大嫂")
    member = actions.do_add_party_member(
        joint, {"status": "activist", "registry_member": neighbour.pk}, actor=officer
    )
    assert member.registry_member_id == neighbour.pk and member.area_id == VILLAGE


# --- cadres --------------------------------------------------------------------------------


def test_a_cadre_is_added_and_audited(world: dict[str, Any], personas: Any) -> None:
    dept = personas["org_dept"]
    cadre = actions.do_add_cadre(
        {
            "area": VILLAGE,
            "name": "龙支书",
            "post": "both",
            "birth_year": "1968",
            "education": "junior",
            "party_member": True,
            "reserve": False,
            "last_trained_on": "2024-05-10",
            "unit": world["county_unit"].pk,
        },
        actor=dept,
    )
    assert (cadre.area_id, cadre.post, cadre.birth_year, cadre.education) == (VILLAGE, "both", 1968, "junior")
    assert cadre.unit_id == world["county_unit"].pk and cadre.last_trained_on == dt.date(2024, 5, 10)
    entry = last_entry("party.add_cadre")
    assert entry.object_id == str(cadre.pk) and entry.after["name"] == "龙支书" and entry.area_code == VILLAGE


def test_a_cadre_needs_post_birth_year_and_education(world: dict[str, Any], personas: Any) -> None:
    dept = personas["org_dept"]
    refused(
        lambda: actions.do_add_cadre(
            {"area": VILLAGE, "name": "某", "birth_year": "1890", "education": "phd"}, actor=dept
        ),
        ("REQUIRED", "post"),
        ("BAD_YEAR", "birth_year"),
        ("UNKNOWN_CHOICE", "education"),
    )
    next_year = str(timezone.localdate().year + 1)
    refused(
        lambda: actions.do_add_cadre(
            {
                "area": VILLAGE,
                "name": "某",
                "post": "other",
                "birth_year": next_year,
                "education": "senior",
                "last_trained_on": tomorrow(),
            },
            actor=dept,
        ),
        ("BAD_YEAR", "birth_year"),
        ("DATE_IN_FUTURE", "last_trained_on"),
    )


def test_a_reserve_post_sets_the_reserve_flag(world: dict[str, Any], personas: Any) -> None:
    cadre = actions.do_add_cadre(
        {"area": TOWNSHIP, "name": "青年后备", "post": "reserve", "birth_year": 1995, "education": "college"},
        actor=personas["township_officer"],
    )
    assert cadre.post == CadrePost.RESERVE and cadre.reserve


def test_a_cadre_leaves_the_post(world: dict[str, Any], personas: Any) -> None:
    officer, cadre = personas["township_officer"], world["cadre"]
    refused(
        lambda: actions.do_edit_cadre(cadre, {"left_on": tomorrow()}, actor=officer),
        ("DATE_IN_FUTURE", "left_on"),
    )
    left = actions.do_edit_cadre(cadre, {"left_on": "2024-12-31"}, actor=officer)
    assert left.left_on == dt.date(2024, 12, 31) and left.name == cadre.name
    entry = last_entry("party.edit_cadre")
    assert entry.before["left_on"] is None and entry.after["left_on"] == "2024-12-31"


def test_a_cadres_unit_and_area_lie_in_the_actors_area(world: dict[str, Any], personas: Any) -> None:
    officer, cadre = personas["township_officer"], world["cadre"]
    for data in ({"unit": world["county_unit"].pk}, {"area": COUNTY}, {"area": OTHER_TOWNSHIP_VILLAGE}):
        before = state()
        with pytest.raises(NotFound):
            actions.do_edit_cadre(cadre, data, actor=officer)
        assert state() == before
    moved = actions.do_edit_cadre(cadre, {"area": NEIGHBOUR_VILLAGE, "unit": world["unit"].pk}, actor=officer)
    assert moved.area_id == NEIGHBOUR_VILLAGE and moved.unit_id == world["unit"].pk


def test_a_households_party_records_are_read_by_who_may_see_them(
    world: dict[str, Any], personas: Any
) -> None:
    from fupin.party.queries import party_records_of_household

    household = make_household(VILLAGE, head_name="施党员")
    villager = household.members.get(relation="head")
    member = actions.do_add_party_member(
        world["branch"], {"status": "full", "registry_member": villager.pk}, actor=personas["org_dept"]
    )
    assert party_records_of_household(personas["village_clerk"], household) == [member]
    assert party_records_of_household(personas["neighbour_clerk"], household) == []
    assert party_records_of_household(personas["cadre"], household) == []
