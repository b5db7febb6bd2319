"""The three full coverages: planted gaps of each kind are found — a township without a county
leader, key villages without a leader or a unit, a county unit without a village, poor and
monitored households without a cadre — and covered ones are not; ended pairings cover nothing;
the report costs the same few queries however many households there are."""

from __future__ import annotations

from typing import Any

import pytest

from fupin.areas.models import Area, Level
from fupin.core.access import SYSTEM
from fupin.core.personas import (
    COUNTY,
    NEIGHBOUR_VILLAGE,
    OTHER_COUNTY,
    OTHER_TOWNSHIP_VILLAGE,
    TOWNSHIP,
    VILLAGE,
)
from fupin.pairing import actions
from fupin.pairing.actions import Helper
from fupin.pairing.coverage import coverage, uncovered_households
from fupin.registry import actions as registry
from tests.conftest import make_household
from tests.pairing.conftest import make_unit, pair_cadre, party_member

OTHER_TOWNSHIP = OTHER_TOWNSHIP_VILLAGE[:9] + "000"


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def pair(kind: str, code: str, **helper: Any) -> Any:
    return actions.do_pair(SYSTEM, kind, area=area(code), helper=Helper(**helper))


@pytest.fixture
def world(personas: dict[str, Any]) -> dict[str, Any]:
    w: dict[str, Any] = {}
    # households: key villages are 十八洞村 (poor), 丙池村 (monitored) and one of 龙潭镇 (poor)
    w["covered"] = make_household(VILLAGE, status="poor", head_name="有干部")
    pair_cadre(w["covered"])
    w["bare"] = make_household(VILLAGE, status="poor", head_name="无干部")
    w["member_only"] = make_household(VILLAGE, status="poor", head_name="只有党员")
    actions.do_pair(
        SYSTEM,
        "member_household",
        household=w["member_only"],
        helper=Helper(party_member=party_member(VILLAGE, "施全友")),
    )
    w["exited"] = make_household(VILLAGE, status="exited", head_name="已脱贫")
    w["fell_back"] = make_household(VILLAGE, status="exited", head_name="返贫户")
    ended = pair_cadre(w["fell_back"])
    actions.do_end_pairing(SYSTEM, ended, "已脱贫")
    registry.do_change_status(w["fell_back"], "monitored", year=2025, reason="因病返贫风险", actor=SYSTEM)
    w["neighbour"] = make_household(NEIGHBOUR_VILLAGE, status="monitored", head_name="丙池监测户")
    w["far"] = make_household(OTHER_TOWNSHIP_VILLAGE, status="poor", head_name="龙潭贫困户")
    pair_cadre(w["far"], name="麻干部")
    # leaders and units
    pair("leader_township", TOWNSHIP, name="县长")
    pair("leader_village", VILLAGE, name="副县长")
    ended_leader = pair("leader_village", OTHER_TOWNSHIP_VILLAGE, name="副县长")
    actions.do_end_pairing(SYSTEM, ended_leader, "调整")
    w["paired_unit"] = make_unit("县交通运输局")
    w["idle_unit"] = make_unit("县教育局")
    w["idle_institution"] = make_unit("县农技站", kind="institution")
    w["enterprise"] = make_unit("县供电公司", kind="enterprise")
    make_unit("泸溪县民政局", area_code=OTHER_COUNTY)
    pair("unit_village", VILLAGE, unit=w["paired_unit"])
    pair("unit_village", NEIGHBOUR_VILLAGE, unit=w["paired_unit"])
    return w


