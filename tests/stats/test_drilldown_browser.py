"""Journey 8 in a real browser on a phone-sized screen: the province leader opens the statistics,
the county map renders from our own files, a tap on 花垣县 opens the county, then a township,
then 十八洞村, its households and one household — and a code outside answers 404. Nothing is
fetched from outside the server and no page scrolls sideways.

Uses Debian's chromium; skipped, saying why, where it or playwright is absent.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import include, path
from shapely.geometry import shape

from fupin.areas.models import Area
from fupin.core.personas import COUNTY, OTHER_COUNTY, PREFECTURE, PROVINCE, TOWNSHIP, VILLAGE
from fupin.stats.geo import county_features
from fupin.stats.refresh import store
from fupin.web.stats_views import public_urlpatterns
from tests.browser import needs_chromium
from tests.conftest import PASSWORD, make_household

# The public pages live under "open/"; included here too in case the project's urls do not yet.
urlpatterns = [path("open/", include(public_urlpatterns)), path("", include("fupin.urls"))]
pytestmark = [*needs_chromium, pytest.mark.urls(__name__)]

PHONE_WIDTH = 390


def fits(page: Any) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def inside_point(code: str, within: Area) -> tuple[float, float]:
    """A point surely inside the county (a centroid may fall outside a curved shape)."""
    feature = next(f for f in county_features(within)["features"] if f["properties"]["adcode"] == code)
    point = shape(feature["geometry"]).representative_point()
    return point.x, point.y


@pytest.mark.restores_seeded_rows  # a transactional test empties every table
def test_a_province_leader_drills_from_the_map_to_a_household(
    transactional_db: Any, personas: dict[str, Any], phone: Any
) -> None:
    household = make_household(VILLAGE, head_name="施成富")
    values = {
        "poor_households": 12,
        "monitored_households": 20,
        "monitored_per_thousand": 8.5,
        "alerts_overdue": 2,
    }
    for code in (PROVINCE, PREFECTURE, COUNTY, TOWNSHIP, VILLAGE):
        store(Area.objects.get(code=code), 2023, values)
    store(Area.objects.get(code=OTHER_COUNTY), 2023, {**values, "monitored_per_thousand": 20.0})
    province = Area.objects.get(code=PROVINCE)
    lng_lat = inside_point(COUNTY, province)

    page, base, outside = phone
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "province_supervisor")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/stats/")
    page.wait_for_selector("#chart-map[data-ready='1']", timeout=15000)
    assert page.locator("#chart-map canvas").count() >= 1
    fits(page)
    # The legend says numbers: the chart's bands run from 8.5 ‰ to 20.0 ‰, and are the ones the
    # page lists under the map (with grey for no figure).
    pieces = page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('chart-map'))"
        ".getOption().visualMap[0].pieces.map((p) => p.label)"
    )
    assert pieces[0].startswith("8.5 – ") and pieces[-1].endswith(" – 20.0"), pieces
    assert [f"{p} ‰" for p in pieces] + ["无数据"] == page.locator("#stats-map-legend li").all_inner_texts()

    # Tap 花垣县 where the chart itself places its longitude and latitude.
    chart = page.locator("#chart-map")
    chart.scroll_into_view_if_needed()
    x, y = page.evaluate(
        "([lng, lat]) => echarts.getInstanceByDom(document.getElementById('chart-map'))"
        ".convertToPixel({seriesIndex: 0}, [lng, lat])",
        list(lng_lat),
    )
    box = chart.bounding_box()
    assert box and 0 < x < box["width"] and 0 < y < box["height"]
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(f"{base}/stats/{COUNTY}/**")
    fits(page)
    # the map's indicator goes along, not the county's own default
    assert "indicator=monitored_per_thousand" in page.url
    assert page.input_value("select[name=indicator]") == "monitored_per_thousand"

    page.click(f"#stats-ranking-table tr[data-code='{TOWNSHIP}'] a")
    page.wait_for_url(f"{base}/stats/{TOWNSHIP}/**")
    fits(page)
    page.click(f"#stats-ranking-table tr[data-code='{VILLAGE}'] a")
    page.wait_for_url(f"{base}/stats/{VILLAGE}/**")
    fits(page)
    assert page.locator("#stats-ranking").count() == 0

    page.click("#stats-households-link")
    page.wait_for_url(f"{base}/households/?area={VILLAGE}")
    page.click(f"a[href='/households/{household.pk}/'] >> nth=0")
    page.wait_for_url(f"{base}/households/{household.pk}/")
    assert "施成富" in page.content()

    # Above the leader's own area there is nothing to reach: the same 404 as a missing code.
    for code in ("110000000000", "440300000000"):
        response = page.goto(f"{base}/stats/{code}/")
        assert response is not None and response.status == 404

    # The village's public page fits the phone too, small counts hidden.
    page.goto(f"{base}/open/stats/{VILLAGE}/")
    page.wait_for_selector("#chart-trend-poor_households canvas")
    fits(page)
    assert page.locator("#stats-cards [data-key='poor_households'] strong").inner_text().startswith("12")
    assert outside == []
