"""Every workbook the app serves keeps rates and amounts to their display precision (issue 13,
item 19): the URL conf is walked for every view that answers .xlsx, each is fetched as the county
administrator over data that gives fractions (a per-capita income of 1000/3, a share of 2/3, an
incidence of 7/2817, a land area of 2.35 mu, an income typed as 333.3333333333333 into an
import), and every file is read back with openpyxl: no number cell holds more decimals than its
format shows, and none that is not whole is left in General."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.jobs import run_job
from fupin.core.models import Job
from fupin.core.personas import COUNTY, TOWNSHIP, VILLAGE
from fupin.registry import tasks
from fupin.registry.actions import do_record_income
from fupin.stats.refresh import refresh_area
from tests.assessment.helpers import YEAR, poor_village, population, sampling
from tests.conftest import make_household, new_id_number
from tests.core.test_xlsx_figures import check_book
from tests.duty.test_ranking import pair
from tests.registry.excel_helpers import member_row, run_import, write_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _patterns(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def xlsx_views() -> dict[str, str]:
    """Name -> route of every view that writes a workbook, found from the URL conf: its route
    ends in .xlsx or its code answers with the spreadsheet content type."""
    found: dict[str, str] = {}
    for route, pattern in _patterns(get_resolver().url_patterns):
        view = inspect.unwrap(pattern.callback)
        try:
            source = inspect.getsource(view)
        except (OSError, TypeError):
            source = ""
        if route.endswith(".xlsx") or "XLSX" in source or "_xlsx(" in source:
            assert pattern.name, route
            found[pattern.name] = route
    return found


# The blank template holds no number; every other download must pass the check below.
WITHOUT_NUMBERS = {"excel_template"}
# Exports of rates or amounts: the data below must give each at least one fraction, so the
# check is never passed by whole numbers alone. The others (coverage gaps, visit counts) count.
WITH_FRACTIONS = {
    "assessment_county_export",
    "assessment_village_export",
    "stats_export",
    "stats_trend_export",
    "duty_ranking_export",
    "excel_export",
    "excel_export_unmasked",
    "excel_export_file",
    "excel_import_errors",
}


@pytest.fixture
def fractional_county(personas: dict[str, Any], settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.FUPIN_FILES_DIR = tmp_path / "files"
    poor = poor_village()
    population(COUNTY, 2817)  # 7 / 2817 = 0.2484913...%
    population(VILLAGE, 2817)
    sampling(wrongly_exited=7)
    # 1000 yuan of wages for three people (333.33 a head, with the 低保), land of 2.35 mu.
    three = make_household(VILLAGE, members=3, cultivated_land_mu=Decimal("2.35"))
    this_year = timezone.localdate().year
    for year in (YEAR, this_year):
        do_record_income(three, year, {"wage": "1000", "transfer_dibao": "333.33"}, actor=SYSTEM)
    # Two of the village's three poor households paired: a coverage of 2/3 in the ranking.
    for household in poor[:2]:
        pair(household, f"{this_year - 1}-01-01")
    refresh_area(Area.objects.get(code=COUNTY))
    # An import whose one row is refused for its income's places: the error sheet shows it.
    head = new_id_number()
    row = member_row(
        head_id=head,
        id_number=head,
        name="小数户",
        relation="户主",
        area=VILLAGE,
        收入年度=this_year,
        工资性收入=1000 / 3,
    )
    import_job = run_import(
        write_rows(tmp_path / "fraction.xlsx", [row]), user=personas["county_admin"], area_code=VILLAGE
    )
    assert import_job.result.get("error_file"), import_job.result
    return {"import_job": import_job}


def test_every_xlsx_download_writes_numbers_to_their_shown_places(
    fractional_county: dict[str, Any], client_for: Any, monkeypatch: Any
) -> None:
    client = client_for("county_admin")
    export_job: list[Job] = []

    def roster_job() -> str:
        # Above the page's synchronous limit the roster is written by a job: the file it leaves.
        from fupin.web import excel_views

        monkeypatch.setattr(excel_views, "EXPORT_SYNC_HOUSEHOLDS", 0)
        monkeypatch.setattr("fupin.core.jobs.start_in_thread", lambda job_id: None)
        assert client.get(f"/households/export.xlsx?area={COUNTY}").status_code == 302
        job = Job.objects.get(kind=tasks.EXPORT_KIND)
        export_job.append(run_job(job.pk))
        return f"/households/export/{job.pk}/roster.xlsx"

    urls: dict[str, Callable[[], str]] = {
        "excel_template": lambda: "/households/template.xlsx",
        "excel_export": lambda: f"/households/export.xlsx?area={COUNTY}",
        "excel_export_unmasked": lambda: f"/households/export.xlsx?area={COUNTY}&unmasked=1",
        "excel_export_file": roster_job,
        "excel_import_errors": lambda: f"/households/import/{fractional_county['import_job'].pk}/errors.xlsx",
        "assessment_county_export": lambda: f"/assessment/county/{COUNTY}/export/?year={YEAR}",
        "assessment_village_export": lambda: f"/assessment/village/{VILLAGE}/export/?year={YEAR}",
        "pairing_coverage_export": lambda: f"/pairing/coverage/export/?area={COUNTY}",
        "assistance_visits_export": lambda: f"/assistance/visits/export/?area={COUNTY}",
        "duty_ranking_export": lambda: f"/duty/ranking/export/?area={TOWNSHIP}",
        "stats_export": lambda: f"/stats/{COUNTY}/export.xlsx",
        "stats_trend_export": lambda: f"/stats/{COUNTY}/trend.xlsx",
    }
    found = xlsx_views()
    # A new workbook view must be added above, with data that gives it fractions.
    assert set(found) <= set(urls), set(found) - set(urls)
    assert {"excel_export", "stats_export", "pairing_coverage_export"} <= set(found)
    fractions: dict[str, int] = {}
    for name, url_of in urls.items():
        url = url_of()
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        assert response["Content-Type"] == XLSX, (name, url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        fractions[name] = check_book(body)
    assert export_job and export_job[0].status == Job.Status.DONE
    assert {name for name in WITH_FRACTIONS if not fractions[name]} == set(), fractions
    assert fractions["excel_template"] == 0 and set(urls) >= WITHOUT_NUMBERS
