"""Issue 13 on the exit assessment: no future year to choose (item 21), the western-region
standard as a province's setting, applied to the gates and said on the page (item 22), and the
assessment as a PDF beside the Excel (item 24)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from fupin.areas.models import Area
from fupin.assessment import actions, queries
from fupin.assessment.models import AssessmentSetting
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, PermissionDenied
from fupin.core.personas import COUNTY, VILLAGE
from fupin.demo.census import set_demo_western_standard
from tests.assessment.helpers import YEAR, poor_village, population, sampling
from tests.reports.conftest import pdf_text
from tests.reports.test_rendering import dark, needs_pdftoppm, page_one

HUNAN = "430000000000"
XIANGXI = "433100000000"


# --- item 21 -----------------------------------------------------------------------------


def test_the_year_selector_offers_no_future_year(client_for: Any) -> None:
    this_year = timezone.localdate().year
    html = client_for("county_admin").get(f"/assessment/county/{COUNTY}/").content.decode()
    offered = [int(y) for y in re.findall(r'<option value="(\d{4})"', html)]
    assert offered and max(offered) == this_year and this_year + 1 not in offered
    with pytest.raises(FupinError) as future:
        actions.clean_year(this_year + 1)
    assert future.value.code.name == "BAD_YEAR"
    # A future year asked for in the address shows this year rather than an empty future.
    asked = client_for("county_admin").get(f"/assessment/county/{COUNTY}/?year={this_year + 1}")
    assert f'<option value="{this_year}" selected' in asked.content.decode()


# --- item 22 -----------------------------------------------------------------------------


def test_the_western_standard_is_read_at_the_province_and_decides_the_gate(
    personas: dict[str, Any], client_for: Any
) -> None:
    poor_village()
    population(COUNTY, 280)  # 7 poor people of 280: 2.50%, fails 2% and passes 3%
    county = Area.objects.get(code=COUNTY)
    assert queries.county_report(personas["county_admin"], county, YEAR).incidence.outcome == "fail"
    html = client_for("county_admin").get(f"/assessment/county/{COUNTY}/?year={YEAR}").content.decode()
    assert "湖南省不属西部省份（默认名单）" in html

    # A prefecture or county row cannot make itself western: only the province's is read.
    AssessmentSetting.objects.create(area_id=XIANGXI, western_standard=True)
    assert queries.thresholds_for(county).incidence_max == Decimal("2")

    actions.do_set_western_standard(Area.objects.get(code=HUNAN), True, actor=SYSTEM)
    limits = queries.thresholds_for(county)
    assert (limits.incidence_max, limits.western, limits.western_source) == (Decimal("3"), True, "湖南省")
    assert queries.county_report(personas["county_admin"], county, YEAR).incidence.outcome == "pass"
    html = client_for("county_admin").get(f"/assessment/county/{COUNTY}/?year={YEAR}").content.decode()
    assert "&lt; 3%" in html and "湖南省按西部地区标准执行（省级设置）" in html
    village = client_for("township_officer").get(f"/assessment/village/{VILLAGE}/?year={YEAR}")
    assert "&lt; 3%" in village.content.decode()


def test_only_the_province_level_or_the_operator_sets_the_western_standard(personas: dict[str, Any]) -> None:
    hunan = Area.objects.get(code=HUNAN)
    with pytest.raises(Exception) as county_admin:
        actions.do_set_western_standard(hunan, True, actor=personas["county_admin"])
    assert isinstance(county_admin.value, FupinError) and county_admin.value.status in (403, 404)
    with pytest.raises(FupinError) as not_province:
        actions.do_set_western_standard(Area.objects.get(code=COUNTY), True, actor=SYSTEM)
    assert not_province.value.code.name == "NOT_PROVINCE"
    assert not AssessmentSetting.objects.filter(western_standard__isnull=False).exists()
    assert PermissionDenied.status == 403


def test_the_demo_records_hunan_as_not_western(db: Any) -> None:
    assert set_demo_western_standard() is True
    assert AssessmentSetting.objects.get(area_id=HUNAN).western_standard is False
    assert set_demo_western_standard() is False  # idempotent: the demo runs on every start
    limits = queries.thresholds_for(Area.objects.get(code=COUNTY))
    assert (limits.incidence_max, limits.western_source) == (Decimal("2"), "湖南省")


# --- item 24 -----------------------------------------------------------------------------


def test_the_county_assessment_prints_as_a_pdf_with_its_gates(client_for: Any, tmp_path: Path) -> None:
    poor_village()
    population(COUNTY, 1000)
    sampling(wrongly_exited=20)
    response = client_for("county_admin").get(f"/assessment/county/{COUNTY}/report.pdf?year={YEAR}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content).replace(" ", "")
    for expected in ("花垣县", f"{YEAR}年贫困县退出评估", "建档立卡贫困发生率", "0.70%", "错退率", "2.00%",
                     "群众认可度", "96.00%", "≥90%", "总体结论", "不属西部省份"):  # fmt: skip
        assert expected in text, expected
    page = page_one(response.content, tmp_path)
    assert dark(page, (0, 40, page.width, 90)) > 200  # the title is drawn in ink, not tofu boxes


@needs_pdftoppm
def test_the_village_assessment_pdf_lists_the_remaining_households(client_for: Any, tmp_path: Path) -> None:
    poor_village()
    population(VILLAGE, 500)
    client = client_for("township_officer")
    page = client.get(f"/assessment/village/{VILLAGE}/?year={YEAR}").content.decode()
    assert f"/assessment/village/{VILLAGE}/report.pdf?year={YEAR}" in page  # next to the Excel
    response = client.get(f"/assessment/village/{VILLAGE}/report.pdf?year={YEAR}")
    assert response.status_code == 200
    text = pdf_text(response.content).replace(" ", "")
    for expected in ("十八洞村", "贫困村退出评估", "1.40%", "龙甲", "龙乙", "龙丙", "未脱贫户（3户）"):
        assert expected in text, expected
    assert "石丁" not in text and not re.search(r"\d{17}[\dXx]", text)
    image = page_one(response.content, tmp_path)
    assert dark(image, (0, 40, image.width, 90)) > 200


def test_the_pdf_answers_outside_the_area_as_missing(client_for: Any) -> None:
    assert client_for("outsider").get(f"/assessment/county/{COUNTY}/report.pdf").status_code == 404
    assert client_for("dept_provider").get(f"/assessment/county/{COUNTY}/report.pdf").status_code == 403
