"""No English codes or developer notes on Chinese pages (issue 13, items 27 and 28).

Every page of the URL conf is rendered for every persona over a demo county with data in every
part (households, cases, feeds, a screening run's alerts, party organisations, work teams,
groups, pairings, assistance, statistics), and its visible text must hold no Latin word outside
the small whitelist of ``pagewalk``; logins are Latin words too, so a page naming a person by
login fails here as well.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from fupin.accounts.display import display_name, display_name_for_login
from fupin.alerts import actions as alerts
from fupin.alerts.models import Alert
from fupin.core.personas import FULL_NAMES, LEADERS, OUTSIDERS, PERSONAS
from fupin.demo.actions import do_build_demo
from fupin.demo.cases import build_demo_cases
from fupin.demo.census import build_demo_populations
from fupin.demo.monitoring import build_demo_monitoring
from fupin.demo.party import build_demo_party
from fupin.registry.models import Household
from fupin.stats.refresh import refresh_area
from tests.web.pagewalk import english_words, findings_for, page_urls, real_values

SEED = 7


@pytest.fixture
def county(personas: dict[str, Any]) -> dict[str, Any]:
    do_build_demo(150, SEED)
    build_demo_cases()
    build_demo_monitoring(SEED)
    build_demo_party(SEED)
    build_demo_populations()
    refresh_area(None)
    return personas


def test_the_detector_finds_codes_and_spares_what_is_meant_to_show() -> None:
    html = (
        "<html><head><title>income_drop</title><style>.x{}</style></head><body>"
        '<script>var rule_params = 1;</script><p title="share_pct">收入下降 income_drop</p>'
        '<pre translate="no"><code>SELECT 1</code></pre><p>导出 Excel、PDF，状态: received</p>'
        "<p>筛查引擎 DuckDB</p><p>经办人 village_clerk<br>下一行</p></body></html>"
    )
    assert [word for word, _ in english_words(html)] == ["income_drop", "received", "village_clerk"]


@pytest.mark.django_db(transaction=False)
def test_no_page_shows_english_to_any_persona(county: dict[str, Any]) -> None:
    assert Alert.objects.filter(channel="screening").exists()  # the inbox has rules to name
    urls = page_urls(real_values())
    assert len(urls) > 100
    failures: list[str] = []
    pages_read = {}
    for persona in [*PERSONAS, *OUTSIDERS, *LEADERS]:
        client = Client()
        client.force_login(county[persona.username])
        found, read = findings_for(client, urls)
        pages_read[persona.username] = read
        failures += found
    # Each persona really read its pages (a walk that reads nothing would pass on anything).
    assert pages_read["county_admin"] > 80 and pages_read["village_clerk"] > 40, pages_read
    assert min(pages_read.values()) >= 10, pages_read
    shown = sorted({re.sub(r"/\d+/", "/N/", line) for line in failures})
    assert shown == [], f"{len(shown)} texts with English on Chinese pages:\n" + "\n".join(shown[:150])


def test_people_are_named_by_name_or_role_never_by_login(personas: dict[str, Any]) -> None:
    clerk = personas["village_clerk"]
    assert display_name(clerk) == FULL_NAMES["village_clerk"]
    assert display_name_for_login("village_clerk") == FULL_NAMES["village_clerk"]
    clerk.first_name = ""
    clerk.save(update_fields=["first_name"])
    assert display_name(clerk) == "村信息员"
    assert display_name_for_login("system") == "系统"
    assert "village_clerk" not in display_name_for_login("village_clerk")


def test_a_cadre_check_names_the_clerk_on_the_alert_page(personas: dict[str, Any], client_for: Any) -> None:
    from tests.conftest import make_household

    household: Household = make_household()
    alert = alerts.do_record_cadre_check(household, "老人住院", actor=personas["village_clerk"])
    page = client_for("township_officer").get(f"/alerts/{alert.pk}/").content.decode()
    assert FULL_NAMES["village_clerk"] in page
    assert "village_clerk" not in page
    assert "排查人" in page
