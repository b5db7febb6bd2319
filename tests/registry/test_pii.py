"""Personal data at rest: ID numbers, phones and bank accounts are stored only as ciphertext,
a keyed hash and a masked form, and the full ID number is shown only to roles that need it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test.utils import override_settings

from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.core import crypto
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import NEIGHBOUR_VILLAGE, VILLAGE
from fupin.registry import actions, idnumber
from fupin.registry.models import Household, Member
from tests.conftest import make_household, new_id_number
from tests.registry.helpers import (
    ALL_PERSONAS,
    EDITORS,
    OUTSIDE,
    error_codes,
    id_number_ending_in_x,
    registry_fingerprint,
    stored_values,
)

OTHER_KEY = "another-pii-key-with-at-least-32-characters"


# --- nothing readable in any column --------------------------------------------------------


def test_no_plaintext_id_number_phone_or_bank_account_is_stored_in_any_column_of_any_table(
    personas: dict[str, User],
) -> None:
    clerk = personas["village_clerk"]
    x_number = id_number_ending_in_x()
    head_id, wife_id, son_id, new_id = (
        new_id_number(dt.date(1970, 1, 9)),
        new_id_number(dt.date(1972, 4, 3), female=True),
        new_id_number(dt.date(1999, 12, 30)),
        new_id_number(dt.date(1971, 6, 6)),
    )
    phones = ["13812345678", "15900001111", "07438881234", "18677776666"]
    bank = "6217002930101234567"
    household = actions.do_create_household(
        Area.objects.get(code=VILLAGE),
        {"head_name": "龙老三", "main_cause": "illness", "phone": phones[0], "bank_account": bank},
        actor=clerk,
        members=[
            {"name": "龙老三", "relation": "head", "id_number": head_id, "phone": phones[1]},
            {"name": "石妹", "relation": "spouse", "id_number": wife_id},
            # typed with a lowercase x, as people do
            {"name": "龙小", "relation": "son", "id_number": x_number.lower()},
        ],
    )
    son = actions.do_add_member(
        household, {"name": "龙二", "relation": "son", "id_number": son_id}, actor=clerk
    )
    # Updates write before and after into the audit log: both must stay masked.
    actions.do_update_household(household, {"phone": phones[2]}, actor=clerk)
    actions.do_update_member(son, {"phone": phones[3], "id_number": new_id}, actor=clerk)
    actions.do_record_income(household, 2023, {"wage": "12000"}, actor=clerk)
    revealed = actions.do_reveal_id_number(Member.objects.get(name="龙小"), actor=clerk)
    actions.do_remove_member(son, left_on=dt.date(2024, 3, 1), reason="外出", actor=clerk)
    assert revealed == x_number
    assert AuditEntry.objects.filter(action__startswith="registry.").count() >= 7

    secrets = {head_id, wife_id, son_id, new_id, x_number, x_number.lower(), bank, *phones}
    values = stored_values()
    leaks = [(t, c) for t, c, text in values for s in secrets if s in text]
    assert leaks == []
    # The scan does read the rows: the masked forms are found where they belong.
    found = {(t, c) for t, c, text in values if idnumber.masked(new_id) in text}
    assert ("registry_member", "id_number_masked") in found
    assert ("core_auditentry", "after") in found


def test_the_stored_forms_are_ciphertext_a_keyed_hash_and_the_first_six_and_last_four(
    household: Household,
) -> None:
    number = new_id_number(dt.date(1966, 7, 1))
    member = actions.do_add_member(
        household,
        {"name": "石奶奶", "relation": "parent", "id_number": number, "phone": "13812345678"},
        actor=SYSTEM,
    )
    member.refresh_from_db()
    assert member.id_number_masked == number[:6] + "********" + number[-4:]
    assert member.id_number_hash == crypto.keyed_hash(number)
    assert crypto.decrypt(member.id_number_enc) == number
    assert member.phone_masked == "138****5678"
    assert crypto.decrypt(member.phone_enc) == "13812345678"


def test_a_household_bank_account_and_phone_are_masked_and_decryptable(db: Any) -> None:
    household = make_household(phone="138 1234 5678", bank_account="6217 0029 3010 1234 567")
    household.refresh_from_db()
    assert household.phone_masked == "138****5678"
    assert household.bank_account_masked == "6217***********4567"
    assert crypto.decrypt(household.bank_account_enc) == "6217002930101234567"


# --- crypto --------------------------------------------------------------------------------

ID, OTHER_ID = new_id_number(), new_id_number()


def test_the_keyed_hash_is_stable_for_the_same_input() -> None:
    assert crypto.keyed_hash(ID) == crypto.keyed_hash(ID)
    assert len(crypto.keyed_hash(ID)) == 64


def test_the_keyed_hash_differs_for_different_inputs() -> None:
    assert crypto.keyed_hash(ID) != crypto.keyed_hash(OTHER_ID)


def test_the_keyed_hash_differs_under_another_pii_key() -> None:
    here = crypto.keyed_hash(ID)
    with override_settings(PII_KEYS=[OTHER_KEY], PII_HASH_KEY=""):
        there = crypto.keyed_hash(ID)
        assert there == crypto.keyed_hash(ID)
    assert here != there


def test_decrypt_round_trips_and_ciphertext_is_never_the_same_twice() -> None:
    one, two = crypto.encrypt(ID), crypto.encrypt(ID)
    assert one != two
    assert ID not in one
    assert crypto.decrypt(one) == crypto.decrypt(two) == ID
    assert crypto.decrypt(crypto.encrypt("龙老三 13812345678")) == "龙老三 13812345678"


def test_ciphertext_from_another_key_is_refused_with_a_message_not_garbage() -> None:
    token = crypto.encrypt(ID)
    with override_settings(PII_KEYS=[OTHER_KEY]), pytest.raises(ValueError, match="FUPIN_PII_KEY"):
        crypto.decrypt(token)


def test_the_mask_keeps_the_ends_and_hides_short_values_entirely() -> None:
    assert crypto.mask("13812345678", 3, 4) == "138****5678"
    assert crypto.mask("1234567", 3, 4) == "*******"


# --- one person, one ID number -------------------------------------------------------------


def test_a_duplicate_id_number_in_another_household_is_refused_with_id_taken(db: Any) -> None:
    first = make_household()
    number = first.members.get(relation="head")
    second = make_household(NEIGHBOUR_VILLAGE, head_name="吴二")
    before = registry_fingerprint()
    with pytest.raises(FupinError) as caught:
        actions.do_add_member(
            second,
            {"name": "冒名", "relation": "son", "id_number": crypto.decrypt(number.id_number_enc)},
            actor=SYSTEM,
        )
    assert error_codes(caught.value) == ["ID_TAKEN"]
    assert registry_fingerprint() == before


def test_a_duplicate_typed_with_lowercase_x_is_the_same_number(household: Household) -> None:
    number = id_number_ending_in_x()
    actions.do_add_member(household, {"name": "石一", "relation": "son", "id_number": number}, actor=SYSTEM)
    other = make_household(NEIGHBOUR_VILLAGE, head_name="吴二")
    with pytest.raises(FupinError) as caught:
        actions.do_add_member(
            other, {"name": "石一", "relation": "son", "id_number": number.lower()}, actor=SYSTEM
        )
    assert error_codes(caught.value) == ["ID_TAKEN"]


def test_a_duplicate_inside_one_new_household_stores_nothing_at_all(db: Any) -> None:
    number = id_number_ending_in_x()
    before = registry_fingerprint()
    with pytest.raises(FupinError) as caught:
        actions.do_create_household(
            Area.objects.get(code=VILLAGE),
            {"head_name": "石三"},
            actor=SYSTEM,
            members=[
                {"name": "石三", "relation": "head", "id_number": number},
                {"name": "石四", "relation": "son", "id_number": number.lower()},
            ],
        )
    assert error_codes(caught.value) == ["ID_TAKEN"]
    assert registry_fingerprint() == before


def test_changing_a_member_to_a_number_already_taken_is_refused(household: Household) -> None:
    head, other = household.members.order_by("pk")[:2]
    with pytest.raises(FupinError) as caught:
        actions.do_update_member(other, {"id_number": crypto.decrypt(head.id_number_enc)}, actor=SYSTEM)
    assert error_codes(caught.value) == ["ID_TAKEN"]


def test_a_member_may_resubmit_their_own_number_unchanged(household: Household) -> None:
    head = household.members.get(relation="head")
    own = crypto.decrypt(head.id_number_enc)
    updated = actions.do_update_member(head, {"id_number": own.lower()}, actor=SYSTEM)
    assert updated.id_number_hash == head.id_number_hash


# --- revealing the full number -------------------------------------------------------------


@pytest.mark.parametrize("username", ALL_PERSONAS)
def test_only_roles_with_view_pii_in_their_area_can_reveal_an_id_number(
    personas: dict[str, User], username: str
) -> None:
    household = make_household()
    head = household.members.get(relation="head")
    expected = crypto.decrypt(head.id_number_enc)
    before = AuditEntry.objects.count()
    actor = personas[username]
    if username in EDITORS:
        assert actor.can("registry.view_pii")
        assert actions.do_reveal_id_number(head, actor=actor) == expected
        entry = AuditEntry.objects.get(action="registry.reveal_id_number")
        assert (entry.actor, entry.object_type, entry.object_id, entry.area_code) == (
            actor,
            "registry.member",
            str(head.pk),
            VILLAGE,
        )
        assert expected not in str(entry.before) + str(entry.after)
    else:
        denied = NotFound if username in OUTSIDE else PermissionDenied
        with pytest.raises(denied):
            actions.do_reveal_id_number(head, actor=actor)
        assert AuditEntry.objects.count() == before


def test_the_masked_form_is_what_every_member_row_shows(household: Household) -> None:
    for member in household.members.all():
        plain = crypto.decrypt(member.id_number_enc)
        assert member.id_number_masked == idnumber.masked(plain)
        assert member.id_number_masked != plain
