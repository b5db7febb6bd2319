"""/api/v1/alerts for every persona: exact status codes, nothing changed by a denied call, the
same 404 outside the area as for a missing alert, audited writes, and a documented schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fupin.accounts.models import User
from fupin.alerts.models import Alert, AlertStatus
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, VILLAGE
from tests.alerts.helpers import OUTSIDE, READERS, TRIAGERS, age_alert, expected, screened
from tests.api.helpers import BASE, NOT_FOUND_BODY, Api
from tests.conftest import make_household

VIEWERS = READERS | OUTSIDE


def state(alert: Alert) -> tuple[Any, ...]:
    fresh = Alert.objects.get(pk=alert.pk)
    return (
        fresh.status,
        fresh.visit_notes,
        fresh.dismiss_reason,
        AuditEntry.objects.count(),
        Alert.objects.count(),
    )


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_reads_answer_as_role_and_area_allow(
    persona: str, personas: dict[str, User], api_as: Callable[[str], Api]
) -> None:
    alert = screened(make_household(VILLAGE, head_name="施成富"), cost=31200)
    api = api_as(persona)
    listed = api.get("/alerts")
    assert listed.status_code == (200 if persona in VIEWERS else 403)
    if listed.status_code == 200:
        ids = [a["id"] for a in listed.json()["items"]]
        assert (alert.pk in ids) == (persona in READERS)
    detail = api.get(f"/alerts/{alert.pk}")
    assert detail.status_code == expected(persona, READERS)
    if persona in OUTSIDE:
        assert detail.json() == NOT_FOUND_BODY == api.get(f"/alerts/{alert.pk + 999}").json()
    if detail.status_code == 200:
        body = detail.json()
        assert body["head_name"] == "施成富" and body["evidence"] == {"cost": 31200}
        assert body["channel"] == "screening" and body["status"] == "open" and body["overdue"] is False
        assert body["can_triage"] == (persona in TRIAGERS)
    counts = api.get("/alerts/overdue")
    assert counts.status_code == (200 if persona in VIEWERS else 403)


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_writes_answer_as_role_and_area_allow_and_a_refusal_changes_nothing(
    persona: str, personas: dict[str, User], api_as: Callable[[str], Api]
) -> None:
    api = api_as(persona)
    home = make_household(VILLAGE)
    alert = screened(home)
    before = state(alert)
    check = api.post("/alerts/cadre-checks", {"household_id": home.pk, "summary": "户主摔伤"})
    allowed_check = 201 if persona in TRIAGERS else (404 if persona == "neighbour_clerk" else 403)
    assert check.status_code == allowed_check, check.content
    visit = api.post(f"/alerts/{alert.pk}/visit", {"notes": "入户核实"})
    assert visit.status_code == expected(persona, TRIAGERS), visit.content
    dismiss = api.post(f"/alerts/{alert.pk}/dismiss", {"reason": "无风险"})
    assert dismiss.status_code == expected(persona, TRIAGERS)
    if persona not in TRIAGERS:
        assert state(alert) == before
        return
    assert dismiss.json()["status"] == "dismissed" and dismiss.json()["dismiss_reason"] == "无风险"
    actions = list(
        AuditEntry.objects.filter(action__startswith="alerts.", actor=personas[persona])
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["alerts.record_cadre_check", "alerts.record_visit", "alerts.dismiss"]


def test_triage_through_the_api(personas: dict[str, User], api_as: Callable[[str], Api]) -> None:
    api = api_as("first_secretary")
    alert = screened(make_household(VILLAGE))
    early = api.post(f"/alerts/{alert.pk}/start-case", {"notes": "纳入"})
    assert early.status_code == 400 and early.json()["code"] == "VISIT_FIRST"
    no_reason = api.post(f"/alerts/{alert.pk}/dismiss", {"reason": " "})
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "DISMISS_REASON_REQUIRED"
    assert api.post(f"/alerts/{alert.pk}/visit", {"notes": "住院自付三万"}).status_code == 200
    again = api.post(f"/alerts/{alert.pk}/visit", {"notes": "再次"})
    assert again.status_code == 409 and again.json()["code"] == "ALREADY_VISITED"
    started = api.post(f"/alerts/{alert.pk}/start-case", {"notes": "因病，纳入监测"})
    assert started.status_code == 200 and started.json()["status"] == "case_started"
    late = api_as("village_clerk").post(f"/alerts/{alert.pk}/dismiss", {"reason": "重复"})
    assert late.status_code == 409 and late.json()["code"] == "ALREADY_DECIDED"
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.CASE_STARTED


def test_the_list_filters_and_puts_overdue_first(
    personas: dict[str, User], api_as: Callable[[str], Api]
) -> None:
    on_time = screened(make_household(VILLAGE), rule="dibao_edge")
    late = age_alert(screened(make_household(VILLAGE)), 20)
    api = api_as("township_officer")
    items = api.get("/alerts").json()["items"]
    assert [a["id"] for a in items] == [late.pk, on_time.pk]
    assert items[0]["visit_late"] and items[0]["decision_late"] and not items[1]["overdue"]
    assert [a["id"] for a in api.get("/alerts?overdue=true").json()["items"]] == [late.pk]
    assert [a["id"] for a in api.get("/alerts?rule=dibao_edge").json()["items"]] == [on_time.pk]
    assert api.get("/alerts?limit=1").json()["count"] == 2
    assert api.get("/alerts?area=433124102000").status_code == 404  # another township
    counts = api.get("/alerts/overdue").json()
    assert counts["villages"] == [
        {
            "code": VILLAGE,
            "name": "十八洞村",
            "active": 2,
            "visit_overdue": 1,
            "decision_overdue": 1,
            "overdue": 1,
        }
    ]
    assert counts["townships"][0]["code"] == "433124110000"


def test_the_alert_endpoints_are_documented() -> None:
    document = Api(None).get("/openapi.json").json()
    paths = {
        p.removeprefix(BASE): m
        for p, m in document["paths"].items()
        if p.removeprefix(BASE).startswith("/alerts")
    }
    assert {p: set(m) for p, m in paths.items()} == {
        "/alerts": {"get"},
        "/alerts/overdue": {"get"},
        "/alerts/cadre-checks": {"post"},
        "/alerts/{alert_id}": {"get"},
        "/alerts/{alert_id}/visit": {"post"},
        "/alerts/{alert_id}/dismiss": {"post"},
        "/alerts/{alert_id}/start-case": {"post"},
    }
    for path, methods in paths.items():
        for method, operation in methods.items():
            where = f"{method} {path}"
            assert operation.get("summary") and operation.get("description"), where
            assert operation.get("security") == [{"BearerToken": []}], where
            assert {"401", "403", "404"} <= set(operation["responses"]), where
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), (where, parameter["name"])
