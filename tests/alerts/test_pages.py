"""Alert pages for every persona: reading by role inside the area, 404 outside like a missing
alert, the triage forms only for who may triage, a denied post changes nothing; the household
page shows its alerts; the dashboard and the pages load nothing from outside."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from fupin.accounts.models import User
from fupin.alerts.models import Alert, AlertStatus
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, VILLAGE
from fupin.registry.models import Household
from tests.alerts.helpers import OUTSIDE, READERS, TRIAGERS, age_alert, expected, screened
from tests.conftest import make_household
from tests.web.test_pages import OUTSIDE_URL

VIEWERS = READERS | OUTSIDE  # the outsiders' roles read alerts too, in their own areas


@pytest.fixture
def world(personas: dict[str, User]) -> dict[str, Any]:
    home = make_household(VILLAGE, head_name="施成富")
    return {"home": home, "alert": screened(home, evidence={"out_of_pocket": 31200})}


def main_part(html: bytes) -> bytes:
    return html[html.index(b"<main") : html.index(b"</main>")]


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
def test_alert_pages_answer_as_role_and_area_allow(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    client = client_for(persona)
    alert, home = world["alert"], world["home"]
    role_reads = 200 if persona in VIEWERS else 403
    assert client.get("/alerts/").status_code == role_reads
    assert client.get("/monitoring/").status_code == role_reads
    assert client.get("/report/").status_code == 200
    detail = client.get(f"/alerts/{alert.pk}/")
    assert detail.status_code == expected(persona, READERS), persona
    missing = client.get(f"/alerts/{alert.pk + 1000}/")
    assert missing.status_code == (404 if persona in VIEWERS else 403)
    if persona in OUTSIDE:
        assert main_part(detail.content) == main_part(missing.content)
    if detail.status_code == 200:
        text = detail.content.decode()
        assert "施成富" in text and "31200" in text
        has_forms = 'value="visit"' in text and 'value="dismiss"' in text
        assert has_forms == (persona in TRIAGERS), persona
    new = client.get(f"/alerts/new/?household={home.pk}")
    assert new.status_code == (404 if persona == "neighbour_clerk" else 200 if persona in TRIAGERS else 403)
    # the inbox lists the alert only inside the area
    if persona in VIEWERS:
        listed = f'href="/alerts/{alert.pk}/"' in client.get("/alerts/").content.decode()
        assert listed == (persona in READERS), persona


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_only_triagers_may_post_and_a_refusal_changes_nothing(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    client = client_for(persona)
    alert = world["alert"]
    before = state(alert)
    visit = client.post(f"/alerts/{alert.pk}/act/", {"action": "visit", "notes": "入户核实"})
    assert visit.status_code == expected(persona, TRIAGERS, 302), persona
    if persona not in TRIAGERS:
        assert state(alert) == before
        check = client.post("/alerts/new/", {"household": world["home"].pk, "summary": "排查"})
        assert check.status_code in (403, 404)
        assert state(alert) == before
        return
    dismissed = client.post(f"/alerts/{alert.pk}/act/", {"action": "dismiss", "reason": "自付已报销，无风险"})
    assert dismissed.status_code == 302 and dismissed["Location"] == f"/alerts/{alert.pk}/"
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.DISMISSED


def test_a_village_clerk_records_a_check_visits_and_opens_a_monitoring_case_through_the_pages(
    personas: dict[str, User], client_for: Any
) -> None:
    home = make_household(VILLAGE, head_name="龙老汉")
    clerk = client_for("village_clerk")
    form = clerk.get(f"/alerts/new/?household={home.pk}").content.decode()
    assert 'name="summary"' in form and "龙老汉" in form
    empty = clerk.post("/alerts/new/", {"household": home.pk, "summary": ""})
    assert empty.status_code == 400 and not Alert.objects.exists()
    made = clerk.post("/alerts/new/", {"household": home.pk, "summary": "老人突发疾病住院"})
    alert = Alert.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/alerts/{alert.pk}/"
    # the township sees it in its inbox
    assert "老人突发疾病住院" in client_for("township_officer").get("/alerts/").content.decode()
    no_notes = clerk.post(f"/alerts/{alert.pk}/act/", {"action": "visit", "notes": " "})
    assert no_notes.status_code == 400 and Alert.objects.get().status == AlertStatus.OPEN
    clerk.post(f"/alerts/{alert.pk}/act/", {"action": "visit", "notes": "住院自付四万元"})
    page = clerk.get(f"/alerts/{alert.pk}/").content.decode()
    start = f"/households/{home.pk}/cases/new/?kind=monitoring&amp;alert={alert.pk}"
    assert start in page and 'value="visit"' not in page
    opened = clerk.post(
        f"/households/{home.pk}/cases/new/?kind=monitoring",
        {"origin": "cadre_check", "reason": "因病返贫风险，纳入监测", "alert_id": str(alert.pk)},
    )
    assert opened.status_code == 302
    started = Alert.objects.get()
    assert started.status == AlertStatus.CASE_STARTED and started.case is not None
    assert started.case.kind == "monitoring" and started.case.household_id == home.pk
    page = clerk.get(f"/alerts/{alert.pk}/").content.decode()
    assert 'value="dismiss"' not in page and f"/cases/{started.case_id}/" in page


def test_the_slower_of_two_dismissals_is_told_on_the_page(world: dict[str, Any], client_for: Any) -> None:
    alert = world["alert"]
    clerk, secretary = client_for("village_clerk"), client_for("first_secretary")
    # both opened the page while the alert was open
    assert (
        clerk.get(f"/alerts/{alert.pk}/").status_code
        == secretary.get(f"/alerts/{alert.pk}/").status_code
        == 200
    )
    assert clerk.post(f"/alerts/{alert.pk}/act/", {"action": "dismiss", "reason": "重复"}).status_code == 302
    late = secretary.post(f"/alerts/{alert.pk}/act/", {"action": "dismiss", "reason": "数据错误"})
    assert late.status_code == 409
    assert 'role="alert"' in late.content.decode()
    assert Alert.objects.get(pk=alert.pk).dismiss_reason == "重复"


def test_the_inbox_marks_overdue_alerts_red_on_top_and_counts_them_per_village(
    personas: dict[str, User], client_for: Any
) -> None:
    on_time = screened(make_household(VILLAGE, head_name="按时户"))
    late = age_alert(screened(make_household(VILLAGE, head_name="逾期户")), 5)  # visit was due 2 days ago
    page = client_for("township_officer").get("/alerts/").content.decode()
    assert page.index("逾期户") < page.index("按时户")
    rows = re.findall(r'<tr( class="overdue")?>\s*<td><a href="/alerts/(\d+)/">', page)
    assert [(bool(cls), int(pk)) for cls, pk in rows] == [(True, late.pk), (False, on_time.pk)]
    # the per-village table: 2 waiting, 1 visit overdue, 0 decisions overdue
    village_row = re.search(rf'href="/alerts/\?area={VILLAGE}">十八洞村</a></td>\s*(.*?)</tr>', page, re.S)
    assert village_row is not None
    assert re.findall(r'<td class="num">(\d+)</td>', village_row.group(1)) == ["2", "1", "0"]
    county = client_for("county_admin").get("/alerts/").content.decode()
    assert 'href="/alerts/?area=433124110000"' in county  # per township for the county
    only_late = client_for("county_admin").get("/alerts/?overdue=1").content.decode()
    assert "逾期户" in only_late and "按时户" not in only_late
    dashboard = client_for("county_admin").get("/monitoring/").content.decode()
    assert 'class="card warn"' in dashboard


def test_the_household_page_shows_its_alerts_and_monitoring_history(
    world: dict[str, Any], personas: dict[str, User], client_for: Any
) -> None:
    home: Household = world["home"]
    other = make_household(VILLAGE, head_name="别家")
    screened(other, rule="dibao_edge")
    page = client_for("cadre").get(f"/households/{home.pk}/").content.decode()
    assert "household-alerts" in page and f'href="/alerts/{world["alert"].pk}/"' in page
    assert "medical_cost" in page and "dibao_edge" not in page
    assert "/alerts/new/" not in page  # a cadre reads, the village records checks
    clerk_page = client_for("village_clerk").get(f"/households/{home.pk}/").content.decode()
    assert f'href="/alerts/new/?household={home.pk}"' in clerk_page
    # a role that does not read alerts never sees the section (it cannot open households either)
    assert client_for("dept_provider").get(f"/households/{home.pk}/").status_code == 403


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_the_navigation_links_the_inbox_for_alert_readers(
    persona: str, personas: Any, client_for: Any
) -> None:
    home_page = client_for(persona).get("/").content.decode()
    assert ('href="/alerts/"' in home_page) == (persona in VIEWERS)


def test_alert_pages_load_nothing_from_outside(world: dict[str, Any], client_for: Any) -> None:
    client = client_for("village_clerk")
    urls = [
        "/alerts/",
        f"/alerts/{world['alert'].pk}/",
        f"/alerts/new/?household={world['home'].pk}",
        "/monitoring/",
        f"/households/{world['home'].pk}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not OUTSIDE_URL.search(response.content), url
    for url in ("/report/", f"/report/?village={VILLAGE}", "/report/?q=十八洞"):
        response = Client().get(url)
        assert response.status_code == 200 and not OUTSIDE_URL.search(response.content), url
    dashboard = client_for("county_admin").get("/monitoring/").content
    # the charts come from our own static files, and every asset a page names is served
    assert b"/static/vendor/echarts/echarts.min.js" in dashboard
    for asset in set(re.findall(rb'(?:src|href)="(/static/[^"]+)"', dashboard)):
        assert Client().get(asset.decode()).status_code == 200, asset


def test_the_dashboard_shows_the_counts_and_drills_down(world: dict[str, Any], client_for: Any) -> None:
    county = client_for("county_admin")
    page = county.get("/monitoring/").content.decode()
    assert 'id="monitoring-charts"' in page and "medical_cost" in page and "双龙镇" in page
    assert 'href="/monitoring/?area=433124110000"' in page
    township = county.get("/monitoring/?area=433124110000").content.decode()
    assert "十八洞村" in township
    # outside the user's area the same 404 as a missing area
    assert client_for("township_officer").get("/monitoring/?area=433124102000").status_code == 404
    assert client_for("township_officer").get("/monitoring/?area=999999999999").status_code == 404


def test_the_area_cards_count_waiting_and_overdue_alerts_for_an_overview_page(
    personas: dict[str, User], rf: Any
) -> None:
    from django.template.loader import render_to_string

    from fupin.areas.models import Area

    screened(make_household(VILLAGE))
    age_alert(screened(make_household(VILLAGE)), 5)
    village = Area.objects.get(code=VILLAGE)

    def cards(persona: str) -> str:
        request = rf.get("/")
        request.user = personas[persona]
        return render_to_string("web/alerts_area_cards.html", {"area": village}, request=request)

    html = cards("village_clerk")
    assert re.findall(r"<strong>(\d+)</strong>", html) == ["2", "1", "0"]
    assert 'class="card warn"' in html
    assert cards("dept_provider").strip() == ""
    assert re.findall(r"<strong>(\d+)</strong>", cards("neighbour_clerk")) == ["0", "0", "0"]


def test_the_reporters_numbers_are_shown_only_on_request_and_audited(
    personas: dict[str, User], client_for: Any
) -> None:
    from fupin.alerts.models import SelfReport
    from tests.alerts.test_self_report import PHONE, report

    alert = Alert.objects.get(pk=report().alert_id)
    pk = SelfReport.objects.get().pk
    clerk_page = client_for("village_clerk").get(f"/alerts/{alert.pk}/").content.decode()
    assert "139****5678" in clerk_page and PHONE not in clerk_page
    assert f'hx-post="/alerts/reports/{pk}/reveal/"' in clerk_page
    shown = client_for("village_clerk").post(f"/alerts/reports/{pk}/reveal/")
    assert shown.status_code == 200 and PHONE in shown.content.decode()
    assert client_for("first_secretary").post(f"/alerts/reports/{pk}/reveal/").status_code == 403
    assert client_for("neighbour_clerk").post(f"/alerts/reports/{pk}/reveal/").status_code == 404
    assert client_for("village_clerk").get(f"/alerts/reports/{pk}/reveal/").status_code == 405
    assert AuditEntry.objects.filter(action="alerts.reveal_report_contact").count() == 1
