"""Household members (成员表): one current head, gender and birth date from the ID number,
and leaving the household keeps the row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from fupin.areas.models import Area
from fupin.core import crypto
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError
from fupin.core.models import AuditEntry
from fupin.core.personas import VILLAGE
from fupin.registry import actions, idnumber
from fupin.registry.models import Household, Member
from tests.conftest import make_household, new_id_number
from tests.registry.helpers import error_codes, error_fields, registry_fingerprint


def _member(household: Household, **data: Any) -> Member:
    data.setdefault("name", "石小妹")
    data.setdefault("relation", "daughter")
    data.setdefault("id_number", new_id_number(dt.date(2010, 8, 8), female=True))
    return actions.do_add_member(household, data, actor=SYSTEM)


# --- one head ------------------------------------------------------------------------------


def test_a_second_head_is_refused_by_the_action(household: Household) -> None:
    before = registry_fingerprint()
    with pytest.raises(FupinError) as caught:
        _member(household, name="二当家", relation="head", id_number=new_id_number(dt.date(1960, 1, 1)))
    assert error_codes(caught.value) == ["HEAD_EXISTS"]
    assert error_fields(caught.value) == ["relation"]
    assert registry_fingerprint() == before


def test_a_second_head_is_refused_by_the_database_itself(household: Household) -> None:
    head = household.members.get(relation="head")
    number = new_id_number(dt.date(1961, 1, 1))
    # Written past the action on purpose: the constraint must hold for any writer.
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(
            household=household,
            name="二当家",
            gender="m",
            relation="head",
            id_number_enc=crypto.encrypt(number),
            id_number_hash=crypto.keyed_hash(number),
            id_number_masked=idnumber.masked(number),
            birth_date=head.birth_date,
        )
    assert household.members.filter(relation="head").count() == 1


def test_two_heads_in_one_new_household_store_nothing(db: Any) -> None:
    before = registry_fingerprint()
    with pytest.raises(FupinError) as caught:
        actions.do_create_household(
            Area.objects.get(code=VILLAGE),
            {"head_name": "石一"},
            actor=SYSTEM,
            members=[
                {"name": "石一", "relation": "head", "id_number": new_id_number()},
                {"name": "石二", "relation": "head", "id_number": new_id_number()},
            ],
        )
    assert error_codes(caught.value) == ["HEAD_EXISTS"]
    assert registry_fingerprint() == before


def test_making_another_member_head_is_refused_while_the_head_is_there(household: Household) -> None:
    other = household.members.exclude(relation="head").first()
    assert other is not None
    with pytest.raises(FupinError) as caught:
        actions.do_update_member(other, {"relation": "head"}, actor=SYSTEM)
    assert error_codes(caught.value) == ["HEAD_EXISTS"]


def test_after_the_head_leaves_a_new_head_can_be_named_and_the_household_follows(
    household: Household,
) -> None:
    head = household.members.get(relation="head")
    actions.do_remove_member(head, left_on=dt.date(2023, 2, 1), reason="去世", actor=SYSTEM)
    successor = household.members.exclude(pk=head.pk).first()
    assert successor is not None
    actions.do_update_member(successor, {"relation": "head"}, actor=SYSTEM)
    household.refresh_from_db()
    assert household.head_name == successor.name
    assert household.members.filter(relation="head").count() == 2  # one of them has left
    assert household.members.filter(relation="head", left_on=None).get() == successor


def test_the_household_takes_its_head_name_from_the_head_member(db: Any) -> None:
    household = actions.do_create_household(
        Area.objects.get(code=VILLAGE),
        {},
        actor=SYSTEM,
        members=[{"name": "麻大姐", "relation": "head", "id_number": new_id_number(female=True)}],
    )
    assert household.head_name == "麻大姐"


# --- derived from the ID number ------------------------------------------------------------


def test_gender_and_birth_date_come_from_the_id_number(household: Household) -> None:
    number = new_id_number(dt.date(2012, 2, 29), female=True)
    member = _member(household, id_number=number)
    assert member.gender == "f"
    assert member.birth_date == dt.date(2012, 2, 29)


def test_a_gender_that_contradicts_the_id_number_is_refused(household: Household) -> None:
    before = registry_fingerprint()
    with pytest.raises(FupinError) as caught:
        _member(household, gender="m", id_number=new_id_number(female=True))
    assert error_codes(caught.value) == ["GENDER_MISMATCH"]
    assert error_fields(caught.value) == ["gender"]
    assert registry_fingerprint() == before


def test_a_matching_gender_may_be_given_by_its_label(household: Household) -> None:
    # The cleaner accepts the label of the active language only.
    with translation.override("en"):
        assert _member(household, gender="female", id_number=new_id_number(female=True)).gender == "f"


def test_changing_only_the_gender_against_the_id_number_is_refused(household: Household) -> None:
    woman = _member(household, id_number=new_id_number(female=True))
    with pytest.raises(FupinError) as caught:
        actions.do_update_member(woman, {"gender": "m"}, actor=SYSTEM)
    assert error_codes(caught.value) == ["GENDER_MISMATCH"]
    woman.refresh_from_db()
    assert woman.gender == "f"


def test_correcting_the_id_number_moves_birth_date_gender_and_hash(household: Household) -> None:
    member = _member(household, id_number=new_id_number(dt.date(2010, 8, 8), female=True))
    corrected = new_id_number(dt.date(2011, 9, 9), female=False)
    updated = actions.do_update_member(member, {"id_number": corrected}, actor=SYSTEM)
    updated.refresh_from_db()
    assert (updated.birth_date, updated.gender) == (dt.date(2011, 9, 9), "m")
    assert updated.id_number_hash == crypto.keyed_hash(corrected)
    assert updated.id_number_masked == idnumber.masked(corrected)


def test_a_member_needs_an_id_number_a_name_and_a_relation(household: Household) -> None:
    with pytest.raises(FupinError) as caught:
        actions.do_add_member(household, {}, actor=SYSTEM)
    assert sorted(error_codes(caught.value)) == ["ID_FORMAT", "NAME_REQUIRED", "NAME_REQUIRED"]
    assert sorted(f or "" for f in error_fields(caught.value)) == ["id_number", "name", "relation"]


@pytest.mark.parametrize(("months", "ok"), [(0, True), (12, True), (13, False), (-1, False), ("x", False)])
def test_months_worked_away_are_between_zero_and_twelve(household: Household, months: Any, ok: bool) -> None:
    if ok:
        assert _member(household, work_months=months).work_months == months
    else:
        with pytest.raises(FupinError) as caught:
            _member(household, work_months=months)
        assert error_fields(caught.value) == ["work_months"]


# --- leaving -------------------------------------------------------------------------------


def test_removing_a_member_marks_left_on_and_reason_and_keeps_the_row(household: Household) -> None:
    member = household.members.exclude(relation="head").first()
    assert member is not None
    removed = actions.do_remove_member(member, left_on=dt.date(2024, 5, 1), reason="出嫁", actor=SYSTEM)
    assert (removed.left_on, removed.left_reason) == (dt.date(2024, 5, 1), "出嫁")
    assert Member.objects.filter(pk=member.pk).exists()
    assert household.members.count() == 3
    assert household.members.filter(left_on=None).count() == 2
    entry = AuditEntry.objects.get(action="registry.remove_member")
    assert (entry.after["left_on"], entry.after["left_reason"]) == ("2024-05-01", "出嫁")
    assert (entry.before["left_on"], entry.before["left_reason"]) == (None, "")
    assert entry.object_id == str(member.pk)


def test_removing_a_member_twice_is_refused_and_changes_nothing(household: Household) -> None:
    member = household.members.exclude(relation="head").first()
    assert member is not None
    actions.do_remove_member(member, left_on=dt.date(2024, 5, 1), reason="出嫁", actor=SYSTEM)
    before = registry_fingerprint()
    with pytest.raises(FupinError) as caught:
        # The caller's copy is stale (left_on still empty): the database decides.
        stale = Member.objects.get(pk=member.pk)
        stale.left_on = None
        actions.do_remove_member(stale, left_on=dt.date(2024, 6, 1), reason="again", actor=SYSTEM)
    assert error_codes(caught.value) == ["ALREADY_LEFT"]
    assert registry_fingerprint() == before


def test_a_member_who_left_frees_the_id_number_for_nobody(household: Household) -> None:
    # Leaving a household is not leaving the register: the number stays taken.
    member = household.members.exclude(relation="head").first()
    assert member is not None
    number = crypto.decrypt(member.id_number_enc)
    actions.do_remove_member(member, left_on=dt.date(2024, 5, 1), reason="迁出", actor=SYSTEM)
    with pytest.raises(FupinError) as caught:
        _member(household, id_number=number, name="重来")
    assert error_codes(caught.value) == ["ID_TAKEN"]


def test_a_leaving_date_in_the_future_or_before_birth_is_refused(db: Any) -> None:
    household = make_household()
    member = household.members.exclude(relation="head").first()
    for when in (timezone.localdate() + dt.timedelta(days=1), member.birth_date - dt.timedelta(days=1)):
        with pytest.raises(FupinError) as caught:
            actions.do_remove_member(member, left_on=when, reason="迁出", actor=SYSTEM)
        assert caught.value.code.name == "LEFT_ON_INVALID"
    member.refresh_from_db()
    assert member.left_on is None


def test_a_reason_longer_than_the_column_is_refused_not_cut(db: Any) -> None:
    member = make_household().members.exclude(relation="head").first()
    with pytest.raises(FupinError) as caught:
        actions.do_remove_member(member, left_on=dt.date(2024, 1, 1), reason="长" * 101, actor=SYSTEM)
    assert (caught.value.code.name, caught.value.field) == ("TOO_LONG", "reason")
