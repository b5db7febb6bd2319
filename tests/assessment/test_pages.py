"""The assessment pages for every persona, the county bureau's forms, and the Excel export read
back. Outside the area is 404 exactly like a missing area; a denied write changes nothing."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from fupin.areas.models import Area
from fupin.assessment import actions
from fupin.assessment.models import AreaPopulation, AssessmentSetting, CountySampling
from fupin.core.access import SYSTEM
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, COUNTY, VILLAGE
from tests.assessment.helpers import GOOD_SAMPLE, YEAR, poor_village, population, sampling
from tests.web.test_page_access import main_part

# Who holds assessment.view, and who may record (assessment.edit).
VIEWERS = {"county_admin", "org_dept", "township_officer", "village_clerk", "first_secretary", "supervisor"}
EDITORS = {"county_admin"}
# Whose area contains 十八洞村, and whose contains the whole county.
INSIDE_VILLAGE = VIEWERS | {"cadre", "dept_provider"}
INSIDE_COUNTY = {"county_admin", "org_dept", "dept_provider", "supervisor"}


def expected(persona: str, inside: set[str], allowed: set[str]) -> int:
    if persona not in inside:
        return 404
    return 200 if persona in allowed else 403


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_every_assessment_page_answers_as_the_role_and_area_allow(
    persona: str, personas: dict[str, Any], client_for: Any
) -> None:
    client = client_for(persona)
    pages = [
        (f"/assessment/village/{VILLAGE}/", expected(persona, INSIDE_VILLAGE, VIEWERS)),
        (f"/assessment/village/{VILLAGE}/export/", expected(persona, INSIDE_VILLAGE, VIEWERS)),
        (f"/assessment/county/{COUNTY}/", expected(persona, INSIDE_COUNTY, VIEWERS)),
        (f"/assessment/county/{COUNTY}/export/", expected(persona, INSIDE_COUNTY, VIEWERS)),
        (f"/assessment/{VILLAGE}/population/", expected(persona, INSIDE_VILLAGE, EDITORS)),
        (f"/assessment/{COUNTY}/population/", expected(persona, INSIDE_COUNTY, EDITORS)),
        (f"/assessment/county/{COUNTY}/sampling/", expected(persona, INSIDE_COUNTY, EDITORS)),
        (f"/assessment/{COUNTY}/thresholds/", expected(persona, INSIDE_COUNTY, EDITORS)),
        (f"/assessment/{VILLAGE}/thresholds/", expected(persona, INSIDE_VILLAGE, EDITORS)),
        # Missing areas and areas of the wrong level are not found, for everyone.
        ("/assessment/village/999999999999/", 404),
        ("/assessment/county/999999999999/", 404),
        (f"/assessment/village/{COUNTY}/", 404),
        (f"/assessment/county/{VILLAGE}/", 404),
        (f"/assessment/county/{VILLAGE}/sampling/", 404),
    ]
    for url, status in pages:
        assert client.get(url).status_code == status, (persona, url)


def test_an_area_outside_answers_exactly_like_a_missing_one(client_for: Any) -> None:
    client = client_for("outsider")
    outside = client.get(f"/assessment/county/{COUNTY}/")
    missing = client.get("/assessment/county/999999999999/")
    assert outside.status_code == missing.status_code == 404
    assert main_part(outside.content) == main_part(missing.content)


WRITES = [
    (
        f"/assessment/{VILLAGE}/population/",
        {"year": YEAR, "agricultural_registered": "500", "source": "户籍"},
    ),
    (
        f"/assessment/{COUNTY}/population/",
        {"year": YEAR, "agricultural_registered": "9000", "source": "户籍"},
    ),
    (f"/assessment/county/{COUNTY}/sampling/", GOOD_SAMPLE),
    (f"/assessment/{COUNTY}/thresholds/", {"incidence_max": "3", "approval_min": "95"}),
]


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_writes_are_refused_outside_role_or_area_and_change_nothing(
    persona: str, personas: dict[str, Any], client_for: Any
) -> None:
    client = client_for(persona)
    audit_before = AuditEntry.objects.count()
    for url, data in WRITES:
        response = client.post(url, data)
        inside = INSIDE_VILLAGE if f"/{VILLAGE}/" in url else INSIDE_COUNTY
        want = 302 if persona in EDITORS else expected(persona, inside, EDITORS)
        assert response.status_code == want, (persona, url, response.status_code)
    if persona in EDITORS:
        assert AreaPopulation.objects.count() == 2
        assert CountySampling.objects.get().wrongly_exited == 5
        assert AssessmentSetting.objects.get().incidence_max == 3
        assert AuditEntry.objects.count() == audit_before + 4
    else:
        assert not AreaPopulation.objects.exists()
        assert not CountySampling.objects.exists()
        assert not AssessmentSetting.objects.exists()
        assert AuditEntry.objects.count() == audit_before


def test_the_village_page_shows_the_incidence_and_the_remaining_households(client_for: Any) -> None:
    poor_village()
    population(VILLAGE, 500)
    html = client_for("township_officer").get(f"/assessment/village/{VILLAGE}/?year={YEAR}").content.decode()
    assert "1.40%" in html
    assert "&lt; 2%" in html
    for name in ("龙甲", "龙乙", "龙丙"):
        assert name in html
    assert "石丁" not in html and "吴戊" not in html  # exited and ordinary households are not listed
    assert not re.search(r"\d{17}[\dXx]", html)


def test_without_a_figure_the_village_page_says_so_and_labels_the_fallback(client_for: Any) -> None:
    poor_village()
    html = client_for("village_clerk").get(f"/assessment/village/{VILLAGE}/?year={YEAR}").content.decode()
    assert 'role="status"' in html
    assert "43.75%" in html  # 7 of the 16 people in the household file, labelled as a fallback
    assert "1.40%" not in html


def test_the_county_page_shows_each_gate(client_for: Any) -> None:
    poor_village()
    population(COUNTY, 1000)
    sampling(wrongly_exited=20)
    html = client_for("supervisor").get(f"/assessment/county/{COUNTY}/?year={YEAR}").content.decode()
    for figure in ("0.70%", "2.00%", "0.50%", "96.00%", "≥ 90%", "3.70%"):
        assert figure in html, figure


def test_a_bad_form_is_shown_again_with_its_errors_and_nothing_saved(client_for: Any) -> None:
    client = client_for("county_admin")
    response = client.post(
        f"/assessment/county/{COUNTY}/sampling/",
        {**GOOD_SAMPLE, "wrongly_exited": "2000", "missed_poor": "-1"},
    )
    assert response.status_code == 400
    assert response.content.decode().count('aria-invalid="true"') == 2
    assert not CountySampling.objects.exists()
    response = client.post(f"/assessment/{VILLAGE}/population/", {"year": YEAR, "source": ""})
    assert response.status_code == 400
    assert not AreaPopulation.objects.exists()


def test_a_saved_form_returns_to_the_page_for_its_year(client_for: Any) -> None:
    response = client_for("county_admin").post(f"/assessment/county/{COUNTY}/sampling/", GOOD_SAMPLE)
    assert response.status_code == 302
    assert response["Location"] == f"/assessment/county/{COUNTY}/?year={YEAR}"


def sheets(body: bytes) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def row_of(rows: list[list[Any]], label: str) -> list[Any]:
    return next(r for r in rows if r and r[0] == label)


def test_the_village_export_reads_back_with_the_figures_and_the_list(client_for: Any) -> None:
    poor_village()
    population(VILLAGE, 500)
    response = client_for("township_officer").get(f"/assessment/village/{VILLAGE}/export/?year={YEAR}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = sheets(response.content)
    assert list(book) == ["评估结果", "未脱贫户"]
    summary = book["评估结果"]
    assert row_of(summary, "地区")[1] == "十八洞村"
    assert row_of(summary, "分母口径")[1] == "农业户籍人口"
    assert row_of(summary, "分母")[1] == 500
    assert row_of(summary, "未脱贫户数")[1] == 3
    assert row_of(summary, "未脱贫人口")[1] == 7
    assert row_of(summary, "总体结论")[1] == "达标"
    assert ["指标", "分子", "分母", "比率", "标准", "结论"] in summary
    assert row_of(summary, "建档立卡贫困发生率")[1:] == [7, 500, 0.014, "< 2%", "达标"]
    roster = book["未脱贫户"]
    assert roster[0] == [
        "户编号",
        "户主姓名",
        "所在村(组)",
        "区划代码",
        "家庭人口",
        "主要致贫原因",
        "识别年度",
    ]
    assert sorted((r[1], r[4]) for r in roster[1:]) == [("龙丙", 2), ("龙乙", 2), ("龙甲", 3)]
    assert {r[5] for r in roster[1:]} == {"因病"}
    cells = [str(c) for rows in book.values() for r in rows for c in r]
    assert not any(re.fullmatch(r"\d{17}[\dXx]|\d{6}\*+\d{3}[\dXx]", c) for c in cells)


def test_the_county_export_has_every_gate_and_marks_unknowns(client_for: Any) -> None:
    poor_village()
    actions.do_record_population(
        Area.objects.get(code=COUNTY),
        {"year": YEAR, "agricultural_registered": 1000, "source": "x"},
        actor=SYSTEM,
    )
    book = sheets(client_for("county_admin").get(f"/assessment/county/{COUNTY}/export/?year={YEAR}").content)
    summary = book["评估结果"]
    assert row_of(summary, "建档立卡贫困发生率")[1:] == [7, 1000, 0.007, "< 2%", "达标"]
    assert row_of(summary, "错退率")[1:] == ["未录入", "未录入", "—", "< 2%", "无法判断"]
    assert row_of(summary, "群众认可度")[5] == "无法判断"
    assert row_of(summary, "总体结论")[1] == "无法判断"
    sampling(approving_households=449)
    book = sheets(client_for("county_admin").get(f"/assessment/county/{COUNTY}/export/?year={YEAR}").content)
    summary = book["评估结果"]
    assert row_of(summary, "群众认可度")[1:] == [449, 500, 0.898, "≥ 90%", "未达标"]
    assert row_of(summary, "总体结论")[1] == "未达标"
    assert len(book["未脱贫户"]) == 4
