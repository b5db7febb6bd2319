"""Household fields (户表, domain.md §1.1): every value is checked before anything is stored,
and every value the cleaner accepts fits its column on every database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fupin.areas.actions import do_add_village_group
from fupin.areas.models import Area
from fupin.core import audit
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError
from fupin.core.models import AuditEntry
from fupin.core.personas import NEIGHBOUR_VILLAGE, VILLAGE
from fupin.registry import actions
from fupin.registry.models import Household
from tests.conftest import make_household
from tests.registry.helpers import error_codes, error_fields, registry_fingerprint


def _create(area_code: str = VILLAGE, **data: Any) -> Household:
    return actions.do_create_household(
        Area.objects.get(code=area_code), {"head_name": "石大哥", **data}, actor=SYSTEM
    )


def _refused(**data: Any) -> FupinError:
    before = registry_fingerprint()
    with pytest.raises(FupinError) as caught:
        _create(**data)
    assert registry_fingerprint() == before
    return caught.value


def test_households_are_numbered_per_village_including_its_groups(db: Any) -> None:
    group = do_add_village_group(Area.objects.get(code=VILLAGE), "1", "一组", actor=SYSTEM)
    first = _create()
    in_group = _create(group.code)
    elsewhere = _create(NEIGHBOUR_VILLAGE)
    assert first.number == f"{VILLAGE}0001"
    assert in_group.number == f"{VILLAGE}0002"
    assert elsewhere.number == f"{NEIGHBOUR_VILLAGE}0001"


def test_a_household_needs_a_head_name(db: Any) -> None:
    before = registry_fingerprint()
    with pytest.raises(FupinError) as caught:
        actions.do_create_household(Area.objects.get(code=VILLAGE), {"head_name": "  "}, actor=SYSTEM)
    assert error_fields(caught.value) == ["head_name"]
    assert registry_fingerprint() == before


def test_a_house_built_before_1990_is_a_valid_year(db: Any) -> None:
    # Many houses in poor villages are older than the registry's first income year.
    assert _create(housing_built_year="1978").housing_built_year == 1978


def test_a_house_built_next_year_is_refused(db: Any) -> None:
    error = _refused(housing_built_year=timezone.localdate().year + 1)
    assert error_fields(error) == ["housing_built_year"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("road_distance_km", "10000"),  # the column holds 9999.99 at most
        ("housing_area_m2", "1000000"),  # the column holds 999999.99 at most
        ("cultivated_land_mu", "100000000"),
    ],
)
def test_a_number_too_large_for_its_column_is_a_field_error_not_a_database_error(
    db: Any, field: str, value: str
) -> None:
    error = _refused(**{field: value})
    assert error_fields(error) == [field]


def test_the_largest_values_that_fit_are_stored(db: Any) -> None:
    household = _create(road_distance_km="9999", housing_area_m2="999999", cultivated_land_mu="99999999.99")
    household.refresh_from_db()
    assert household.road_distance_km == Decimal("9999")
    assert household.housing_area_m2 == Decimal("999999")


def test_land_areas_cannot_be_negative(db: Any) -> None:
    error = _refused(cultivated_land_mu="-2")
    assert error_codes(error) == ["NEGATIVE_AMOUNT"]


@pytest.mark.parametrize(
    ("raw", "expected"), [("是", True), ("否", False), ("yes", True), ("0", False), (True, True)]
)
def test_yes_no_fields_accept_chinese_and_english(db: Any, raw: Any, expected: bool) -> None:
    assert _create(dangerous_house=raw).dangerous_house is expected


def test_a_yes_no_field_with_another_word_is_refused(db: Any) -> None:
    assert error_fields(_refused(dangerous_house="maybe")) == ["dangerous_house"]


@pytest.mark.parametrize("phone", ["1381234567", "23812345678", "phone", "138123456789"])
def test_a_malformed_phone_is_refused(db: Any, phone: str) -> None:
    error = _refused(phone=phone)
    assert error_codes(error) == ["PHONE_FORMAT"]
    assert error_fields(error) == ["phone"]


@pytest.mark.parametrize("phone", ["138-1234-5678", "0743 8881234", "１３８１２３４５６７８"])
def test_a_mobile_or_landline_phone_is_stored_in_one_form(db: Any, phone: str) -> None:
    from fupin.core import crypto

    household = _create(phone=phone)
    household.refresh_from_db()
    assert crypto.decrypt(household.phone_enc).isascii()
    assert crypto.decrypt(household.phone_enc).isdigit()


def test_a_bank_account_with_letters_is_refused(db: Any) -> None:
    assert error_codes(_refused(bank_account="6217abc")) == ["BAD_NUMBER"]


def test_every_bad_field_is_reported_at_once(db: Any) -> None:
    error = _refused(main_cause="x", road_type="highway", phone="1", orchard_mu="-1")
    assert sorted(f or "" for f in error_fields(error)) == ["main_cause", "orchard_mu", "phone", "road_type"]


def test_an_update_audits_what_changed_and_only_that(db: Any) -> None:
    household = make_household()
    actions.do_update_household(household, {"road_type": "cement", "housing_area_m2": "80.5"}, actor=SYSTEM)
    entry = AuditEntry.objects.get(action="registry.update_household")
    assert set(audit.changed(entry.before, entry.after)) == {"road_type", "housing_area_m2", "updated_at"}
    assert entry.after["housing_area_m2"] == "80.50"
