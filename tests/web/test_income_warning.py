"""Journey 1.3: an income under its year's line (the monitoring threshold from 2021, the poverty
line before) is flagged in the form from lines the server gives, on the household page once
saved, and the page offers a cadre check written from the saved figures."""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext

from fupin.alerts.models import Alert, Channel
from fupin.core.personas import VILLAGE
from fupin.registry.models import IncomeRecord, PovertyLine
from fupin.screening.models import MonitoringLine
from tests.conftest import make_household

HUNAN = "430000000000"


def form_lines(page: str) -> dict[str, list[str]]:
    found = re.search(r'<form[^>]*data-income[^>]*data-lines="([^"]*)"', page)
    assert found, "the income form carries no lines"
    return json.loads(html.unescape(found.group(1)))


def zh(text: str, **values: Any) -> str:
    with translation.override("zh-hans"):
        return gettext(text) % values


def test_the_form_carries_each_years_line_as_screening_and_the_case_rules_read_it(
    personas: dict[str, Any], client_for: Any
) -> None:
    household = make_household(VILLAGE, members=3)
    this_year = timezone.localdate().year
    # The province's own threshold over the national floor, from its year on (screening's rule).
    MonitoringLine.objects.create(scope=HUNAN, year=2024, amount=Decimal("7200"), source="湘")
    page = client_for("village_clerk").get(f"/households/{household.pk}/income/").content.decode()
    lines = form_lines(page)
    assert lines["2021"][0] == "6000.00" and lines["2023"][0] == "6000.00"
    assert lines["2024"][0] == "7200.00" and lines[str(this_year)][0] == "7200.00"
    assert lines["2024"][1] == zh(
        "Per-capita net income is under the %(year)s monitoring threshold of %(line)s yuan.",
        year=2024,
        line="7,200.00",
    )
    # before monitoring began, the poverty line of the income year (registry.poverty_line_for)
    national_2019 = PovertyLine.objects.get(scope=PovertyLine.NATIONAL, income_year=2019).nominal_line
    assert lines["2019"][0] == f"{national_2019:.2f}"
    assert "扶贫标准" in lines["2019"][1] and "监测范围" not in lines["2019"][1]
    # a province's own poverty line wins over the national one for its year
    PovertyLine.objects.create(scope=HUNAN, income_year=2016, nominal_line=Decimal("3100"), source="湘")
    lines = form_lines(
        client_for("village_clerk").get(f"/households/{household.pk}/income/").content.decode()
    )
    assert lines["2016"][0] == "3100.00"
    # where the warning goes; the script (static, the CSP allows no inline one) fills it
    assert "data-income-warning hidden" in page


def test_after_saving_under_the_line_the_household_page_warns_and_offers_a_cadre_check(
    personas: dict[str, Any], client_for: Any
) -> None:
    household = make_household(VILLAGE, members=3, head_name="龙金花")
    year = timezone.localdate().year - 1
    client = client_for("village_clerk")
    saved = client.post(
        f"/households/{household.pk}/income/",
        {"year": str(year), "wage": "9000", "business": "1200", "property": "300", "business_costs": "1500"},
    )
    assert saved.status_code == 302 and saved["Location"] == f"/households/{household.pk}/"
    page = client.get(saved["Location"]).content.decode()
    expected = zh(
        "Per-capita net income of %(year)s is %(net)s yuan, under that year's monitoring "
        "threshold of %(line)s yuan.",
        year=year,
        net="3,000.00",
        line="6,000.00",
    )
    assert expected in page
    offer = f"/alerts/new/?household={household.pk}&amp;income_year={year}"
    assert f'href="{offer}"' in page
    # the check form is written from the saved record, and the clerk sends it as an alert
    form = client.get(html.unescape(offer)).content.decode()
    assert f">{expected}</textarea>" in form
    client.post("/alerts/new/", {"household": household.pk, "summary": expected})
    alert = Alert.objects.get(household=household)
    assert alert.channel == Channel.CADRE_CHECK and alert.summary == expected


def test_no_warning_at_or_above_the_line_and_an_older_year_uses_its_poverty_line(
    personas: dict[str, Any], client_for: Any
) -> None:
    household = make_household(VILLAGE, members=2)
    client = client_for("village_clerk")
    year = timezone.localdate().year - 1
    client.post(f"/households/{household.pk}/income/", {"year": str(year), "wage": "12000"})  # 6000 a head
    assert IncomeRecord.objects.get(household=household, year=year).per_capita_net == 6000
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert "data-income-warning" not in page and "income_year=" not in page
    # 2019: 3,300 a head is over that year's poverty line (3,218) though under the later threshold
    line_2019 = PovertyLine.objects.get(scope=PovertyLine.NATIONAL, income_year=2019).nominal_line
    client.post(f"/households/{household.pk}/income/", {"year": "2019", "wage": "6600"})
    assert "data-income-warning" not in client.get(f"/households/{household.pk}/").content.decode()
    client.post(f"/households/{household.pk}/income/", {"year": "2019", "wage": "6000"})  # 3,000 a head
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert 'data-income-warning="2019"' in page
    assert f"{line_2019:,.2f}" in page and "扶贫标准" in page
    # read again later (no income just saved), the page shows the latest year, which is above
    assert "data-income-warning" not in client.get(f"/households/{household.pk}/").content.decode()


def test_a_household_already_followed_is_warned_without_a_new_check(
    personas: dict[str, Any], client_for: Any
) -> None:
    year = timezone.localdate().year - 1
    monitored = make_household(VILLAGE, members=2, status="monitored")
    clerk = client_for("village_clerk")
    clerk.post(f"/households/{monitored.pk}/income/", {"year": str(year), "wage": "2000"})
    page = clerk.get(f"/households/{monitored.pk}/").content.decode()
    assert f'data-income-warning="{year}"' in page and "1,000.00" in page
    assert "income_year=" not in page and "该户已在帮扶或监测之中" in page
    # a reader who may not record a check (the township office) sees the warning, no offer
    plain = make_household(VILLAGE, members=2)
    clerk.post(f"/households/{plain.pk}/income/", {"year": str(year), "wage": "2000"})
    page = client_for("township_officer").get(f"/households/{plain.pk}/").content.decode()
    assert f'data-income-warning="{year}"' in page and "income_year=" not in page
    assert "该户已在帮扶或监测之中" not in page
