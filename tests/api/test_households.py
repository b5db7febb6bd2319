"""Households through the API: the paginated list and its filters, the household page, and
registering and changing a household by the household file's rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fupin.core.access import SYSTEM
from fupin.core.models import AuditEntry
from fupin.core.personas import NEIGHBOUR_VILLAGE, OTHER_COUNTY, OTHER_TOWNSHIP_VILLAGE, TOWNSHIP, VILLAGE
from fupin.registry import actions, idnumber
from fupin.registry.models import Household
from tests.api.helpers import Api, a_village_in
from tests.conftest import make_household, new_id_number
from tests.registry.helpers import id_number_ending_in_x, registry_fingerprint

# --- the list ------------------------------------------------------------------------------


@pytest.fixture
def spread(personas: dict[str, Any]) -> dict[str, list[Household]]:
    """Seven households in 十八洞村, two in 丙池村 (same township), one in another township of
    the county and one in 泸溪县."""
    return {
        "village": [make_household(VILLAGE, head_name=f"十八洞{i}") for i in range(7)],
        "neighbour": [make_household(NEIGHBOUR_VILLAGE, head_name=f"丙池{i}") for i in range(2)],
        "township": [make_household(OTHER_TOWNSHIP_VILLAGE, head_name="龙潭户")],
        "county": [make_household(a_village_in(OTHER_COUNTY).code, head_name="泸溪户")],
    }


def all_pages(api: Api, query: str, limit: int) -> tuple[list[dict[str, Any]], set[int]]:
    """Walk the list page by page; return the items and every total the pages reported."""
    items: list[dict[str, Any]] = []
    totals: set[int] = set()
    offset = 0
    while True:
        response = api.get(f"/households?limit={limit}&offset={offset}{query}")
        assert response.status_code == 200, response.content
        page = response.json()
        totals.add(page["count"])
        if not page["items"]:
            return items, totals
        assert len(page["items"]) <= limit
        items += page["items"]
        offset += limit


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("village_clerk", ["village"]),
        ("neighbour_clerk", ["neighbour"]),
        ("township_officer", ["village", "neighbour"]),
        ("county_admin", ["village", "neighbour", "township"]),
        ("outsider", ["county"]),
    ],
)
def test_the_pages_of_the_list_hold_exactly_the_households_of_the_callers_area(
    persona: str, sees: list[str], spread: dict[str, list[Household]], api_as: Callable[[str], Api]
) -> None:
    # given households in four places

    # when the persona walks the whole list three at a time
    items, totals = all_pages(api_as(persona), "", limit=3)

    # then every household of its area appears once, in area and number order, and none other
    expected = sorted((h for place in sees for h in spread[place]), key=lambda h: (h.area_id, h.number))
    assert [item["id"] for item in items] == [h.pk for h in expected]
    assert totals == {len(expected)}


def test_a_list_item_carries_the_essentials_and_counts_only_current_members(
    api_as: Callable[[str], Api],
) -> None:
    # given a household of three of whom one has left
    household = make_household(VILLAGE, members=3, head_name="龙大")
    leaver = household.members.exclude(relation="head").first()
    assert leaver is not None
    actions.do_remove_member(leaver, left_on=dt.date(2024, 1, 1), reason="出嫁", actor=SYSTEM)

    # when the list is read
    page = api_as("village_clerk").get("/households").json()

    # then the item says who and where, and counts two members
    assert page == {
        "items": [
            {
                "id": household.pk,
                "number": household.number,
                "area_code": VILLAGE,
                "head_name": "龙大",
                "status": "none",
                "main_cause": "illness",
                "member_count": 2,
            }
        ],
        "count": 1,
    }


def test_the_list_costs_the_same_few_queries_however_long_the_page(api_as: Callable[[str], Api]) -> None:
    # given a short list and a long one
    api = api_as("village_clerk")
    make_household(VILLAGE)
    with CaptureQueriesContext(connection) as short:
        assert len(api.get("/households?limit=50").json()["items"]) == 1
    for _ in range(6):
        make_household(VILLAGE)

    # when the long one is read
    with CaptureQueriesContext(connection) as long:
        assert len(api.get("/households?limit=50").json()["items"]) == 7

    # then it took as many queries as the short one: no query per household
    assert len(long.captured_queries) == len(short.captured_queries) <= 5


def test_the_list_filters_by_status_cause_name_number_and_area(
    spread: dict[str, list[Household]], api_as: Callable[[str], Api]
) -> None:
    # given, besides the spread, a registered-poor household with another cause in 十八洞村
    poor = make_household(VILLAGE, status="poor", head_name="施成富", main_cause="disability")
    api = api_as("township_officer")

    def ids(query: str) -> list[int]:
        response = api.get(f"/households?limit=500&{query}")
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    # then each filter keeps exactly its households
    assert ids("status=poor") == [poor.pk]
    assert ids("main_cause=disability") == [poor.pk]
    assert ids("q=施成") == [poor.pk]
    assert ids("q=丙池") == [h.pk for h in spread["neighbour"]]
    assert ids(f"q={spread['village'][3].number}") == [spread["village"][3].pk]
    assert ids(f"q={NEIGHBOUR_VILLAGE}") == [h.pk for h in spread["neighbour"]]
    assert ids(f"area={NEIGHBOUR_VILLAGE}") == [h.pk for h in spread["neighbour"]]
    assert ids(f"area={VILLAGE}&status=none") == [h.pk for h in spread["village"]]
    assert ids(f"area={TOWNSHIP}&q=龙潭") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=rich", "status"),
        ("main_cause=laziness", "main_cause"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("offset=-1", "offset"),
        ("limit=ten", "limit"),
    ],
)
def test_a_bad_list_parameter_is_refused_with_a_clear_message(
    query: str, field: str, api_as: Callable[[str], Api]
) -> None:
    # when the list is asked for with a parameter out of its range
    response = api_as("village_clerk").get(f"/households?{query}")

    # then it answers 422 in the API's error shape, naming the parameter
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["field"]) == ("INVALID", field)
    assert body["message"].startswith(f"{field}: ")
    assert body["errors"][0]["field"] == field


def test_an_offset_past_the_end_gives_an_empty_page_with_the_total(api_as: Callable[[str], Api]) -> None:
    # given one household
    make_household(VILLAGE)

    # when the list is asked for from the tenth on
    page = api_as("village_clerk").get("/households?offset=10").json()

    # then the page is empty but still tells the total
    assert page == {"items": [], "count": 1}


# --- one household -------------------------------------------------------------------------


def test_the_household_page_has_members_incomes_conditions_and_history(
    api_as: Callable[[str], Api], personas: dict[str, Any]
) -> None:
    # given a registered-poor household with a year's income and conditions
    household = make_household(VILLAGE, status="poor", head_name="龙大")
    clerk = personas["village_clerk"]
    actions.do_record_income(household, 2023, {"wage": "9000", "business_costs": "300"}, actor=clerk)
    actions.do_record_conditions(household, 2023, {"food_secure": True}, actor=clerk, notes="住房待改造")

    # when the clerk reads it
    response = api_as("village_clerk").get(f"/households/{household.pk}")

    # then everything is there, masked where it is personal
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["number"], body["area_code"], body["area_name"]) == (
        household.pk,
        household.number,
        VILLAGE,
        "十八洞村",
    )
    assert (body["head_name"], body["status"], body["main_cause"], body["registered_year"]) == (
        "龙大",
        "poor",
        "illness",
        2014,
    )
    assert [m["name"] for m in body["members"]] == ["龙大", "成员1", "成员2"]
    assert all("*" in m["id_number_masked"] and len(m["id_number_masked"]) == 18 for m in body["members"])
    assert [(i["year"], i["total"], i["per_capita_net"], i["household_size"]) for i in body["incomes"]] == [
        (2023, "9000.00", "2900.00", 3)
    ]
    [conditions] = body["conditions"]
    assert (conditions["year"], conditions["food_secure"], conditions["all_met"]) == (2023, True, False)
    assert "clothing_secure" in conditions["shortfalls"] and conditions["notes"] == "住房待改造"
    assert [(s["from_status"], s["to_status"], s["year"], s["actor"]) for s in body["status_history"]] == [
        ("none", "poor", 2014, None)
    ]


# --- registering a household ---------------------------------------------------------------


def head(id_number: str, name: str = "龙老三", **more: Any) -> dict[str, Any]:
    return {"name": name, "relation": "head", "id_number": id_number, **more}


def test_a_clerk_registers_a_household_with_its_members(
    api_as: Callable[[str], Api], personas: dict[str, Any]
) -> None:
    # given a household with three members, a phone and land
    head_id = new_id_number(dt.date(1970, 1, 9))
    body = {
        "area_code": VILLAGE,
        "main_cause": "illness",
        "other_causes": ["skills", "labour"],
        "phone": "13812345678",
        "bank_account": "6217 0029 3010 1234 567",
        "cultivated_land_mu": "2.5",
        "family_planning": True,
        "members": [
            head(head_id, phone="15900001111"),
            {
                "name": "石妹",
                "relation": "spouse",
                "id_number": new_id_number(dt.date(1972, 4, 3), female=True),
            },
            {
                "name": "龙小",
                "relation": "son",
                "id_number": new_id_number(dt.date(2008, 8, 8)),
                "education": "junior",
            },
        ],
    }

    # when the clerk registers it
    response = api_as("village_clerk").post("/households", body)

    # then it is stored with a number in the village, the head's name, and masked personal data
    assert response.status_code == 201, response.content
    created = response.json()
    household = Household.objects.get(pk=created["id"])
    assert created["number"] == household.number and household.number.startswith(VILLAGE)
    assert created["head_name"] == "龙老三"
    assert created["other_causes"] == ["skills", "labour"]
    assert (created["phone_masked"], created["bank_account_masked"]) == ("138****5678", "6217***********4567")
    assert (created["cultivated_land_mu"], created["family_planning"], created["production_power"]) == (
        "2.50",
        True,
        True,
    )
    assert [(m["name"], m["gender"], m["relation"]) for m in created["members"]] == [
        ("龙老三", "m", "head"),
        ("石妹", "f", "spouse"),
        ("龙小", "m", "son"),
    ]
    assert created["members"][0]["id_number_masked"] == idnumber.masked(head_id)
    assert created["members"][0]["birth_date"] == "1970-01-09"
    # and one audit entry records it
    entry = AuditEntry.objects.get(action="registry.create_household")
    assert (entry.actor, entry.object_id, entry.area_code) == (
        personas["village_clerk"],
        str(household.pk),
        VILLAGE,
    )
    assert entry.after["members"] == 3


def test_a_lowercase_x_in_an_id_number_is_accepted_and_stored_upper_case(
    api_as: Callable[[str], Api],
) -> None:
    # given an ID number whose check character is X, typed in lower case
    number = id_number_ending_in_x()
    api = api_as("village_clerk")

    # when a household is registered with it
    response = api.post("/households", {"area_code": VILLAGE, "members": [head(number.lower())]})

    # then it is accepted, masked with a capital X, and reveals as typed officially
    assert response.status_code == 201, response.content
    member = response.json()["members"][0]
    assert member["id_number_masked"] == idnumber.masked(number) and member["id_number_masked"].endswith("X")
    assert api.post(f"/members/{member['id']}/reveal-id").json()["id_number"] == number


def _future_id_number() -> str:
    return idnumber.make("433124", dt.date(timezone.localdate().year + 1, 1, 1), 11)


def _wrong_check_digit() -> str:
    number = new_id_number(dt.date(1980, 2, 2))
    return number[:17] + ("0" if number[17] != "0" else "1")


@pytest.mark.parametrize(
    ("bad_id", "code"),
    [
        (_wrong_check_digit, "ID_CHECKSUM"),
        (_future_id_number, "ID_FUTURE"),
        (lambda: "43312419800230001X", "ID_BIRTH_DATE"),
        (lambda: "4331241980", "ID_FORMAT"),
    ],
    ids=["checksum", "future", "no-such-date", "short"],
)
def test_a_household_with_a_bad_id_number_is_refused_and_nothing_is_stored(
    bad_id: Callable[[], str], code: str, api_as: Callable[[str], Api]
) -> None:
    # given a valid head and a second member whose ID number is wrong
    before = registry_fingerprint()
    body = {
        "area_code": VILLAGE,
        "members": [
            head(new_id_number(dt.date(1966, 6, 6))),
            {"name": "石妹", "relation": "spouse", "id_number": bad_id()},
        ],
    }

    # when the clerk registers the household
    response = api_as("village_clerk").post("/households", body)

    # then the second member's ID number is named with its code, and nothing was kept
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, "members[1].id_number")
    assert registry_fingerprint() == before


@pytest.mark.parametrize(
    ("causes", "code"),
    [
        ({"main_cause": "illness", "other_causes": ["skills", "labour", "funds"]}, "TOO_MANY_CAUSES"),
        ({"main_cause": "illness", "other_causes": ["skills", "skills"]}, "CAUSE_REPEATED"),
        ({"main_cause": "illness", "other_causes": ["illness"]}, "CAUSE_REPEATED"),
        ({"other_causes": ["skills"]}, "MAIN_CAUSE_REQUIRED"),
    ],
    ids=["three-others", "other-twice", "main-again", "others-without-main"],
)
def test_the_causes_of_poverty_follow_the_rules_on_create_and_on_update(
    causes: dict[str, Any], code: str, api_as: Callable[[str], Api]
) -> None:
    # given a household on file
    household = make_household(VILLAGE, main_cause="")
    api = api_as("village_clerk")
    before = registry_fingerprint()

    # when causes break a rule, on a new household and on the one on file
    created = api.post("/households", {"area_code": VILLAGE, "head_name": "新户", **causes})
    updated = api.patch(f"/households/{household.pk}", causes)

    # then both are refused with the rule's code, and nothing changed
    for response in (created, updated):
        assert response.status_code == 400
        assert code in [e["code"] for e in response.json()["errors"]]
    assert registry_fingerprint() == before


def test_a_household_needs_a_head_name_and_a_village(api_as: Callable[[str], Api]) -> None:
    # given the county administrator
    api = api_as("county_admin")
    before = registry_fingerprint()

    # when a household without a head is registered, and one in a township
    nameless = api.post("/households", {"area_code": VILLAGE, "main_cause": "illness"})
    in_a_township = api.post("/households", {"area_code": TOWNSHIP, "head_name": "乡里人"})

    # then both are refused with the rule's code, and nothing was stored
    assert nameless.status_code == in_a_township.status_code == 400
    assert (nameless.json()["code"], nameless.json()["field"]) == ("NAME_REQUIRED", "head_name")
    assert in_a_township.json()["code"] == "AREA_NOT_VILLAGE"
    assert registry_fingerprint() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"area_code": VILLAGE, "head_name": "新户", "main_cause": "laziness"}, "main_cause"),
        ({"area_code": VILLAGE, "head_name": "新户", "family_planning": "maybe"}, "family_planning"),
        ({"area_code": VILLAGE, "head_name": "新户", "family_planning": None}, "family_planning"),
        ({"area_code": VILLAGE, "head_name": "新户", "cultivated_land_mu": "much"}, "cultivated_land_mu"),
        ({"head_name": "新户"}, "area_code"),
        ({"area_code": VILLAGE, "members": [{"name": "无号", "relation": "head"}]}, "members[0].id_number"),
        (
            {"area_code": VILLAGE, "members": [{"name": "某", "relation": "king", "id_number": "x"}]},
            "members[0].relation",
        ),
    ],
)
def test_a_body_that_does_not_fit_the_schema_is_refused_with_the_field_named(
    body: dict[str, Any], field: str, api_as: Callable[[str], Api]
) -> None:
    before = registry_fingerprint()

    # when the body has a value of the wrong type, or lacks a required one
    response = api_as("village_clerk").post("/households", body)

    # then it answers 422 in the API's error shape, naming the field, and nothing was stored
    assert response.status_code == 422
    problem = response.json()
    assert (problem["code"], problem["field"]) == ("INVALID", field)
    assert problem["message"].startswith(f"{field}: ")
    assert registry_fingerprint() == before


def test_a_body_that_is_not_json_is_refused_in_the_same_shape(api_as: Callable[[str], Api]) -> None:
    # when the body is not JSON at all
    response = api_as("village_clerk").call("POST", "/households", "{not json")

    # then the refusal has the API's error shape too
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID"
    assert set(response.json()) >= {"code", "message", "field"}


# --- changing a household ------------------------------------------------------------------


def test_an_update_changes_only_what_is_sent_and_the_audit_shows_before_and_after(
    api_as: Callable[[str], Api], personas: dict[str, Any]
) -> None:
    # given a household with land and a bank
    household = make_household(VILLAGE, cultivated_land_mu="3", bank_name="信用社")

    # when the clerk changes the cause, adds another, clears the land and sets a phone
    response = api_as("village_clerk").patch(
        f"/households/{household.pk}",
        {
            "main_cause": "disability",
            "other_causes": ["skills"],
            "cultivated_land_mu": None,
            "phone": "07438881234",
        },
    )

    # then those change, the rest stays, and the audit entry holds before and after
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["main_cause"], body["other_causes"], body["cultivated_land_mu"]) == (
        "disability",
        ["skills"],
        None,
    )
    assert (body["bank_name"], body["head_name"], body["phone_masked"]) == ("信用社", "石大哥", "074****1234")
    entry = AuditEntry.objects.get(action="registry.update_household")
    assert entry.actor == personas["village_clerk"]
    assert (entry.before["main_cause"], entry.after["main_cause"]) == ("illness", "disability")
    assert (entry.before["cultivated_land_mu"], entry.after["cultivated_land_mu"]) == ("3.00", None)
    assert "phone_enc" not in entry.after and "07438881234" not in str(entry.after)


def test_a_blank_choice_clears_it_and_a_null_head_name_is_refused(api_as: Callable[[str], Api]) -> None:
    # given a wooden house
    household = make_household(VILLAGE, housing_structure="wood")
    api = api_as("village_clerk")

    # when its structure is sent blank, and then its head's name as null
    cleared = api.patch(f"/households/{household.pk}", {"housing_structure": ""})
    nameless = api.patch(f"/households/{household.pk}", {"head_name": None})

    # then the structure is cleared but the name, which is required, is kept
    assert cleared.status_code == 200 and cleared.json()["housing_structure"] is None
    assert nameless.status_code == 400 and nameless.json()["code"] == "NAME_REQUIRED"
    household.refresh_from_db()
    assert (household.housing_structure, household.head_name) == ("", "石大哥")


def test_a_bad_phone_or_bank_account_is_refused_with_its_field(api_as: Callable[[str], Api]) -> None:
    household = make_household(VILLAGE)
    before = registry_fingerprint()

    # when a short phone and an account with letters are sent
    response = api_as("village_clerk").patch(
        f"/households/{household.pk}", {"phone": "12345", "bank_account": "62-17-AB"}
    )

    # then both are reported at once, each with its field, and nothing changed
    assert response.status_code == 400
    assert {(e["code"], e["field"]) for e in response.json()["errors"]} == {
        ("PHONE_FORMAT", "phone"),
        ("BAD_NUMBER", "bank_account"),
    }
    assert registry_fingerprint() == before
