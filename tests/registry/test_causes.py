"""Causes of poverty (domain.md §1.1): exactly one main cause for a registered-poor household,
at most two other causes, distinct and different from the main one."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError
from fupin.core.personas import VILLAGE
from fupin.registry import actions
from fupin.registry.choices import Cause
from fupin.registry.cleaning import clean_choice
from fupin.registry.models import Household, StatusChange
from tests.conftest import make_household
from tests.registry.helpers import error_codes, error_fields, registry_fingerprint


def _create(**data: Any) -> Household:
    return actions.do_create_household(
        Area.objects.get(code=VILLAGE), {"head_name": "石大哥", **data}, actor=SYSTEM
    )


def _refused(fn: Any, *args: Any, **kwargs: Any) -> FupinError:
    before = registry_fingerprint()
    with pytest.raises(FupinError) as caught:
        fn(*args, **kwargs)
    assert registry_fingerprint() == before
    return caught.value


# --- main cause ----------------------------------------------------------------------------


def test_a_registered_poor_household_cannot_lose_its_main_cause(db: Any) -> None:
    household = make_household(status="poor", main_cause="illness")
    error = _refused(actions.do_update_household, household, {"main_cause": ""}, actor=SYSTEM)
    assert error_codes(error) == ["MAIN_CAUSE_REQUIRED"]
    assert error_fields(error) == ["main_cause"]


def test_a_household_without_a_main_cause_cannot_become_registered_poor(db: Any) -> None:
    household = _create()
    error = _refused(actions.do_change_status, household, "poor", year=2014, reason="识别", actor=SYSTEM)
    assert error_codes(error) == ["MAIN_CAUSE_REQUIRED"]
    assert not StatusChange.objects.filter(household=household).exists()


def test_an_ordinary_household_may_have_no_cause(db: Any) -> None:
    household = _create()
    assert (household.main_cause, household.other_causes) == ("", [])


def test_the_main_cause_is_one_value_from_the_list(db: Any) -> None:
    assert _create(main_cause="land").main_cause == "land"
    error = _refused(_create, main_cause="bad luck")
    assert error_codes(error) == ["UNKNOWN_CHOICE"]
    assert error_fields(error) == ["main_cause"]


def test_a_missing_main_cause_is_reported_once_even_with_other_causes(db: Any) -> None:
    household = make_household(status="poor", main_cause="illness")
    error = _refused(
        actions.do_update_household,
        household,
        {"main_cause": "", "other_causes": ["land"]},
        actor=SYSTEM,
    )
    assert error_codes(error) == ["MAIN_CAUSE_REQUIRED"]


def test_other_causes_without_a_main_cause_are_refused(db: Any) -> None:
    error = _refused(_create, other_causes=["land"])
    assert error_codes(error) == ["MAIN_CAUSE_REQUIRED"]


# --- other causes --------------------------------------------------------------------------


def test_up_to_two_other_causes_are_kept_in_order(db: Any) -> None:
    household = _create(main_cause="illness", other_causes=["skills", "funds"])
    household.refresh_from_db()
    assert household.other_causes == ["skills", "funds"]


def test_no_other_cause_at_all_is_fine(db: Any) -> None:
    assert _create(main_cause="illness", other_causes=[]).other_causes == []
    assert _create(main_cause="illness", other_causes="").other_causes == []
    assert _create(main_cause="illness", other_causes=None).other_causes == []


def test_three_other_causes_are_too_many(db: Any) -> None:
    error = _refused(_create, main_cause="illness", other_causes=["skills", "funds", "land"])
    assert error_codes(error) == ["TOO_MANY_CAUSES"]
    assert error_fields(error) == ["other_causes"]


def test_the_same_other_cause_twice_is_refused(db: Any) -> None:
    error = _refused(_create, main_cause="illness", other_causes=["land", "land"])
    assert error_codes(error) == ["CAUSE_REPEATED"]


def test_an_other_cause_equal_to_the_main_cause_is_refused(db: Any) -> None:
    error = _refused(_create, main_cause="illness", other_causes=["illness"])
    assert error_codes(error) == ["CAUSE_REPEATED"]


def test_changing_the_main_cause_to_one_already_among_the_others_is_refused(db: Any) -> None:
    household = _create(main_cause="illness", other_causes=["land"])
    error = _refused(actions.do_update_household, household, {"main_cause": "land"}, actor=SYSTEM)
    assert error_codes(error) == ["CAUSE_REPEATED"]


def test_an_unknown_other_cause_is_reported_against_other_causes(db: Any) -> None:
    error = _refused(_create, main_cause="illness", other_causes=["land", "bad luck"])
    assert error_codes(error) == ["UNKNOWN_CHOICE"]
    assert error_fields(error) == ["other_causes"]


@pytest.mark.parametrize("separator", [",", "，", "、"])
def test_other_causes_may_be_one_text_split_by_commas_or_the_chinese_list_mark(
    db: Any, separator: str
) -> None:
    household = _create(main_cause="illness", other_causes=f"land{separator} water")
    assert household.other_causes == ["land", "water"]


def test_blank_choices_among_the_other_causes_are_ignored(db: Any) -> None:
    # A form with two optional drop-downs sends ["", ""] when neither is used.
    assert _create(main_cause="illness", other_causes=["", "land", " "]).other_causes == ["land"]


# --- labels as input -----------------------------------------------------------------------


def test_the_label_shown_in_english_is_accepted_as_input(db: Any) -> None:
    with translation.override("en"):
        household = _create(main_cause="lack of land", other_causes=["lack of water", "poor transport"])
    assert (household.main_cause, household.other_causes) == ("land", ["water", "transport"])


@pytest.mark.parametrize("cause", list(Cause))
def test_every_cause_label_shown_in_chinese_is_accepted_as_input(cause: Cause) -> None:
    # A spreadsheet user types the label the page showed them, whatever the language.
    with translation.override("zh-hans"):
        label = str(cause.label)
        assert clean_choice(Cause, label) == cause.value


def test_a_code_is_accepted_whatever_the_interface_language() -> None:
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert clean_choice(Cause, " illness ") == "illness"
