"""What the pages show and do: real counts, drill-down, forms with clear errors, offline assets."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from fupin.core.personas import OTHER_TOWNSHIP_VILLAGE, TOWNSHIP, VILLAGE
from fupin.registry.models import Household, IncomeRecord, Member
from tests.conftest import PASSWORD, make_household, new_id_number

OUTSIDE_URL = re.compile(rb"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.I)


def test_the_home_page_counts_only_the_users_area(personas: dict[str, Any], client_for: Any) -> None:
    make_household(VILLAGE, status="poor")
    make_household(VILLAGE, status="exited")
    make_household(OTHER_TOWNSHIP_VILLAGE, status="poor")
    clerk_home = client_for("village_clerk").get("/").content.decode()
    county_home = client_for("county_admin").get("/").content.decode()
    assert "十八洞村" in clerk_home
    # the clerk sees 2 households, the county 3; the other township's village is not listed for her
    assert re.search(r"<strong>2</strong>", clerk_home)
    assert re.search(r"<strong>3</strong>", county_home)
    assert "土地村" not in clerk_home
    assert "双龙镇" in county_home and "龙潭镇" in county_home


def test_a_county_user_drills_down_township_village_household(
    personas: dict[str, Any], client_for: Any
) -> None:
    household = make_household(VILLAGE, head_name="施成富")
    client = client_for("county_admin")
    county = client.get("/").content.decode()
    assert f'href="/areas/{TOWNSHIP}/"' in county
    township = client.get(f"/areas/{TOWNSHIP}/").content.decode()
    assert f'href="/areas/{VILLAGE}/"' in township
    village = client.get(f"/areas/{VILLAGE}/").content.decode()
    assert f"/households/?area={VILLAGE}" in village
    listing = client.get(f"/households/?area={VILLAGE}").content.decode()
    assert f'href="/households/{household.pk}/"' in listing
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert "施成富" in page
    # the breadcrumb leads back up
    assert f'href="/areas/{TOWNSHIP}/"' in page


def test_pages_are_chinese_by_default_and_english_on_request(
    personas: dict[str, Any], client_for: Any
) -> None:
    client = client_for("village_clerk")
    assert "农户" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Households" in client.get("/").content.decode()


def test_no_page_refers_to_an_outside_address(personas: dict[str, Any], client_for: Any) -> None:
    household = make_household(VILLAGE)
    member = household.members.first()
    client = client_for("county_admin")
    urls = [
        "/",
        f"/areas/{VILLAGE}/",
        "/households/",
        "/households/new/",
        f"/households/{household.pk}/",
        f"/households/{household.pk}/edit/",
        f"/households/{household.pk}/members/new/",
        f"/households/{household.pk}/income/",
        f"/households/{household.pk}/conditions/",
        f"/members/{member.pk}/edit/",
        "/audit/",
        "/password/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not OUTSIDE_URL.search(response.content), url
    login_page = Client().get("/login/")
    assert not OUTSIDE_URL.search(login_page.content)
    # the assets the pages name are served locally
    for asset in re.findall(rb'(?:src|href)="(/static/[^"]+)"', login_page.content):
        assert Client().get(asset.decode()).status_code == 200, asset


def test_login_locks_after_repeated_failures(personas: dict[str, Any], settings: Any) -> None:
    client = Client()
    for _ in range(settings.FUPIN_LOGIN_MAX_FAILURES):
        response = client.post("/login/", {"username": "village_clerk", "password": "wrong-one"})
        assert response.status_code == 400
    locked = client.post("/login/", {"username": "village_clerk", "password": PASSWORD})
    assert locked.status_code == 400
    assert "分钟" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_then_logout(personas: dict[str, Any]) -> None:
    client = Client()
    response = client.post("/login/", {"username": "village_clerk", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_pages_need_a_login(db: Any) -> None:
    response = Client().get("/households/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_registering_a_household_with_a_bad_id_number_stores_nothing(
    personas: dict[str, Any], client_for: Any
) -> None:
    client = client_for("village_clerk")
    good = new_id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = Household.objects.count()
    response = client.post(
        "/households/new/",
        {"area": VILLAGE, "head_name": "麻老三", "id_number": bad, "main_cause": "illness"},
    )
    assert response.status_code == 400
    assert "校验" in response.content.decode()
    assert Household.objects.count() == before
    response = client.post(
        "/households/new/",
        {"area": VILLAGE, "head_name": "麻老三", "id_number": good.lower(), "main_cause": "illness"},
    )
    assert response.status_code == 302
    household = Household.objects.get(head_name="麻老三")
    assert household.members.get().relation == "head"


def test_the_id_check_answers_while_typing(personas: dict[str, Any], client_for: Any) -> None:
    client = client_for("village_clerk")
    good = new_id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert client.post("/check/id-number/", {"value": good}).content == b""
    assert "校验" in client.post("/check/id-number/", {"value": bad}).content.decode()
    assert client.get(f"/check/id-number/?value={good}").status_code == 405


def test_recording_income_computes_the_per_capita_net(personas: dict[str, Any], client_for: Any) -> None:
    household = make_household(VILLAGE, members=4)
    client = client_for("village_clerk")
    response = client.post(
        f"/households/{household.pk}/income/",
        {
            "year": "2023",
            "wage": "12000",
            "business": "3000",
            "property": "500",
            "transfer_dibao": "1200",
            "business_costs": "1700",
        },
    )
    assert response.status_code == 302
    record = IncomeRecord.objects.get(household=household, year=2023)
    assert str(record.per_capita_net) == "3750.00"  # (12000+3000+500+1200-1700)/4
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert "3,750.00" in page or "3750.00" in page


def test_a_bad_amount_is_reported_against_its_field(personas: dict[str, Any], client_for: Any) -> None:
    household = make_household(VILLAGE)
    response = client_for("village_clerk").post(
        f"/households/{household.pk}/income/", {"year": "2023", "wage": "-5", "business": "abc"}
    )
    assert response.status_code == 400
    assert response.content.decode().count('aria-invalid="true"') >= 2
    assert not IncomeRecord.objects.filter(household=household).exists()


def test_members_are_shown_masked_and_edited(personas: dict[str, Any], client_for: Any) -> None:
    household = make_household(VILLAGE)
    member = household.members.first()
    client = client_for("village_clerk")
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert member.id_number_masked in page
    full = client.post(f"/members/{member.pk}/reveal-id/").content.decode()
    assert full.count("*") == 0 and member.id_number_masked[:6] in full
    assert full not in page.replace(member.id_number_masked, "")
    response = client.post(f"/members/{member.pk}/edit/", {"name": "石新名", "relation": "head"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.head_name == "石新名"
    assert Member.objects.get(pk=member.pk).id_number_hash == member.id_number_hash


def test_a_second_head_is_refused_with_a_message(personas: dict[str, Any], client_for: Any) -> None:
    household = make_household(VILLAGE)
    response = client_for("village_clerk").post(
        f"/households/{household.pk}/members/new/",
        {"name": "另一个", "relation": "head", "id_number": new_id_number()},
    )
    assert response.status_code == 400
    assert household.members.count() == 3


def test_a_village_clerk_adds_a_group(personas: dict[str, Any], client_for: Any) -> None:
    client = client_for("village_clerk")
    assert client.post(f"/areas/{VILLAGE}/groups/", {"number": "3", "name": "三组"}).status_code == 302
    assert "三组" in client.get(f"/areas/{VILLAGE}/").content.decode()
    again = client.post(f"/areas/{VILLAGE}/groups/", {"number": "3", "name": "重复"})
    assert again.status_code == 400


def test_changing_the_password_needs_the_old_one(personas: dict[str, Any], client_for: Any) -> None:
    client = client_for("village_clerk")
    wrong = client.post(
        "/password/",
        {"old_password": "nope", "new_password": "Another-pass-77", "new_password2": "Another-pass-77"},
    )
    assert wrong.status_code == 400
    ok = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password": "Another-pass-77", "new_password2": "Another-pass-77"},
    )
    assert ok.status_code == 200
    assert Client().login(username="village_clerk", password="Another-pass-77")


def test_an_english_browser_still_gets_chinese_until_the_user_switches(
    personas: dict[str, Any], client_for: Any
) -> None:
    client = client_for("village_clerk")
    assert "农户" in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Households" in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