def test_the_county_report_finds_every_planted_gap_and_no_covered_one(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    r = coverage(personas["county_admin"], area(COUNTY))
    townships = {t.code for t in r.townships}
    gaps = {t.code for t in r.townships_without_leader}
    assert TOWNSHIP in townships and TOWNSHIP not in gaps and OTHER_TOWNSHIP in gaps
    assert gaps == townships - {TOWNSHIP} and len(townships) > 2
    # (b, c) the key villages and which lack a leader or a unit
    assert {v.code for v in r.key_villages} == {VILLAGE, NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP_VILLAGE}
    assert {v.code for v in r.villages_without_leader} == {NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP_VILLAGE}
    assert {v.code for v in r.villages_without_unit} == {OTHER_TOWNSHIP_VILLAGE}
    by_code = {v.code: v for v in r.key_villages}
    assert by_code[OTHER_TOWNSHIP_VILLAGE].township is not None
    assert by_code[OTHER_TOWNSHIP_VILLAGE].township.code == OTHER_TOWNSHIP
    # (d) departments and institutions idle; the enterprise and the other county's unit are not counted
    assert {u.name for u in r.units_without_village} == {"县教育局", "县农技站"}
    assert r.units == 3
    # (e) poor and monitored households without an active cadre pairing
    assert by_code[VILLAGE].households == 4 and by_code[VILLAGE].uncovered == 3
    assert by_code[NEIGHBOUR_VILLAGE].uncovered == 1 and by_code[OTHER_TOWNSHIP_VILLAGE].uncovered == 0
    assert r.households == 6 and r.uncovered == 4
    listed = set(
        uncovered_households(personas["county_admin"], area(COUNTY)).values_list("head_name", flat=True)
    )
    assert listed == {"无干部", "只有党员", "返贫户", "丙池监测户"}
    assert not r.complete


def test_the_drill_down_sums_the_gaps_per_sub_area(personas: dict[str, Any], world: dict[str, Any]) -> None:
    county = coverage(personas["county_admin"], area(COUNTY))
    rows = {c.area.code: c for c in county.children}
    assert all(c.area.level == Level.TOWNSHIP for c in county.children)
    mine, theirs = rows[TOWNSHIP], rows[OTHER_TOWNSHIP]
    assert (mine.townships_without_leader, mine.key_villages, mine.villages_without_leader) == (0, 2, 1)
    assert (mine.villages_without_unit, mine.households, mine.uncovered) == (0, 5, 4)
    assert (theirs.townships_without_leader, theirs.key_villages, theirs.villages_without_unit) == (1, 1, 1)
    township = coverage(personas["township_officer"], area(TOWNSHIP))
    assert {c.area.level for c in township.children} == {Level.VILLAGE}
    assert {v.code for v in township.key_villages} == {VILLAGE, NEIGHBOUR_VILLAGE}
    assert township.townships_without_leader == [] and len(township.townships) == 1
    village = coverage(personas["village_clerk"], area(VILLAGE))
    assert village.children == [] and village.uncovered == 3
    assert {v.code for v in village.villages_without_leader} == set()


def test_closing_every_gap_makes_the_report_complete(personas: dict[str, Any], world: dict[str, Any]) -> None:
    r = coverage(personas["township_officer"], area(VILLAGE))
    assert not r.complete
    for h in ("bare", "member_only", "fell_back"):
        pair_cadre(world[h], name="新干部")
    r = coverage(personas["township_officer"], area(VILLAGE))
    assert r.uncovered == 0 and r.complete


def test_no_one_sees_gaps_outside_their_area(personas: dict[str, Any], world: dict[str, Any]) -> None:
    outsider = coverage(personas["outsider"], area(OTHER_COUNTY))
    assert outsider.key_villages == [] and {u.name for u in outsider.units_without_village} == {
        "泸溪县民政局"
    }
    assert coverage(personas["outsider"], area(COUNTY)).key_villages == []  # not their county
    assert not uncovered_households(personas["neighbour_clerk"], area(VILLAGE)).exists()


@pytest.mark.parametrize("households", [3, 40])
def test_the_report_takes_the_same_few_queries_however_many_households(
    households: int, personas: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for i in range(households):
        home = make_household(
            VILLAGE if i % 2 else NEIGHBOUR_VILLAGE, status="poor", members=1, head_name=f"户{i}"
        )
        if i % 3 == 0:
            pair_cadre(home)
    with django_assert_max_num_queries(7):
        r = coverage(personas["county_admin"], area(COUNTY))
        r.children  # noqa: B018
    assert r.households == households and r.uncovered == households - len(range(0, households, 3))
