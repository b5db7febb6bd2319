"""The API of a household's visits and measures, for every persona: reading by role inside the
area, 404 outside like a missing household, recording by role, area and pairing (a cadre only
for the households paired to them), a refusal changing nothing, the rules' error codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from fupin.accounts.actions import do_issue_token
from fupin.accounts.models import User
from fupin.assistance.models import Measure, Visit
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, FULL_NAMES
from tests.api.helpers import Api
from tests.assistance.conftest import OUTSIDE, READERS, RECORDERS, World, pair

TODAY = timezone.localdate()


@pytest.fixture
def api_as(personas: dict[str, User]) -> Callable[[str], Api]:
    tokens = {name: do_issue_token(user, actor=user) for name, user in personas.items()}
    return lambda persona: Api(tokens[persona])


def expected(persona: str, allowed: set[str], ok: int = 200) -> int:
    if persona in OUTSIDE:
        return 404
    return ok if persona in allowed else 403


def state() -> tuple[int, int, int]:
    return Measure.objects.count(), Visit.objects.count(), AuditEntry.objects.count()


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_reading_visits_and_measures(persona: str, world: World, api_as: Callable[[str], Api]) -> None:
    api = api_as(persona)
    Visit.objects.create(
        household=world.home,
        area_id=world.home.area_id,
        day=TODAY,
        visitor_name="吴队员",
        discussed="危房改造",
    )
    Measure.objects.create(
        household=world.home,
        area_id=world.home.area_id,
        kind="housing",
        day=TODAY,
        amount="20000",
        description="危改补助",
    )
    for what in ("visits", "measures"):
        response = api.get(f"/households/{world.home.pk}/{what}")
        assert response.status_code == expected(persona, READERS), (what, persona)
        missing = api.get(f"/households/987654321/{what}")
        assert missing.status_code == (403 if persona == "dept_provider" else 404)
        if persona in OUTSIDE:
            assert response.json() == missing.json()
    if persona in READERS:
        visits = api.get(f"/households/{world.home.pk}/visits").json()
        assert visits["visits_this_year"] == 1 and visits["minimum"] == 4
        assert visits["items"][0]["discussed"] == "危房改造" and visits["last_visit"] == TODAY.isoformat()
        assert visits["can_record"] == (persona in RECORDERS)
        measures = api.get(f"/households/{world.home.pk}/measures").json()
        assert measures["count_this_year"] == 1 and measures["amount_this_year"] == "20000.00"
        assert measures["items"][0]["kind"] == "housing"
        unpaired = api.get(f"/households/{world.unpaired.pk}/visits").json()
        assert unpaired["can_record"] == (persona in RECORDERS - {"cadre"})


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_recording_visits_and_measures(persona: str, world: World, api_as: Callable[[str], Api]) -> None:
    api = api_as(persona)
    visit = {"day": TODAY.isoformat(), "discussed": "产业发展", "done": "送去化肥"}
    measure = {"kind": "industry", "day": TODAY.isoformat(), "amount": "1500.5", "description": "养牛补助"}
    for what, body in (("visits", visit), ("measures", measure)):
        before = state()
        response = api.post(f"/households/{world.home.pk}/{what}", body)
        assert response.status_code == expected(persona, RECORDERS, 201), (what, persona, response.json())
        if response.status_code == 201:
            assert state() != before
        else:
            assert state() == before
            assert response.json()["code"] in {"NOT_FOUND", "PERMISSION_DENIED"}
        # The unpaired household: everyone as above, except the cadre.
        before = state()
        other = api.post(f"/households/{world.unpaired.pk}/{what}", body)
        assert other.status_code == expected(persona, RECORDERS - {"cadre"}, 201), (what, persona)
        if persona == "cadre":
            assert other.json()["code"] == "NOT_PAIRED" and state() == before
    if persona in RECORDERS:
        saved = Measure.objects.filter(household=world.home).get()
        assert str(saved.amount) == "1500.50" and saved.recorded_by == world.personas[persona]
        assert saved.responsible_id == (world.pairing.pk if persona == "cadre" else None)
        assert Visit.objects.filter(household=world.home).get().visitor_name == FULL_NAMES[persona]


def test_what_the_recording_answers(world: World, api_as: Callable[[str], Api]) -> None:
    api = api_as("cadre")
    body = api.post(
        f"/households/{world.home.pk}/visits",
        {"day": TODAY.isoformat(), "discussed": "产业发展", "visitor_name": "彭学明"},
    ).json()
    assert body["visitor_name"] == "彭学明" and body["visitor"] == "cadre" and body["done"] == ""
    body = api.post(
        f"/households/{world.home.pk}/measures",
        {"kind": "education", "day": TODAY.isoformat(), "description": "雨露计划"},
    ).json()
    assert body["responsible_id"] == world.pairing.pk and body["responsible_name"] == "彭学明"
    assert body["amount"] == "0.00" and body["recorded_by"] == "cadre"


def test_the_rules_answer_400_with_their_codes(world: World, api_as: Callable[[str], Api]) -> None:
    api = api_as("village_clerk")
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    other = pair(world.unpaired, name="吴队员")
    before = state()
    for what, body, code, field in (
        ("visits", {"day": tomorrow, "discussed": "x"}, "DATE_IN_FUTURE", "day"),
        ("visits", {"day": TODAY.isoformat(), "discussed": ""}, "DISCUSSED_REQUIRED", "discussed"),
        ("measures", {"kind": "industry", "day": tomorrow, "description": "x"}, "DATE_IN_FUTURE", "day"),
        (
            "measures",
            {"kind": "industry", "day": TODAY.isoformat(), "amount": "-1", "description": "x"},
            "NEGATIVE_AMOUNT",
            "amount",
        ),
        (
            "measures",
            {"kind": "industry", "day": TODAY.isoformat(), "amount": "1.001", "description": "x"},
            "BAD_AMOUNT",
            "amount",
        ),
        (
            "measures",
            {"kind": "nope", "day": TODAY.isoformat(), "description": "x"},
            "UNKNOWN_CHOICE",
            "kind",
        ),
        (
            "measures",
            {"kind": "industry", "day": TODAY.isoformat(), "description": "x", "responsible_id": other.pk},
            "RESPONSIBLE_NOT_PAIRED",
            "responsible",
        ),
        (
            "measures",
            {"kind": "industry", "day": TODAY.isoformat(), "description": "x", "project_id": 999999},
            "PROJECT_OUTSIDE",
            "project",
        ),
    ):
        response = api.post(f"/households/{world.home.pk}/{what}", body)
        assert response.status_code == 400, (body, response.json())
        assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert (
        api.post(f"/households/{world.home.pk}/visits", {"day": "soon", "discussed": "x"}).status_code == 422
    )
    assert state() == before


def test_without_a_token_nothing_is_read_or_written(world: World) -> None:
    api = Api(None)
    assert api.get(f"/households/{world.home.pk}/visits").status_code == 401
    assert (
        api.post(
            f"/households/{world.home.pk}/visits", {"day": TODAY.isoformat(), "discussed": "x"}
        ).status_code
        == 401
    )
    assert not Visit.objects.exists()
