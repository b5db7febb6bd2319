"""Monitoring pages for every persona: starting from the household page, each new step's form
only for who may take it, a denied post changing nothing, both kinds walked through the pages,
the list filtered by kind, and a case started from the alert that led to it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from fupin.accounts.models import User
from fupin.alerts import actions as alert_actions
from fupin.alerts.models import Alert
from fupin.assistance.measures import do_record_measure
from fupin.cases.models import Attachment, Case, CaseStep, Status, Step
from fupin.core.access import SYSTEM
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, OTHER_TOWNSHIP_VILLAGE
from fupin.registry.models import Household
from tests.cases.helpers import (
    advance_to,
    age_notice,
    elimination_candidate,
    monitoring_candidate,
    open_elimination,
    open_monitoring,
)

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


def expected(persona: str, allowed: set[str], success: int = 200) -> int:
    if persona in OUTSIDE:
        return 404
    return success if persona in allowed else 403


def state(case: Case) -> tuple[Any, ...]:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.step,
        fresh.household.status,
        CaseStep.objects.filter(case=case).count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def world(personas: dict[str, User]) -> dict[str, Any]:
    monitoring = open_monitoring(personas)
    elimination = open_elimination(personas)
    elsewhere = advance_to(
        open_monitoring(
            {"village_clerk": SYSTEM}, monitoring_candidate(OTHER_TOWNSHIP_VILLAGE), origin="screening"
        ),
        Step.COMPARISON,
        personas | {"village_clerk": SYSTEM, "first_secretary": SYSTEM},
    )
    return {"monitoring": monitoring, "elimination": elimination, "elsewhere": elsewhere}


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_monitoring_pages_answer_as_role_and_area_allow(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    client: Client = client_for(persona)
    for case in (world["monitoring"], world["elimination"]):
        assert client.get(f"/cases/{case.pk}/").status_code == expected(persona, READERS)
    ordinary = monitoring_candidate()
    monitored = world["elimination"].household
    monitor_page = client.get(f"/households/{ordinary.pk}/cases/new/?kind=monitoring")
    assert monitor_page.status_code == expected(persona, VILLAGE_ACTORS)
    eliminate_page = client.get(f"/households/{monitored.pk}/cases/new/?kind=elimination")
    assert eliminate_page.status_code == expected(persona, VILLAGE_ACTORS)
    if persona in VILLAGE_ACTORS:
        assert b'value="cadre_check"' in monitor_page.content
        assert b'name="origin"' not in eliminate_page.content
    # A case of another township: county-wide readers see it, the rest get 404 or 403.
    county_wide = persona in {"county_admin", "org_dept", "supervisor"}
    other = client.get(f"/cases/{world['elsewhere'].pk}/").status_code
    assert other == (200 if county_wide else 403 if persona == "dept_provider" else 404)


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_the_household_page_offers_the_case_its_status_leads_to(
    persona: str, personas: dict[str, User], client_for: Any
) -> None:
    client: Client = client_for(persona)
    households = {
        "none": monitoring_candidate(),
        "exited": monitoring_candidate(status="exited"),
        "eliminated": monitoring_candidate(status="eliminated"),
        "monitored": elimination_candidate(),
        "poor": monitoring_candidate(status="poor"),
    }
    for status, household in households.items():
        page = client.get(f"/households/{household.pk}/")
        if page.status_code != 200:
            assert persona in OUTSIDE | {"dept_provider"}
            continue
        start = f"/households/{household.pk}/cases/new/"
        acts = persona in VILLAGE_ACTORS
        html = page.content.decode()
        assert (f'{start}?kind=monitoring"' in html) == (acts and status in {"none", "exited", "eliminated"})
        assert (f'{start}?kind=elimination"' in html) == (acts and status == "monitored")


@pytest.mark.parametrize("persona", ALL_USERNAMES)
@pytest.mark.parametrize(
    ("kind", "step", "allowed", "form"),
    [
        (
            "monitoring",
            Step.AUTHORISATION,
            VILLAGE_ACTORS,
            {"action": "authorise", "signed_by": "石大哥", "signed_on": "2024-06-01"},
        ),
        (
            "monitoring",
            Step.COMPARISON,
            {"township_officer"},
            {"action": "compare", "findings": "比对无异常"},
        ),
        (
            "monitoring",
            Step.TAGGING,
            VILLAGE_ACTORS,
            {"action": "tag", "category": "edge", "risk_types": ["illness", "disaster"]},
        ),
        ("elimination", Step.TAGGING, VILLAGE_ACTORS, {"action": "tag", "way": "natural"}),
    ],
    ids=["authorise", "compare", "tag-monitoring", "tag-elimination"],
)
def test_each_new_form_only_for_who_may_take_the_step_and_a_denied_post_changes_nothing(
    persona: str,
    personas: dict[str, User],
    client_for: Any,
    kind: str,
    step: str,
    allowed: set[str],
    form: dict[str, Any],
) -> None:
    opener = open_monitoring if kind == "monitoring" else open_elimination
    case = advance_to(opener(personas), step, personas)
    client: Client = client_for(persona)
    page = client.get(f"/cases/{case.pk}/")
    if page.status_code == 200:
        assert (f'value="{form["action"]}"'.encode() in page.content) == (persona in allowed)
    before = state(case)
    response = client.post(f"/cases/{case.pk}/act/", form)
    if persona in allowed:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert state(case) != before
        return
    assert response.status_code == expected(persona, set())
    assert state(case) == before


def test_a_monitoring_case_through_the_pages(
    personas: dict[str, User], client_for: Any, tmp_path: Any, settings: Any
) -> None:
    settings.FUPIN_FILES_DIR = tmp_path
    clerk, township, county = (
        client_for("village_clerk"),
        client_for("township_officer"),
        client_for("county_admin"),
    )
    household = monitoring_candidate(status="exited")
    start = f"/households/{household.pk}/cases/new/?kind=monitoring"
    refused = clerk.post(start, {"origin": "nomination", "reason": "干部排查"})
    assert refused.status_code == 400 and not Case.objects.exists()
    assert clerk.post(start, {"origin": "cadre_check", "reason": "干部排查发现因病风险"}).status_code == 302
    case = Case.objects.get(household=household)
    assert (case.kind, case.origin) == ("monitoring", "cadre_check")
    act = f"/cases/{case.pk}/act/"
    today = timezone.localdate().isoformat()
    assert clerk.post(act, {"action": "verify", "remarks": "入户核查"}).status_code == 302
    assert b'enctype="multipart/form-data"' in clerk.get(f"/cases/{case.pk}/").content
    scan = SimpleUploadedFile("承诺授权书.jpg", b"\xff\xd8scan", content_type="image/jpeg")
    assert (
        clerk.post(
            act, {"action": "authorise", "signed_by": "石大哥", "signed_on": today, "file": scan}
        ).status_code
        == 302
    )
    assert Attachment.objects.get(case=case).step == "authorisation"
    no_findings = township.post(act, {"action": "compare", "findings": ""})
    assert no_findings.status_code == 400
    assert (
        township.post(
            act, {"action": "compare", "findings": "无车辆、商品房", "category": "unstable"}
        ).status_code
        == 302
    )
    meeting = {
        "action": "meeting",
        "held_on": today,
        "representatives_total": "30",
        "representatives_present": "25",
        "votes_for": "20",
    }
    assert clerk.post(act, meeting).status_code == 302
    assert clerk.post(act, {"action": "post_notice", "starts_on": today}).status_code == 302
    age_notice(Case.objects.get(pk=case.pk))
    assert clerk.post(act, {"action": "close_notice"}).status_code == 302
    assert township.post(act, {"action": "approve"}).status_code == 302
    assert county.post(act, {"action": "approve"}).status_code == 302
    page = clerk.get(f"/cases/{case.pk}/").content.decode()
    assert 'value="tag"' in page and 'name="risk_types" value="water"' in page
    too_many = clerk.post(
        act,
        {
            "action": "tag",
            "category": "unstable",
            "risk_types": ["illness", "schooling", "disability", "disaster", "accident", "water"],
        },
    )
    assert too_many.status_code == 400
    assert Case.objects.get(pk=case.pk).step == Step.TAGGING
    # A 因安全饮水 risk is tagged only with a 饮水安全保障 measure on file (domain.md §5).
    do_record_measure(
        household,
        {"kind": "water", "day": timezone.localdate().isoformat(), "amount": "800", "description": "水窖"},
        actor=SYSTEM,
    )
    tagged = clerk.post(act, {"action": "tag", "category": "unstable", "risk_types": ["illness", "water"]})
    assert tagged.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.category) == (Status.COMPLETED, "unstable")
    assert Household.objects.get(pk=household.pk).status == "monitored"
    shown = township.get(f"/cases/{case.pk}/").content.decode()
    assert "石大哥" in shown and "无车辆、商品房" in shown
    assert f"/cases/{case.pk}/".encode() in clerk.get("/cases/?status=all&kind=monitoring").content
    assert f"/cases/{case.pk}/".encode() not in clerk.get("/cases/?status=all&kind=elimination").content
    assert b'value="monitoring"' in clerk.get("/cases/").content  # the kind filter offers it


def test_a_risk_elimination_through_the_pages(personas: dict[str, User], client_for: Any) -> None:
    clerk, township, county = (
        client_for("first_secretary"),
        client_for("township_officer"),
        client_for("county_admin"),
    )
    household = elimination_candidate()
    assert clerk.get(f"/households/{household.pk}/cases/new/").status_code == 200  # elimination by default
    assert clerk.post(f"/households/{household.pk}/cases/new/", {"reason": "收入稳定"}).status_code == 302
    case = Case.objects.get(household=household)
    assert case.kind == "elimination"
    act = f"/cases/{case.pk}/act/"
    assert b'name="spending_resolved"' in clerk.get(f"/cases/{case.pk}/").content
    assert clerk.post(act, {"action": "verify", "spending_resolved": "on"}).status_code == 302
    case = advance_to(Case.objects.get(pk=case.pk), Step.TOWNSHIP_REVIEW, personas)
    assert township.post(act, {"action": "approve"}).status_code == 302
    assert county.post(act, {"action": "approve"}).status_code == 302
    assert clerk.post(act, {"action": "tag"}).status_code == 400
    assert clerk.post(act, {"action": "tag", "way": "assisted"}).status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.elimination_way) == (Status.COMPLETED, "assisted")
    assert Household.objects.get(pk=household.pk).status == "eliminated"


def test_an_elimination_home_check_without_the_box_ticked_records_unresolved_spending(
    personas: dict[str, User], client_for: Any
) -> None:
    case = open_elimination(personas)
    assert client_for("village_clerk").post(f"/cases/{case.pk}/act/", {"action": "verify"}).status_code == 302
    assert Case.objects.get(pk=case.pk).verification.spending_resolved is False
    other = open_monitoring(personas)
    assert (
        client_for("village_clerk").post(f"/cases/{other.pk}/act/", {"action": "verify"}).status_code == 302
    )
    assert Case.objects.get(pk=other.pk).verification.spending_resolved is True  # not asked


def _visited_alert(personas: dict[str, User], household: Household) -> Alert:
    alert = alert_actions.do_record_cadre_check(
        household, "因病住院，自付费用高", actor=personas["village_clerk"]
    )
    return alert_actions.do_record_visit(alert, "入户核查属实", actor=personas["first_secretary"])


def test_a_monitoring_case_started_from_its_alert_decides_the_alert(
    personas: dict[str, User], client_for: Any
) -> None:
    household = monitoring_candidate()
    alert = _visited_alert(personas, household)
    clerk = client_for("village_clerk")
    start = f"/households/{household.pk}/cases/new/?kind=monitoring&alert={alert.pk}"
    assert f'name="alert_id" value="{alert.pk}"' in clerk.get(start).content.decode()
    response = clerk.post(
        start, {"origin": "cadre_check", "reason": "因病住院，纳入监测", "alert_id": alert.pk}
    )
    assert response.status_code == 302
    case = Case.objects.get(household=household)
    alert.refresh_from_db()
    assert (alert.status, alert.case_id, alert.decision_notes) == (
        "case_started",
        case.pk,
        "因病住院，纳入监测",
    )


def test_an_alert_not_yet_visited_starts_no_case(personas: dict[str, User], client_for: Any) -> None:
    household = monitoring_candidate()
    alert = alert_actions.do_record_cadre_check(household, "因灾房屋受损", actor=personas["village_clerk"])
    response = client_for("village_clerk").post(
        f"/households/{household.pk}/cases/new/?kind=monitoring",
        {"origin": "cadre_check", "reason": "因灾", "alert_id": alert.pk},
    )
    assert response.status_code == 400
    assert not Case.objects.exists()
    alert.refresh_from_db()
    assert alert.status == "open" and alert.case_id is None
