"""The two PDF pages for every persona: inside the area as the role allows, outside 404 like
something that does not exist; what the responses carry; nothing written to the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from fupin.areas.actions import do_add_village_group
from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP_VILLAGE, TOWNSHIP, VILLAGE
from fupin.registry import actions as registry
from fupin.registry.models import Household
from tests.conftest import make_household
from tests.reports.conftest import pdf_text

VIEWERS = {
    "county_admin",
    "org_dept",
    "township_officer",
    "village_clerk",
    "first_secretary",
    "cadre",
    "supervisor",
}
COUNTY_WIDE = {"county_admin", "org_dept", "dept_provider", "supervisor"}
IN_SHIBADONG = COUNTY_WIDE | {"township_officer", "village_clerk", "first_secretary", "cadre"}


def expected(persona: str, inside: set[str]) -> int:
    if persona not in inside:
        return 404  # outside the persona's area: the same answer as a missing household
    return 200 if persona in VIEWERS else 403  # the department provider reads no registry


@pytest.fixture
def places(db: Any) -> dict[str, Household]:
    return {
        "home": make_household(VILLAGE, status="poor", head_name="龙先发"),
        "elsewhere": make_household(OTHER_TOWNSHIP_VILLAGE, status="poor", head_name="麻老三"),
    }


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_card_answers_as_role_and_area_allow(
    persona: str, places: dict[str, Household], client_for: Any
) -> None:
    client = client_for(persona)
    home = client.get(f"/households/{places['home'].pk}/card.pdf")
    elsewhere = client.get(f"/households/{places['elsewhere'].pk}/card.pdf")
    missing = client.get("/households/987654321/card.pdf")
    assert home.status_code == expected(persona, IN_SHIBADONG)
    assert elsewhere.status_code == expected(persona, COUNTY_WIDE)
    assert missing.status_code == (403 if persona == "dept_provider" else 404)
    if home.status_code == 200:
        assert home["Content-Type"] == "application/pdf"
        assert "龙先发" in pdf_text(home.content)


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_notice_preview_answers_as_role_and_area_allow(
    persona: str, places: dict[str, Household], client_for: Any
) -> None:
    client = client_for(persona)
    home = client.get("/reports/notice-preview/", {"village": VILLAGE, "kind": "identification"})
    elsewhere = client.get("/reports/notice-preview/", {"village": OTHER_TOWNSHIP_VILLAGE})
    missing = client.get("/reports/notice-preview/", {"village": "433124110999"})
    assert home.status_code == expected(persona, IN_SHIBADONG)
    assert elsewhere.status_code == expected(persona, COUNTY_WIDE)
    assert missing.status_code == 404
    if home.status_code == 200:
        assert "龙先发" in pdf_text(home.content)


def test_nobody_logged_in_is_sent_to_the_login_page(places: dict[str, Household], client: Any) -> None:
    for url in (f"/households/{places['home'].pk}/card.pdf", f"/reports/notice-preview/?village={VILLAGE}"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_card_response_is_private_inline_and_names_no_one(
    places: dict[str, Household], client_for: Any
) -> None:
    household = places["home"]
    response = client_for("village_clerk").get(f"/households/{household.pk}/card.pdf")
    assert response["Content-Disposition"] == f'inline; filename="household-card-{household.number}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF-")


def test_printing_writes_no_audit_entry(places: dict[str, Household], client_for: Any) -> None:
    # Decided: card and notice show only masked or no personal data, which the same reader
    # sees on the household page; the audit log is for writes and unmasked reveals.
    before = AuditEntry.objects.count()
    client = client_for("county_admin")
    assert client.get(f"/households/{places['home'].pk}/card.pdf").status_code == 200
    assert client.get("/reports/notice-preview/", {"village": VILLAGE}).status_code == 200
    assert AuditEntry.objects.count() == before


def test_writes_are_not_accepted(places: dict[str, Household], client_for: Any) -> None:
    client = client_for("county_admin")
    assert client.post(f"/households/{places['home'].pk}/card.pdf").status_code == 405
    assert client.post("/reports/notice-preview/", {"village": VILLAGE}).status_code == 405


def test_the_household_page_links_to_the_card(places: dict[str, Household], client_for: Any) -> None:
    household = places["home"]
    page = client_for("cadre").get(f"/households/{household.pk}/")  # a reader who cannot edit
    assert f'href="/households/{household.pk}/card.pdf"'.encode() in page.content
    assert "明白卡 PDF" in page.content.decode()


def test_the_preview_lists_the_village_households_of_the_kind_only(
    places: dict[str, Household], client_for: Any
) -> None:
    exited = make_household(VILLAGE, status="poor", head_name="施成富")
    registry.do_change_status(exited, "exited", year=2019, reason="test", actor=SYSTEM)
    make_household(VILLAGE, head_name="杨普通")  # an ordinary household: on no notice
    make_household(NEIGHBOUR_VILLAGE, status="poor", head_name="吴邻村")
    client = client_for("township_officer")
    identification = pdf_text(client.get("/reports/notice-preview/", {"village": VILLAGE}).content)
    exit_ = pdf_text(client.get("/reports/notice-preview/", {"village": VILLAGE, "kind": "exit"}).content)
    monitoring = pdf_text(
        client.get("/reports/notice-preview/", {"village": VILLAGE, "kind": "monitoring"}).content
    )
    assert "龙先发" in identification and "施成富" not in identification and "杨普通" not in identification
    assert "吴邻村" not in identification
    assert "施成富" in exit_ and "龙先发" not in exit_ and "退出公示" in exit_
    assert "暂无符合条件的农户" in monitoring
    for kind in ("monitoring", "elimination"):  # every kind a case can post has its preview
        assert client.get("/reports/notice-preview/", {"village": VILLAGE, "kind": kind}).status_code == 200
    assert all("样稿" in text for text in (identification, exit_, monitoring))


@pytest.mark.parametrize(
    "query",
    [{}, {"village": TOWNSHIP}, {"village": VILLAGE + "001"}, {"village": VILLAGE, "kind": "party"}],
)
def test_a_wrong_request_is_answered_400_with_a_reason(
    query: dict[str, str], places: dict[str, Household], client_for: Any
) -> None:
    if "001" in query.get("village", ""):  # a village group: inside the area, but not a village
        do_add_village_group(Area.objects.get(code=VILLAGE), "001", "一组", actor=SYSTEM)
    response = client_for("county_admin").get("/reports/notice-preview/", query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_name_the_guard_refuses_is_not_printed(places: dict[str, Household], client_for: Any) -> None:
    make_household(VILLAGE, status="poor", head_name="龙13807431234")
    response = client_for("village_clerk").get("/reports/notice-preview/", {"village": VILLAGE})
    assert response.status_code == 400
    body = response.content.decode()
    assert "13807431234" not in body
    assert "公示" in body  # the reason, in the interface language (Chinese by default)


def test_the_pdfs_stay_chinese_for_a_reader_who_chose_english(
    places: dict[str, Household], client_for: Any
) -> None:
    client = client_for("county_admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/households/{places['home'].pk}/")
    assert "Assistance card (PDF)" in page.content.decode()
    card = pdf_text(client.get(f"/households/{places['home'].pk}/card.pdf").content)
    assert "户主" in card and "建档立卡贫困户" in card and "registered poor" not in card
