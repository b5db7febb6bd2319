"""Every rule of pairing: who may pair what (units and county leaders only by a county-level
user), what each kind needs, no duplicate, the helper's phone encrypted at rest with a masked
copy, the lock (贫困户不脱贫、帮扶责任人不脱钩) for poor and monitored households and its release
once the household exits, and the hand-over that is always allowed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from fupin.areas.models import Area
from fupin.core import crypto
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, NotFound, PermissionDenied, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.core.personas import (
    COUNTY,
    NEIGHBOUR_VILLAGE,
    OTHER_COUNTY,
    OTHER_TOWNSHIP_VILLAGE,
    TOWNSHIP,
    VILLAGE,
)
from fupin.pairing import actions
from fupin.pairing.actions import Helper
from fupin.pairing.errors import AlreadyEnded, CountyOnly, PairingError
from fupin.pairing.models import Pairing
from fupin.party.models import MemberStatus, Unit
from fupin.registry import actions as registry
from fupin.registry.models import Household
from tests.conftest import make_household
from tests.pairing.conftest import make_unit, pair_cadre, party_member

PHONE = "13812345678"
HOUSEHOLD_PAIRERS = ("county_admin", "township_officer", "village_clerk")
NOT_PAIRERS = ("org_dept", "first_secretary", "cadre", "dept_provider", "supervisor")


def codes(exc: ValidationFailed) -> set[str]:
    return {e.code.name for e in exc.errors}


def village() -> Area:
    return Area.objects.get(code=VILLAGE)


# --- who pairs what ------------------------------------------------------------------------


def test_the_county_pairs_a_unit_and_leaders_with_villages_and_townships(
    personas: dict[str, Any], unit: Unit
) -> None:
    admin = personas["county_admin"]
    made = [
        actions.do_pair(admin, "unit_village", area=village(), helper=Helper(unit=unit, name="联络员")),
        actions.do_pair(
            admin, "leader_township", area=Area.objects.get(code=TOWNSHIP), helper=Helper(name="县长")
        ),
        actions.do_pair(
            admin, "leader_village", area=village(), helper=Helper(name="副县长", post="常务副县长")
        ),
    ]
    assert [p.kind for p in made] == ["unit_village", "leader_township", "leader_village"]
    assert made[0].unit == unit and made[0].household is None and made[0].area_id == VILLAGE
    assert made[1].area_id == TOWNSHIP and made[2].helper_post == "常务副县长"
    assert made[0].started_on == timezone.localdate()
    assert AuditEntry.objects.filter(action="pairing.pair").count() == 3


@pytest.mark.parametrize("kind", ["unit_village", "leader_township", "leader_village"])
@pytest.mark.parametrize("persona", ["township_officer", "village_clerk"])
def test_county_level_kinds_are_refused_below_the_county(
    kind: str, persona: str, personas: dict[str, Any], unit: Unit
) -> None:
    target = Area.objects.get(code=TOWNSHIP if kind == "leader_township" else VILLAGE)
    if persona == "village_clerk" and kind == "leader_township":
        with pytest.raises(NotFound):  # the township lies outside the clerk's village
            actions.do_pair(personas[persona], kind, area=target, helper=Helper(name="县长"))
    else:
        with pytest.raises(CountyOnly) as raised:
            actions.do_pair(personas[persona], kind, area=target, helper=Helper(unit=unit, name="县长"))
        assert raised.value.status == 403 and "县级" in raised.value.message
    assert not Pairing.objects.exists()


def test_a_kind_must_fit_its_target(personas: dict[str, Any], unit: Unit) -> None:
    admin = personas["county_admin"]
    with pytest.raises(ValidationFailed) as raised:
        actions.do_pair(admin, "unit_village", area=Area.objects.get(code=TOWNSHIP), helper=Helper())
    assert codes(raised.value) == {"NOT_A_VILLAGE", "UNIT_REQUIRED"}
    with pytest.raises(ValidationFailed) as raised:
        actions.do_pair(admin, "leader_township", area=village(), helper=Helper(name=""))
    assert codes(raised.value) == {"NOT_A_TOWNSHIP", "HELPER_REQUIRED"}
    with pytest.raises(ValidationFailed) as raised:
        actions.do_pair(admin, "cadre_household", helper=Helper(name="龙干部"))
    assert codes(raised.value) == {"HOUSEHOLD_REQUIRED"}
    with pytest.raises(ValidationFailed) as raised:
        actions.do_pair(admin, "friendship", area=village())
    assert codes(raised.value) == {"BAD_KIND"}
    with pytest.raises(ValidationFailed) as raised:
        future = timezone.localdate() + dt.timedelta(days=1)
        actions.do_pair(
            admin, "leader_village", area=village(), helper=Helper(name="县长"), started_on=future
        )
    assert codes(raised.value) == {"FUTURE_DATE"}
    assert not Pairing.objects.exists()


def test_a_unit_outside_the_users_area_is_not_found(personas: dict[str, Any]) -> None:
    theirs = make_unit("泸溪县民政局", area_code=OTHER_COUNTY)
    with pytest.raises(NotFound):
        actions.do_pair(personas["county_admin"], "unit_village", area=village(), helper=Helper(unit=theirs))
    with pytest.raises(NotFound):  # and their village is not ours to pair
        actions.do_pair(personas["outsider"], "unit_village", area=village(), helper=Helper(unit=theirs))
    assert not Pairing.objects.exists()


@pytest.mark.parametrize("persona", HOUSEHOLD_PAIRERS)
def test_a_cadre_is_paired_with_a_household_at_any_level_inside_its_area(
    persona: str, personas: dict[str, Any], poor: Household
) -> None:
    pairing = actions.do_pair(
        personas[persona],
        "cadre_household",
        household=poor,
        helper=Helper(name="龙干部", post="县农业农村局干部", phone=PHONE, user=personas["cadre"]),
    )
    assert pairing.area_id == poor.area_id and pairing.household == poor
    assert pairing.helper_user == personas["cadre"]


@pytest.mark.parametrize("persona", NOT_PAIRERS)
def test_other_roles_pair_nothing(
    persona: str, personas: dict[str, Any], poor: Household, unit: Unit
) -> None:
    entries = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        actions.do_pair(personas[persona], "cadre_household", household=poor, helper=Helper(name="龙干部"))
    with pytest.raises(PermissionDenied):
        actions.do_pair(personas[persona], "unit_village", area=village(), helper=Helper(unit=unit))
    assert not Pairing.objects.exists() and AuditEntry.objects.count() == entries


@pytest.mark.parametrize("persona", ["neighbour_clerk", "outsider"])
def test_no_pairing_of_a_household_outside_the_area(
    persona: str, personas: dict[str, Any], poor: Household
) -> None:
    with pytest.raises(NotFound):
        actions.do_pair(personas[persona], "cadre_household", household=poor, helper=Helper(name="龙干部"))
    assert not Pairing.objects.exists()


def test_a_township_officer_pairs_only_households_of_the_township(personas: dict[str, Any]) -> None:
    far = make_household(OTHER_TOWNSHIP_VILLAGE, status="poor")
    with pytest.raises(NotFound):
        actions.do_pair(
            personas["township_officer"], "cadre_household", household=far, helper=Helper(name="某")
        )
    assert not Pairing.objects.exists()


# --- the helper ----------------------------------------------------------------------------


def test_the_helpers_login_must_be_an_active_cadre_or_first_secretary_covering_the_household(
    personas: dict[str, Any], poor: Household
) -> None:
    admin = personas["county_admin"]
    for wrong in ("village_clerk", "supervisor", "neighbour_clerk"):
        with pytest.raises(ValidationFailed) as raised:
            actions.do_pair(
                admin, "cadre_household", household=poor, helper=Helper(name="某", user=personas[wrong])
            )
        assert codes(raised.value) == {"HELPER_USER_ROLE"}, wrong
    # a cadre of 丙池村 does not cover a household of 十八洞村
    from fupin.accounts.actions import do_create_user

    away = do_create_user(
        "cadre_bingchi", role="cadre", area=Area.objects.get(code=NEIGHBOUR_VILLAGE), password="x-Y-1234567"
    )
    with pytest.raises(ValidationFailed):
        actions.do_pair(admin, "cadre_household", household=poor, helper=Helper(name="某", user=away))
    inactive = personas["cadre"]
    inactive.is_active = False
    inactive.save()
    with pytest.raises(ValidationFailed):
        actions.do_pair(admin, "cadre_household", household=poor, helper=Helper(name="某", user=inactive))
    # a first secretary of the village may be the helper; a login is not for a county leader
    actions.do_pair(
        admin,
        "cadre_household",
        household=poor,
        helper=Helper(name="龙书记", user=personas["first_secretary"]),
    )
    with pytest.raises(ValidationFailed) as raised:
        actions.do_pair(
            admin,
            "leader_village",
            area=village(),
            helper=Helper(name="县长", user=personas["first_secretary"]),
        )
    assert codes(raised.value) == {"HELPER_USER_HOUSEHOLD_ONLY"}
    assert Pairing.objects.count() == 1


def test_a_party_member_is_paired_with_a_household_of_their_village(
    personas: dict[str, Any], poor: Household
) -> None:
    clerk = personas["village_clerk"]
    with pytest.raises(ValidationFailed) as raised:
        actions.do_pair(clerk, "member_household", household=poor, helper=Helper())
    assert codes(raised.value) == {"MEMBER_REQUIRED", "HELPER_REQUIRED"}
    neighbour = party_member(NEIGHBOUR_VILLAGE, "田大姐")
    with pytest.raises(ValidationFailed) as raised:
        actions.do_pair(clerk, "member_household", household=poor, helper=Helper(party_member=neighbour))
    assert codes(raised.value) == {"MEMBER_OTHER_VILLAGE"}
    gone = party_member(VILLAGE, "石老", status=MemberStatus.TRANSFERRED)
    with pytest.raises(ValidationFailed) as raised:
        actions.do_pair(clerk, "member_household", household=poor, helper=Helper(party_member=gone))
    assert codes(raised.value) == {"MEMBER_NOT_CURRENT"}
    member = party_member(VILLAGE, "施全友")
    pairing = actions.do_pair(clerk, "member_household", household=poor, helper=Helper(party_member=member))
    assert pairing.party_member == member and pairing.helper_name == "施全友"
    assert Pairing.objects.count() == 1


def test_no_two_active_pairings_of_a_kind_with_the_same_helper(
    personas: dict[str, Any], poor: Household, unit: Unit
) -> None:
    clerk = personas["village_clerk"]
    first = pair_cadre(poor, user=personas["cadre"])
    for helper in (Helper(name="龙干部"), Helper(name="另一个名字", user=personas["cadre"])):
        with pytest.raises(ValidationFailed) as raised:
            actions.do_pair(clerk, "cadre_household", household=poor, helper=helper)
        assert codes(raised.value) == {"DUPLICATE"}
    # a second cadre, or the same person as a party member, is fine
    actions.do_pair(clerk, "cadre_household", household=poor, helper=Helper(name="吴干部"))
    # once the first pairing has ended (after the household exits), the helper may pair again
    registry.do_change_status(poor, "exited", year=2024, reason="脱贫", actor=SYSTEM)
    actions.do_end_pairing(clerk, first, "调整帮扶")
    actions.do_pair(clerk, "cadre_household", household=poor, helper=Helper(name="龙干部"))
    admin = personas["county_admin"]
    actions.do_pair(admin, "unit_village", area=village(), helper=Helper(unit=unit))
    with pytest.raises(ValidationFailed):
        actions.do_pair(admin, "unit_village", area=village(), helper=Helper(unit=unit))
    assert Pairing.objects.filter(kind="unit_village").count() == 1


def test_the_helpers_phone_is_encrypted_at_rest_with_a_masked_copy(
    personas: dict[str, Any], poor: Household
) -> None:
    pairing = pair_cadre(poor, phone="138 1234 5678")
    stored = Pairing.objects.get(pk=pairing.pk)
    assert stored.helper_phone_masked == "138****5678"
    assert PHONE not in stored.helper_phone_enc and crypto.decrypt(stored.helper_phone_enc) == PHONE
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT helper_phone_enc, helper_phone_masked FROM pairing_pairing WHERE id = %s", [pairing.pk]
        )
        raw = " ".join(str(v) for v in cursor.fetchone())
    assert PHONE not in raw
    entry = AuditEntry.objects.filter(action="pairing.pair").latest("pk")
    assert PHONE not in str(entry.after) and "helper_phone_enc" not in entry.after
    with pytest.raises(ValidationFailed) as raised:
        pair_cadre(poor, name="吴干部", phone="12345")
    assert codes(raised.value) == {"PHONE_FORMAT"}


# --- ending: the lock ----------------------------------------------------------------------


@pytest.mark.parametrize("status", ["poor", "monitored"])
def test_a_poor_or_monitored_households_pairing_cannot_end(status: str, personas: dict[str, Any]) -> None:
    home = make_household(VILLAGE, status=status)
    pairing = pair_cadre(home)
    member = actions.do_pair(
        SYSTEM,
        "member_household",
        household=home,
        helper=Helper(party_member=party_member(VILLAGE, "施全友")),
    )
    for p in (pairing, member):
        with pytest.raises(FupinError) as raised:
            actions.do_end_pairing(personas["village_clerk"], p, "工作调动")
        assert raised.value.code == PairingError.LOCKED
        assert "移交" in raised.value.message
    assert not Pairing.objects.filter(ended_on__isnull=False).exists()
    assert not AuditEntry.objects.filter(action="pairing.end").exists()


def test_the_lock_is_released_once_the_household_exits(personas: dict[str, Any], poor: Household) -> None:
    pairing = pair_cadre(poor)
    clerk = personas["village_clerk"]
    with pytest.raises(FupinError):
        actions.do_end_pairing(clerk, pairing, "工作调动")
    registry.do_change_status(poor, "exited", year=2024, reason="脱贫", actor=SYSTEM)
    ended = actions.do_end_pairing(clerk, pairing, "已脱贫，帮扶期满")
    assert ended.ended_on == timezone.localdate() and ended.end_reason == "已脱贫，帮扶期满"
    entry = AuditEntry.objects.get(action="pairing.end")
    assert entry.before == {"ended_on": None, "end_reason": ""}
    assert entry.after["end_reason"] == "已脱贫，帮扶期满"
    with pytest.raises(AlreadyEnded):
        actions.do_end_pairing(clerk, pairing, "again")


def test_ending_needs_a_reason_and_a_sensible_date(personas: dict[str, Any]) -> None:
    home = make_household(VILLAGE, status="exited")
    pairing = actions.do_pair(
        SYSTEM, "cadre_household", household=home, helper=Helper(name="龙"), started_on="2024-05-01"
    )
    with pytest.raises(ValidationFailed) as raised:
        actions.do_end_pairing(personas["village_clerk"], pairing, "  ")
    assert codes(raised.value) == {"REASON_REQUIRED"}
    with pytest.raises(FupinError) as one:
        actions.do_end_pairing(personas["village_clerk"], pairing, "调整", ended_on="2024-04-01")
    assert one.value.code == PairingError.BEFORE_START
    assert Pairing.objects.get(pk=pairing.pk).ended_on is None


def test_area_pairings_end_freely_but_only_by_the_county(personas: dict[str, Any], unit: Unit) -> None:
    pairing = actions.do_pair(
        personas["county_admin"], "unit_village", area=village(), helper=Helper(unit=unit)
    )
    with pytest.raises(CountyOnly):
        actions.do_end_pairing(personas["township_officer"], pairing, "调整")
    with pytest.raises(PermissionDenied):
        actions.do_end_pairing(personas["first_secretary"], pairing, "调整")
    assert Pairing.objects.get(pk=pairing.pk).ended_on is None
    actions.do_end_pairing(personas["county_admin"], pairing, "帮扶单位调整")
    assert Pairing.objects.get(pk=pairing.pk).ended_on is not None


@pytest.mark.parametrize("persona", [*NOT_PAIRERS, "neighbour_clerk", "outsider"])
def test_no_end_or_hand_over_by_the_wrong_role_or_area(persona: str, personas: dict[str, Any]) -> None:
    home = make_household(VILLAGE, status="exited")
    pairing = pair_cadre(home)
    entries = AuditEntry.objects.count()
    with pytest.raises((PermissionDenied, NotFound)):
        actions.do_end_pairing(personas[persona], pairing, "调整")
    with pytest.raises((PermissionDenied, NotFound)):
        actions.do_hand_over(personas[persona], pairing, Helper(name="吴干部"))
    assert Pairing.objects.count() == 1 and Pairing.objects.get().ended_on is None
    assert AuditEntry.objects.count() == entries


# --- handing over --------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["poor", "monitored"])
def test_a_hand_over_is_always_allowed_and_atomic(status: str, personas: dict[str, Any]) -> None:
    home = make_household(VILLAGE, status=status)
    old = pair_cadre(home, post="乡干部", phone=PHONE)
    new = actions.do_hand_over(
        personas["township_officer"],
        old,
        Helper(name="吴干部", phone="13900001111", user=personas["cadre"]),
        reason="工作调动",
    )
    old = Pairing.objects.get(pk=old.pk)
    assert old.ended_on == timezone.localdate() and old.successor == new and old.end_reason == "工作调动"
    assert new.ended_on is None and new.household == home and new.kind == "cadre_household"
    assert new.helper_phone_masked == "139****1111" and new.started_on == timezone.localdate()
    assert Pairing.objects.filter(household=home, ended_on__isnull=True).count() == 1
    hand_over = AuditEntry.objects.get(action="pairing.hand_over")
    assert hand_over.after["successor_id"] == new.pk
    # a hand-over to the same helper is refused and changes nothing
    with pytest.raises(ValidationFailed):
        actions.do_hand_over(personas["township_officer"], new, Helper(name="吴干部"))
    with pytest.raises(AlreadyEnded):
        actions.do_hand_over(personas["township_officer"], old, Helper(name="麻干部"))
    assert Pairing.objects.count() == 2


def test_a_unit_hands_a_village_over_to_another_unit(personas: dict[str, Any], unit: Unit) -> None:
    admin = personas["county_admin"]
    old = actions.do_pair(admin, "unit_village", area=village(), helper=Helper(unit=unit))
    other = make_unit("县人民医院", kind="hospital")
    new = actions.do_hand_over(admin, old, Helper(unit=other))
    assert new.unit == other and new.area_id == VILLAGE
    assert Pairing.objects.get(pk=old.pk).successor == new
    with pytest.raises(CountyOnly):
        actions.do_hand_over(personas["township_officer"], new, Helper(unit=unit))
    assert Pairing.objects.filter(ended_on__isnull=True).get() == new


def test_the_county_kind_check_reads_the_users_level(personas: dict[str, Any], unit: Unit) -> None:
    assert actions.may_make(personas["county_admin"], "unit_village")
    assert actions.may_make(personas["township_officer"], "cadre_household")
    assert not actions.may_make(personas["township_officer"], "leader_village")
    assert not actions.may_make(personas["first_secretary"], "cadre_household")
    assert Area.objects.get(code=COUNTY).level == 3
