"""/api/v1/cases for every persona: exact status codes, nothing changed by a denied call, the
same 404 outside the area as for a missing case, and a whole case driven through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from fupin.accounts.models import User
from fupin.cases.models import Case, CaseStep, Step
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES
from tests.api.helpers import NOT_FOUND_BODY, Api
from tests.cases.helpers import MEETING, advance_to, age_notice, candidate, open_identification

READERS = {
    "county_admin",
    "org_dept",
    "township_officer",
    "village_clerk",
    "first_secretary",
    "cadre",
    "supervisor",
}
OUTSIDE = {"outsider", "neighbour_clerk"}
VILLAGE_ACTORS = {"village_clerk", "first_secretary"}


def refused(persona: str, allowed: set[str], success: int = 200) -> int:
    if persona in allowed:
        return success
    return 404 if persona in OUTSIDE else 403


def state(case: Case) -> tuple[Any, ...]:
    fresh = Case.objects.get(pk=case.pk)
    return fresh.status, fresh.step, CaseStep.objects.filter(case=case).count(), AuditEntry.objects.count()


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_reads_answer_as_role_and_area_allow(
    persona: str, personas: dict[str, User], api_as: Callable[[str], Api]
) -> None:
    case = open_identification(personas)
    api = api_as(persona)
    listed = api.get("/cases")
    role_reads = persona in READERS or persona in OUTSIDE
    assert listed.status_code == (200 if role_reads else 403)
    if listed.status_code == 200:
        assert (case.pk in [c["id"] for c in listed.json()]) == (persona in READERS)
    detail = api.get(f"/cases/{case.pk}")
    assert detail.status_code == refused(persona, READERS)
    if persona in OUTSIDE:
        assert detail.json() == NOT_FOUND_BODY == api.get(f"/cases/{case.pk + 999}").json()
    if detail.status_code == 200:
        body = detail.json()
        assert body["step"] == "verification" and body["can_act"] == (persona in VILLAGE_ACTORS)
        assert {r["code"] for r in body["rules"]} >= {"income_below_line", "no_vehicle"}


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_writes_answer_as_role_and_level_allow_and_a_refusal_changes_nothing(
    persona: str, personas: dict[str, User], api_as: Callable[[str], Api]
) -> None:
    api = api_as(persona)
    household = candidate()
    opened = api.post(
        "/cases/identification", {"household_id": household.pk, "origin": "application", "reason": "申请"}
    )
    assert opened.status_code == refused(persona, VILLAGE_ACTORS, 201), opened.content
    case = Case.objects.filter(household=household).first() or open_identification(personas, household)
    before = state(case)
    verified = api.post(f"/cases/{case.pk}/verification", {"remarks": "核实"})
    assert verified.status_code == refused(persona, VILLAGE_ACTORS)
    if persona not in VILLAGE_ACTORS:
        assert state(case) == before
    case = advance_to(Case.objects.get(pk=case.pk), Step.TOWNSHIP_REVIEW, personas)
    before = state(case)
    approved = api.post(f"/cases/{case.pk}/approve", {"remarks": "通过"})
    assert approved.status_code == refused(persona, {"township_officer"})
    if persona != "township_officer":
        assert state(case) == before
        rejected = api.post(f"/cases/{case.pk}/reject", {"reason": "不应成功"})
        assert rejected.status_code == refused(persona, set())
        assert state(case) == before


def test_a_case_through_the_api(personas: dict[str, User], api_as: Callable[[str], Api]) -> None:
    clerk, township, county = api_as("village_clerk"), api_as("township_officer"), api_as("county_admin")
    household = candidate()
    body = clerk.post(
        "/cases/identification", {"household_id": household.pk, "origin": "nomination", "reason": "提名"}
    ).json()
    cid = body["id"]
    assert body["path"][0] == "verification"
    assert clerk.post(f"/cases/{cid}/verification", {"non_productive_vehicle": True}).status_code == 200
    assert (
        clerk.post(
            f"/cases/{cid}/review-meeting",
            {**MEETING, "representatives_present": 5, "votes_for": 5, "votes_against": 0, "votes_abstain": 0},
        ).json()["code"]
        == "QUORUM_NOT_MET"
    )
    assert clerk.post(f"/cases/{cid}/review-meeting", MEETING).json()["step"] == "notice1"
    today = timezone.localdate().isoformat()
    assert clerk.post(f"/cases/{cid}/notice", {"starts_on": today}).json()["notices"][0]["days_left"] == 7
    objection = clerk.post(f"/cases/{cid}/objections", {"raised_by": "龙三", "content": "有车"})
    assert objection.status_code == 201
    oid = objection.json()["notices"][0]["objections"][0]["id"]
    age_notice(Case.objects.get(pk=cid))
    blocked = clerk.post(f"/cases/{cid}/notice/close", {})
    assert blocked.status_code == 400 and blocked.json()["code"] == "OBJECTIONS_OPEN"
    assert clerk.post(f"/cases/{cid}/objections/{oid}/answer", {"answer": "农用车"}).status_code == 200
    assert clerk.post(f"/cases/{cid}/notice/close", {}).json()["step"] == "township"
    stopped = township.post(f"/cases/{cid}/approve", {})
    assert stopped.status_code == 400 and stopped.json()["code"] == "RULES_FAILED"
    overridden = township.post(f"/cases/{cid}/rules/no_vehicle/override", {"reason": "农用运输车"})
    rule = next(r for r in overridden.json()["rules"] if r["code"] == "no_vehicle")
    assert rule["override_reason"] == "农用运输车" and rule["overridden_by"] == "township_officer"
    assert township.post(f"/cases/{cid}/approve", {}).json()["step"] == "notice2"
    case = advance_to(Case.objects.get(pk=cid), Step.COUNTY_APPROVAL, personas)
    assert county.post(f"/cases/{cid}/approve", {}).json()["step"] == "announcement"
    done = clerk.post(f"/cases/{cid}/announce", {"announced_on": today}).json()
    assert done["status"] == "completed"
    case.household.refresh_from_db()
    assert case.household.status == "poor"
    again = county.post(f"/cases/{cid}/approve", {})
    # The county's approval was given already: who gave it and when (issue 13).
    assert again.status_code == 409 and again.json()["code"] == "ALREADY_DECIDED"
