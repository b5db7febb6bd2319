"""Case pages for every persona: reading by role inside the area, 404 outside like a missing
case, each step's form only for who may take it, and a denied post changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fupin.accounts.models import User
from fupin.cases import actions
from fupin.cases.models import Case, CaseStep, Status, Step
from fupin.core.access import SYSTEM
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, OTHER_TOWNSHIP_VILLAGE
from tests.cases.helpers import advance_to, age_notice, candidate, open_identification

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


def expected_read(persona: str) -> int:
    if persona in OUTSIDE:
        return 404
    return 200 if persona in READERS else 403


@pytest.fixture
def world(personas: dict[str, User]) -> dict[str, Any]:
    case = open_identification(personas)
    elsewhere = actions.do_open_identification(
        candidate(OTHER_TOWNSHIP_VILLAGE), origin="nomination", reason="龙潭镇", actor=SYSTEM
    )
    return {"case": case, "elsewhere": elsewhere}


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_case_pages_answer_as_role_and_area_allow(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    client: Client = client_for(persona)
    case = world["case"]
    missing = Case.objects.order_by("-pk").first().pk + 100
    role_reads = persona in READERS or persona == "outsider" or persona == "neighbour_clerk"
    assert client.get("/cases/").status_code == (200 if role_reads else 403)
    assert client.get(f"/cases/{case.pk}/").status_code == expected_read(persona)
    assert client.get(f"/cases/{missing}/").status_code == (404 if role_reads else 403)
    starts = client.get(f"/households/{case.household_id}/cases/new/").status_code
    assert starts == (200 if persona in VILLAGE_ACTORS else (404 if persona in OUTSIDE else 403))
    settings_page = client.get("/settings/cases/").status_code
    assert settings_page == (200 if persona == "county_admin" else 403 if persona != "outsider" else 200)


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_a_case_outside_the_area_answers_like_a_missing_one(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    client: Client = client_for(persona)
    if persona in {"county_admin", "org_dept", "supervisor", "dept_provider"}:
        return  # their area holds both villages, or their role reads no case at all
    missing = Case.objects.order_by("-pk").first().pk + 100
    outside = client.get(f"/cases/{world['elsewhere'].pk}/")
    absent = client.get(f"/cases/{missing}/")
    assert outside.status_code == absent.status_code == 404


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_only_village_actors_get_the_verification_form_and_may_post_it(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    client: Client = client_for(persona)
    case = world["case"]
    page = client.get(f"/cases/{case.pk}/")
    if page.status_code == 200:
        assert (b'value="verify"' in page.content) == (persona in VILLAGE_ACTORS)
    audit_before = AuditEntry.objects.count()
    response = client.post(f"/cases/{case.pk}/act/", {"action": "verify", "remarks": "核实"})
    fresh = Case.objects.get(pk=case.pk)
    if persona in VILLAGE_ACTORS:
        assert response.status_code == 302 and fresh.step == Step.REVIEW
        return
    assert response.status_code == (404 if persona in OUTSIDE else 403)
    assert fresh.step == Step.VERIFICATION
    assert AuditEntry.objects.count() == audit_before
    assert CaseStep.objects.filter(case=case).count() == 1


def test_the_whole_identification_through_the_pages(personas: dict[str, User], client_for: Any) -> None:
    clerk, township, county = (
        client_for("village_clerk"),
        client_for("township_officer"),
        client_for("county_admin"),
    )
    household = candidate()
    response = clerk.post(
        f"/households/{household.pk}/cases/new/", {"origin": "application", "reason": "农户申请"}
    )
    case = Case.objects.get(household=household)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    today = timezone.localdate().isoformat()
    act = f"/cases/{case.pk}/act/"
    assert clerk.post(act, {"action": "verify"}).status_code == 302
    meeting = {
        "action": "meeting",
        "held_on": today,
        "representatives_total": "30",
        "representatives_present": "12",
        "votes_for": "12",
    }
    refused = clerk.post(act, meeting)
    assert refused.status_code == 400 and b"2/3" in refused.content
    assert clerk.post(act, {**meeting, "representatives_present": "25", "votes_for": "20"}).status_code == 302
    assert clerk.post(act, {"action": "post_notice", "starts_on": today}).status_code == 302
    early = clerk.post(act, {"action": "close_notice"})
    assert early.status_code == 400
    assert Case.objects.get(pk=case.pk).step == Step.FIRST_NOTICE
    assert clerk.post(act, {"action": "objection", "raised_by": "龙三", "content": "有车"}).status_code == 302
    objection = case.notices.get().objections.get()
    assert (
        clerk.post(act, {"action": "answer", "objection": objection.pk, "answer": "农用车"}).status_code
        == 302
    )
    page = township.get(f"/cases/{case.pk}/")
    assert "龙三".encode() in page.content and "农用车".encode() in page.content
    age_notice(Case.objects.get(pk=case.pk))
    assert clerk.post(act, {"action": "close_notice"}).status_code == 302
    assert b'value="approve"' in township.get(f"/cases/{case.pk}/").content
    assert township.post(act, {"action": "approve"}).status_code == 302
    case = advance_to(Case.objects.get(pk=case.pk), Step.COUNTY_APPROVAL, personas)
    assert county.post(act, {"action": "reject", "reason": ""}).status_code == 400
    assert county.post(act, {"action": "approve", "remarks": "审定"}).status_code == 302
    assert clerk.post(act, {"action": "announce", "announced_on": today}).status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.status == Status.COMPLETED and case.household.status == "poor"
    assert f"/cases/{case.pk}/".encode() in clerk.get("/cases/?status=all").content
    assert f"/cases/{case.pk}/".encode() in clerk.get(f"/households/{household.pk}/").content


def test_the_settings_page_sets_a_local_value(personas: dict[str, User], client_for: Any) -> None:
    admin = client_for("county_admin")
    response = admin.post("/settings/cases/?area=433124110226", {"notice_days": "10", "quorum": "2/3"})
    assert response.status_code == 302
    from fupin.cases.area_settings import setting_for

    assert setting_for("433124110226", "notice_days") == 10
    assert setting_for("433124110201", "notice_days") == 7
    bad = admin.post("/settings/cases/?area=433124110226", {"notice_days": "2"})
    assert bad.status_code == 400 and setting_for("433124110226", "notice_days") == 10
    assert admin.get("/settings/cases/?area=433122000000").status_code == 404


def test_attachments_upload_and_download_inside_the_area_only(
    personas: dict[str, User], world: dict[str, Any], client_for: Any, tmp_path: Any, settings: Any
) -> None:
    settings.FUPIN_FILES_DIR = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = world["case"]
    clerk = client_for("village_clerk")
    upload = SimpleUploadedFile("会议记录.txt", "民主评议会议记录".encode(), content_type="text/plain")
    assert clerk.post(f"/cases/{case.pk}/attachments/", {"file": upload}).status_code == 302
    attachment = case.attachments.get()
    assert attachment.name == "会议记录.txt"
    download = clerk.get(f"/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == "民主评议会议记录".encode()
    assert client_for("neighbour_clerk").get(f"/attachments/{attachment.pk}/").status_code == 404
    cadre_upload = SimpleUploadedFile("x.txt", b"x")
    assert (
        client_for("cadre").post(f"/cases/{case.pk}/attachments/", {"file": cadre_upload}).status_code == 403
    )
