"""Every rule of the group actions: the village and the leader, the size limit (a local setting),
one group at a time per household (the database's partial unique index, turned into a clear
message), activities on past days under the five kinds, evaluations and star ratings replaced
and audited with before and after — and the wrong role and the wrong area for each action."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fupin.areas.models import Area
from fupin.cases.area_settings import do_set_area_setting
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, NotFound, PermissionDenied, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP_VILLAGE, TOWNSHIP, VILLAGE
from fupin.mutualaid import actions
from fupin.mutualaid.errors import GroupError
from fupin.mutualaid.models import Activity, AidGroup, Evaluation, GroupHousehold, HouseholdStar
from fupin.party.models import MemberStatus
from tests.conftest import make_household
from tests.mutualaid.conftest import FORMED, make_group, party_member

EDITORS = ("township_officer", "village_clerk", "first_secretary")
NOT_EDITORS = ("county_admin", "org_dept", "cadre", "dept_provider", "supervisor")


def codes(exc: ValidationFailed) -> set[str]:
    return {e.code.name for e in exc.errors}


# --- forming a group -----------------------------------------------------------------------


@pytest.mark.parametrize("persona", EDITORS)
def test_an_editor_forms_a_group_led_by_a_party_member_of_the_village(
    persona: str, personas: dict[str, Any]
) -> None:
    member = party_member(VILLAGE, "施全友")
    group = actions.do_create_group(
        personas[persona],
        Area.objects.get(code=VILLAGE),
        {"name": "梨子寨互助组", "leader_kind": "party_member", "leader_party_member": str(member.pk)},
    )
    assert group.leader_name == "施全友" and group.leader_party_member == member
    assert group.formed_on == timezone.localdate() and group.dissolved_on is None
    entry = AuditEntry.objects.get(action="mutualaid.create_group")
    assert entry.actor == personas[persona] and entry.area_code == VILLAGE


def test_an_activist_leads_without_a_party_record(personas: dict[str, Any]) -> None:
    group = actions.do_create_group(
        personas["village_clerk"],
        Area.objects.get(code=VILLAGE),
        {"name": "积极分子互助组", "leader_kind": "activist", "leader_name": "龙秀英"},
    )
    assert group.leader_party_member is None and group.leader_kind == "activist"


def test_the_leaders_party_record_must_be_of_the_same_village(personas: dict[str, Any]) -> None:
    clerk = personas["township_officer"]
    village = Area.objects.get(code=VILLAGE)
    elsewhere = party_member(NEIGHBOUR_VILLAGE, "田大姐")
    with pytest.raises(ValidationFailed) as raised:
        actions.do_create_group(
            clerk,
            village,
            {"name": "组一", "leader_kind": "party_member", "leader_party_member": elsewhere.pk},
        )
    assert codes(raised.value) == {"LEADER_OTHER_VILLAGE"}
    with pytest.raises(ValidationFailed) as raised:
        actions.do_create_group(
            clerk, village, {"name": "组一", "leader_kind": "party_member", "leader_name": "某"}
        )
    assert codes(raised.value) == {"LEADER_RECORD_REQUIRED"}
    gone = party_member(VILLAGE, "石老", status=MemberStatus.DECEASED)
    applying = party_member(VILLAGE, "麻小妹", status=MemberStatus.ACTIVIST)
    for record in (gone, applying):
        with pytest.raises(ValidationFailed) as raised:
            actions.do_create_group(
                clerk,
                village,
                {"name": "组一", "leader_kind": "party_member", "leader_party_member": record.pk},
            )
        assert codes(raised.value) == {"LEADER_NOT_CURRENT"}
    # someone applying to join may lead as an activist, with their record
    group = actions.do_create_group(
        clerk, village, {"name": "组一", "leader_kind": "activist", "leader_party_member": applying.pk}
    )
    assert group.leader_name == "麻小妹"
    assert AidGroup.objects.count() == 1


def test_a_group_needs_a_name_a_kind_of_leader_a_village_and_no_future_date(personas: dict[str, Any]) -> None:
    clerk = personas["township_officer"]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as raised:
        actions.do_create_group(clerk, Area.objects.get(code=VILLAGE), {"formed_on": tomorrow.isoformat()})
    assert codes(raised.value) == {"NAME_REQUIRED", "FUTURE_DATE", "LEADER_KIND", "LEADER_REQUIRED"}
    with pytest.raises(ValidationFailed) as raised:
        actions.do_create_group(
            clerk,
            Area.objects.get(code=TOWNSHIP),
            {"name": "镇里", "leader_kind": "activist", "leader_name": "某"},
        )
    assert codes(raised.value) == {"NOT_A_VILLAGE"}
    make_group()
    with pytest.raises(ValidationFailed) as raised:
        actions.do_create_group(
            clerk,
            Area.objects.get(code=VILLAGE),
            {"name": "竹子寨第一互助组", "leader_kind": "activist", "leader_name": "某"},
        )
    assert codes(raised.value) == {"NAME_TAKEN"}
    assert AidGroup.objects.count() == 1


@pytest.mark.parametrize("persona", NOT_EDITORS)
def test_other_roles_may_not_form_a_group(persona: str, personas: dict[str, Any]) -> None:
    entries = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        actions.do_create_group(
            personas[persona],
            Area.objects.get(code=VILLAGE),
            {"name": "组", "leader_kind": "activist", "leader_name": "某"},
        )
    assert not AidGroup.objects.exists() and AuditEntry.objects.count() == entries


@pytest.mark.parametrize("persona", ["neighbour_clerk", "outsider"])
def test_no_one_forms_a_group_outside_their_area(persona: str, personas: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        actions.do_create_group(
            personas[persona],
            Area.objects.get(code=VILLAGE),
            {"name": "组", "leader_kind": "activist", "leader_name": "某"},
        )
    assert not AidGroup.objects.exists()


# --- households joining and leaving --------------------------------------------------------


def test_households_join_up_to_the_local_limit(group: AidGroup, personas: dict[str, Any]) -> None:
    clerk = personas["village_clerk"]
    do_set_area_setting(Area.objects.get(code=COUNTY), "aid_group_max_households", 3, actor=SYSTEM)
    homes = [make_household(VILLAGE, head_name=f"户{i}") for i in range(4)]
    for home in homes[:3]:
        actions.do_add_household(clerk, group, home)
    with pytest.raises(FupinError) as raised:
        actions.do_add_household(clerk, group, homes[3])
    assert raised.value.code == GroupError.GROUP_FULL and "3" in raised.value.message
    assert group.memberships.filter(left_on__isnull=True).count() == 3
    # one leaves: a place is free again
    actions.do_remove_household(clerk, group, homes[0])
    actions.do_add_household(clerk, group, homes[3])
    # the village raises its own limit
    do_set_area_setting(Area.objects.get(code=VILLAGE), "aid_group_max_households", 4, actor=SYSTEM)
    actions.do_add_household(clerk, group, homes[0])
    assert group.memberships.filter(left_on__isnull=True).count() == 4
    assert AuditEntry.objects.filter(action="mutualaid.add_household").count() == 5


def test_a_household_is_in_one_group_at_a_time(personas: dict[str, Any], group: AidGroup) -> None:
    clerk = personas["village_clerk"]
    other = make_group(name="竹子寨第二互助组", leader="龙拔二")
    home = make_household(VILLAGE)
    actions.do_add_household(clerk, group, home)
    for target in (other, group):
        with pytest.raises(FupinError) as raised:
            actions.do_add_household(clerk, target, home)
        assert raised.value.code == GroupError.HOUSEHOLD_IN_GROUP and group.name in raised.value.message
    assert GroupHousehold.objects.filter(household=home).count() == 1
    # after leaving, it may join another group
    actions.do_remove_household(clerk, group, home)
    actions.do_add_household(clerk, other, home)
    assert GroupHousehold.objects.get(household=home, left_on__isnull=True).group == other


def test_only_households_of_the_groups_village_join(personas: dict[str, Any], group: AidGroup) -> None:
    neighbour = make_household(NEIGHBOUR_VILLAGE)
    with pytest.raises(FupinError) as raised:
        actions.do_add_household(personas["township_officer"], group, neighbour)
    assert raised.value.code == GroupError.HOUSEHOLD_OTHER_VILLAGE
    # the village clerk cannot even reach the neighbouring household
    with pytest.raises(NotFound):
        actions.do_add_household(personas["village_clerk"], group, neighbour)
    assert not GroupHousehold.objects.exists()


def test_leaving_is_dated_and_only_for_a_member(personas: dict[str, Any], group: AidGroup) -> None:
    clerk = personas["first_secretary"]
    home = make_household(VILLAGE)
    with pytest.raises(FupinError) as raised:
        actions.do_remove_household(clerk, group, home)
    assert raised.value.code == GroupError.NOT_IN_GROUP
    actions.do_add_household(clerk, group, home, "2024-05-01")
    with pytest.raises(FupinError) as raised:
        actions.do_remove_household(clerk, group, home, "2024-04-01")
    assert raised.value.code == GroupError.LEFT_BEFORE_JOINED
    membership = actions.do_remove_household(clerk, group, home, "2024-06-01")
    assert membership.left_on == dt.date(2024, 6, 1)
    entry = AuditEntry.objects.get(action="mutualaid.remove_household")
    assert entry.before == {"household_id": home.pk, "left_on": None}
    assert entry.after == {"household_id": home.pk, "left_on": "2024-06-01"}


def test_dissolving_frees_the_households_and_closes_the_group(
    personas: dict[str, Any], group: AidGroup
) -> None:
    clerk = personas["village_clerk"]
    homes = [make_household(VILLAGE, head_name=f"户{i}") for i in range(2)]
    for home in homes:
        actions.do_add_household(clerk, group, home)
    actions.do_dissolve_group(clerk, group)
    fresh = AidGroup.objects.get(pk=group.pk)
    assert fresh.dissolved_on == timezone.localdate()
    assert not GroupHousehold.objects.filter(left_on__isnull=True).exists()
    with pytest.raises(FupinError) as raised:
        actions.do_add_household(clerk, fresh, homes[0])
    assert raised.value.code == GroupError.DISSOLVED
    with pytest.raises(FupinError) as raised:
        actions.do_dissolve_group(clerk, fresh)
    assert raised.value.code == GroupError.DISSOLVED
    other = make_group(name="新组", leader="新组长")
    actions.do_add_household(clerk, other, homes[0])


@pytest.mark.parametrize("persona", [*NOT_EDITORS, "neighbour_clerk", "outsider"])
def test_no_household_changes_by_the_wrong_role_or_area(
    persona: str, personas: dict[str, Any], group: AidGroup
) -> None:
    home = make_household(VILLAGE)
    actions.do_add_household(SYSTEM, group, home)
    other = make_household(VILLAGE, head_name="别家")
    before = AuditEntry.objects.count()
    expected = (NotFound,) if persona in ("neighbour_clerk", "outsider") else (PermissionDenied,)
    with pytest.raises(expected):
        actions.do_add_household(personas[persona], group, other)
    with pytest.raises(expected):
        actions.do_remove_household(personas[persona], group, home)
    with pytest.raises(expected):
        actions.do_dissolve_group(personas[persona], group)
    assert GroupHousehold.objects.filter(left_on__isnull=True).count() == 1
    assert AidGroup.objects.get(pk=group.pk).dissolved_on is None
    assert AuditEntry.objects.count() == before


# --- activities ----------------------------------------------------------------------------


def test_activities_under_the_five_kinds_on_past_days(personas: dict[str, Any], group: AidGroup) -> None:
    secretary = personas["first_secretary"]
    activity = actions.do_log_activity(
        secretary,
        group,
        {"kind": "production", "day": "2024-06-10", "description": "互助插秧", "households": "5"},
    )
    assert activity.area_id == VILLAGE and activity.recorded_by == secretary and activity.households == 5
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as raised:
        actions.do_log_activity(
            secretary, group, {"kind": "wealth", "day": tomorrow.isoformat(), "description": ""}
        )
    assert codes(raised.value) == {"KIND_REQUIRED", "FUTURE_DATE", "DESCRIPTION_REQUIRED"}
    before_formed = (FORMED - dt.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationFailed) as raised:
        actions.do_log_activity(
            secretary,
            group,
            {"kind": "green", "day": before_formed, "description": "清扫", "households": "-1"},
        )
    assert codes(raised.value) == {"BEFORE_FORMED", "BAD_COUNT"}
    assert Activity.objects.count() == 1
    assert AuditEntry.objects.filter(action="mutualaid.log_activity").count() == 1


@pytest.mark.parametrize("persona", [*NOT_EDITORS, "neighbour_clerk", "outsider"])
def test_no_activity_by_the_wrong_role_or_area(
    persona: str, personas: dict[str, Any], group: AidGroup
) -> None:
    with pytest.raises((PermissionDenied, NotFound)):
        actions.do_log_activity(personas[persona], group, {"kind": "study", "description": "学习"})
    assert not Activity.objects.exists()


# --- evaluations ---------------------------------------------------------------------------


def test_an_evaluation_is_upserted_and_audited_with_before_and_after(
    personas: dict[str, Any], group: AidGroup
) -> None:
    clerk = personas["village_clerk"]
    first = actions.do_record_evaluation(clerk, group, 2024, "village", "85.5")
    second = actions.do_record_evaluation(personas["township_officer"], group, "2024", "village", "90")
    assert first.pk == second.pk and Evaluation.objects.count() == 1
    assert Evaluation.objects.get().score == Decimal("90.00")
    entries = list(AuditEntry.objects.filter(action="mutualaid.evaluate").order_by("pk"))
    assert entries[0].before is None
    assert entries[0].after == {"year": 2024, "source": "village", "score": "85.50"}
    assert entries[1].before == {"year": 2024, "source": "village", "score": "85.50"}
    assert entries[1].after == {"year": 2024, "source": "village", "score": "90.00"}
    # another source or another year is its own row
    actions.do_record_evaluation(clerk, group, 2024, "self", "70")
    actions.do_record_evaluation(clerk, group, 2023, "village", "60")
    assert Evaluation.objects.count() == 3


@pytest.mark.parametrize(
    ("year", "source", "score", "errors"),
    [
        (2024, "village", "100.01", {"BAD_SCORE"}),
        (2024, "village", "-1", {"BAD_SCORE"}),
        (2024, "village", "80.125", {"BAD_SCORE"}),
        (2024, "village", "八十", {"BAD_SCORE"}),
        (2024, "mayor", "80", {"BAD_SOURCE"}),
        (2012, "self", "80", {"BAD_YEAR"}),
        (9999, "self", "", {"BAD_YEAR", "BAD_SCORE"}),
    ],
)
def test_a_score_is_0_to_100_from_one_of_the_four_sources(
    year: int, source: str, score: str, errors: set[str], personas: dict[str, Any], group: AidGroup
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        actions.do_record_evaluation(personas["village_clerk"], group, year, source, score)
    assert codes(raised.value) == errors
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize("persona", [*NOT_EDITORS, "neighbour_clerk", "outsider"])
def test_no_evaluation_by_the_wrong_role_or_area(
    persona: str, personas: dict[str, Any], group: AidGroup
) -> None:
    with pytest.raises((PermissionDenied, NotFound)):
        actions.do_record_evaluation(personas[persona], group, 2024, "village", "80")
    assert (
        not Evaluation.objects.exists()
        and not AuditEntry.objects.filter(action="mutualaid.evaluate").exists()
    )


# --- household star ratings ----------------------------------------------------------------


def test_a_household_star_rating_is_upserted_and_audited(personas: dict[str, Any]) -> None:
    home = make_household(VILLAGE)
    clerk = personas["village_clerk"]
    actions.do_rate_household(clerk, home, 2024, {"stars": "4", "party_star": "on"})
    rating = actions.do_rate_household(clerk, home, 2024, {"stars": "5", "five_good_family": "on"})
    assert HouseholdStar.objects.count() == 1
    assert (rating.stars, rating.party_star, rating.five_good_family) == (5, False, True)
    first, second = AuditEntry.objects.filter(action="mutualaid.rate_household").order_by("pk")
    assert first.before is None and first.after["stars"] == 4 and first.after["party_star"] is True
    assert (
        second.before["stars"] == 4
        and second.after["stars"] == 5
        and second.after["five_good_family"] is True
    )
    with pytest.raises(ValidationFailed) as raised:
        actions.do_rate_household(clerk, home, 2024, {"stars": "6"})
    assert codes(raised.value) == {"BAD_STARS"}
    with pytest.raises(ValidationFailed):
        actions.do_rate_household(clerk, home, 2024, {"stars": "0"})
    assert HouseholdStar.objects.get().stars == 5


@pytest.mark.parametrize("persona", [*NOT_EDITORS, "neighbour_clerk", "outsider"])
def test_no_rating_by_the_wrong_role_or_area(persona: str, personas: dict[str, Any]) -> None:
    home = make_household(VILLAGE)
    with pytest.raises((PermissionDenied, NotFound)):
        actions.do_rate_household(personas[persona], home, 2024, {"stars": "3"})
    assert not HouseholdStar.objects.exists()


def test_a_township_officer_rates_only_inside_the_township(personas: dict[str, Any]) -> None:
    far = make_household(OTHER_TOWNSHIP_VILLAGE)
    with pytest.raises(NotFound):
        actions.do_rate_household(personas["township_officer"], far, 2024, {"stars": "3"})
    assert not HouseholdStar.objects.exists()
