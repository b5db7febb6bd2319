"""What the API fuzzer found, each pinned down: an unbounded offset, filters dropped without a
word, a screening started by any body and without limit, and two feed routes on one pattern."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings

from fupin.accounts.models import User
from fupin.api.pagination import MAX_OFFSET
from fupin.areas.models import Area
from fupin.cases.actions import do_open_identification
from fupin.core.models import Job
from fupin.core.personas import NEIGHBOUR_VILLAGE, OTHER_COUNTY, TOWNSHIP, VILLAGE
from fupin.screening.actions import do_start_screening
from fupin.screening.models import ScreeningRun
from tests.api.helpers import Api
from tests.cases.helpers import candidate


@pytest.mark.parametrize("path", ["/households", "/alerts", "/feeds"])
def test_an_offset_beyond_what_a_database_binds_is_a_validation_error(
    path: str, api_as: Callable[[str], Api]
) -> None:
    api = api_as("county_admin")
    # 2**63 was a 500: both databases bind OFFSET as a signed 64-bit integer.
    assert api.get(f"{path}?offset=9223372036854775808").status_code == 422
    assert api.get(f"{path}?offset={MAX_OFFSET + 1}").status_code == 422
    assert api.get(f"{path}?offset={MAX_OFFSET}").status_code == 200


@pytest.mark.parametrize(
    "path", ["/cases?areas=433124", "/households?village=1", "/screening/rules?yaer=2024", "/me?x=1"]
)
def test_an_unknown_query_parameter_is_refused_by_name(path: str, api_as: Callable[[str], Api]) -> None:
    response = api_as("county_admin").get(path)
    name = path.split("?")[1].split("=")[0]
    assert response.status_code == 422
    assert response.json()["code"] == "UNKNOWN_PARAMETER" and response.json()["field"] == name
    assert name in response.json()["message"]


def test_an_anonymous_caller_with_an_unknown_parameter_is_told_to_log_in() -> None:
    assert Api(None).get("/cases?areas=1").status_code == 401


def test_cases_filter_by_an_area_inside_the_callers(personas: dict[str, User], api_as: Any) -> None:
    here = candidate(VILLAGE, head_name="龙先")
    there = candidate(NEIGHBOUR_VILLAGE, head_name="石后")
    for household, clerk in ((here, "village_clerk"), (there, "neighbour_clerk")):
        do_open_identification(household, origin="application", reason="农户申请", actor=personas[clerk])
    api = api_as("county_admin")
    every = {c["household_id"] for c in api.get("/cases").json()}
    village = {c["household_id"] for c in api.get(f"/cases?area={VILLAGE}").json()}
    township = {c["household_id"] for c in api.get(f"/cases?area={TOWNSHIP}").json()}
    assert every == township == {here.pk, there.pk} and village == {here.pk}
    outside = api.get(f"/cases?area={OTHER_COUNTY}")
    assert outside.status_code == 404 and outside.json()["field"] == "area"
    # The village clerk cannot widen her view to the township.
    assert api_as("village_clerk").get(f"/cases?area={TOWNSHIP}").status_code == 404


def test_screening_rules_answer_for_the_area_asked(api_as: Any) -> None:
    api = api_as("county_admin")
    assert api.get(f"/screening/rules?area={VILLAGE}").json()["area_code"] == VILLAGE
    assert api.get("/screening/rules").json()["area_code"] == "433124000000"
    assert api.get(f"/screening/rules?area={OTHER_COUNTY}").status_code == 404


@pytest.mark.parametrize("body", ["[null,null]", '"x"', "123", "null", '{"area_code": 5}', '{"bogus": 1}'])
def test_a_screening_is_not_started_by_a_body_that_is_not_the_documented_object(
    body: str, api_as: Any
) -> None:
    response = api_as("county_admin").call("POST", "/screening/runs", body, content_type="application/json")
    assert response.status_code == 422
    assert ScreeningRun.objects.count() == 0


def test_an_empty_object_starts_a_screening_of_the_callers_area(api_as: Any) -> None:
    response = api_as("county_admin").post("/screening/runs", {})
    assert response.status_code == 202 and response.json()["area_code"] == "433124000000"


@override_settings(FUPIN_SCREENING_RUNS_PER_AREA_PER_HOUR=3)
def test_an_area_is_screened_at_most_the_set_number_of_times_an_hour(
    personas: dict[str, User], api_as: Any
) -> None:
    county = Area.objects.get(code="433124000000")
    for _ in range(3):
        run = do_start_screening(personas["county_admin"], area=county, start=False)
        # Finished at once, so the one-at-a-time rule does not stop the next.
        Job.objects.filter(pk=run.job_id).update(status=Job.Status.DONE)
    response = api_as("county_admin").post("/screening/runs", {})
    assert response.status_code == 429 and response.json()["code"] == "RUN_LIMIT"
    assert ScreeningRun.objects.count() == 3
    # Another area is not held back by this one.
    village = api_as("county_admin").post("/screening/runs", {"area_code": VILLAGE})
    assert village.status_code == 202
