"""A household's yearly records through the API: income (totals computed) and the check of
两不愁三保障, each one record per year that a PUT replaces."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from fupin.core.access import SYSTEM
from fupin.core.models import AuditEntry
from fupin.registry import actions
from fupin.registry.models import Household, HouseholdCondition, IncomeRecord
from tests.api.helpers import CHECKS, Api
from tests.registry.helpers import registry_fingerprint


def test_income_totals_are_computed_from_the_amounts_and_the_members(
    home: Household, api_as: Callable[[str], Api]
) -> None:
    # given a household of three
    # when the clerk records a year's income
    response = api_as("village_clerk").put(
        f"/households/{home.pk}/incomes/2023",
        {
            "wage": "12000",
            "business": 3000.5,
            "transfer_dibao": "1800",
            "transfer_eco": "200",
            "business_costs": "1000",
        },
    )

    # then transfer, total and per-capita net income are computed, to the fen
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["year"], body["household_size"]) == (2023, 3)
    assert (body["transfer"], body["total"], body["per_capita_net"]) == ("2000.00", "17000.50", "5333.50")
    assert (body["wage"], body["property"]) == ("12000.00", "0.00")


def test_a_second_put_replaces_the_year_and_the_audit_shows_the_change(
    home: Household, api_as: Callable[[str], Api]
) -> None:
    api = api_as("village_clerk")
    api.put(f"/households/{home.pk}/incomes/2023", {"wage": "5000", "property": "600"})

    # when the year is recorded again with only a wage
    response = api.put(f"/households/{home.pk}/incomes/2023", {"wage": "6000"})

    # then there is still one record for the year, and what was left out is 0
    assert response.status_code == 200
    record = IncomeRecord.objects.get(household=home)
    assert (str(record.wage), str(record.property), str(record.total)) == ("6000.00", "0.00", "6000.00")
    entries = AuditEntry.objects.filter(action="registry.record_income").order_by("id")
    assert [e.before is None for e in entries] == [True, False]
    assert (entries[1].before["wage"], entries[1].after["wage"]) == ("5000.00", "6000.00")


@pytest.mark.parametrize(
    ("year", "amounts", "code", "field"),
    [
        (2023, {"wage": "-5"}, "NEGATIVE_AMOUNT", "wage"),
        (2023, {"wage": "12.345"}, "BAD_AMOUNT", "wage"),
        (2023, {"wage": "1e12"}, "AMOUNT_RANGE", "wage"),  # well written, too large: the range is said
        (1989, {"wage": "1"}, "BAD_YEAR", "year"),
        (timezone.localdate().year + 1, {"wage": "1"}, "BAD_YEAR", "year"),
    ],
    ids=["negative", "three-decimals", "too-large", "before-1990", "next-year"],
)
def test_a_bad_amount_or_year_is_refused_and_nothing_is_stored(
    year: int, amounts: dict[str, Any], code: str, field: str, home: Household, api_as: Callable[[str], Api]
) -> None:
    before = registry_fingerprint()

    # when the year's income is recorded with a bad amount or for a bad year
    response = api_as("village_clerk").put(f"/households/{home.pk}/incomes/{year}", amounts)

    # then the household file's rule names the problem, and nothing was stored
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert registry_fingerprint() == before


def test_income_needs_current_members(home: Household, api_as: Callable[[str], Api]) -> None:
    # given a household whose members have all left
    for person in home.members.all():
        actions.do_remove_member(person, left_on=dt.date(2024, 1, 1), reason="迁出", actor=SYSTEM)
    before = registry_fingerprint()

    # when an income is recorded for it
    response = api_as("village_clerk").put(f"/households/{home.pk}/incomes/2023", {"wage": "100"})

    # then it is refused: a per-capita income needs people to divide by
    assert response.status_code == 400 and response.json()["code"] == "NO_MEMBERS"
    assert registry_fingerprint() == before


def test_an_amount_that_is_not_a_number_is_refused_by_the_schema(
    home: Household, api_as: Callable[[str], Api]
) -> None:
    # when an amount is a word
    response = api_as("village_clerk").put(f"/households/{home.pk}/incomes/2023", {"wage": "lots"})

    # then the schema refuses it, naming the field, and nothing was stored
    assert response.status_code == 422 and response.json()["field"] == "wage"
    assert not IncomeRecord.objects.exists()


def test_conditions_are_recorded_with_their_shortfalls_and_replaced_by_a_second_put(
    home: Household, api_as: Callable[[str], Api]
) -> None:
    api = api_as("village_clerk")

    # when the year is checked with medical care not secured, and then checked again with it secured
    first = api.put(f"/households/{home.pk}/conditions/2023", {**CHECKS, "notes": "缺医保"})
    second = api.put(f"/households/{home.pk}/conditions/2023", {**CHECKS, "medical_secured": True})

    # then the first shows the shortfall, the second replaces it, and the year has one record
    assert first.status_code == second.status_code == 200
    assert (first.json()["all_met"], first.json()["shortfalls"], first.json()["notes"]) == (
        False,
        ["medical_secured"],
        "缺医保",
    )
    assert (second.json()["all_met"], second.json()["shortfalls"], second.json()["notes"]) == (True, [], "")
    assert HouseholdCondition.objects.filter(household=home).count() == 1


def test_a_conditions_check_must_answer_every_question(home: Household, api_as: Callable[[str], Api]) -> None:
    # when only one of the six questions is answered
    response = api_as("village_clerk").put(f"/households/{home.pk}/conditions/2023", {"food_secure": True})

    # then it is refused naming the others: a PUT replaces the whole check, and a question
    # left out must not silently become "no"
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == set(CHECKS) - {"food_secure"}
    assert not HouseholdCondition.objects.exists()


def test_a_year_that_is_not_a_number_is_refused_naming_it(
    home: Household, api_as: Callable[[str], Api]
) -> None:
    # when the year in the address is a word
    response = api_as("village_clerk").put(f"/households/{home.pk}/conditions/last-year", CHECKS)

    # then the refusal names the year and nothing was stored
    assert response.status_code == 422
    assert response.json()["field"] == "year"
    assert not HouseholdCondition.objects.exists()
