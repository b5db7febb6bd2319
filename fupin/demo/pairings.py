"""Pairings of the demo county (结对帮扶, the "three full coverages" of domain.md §0) with a
few gaps planted on purpose, so the coverage report has something true to find:

- a unit for every key village (a village with poor or monitored households) but one, and every
  county unit with a village but one;
- a county leader for every township but one, and for every key village but one;
- a cadre for every poor and monitored household but seven, in two villages;
- a few party members each answering for neighbouring households (党员联户).

In 十八洞村 the ``first_secretary`` and ``cadre`` logins each answer for about eight households.
Helpers' phones are made up and stored encrypted and masked, as the registry stores phones.
The unit-for-village pairings also give each village branch its urban–rural linkage with the
unit's branch (城乡联建).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from fupin.core.personas import TOWNSHIP, VILLAGE
from fupin.demo.county import PERSONA_PEOPLE, SHIBADONG_UNIT, County, Home, Phone, Place, person, phone
from fupin.demo.party_orgs import GAP_UNIT
from fupin.pairing.models import Pairing, PairingKind
from fupin.party.models import Linkage, LinkKind, Unit
from fupin.registry.choices import HouseholdStatus

# County leaders (县级领导) each answer for a township and its key villages.
LEADER_POSTS = [
    "县委书记",
    "县长",
    "县委副书记",
    "县人大常委会主任",
    "县政协主席",
    "常务副县长",
    "县委常委、组织部长",
    "县委常委、纪委书记",
    "县委常委、宣传部长",
    "县委常委、政法委书记",
    "县委常委、统战部长",
    "副县长",
    "副县长",
    "县人大常委会副主任",
    "县政协副主席",
]
CADRE_POSTS = ["科员", "科员", "科员", "股长", "副局长", "办公室主任", "四级主任科员", "一级科员"]
HOUSEHOLDS_PER_PERSONA = 8
GAP_HOUSEHOLDS = (4, 3)  # households left without a cadre, in two villages


def _chunks(items: list[Any], parts: int) -> list[list[Any]]:
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def _choose_gaps(county: County, rng: random.Random) -> dict[str, Any]:
    """Where the gaps go: outside 十八洞村, each in a different village, 双龙镇's own township
    complete so the personas' township still shows full coverage at the township level."""
    key = [v for v in county.key_villages if v.code != VILLAGE]
    elsewhere = [v for v in key if not v.code.startswith(TOWNSHIP[:9])] or key
    taken: set[str] = set()

    def pick(candidates: list[Place]) -> str:
        free = [v.code for v in candidates if v.code not in taken]
        if not free:
            return ""
        code = rng.choice(free)
        taken.add(code)
        return code

    def roomy(pool: list[Place], wanted: int) -> list[Place]:
        """Villages with more poor or monitored households than left out (so the village still
        shows pairings), else with as many, else with the most: small demos have few."""
        counts = {v.code: sum(h.assisted for h in county.homes[v.code]) for v in pool if v.code not in taken}
        for enough in (wanted + 1, wanted):
            found = [v for v in pool if counts.get(v.code, 0) >= enough]
            if found:
                return found
        most = max(counts.values(), default=0)
        return [v for v in pool if most and counts.get(v.code) == most]

    # Households without a cadre first (they need villages with enough households): one
    # village of 双龙镇, whose township officer is a persona, and one elsewhere.
    homes: list[str] = []
    home_township = [v for v in key if v.code.startswith(TOWNSHIP[:9])]
    for pool in (home_township, elsewhere):
        # The first takes its share; the second the rest, making up what a small first lacked.
        wanted = GAP_HOUSEHOLDS[0] if not homes else sum(GAP_HOUSEHOLDS) - len(homes)
        code = pick(roomy(pool, wanted) or roomy(key, wanted))
        if code:
            assisted = [h.number for h in county.homes[code] if h.assisted]
            homes += sorted(rng.sample(assisted, min(wanted, len(assisted))))
    no_unit = pick(elsewhere)
    no_leader = pick(elsewhere)
    townships = [t.code for t in county.townships if t.code != TOWNSHIP]
    return {
        "villages_without_unit": [no_unit] if no_unit else [],
        "villages_without_leader": [no_leader] if no_leader else [],
        "townships_without_leader": [rng.choice(townships)] if townships else [],
        "units_without_village": [GAP_UNIT],
        "households_without_cadre": homes,
    }


def build(county: County) -> None:
    rng = county.rng("pairings")
    gaps = _choose_gaps(county, rng)
    county.shared["planted"].update(gaps)
    units: list[Unit] = [u for u in county.shared["units"] if u.name != GAP_UNIT]
    key = county.key_villages
    key_codes = {v.code for v in key}

    # 单位包村: key villages in code order, a run of neighbouring villages per unit; if a small
    # demo has fewer key villages than units, each unit still gets one ordinary village.
    paired = [v for v in key if v.code not in gaps["villages_without_unit"]]
    spare = [v for v in county.villages if v.code not in key_codes]
    if VILLAGE not in key_codes and any(v.code == VILLAGE for v in spare):
        paired.append(county.village(VILLAGE))  # the showcase village has its unit in any demo
        spare = [v for v in spare if v.code != VILLAGE]
    while len(paired) < len(units) and spare:
        paired.append(spare.pop(0))
    paired.sort(key=lambda v: v.code)
    village_unit: dict[str, Unit] = {}
    for unit, chunk in zip(units, _chunks(paired, len(units)), strict=True):
        for village in chunk:
            village_unit[village.code] = unit
    # 十八洞村 is paired with the bureau that sends its first secretary: swap runs to make it so.
    home_unit = next((u for u in units if u.name == SHIBADONG_UNIT), None)
    if VILLAGE in village_unit and home_unit is not None and village_unit[VILLAGE] is not home_unit:
        other = village_unit[VILLAGE]
        for code, unit in village_unit.items():
            village_unit[code] = home_unit if unit is other else other if unit is home_unit else unit
    county.shared["village_unit"] = village_unit

    rows: list[Pairing] = []
    unit_started: dict[str, dt.date] = {}
    for code, unit in sorted(village_unit.items()):
        began = dt.date(county.year - rng.choice((1, 2, 3, 4)), rng.randint(3, 6), 1)
        unit_started[code] = began
        rows.append(Pairing(kind=PairingKind.UNIT_VILLAGE, area_id=code, unit=unit, started_on=began))

    # County leaders: one per township (but the gap), and the same leader for its key villages.
    leaders = [
        (post, person(rng, rng.randint(county.year - 58, county.year - 42)), phone(rng))
        for post in LEADER_POSTS
    ]
    township_leader: dict[str, tuple[str, str, Phone]] = {}
    free = iter(leaders)
    for township in county.townships:
        leader = next(free, None) or rng.choice(leaders)
        township_leader[township.code] = leader
        if township.code in gaps["townships_without_leader"]:
            continue
        rows.append(_leader_row(PairingKind.LEADER_TOWNSHIP, township.code, leader, county))
    for village in key:
        if village.code in gaps["villages_without_leader"]:
            continue
        leader = township_leader.get(village.township) or leaders[0]
        rows.append(_leader_row(PairingKind.LEADER_VILLAGE, village.code, leader, county))
    county.save(Pairing, rows)

    _households(county, rng, village_unit, gaps)
    _members(county, rng, gaps)
    _urban_rural(county, village_unit, unit_started)


def _leader_row(kind: str, code: str, leader: tuple[str, str, Phone], county: County) -> Pairing:
    post, name, tel = leader
    return Pairing(
        kind=kind,
        area_id=code,
        helper_name=name,
        helper_post=post,
        helper_phone_enc=tel.enc,
        helper_phone_masked=tel.masked,
        started_on=dt.date(county.year - 1, 3, 1),
    )


def _households(
    county: County, rng: random.Random, village_unit: dict[str, Unit], gaps: dict[str, Any]
) -> None:
    """干部包户: cadres of the village's unit, three to six households each."""
    left_out = set(gaps["households_without_cadre"])
    first_secretary, cadre_user = county.user("first_secretary"), county.user("cadre")
    units = [u for u in county.shared["units"] if u.name != GAP_UNIT]
    new: list[tuple[Home, Pairing]] = []
    handed: list[tuple[Home, Pairing]] = []  # earlier pairings, ended and handed to ``new`` ones

    # 十八洞村 first: the two personas, then the village's other households to other cadres.
    persona_homes: dict[int, str] = {}
    shibadong = county.homes.get(VILLAGE, [])
    # Monitored (or poor) households first, then those out of poverty: 脱贫不脱帮扶.
    order = {
        HouseholdStatus.MONITORED: 0,
        HouseholdStatus.POOR: 0,
        HouseholdStatus.EXITED: 1,
        HouseholdStatus.RISK_ELIMINATED: 1,
    }
    candidates = sorted(
        (h for h in shibadong if h.status in order), key=lambda h: (order[h.status], h.number)
    )
    for i, home in enumerate(candidates[: 2 * HOUSEHOLDS_PER_PERSONA]):
        persona_homes[home.pk] = "first_secretary" if i % 2 == 0 else "cadre"
    county.shared["persona_homes"] = persona_homes

    for village in county.villages:
        homes = [
            h
            for h in county.homes.get(village.code, [])
            if (h.assisted and h.number not in left_out) or h.pk in persona_homes
        ]
        if not homes:
            continue
        unit = village_unit.get(village.code) or rng.choice(units)
        helpers: list[tuple[str, str, Phone]] = []
        load = 0
        for home in homes:
            username = persona_homes.get(home.pk)
            if username:
                user = first_secretary if username == "first_secretary" else cadre_user
                post = "驻村第一书记" if username == "first_secretary" else f"{unit.name}干部"
                name = PERSONA_PEOPLE[username]
                row = Pairing(
                    kind=PairingKind.CADRE_HOUSEHOLD,
                    area_id=home.area,
                    household_id=home.pk,
                    unit=unit,
                    helper_name=name,
                    helper_post=post,
                    helper_user=user,
                    started_on=dt.date(county.year - 2, 4, 1),
                )
                new.append((home, row))
                continue
            if not helpers or load >= rng.randint(3, 6):
                born = rng.randint(county.year - 55, county.year - 24)
                helpers.append((person(rng, born), f"{unit.name}{rng.choice(CADRE_POSTS)}", phone(rng)))
                load = 0
            name, post, tel = helpers[-1]
            load += 1
            # Paired before last year began, so last year's visits are all this cadre's to make.
            began = dt.date(county.year - 1, 1, 1) - dt.timedelta(days=rng.randint(1, 900))
            row = Pairing(
                kind=PairingKind.CADRE_HOUSEHOLD,
                area_id=home.area,
                household_id=home.pk,
                unit=unit,
                helper_name=name,
                helper_post=post,
                helper_phone_enc=tel.enc,
                helper_phone_masked=tel.masked,
                started_on=began,
            )
            new.append((home, row))
            if rng.random() < 0.02:
                # The first cadre moved to another post and handed the household over (a
                # pairing of a poor household ends only with a successor).
                earlier = Pairing(
                    kind=PairingKind.CADRE_HOUSEHOLD,
                    area_id=home.area,
                    household_id=home.pk,
                    unit=unit,
                    helper_name=person(rng, rng.randint(county.year - 55, county.year - 30)),
                    helper_post=f"{unit.name}{rng.choice(CADRE_POSTS)}",
                    started_on=began - dt.timedelta(days=rng.randint(300, 900)),
                    ended_on=began - dt.timedelta(days=1),
                    end_reason="工作调动，帮扶责任移交接任干部",
                )
                handed.append((home, earlier))
    created = county.save(Pairing, [row for _, row in new])
    successor = {home.pk: row for (home, _), row in zip(new, created, strict=True)}
    for home, earlier in handed:
        earlier.successor = successor[home.pk]
    county.save(Pairing, [row for _, row in handed])
    county.shared["household_pairing"] = {home.pk: row for (home, _), row in zip(new, created, strict=True)}


def _members(county: County, rng: random.Random, gaps: dict[str, Any]) -> None:
    """党员联户: some villagers of the branch each look after two or three neighbouring
    households (exited or cleared ones: the poor and monitored have their cadre)."""
    rows: list[Pairing] = []
    by_village = county.shared["village_members"]
    left_out = set(gaps["households_without_cadre"])
    for code in sorted(by_village):
        if rng.random() > 0.15 and code != VILLAGE:
            continue
        homes = county.homes.get(code, [])
        at = {h.number: i for i, h in enumerate(homes)}
        for member, number in by_village[code][:2]:
            if number not in at:
                continue
            i = at[number]
            near = [
                h
                for h in homes[max(0, i - 4) : i + 5]
                if h.number != number
                and h.number not in left_out
                and h.status in (HouseholdStatus.EXITED, HouseholdStatus.RISK_ELIMINATED)
            ][: rng.randint(2, 3)]
            rows += [
                Pairing(
                    kind=PairingKind.MEMBER_HOUSEHOLD,
                    area_id=h.area,
                    household_id=h.pk,
                    party_member=member,
                    helper_name=member.name,
                    helper_post="农村党员",
                    started_on=county.today - dt.timedelta(days=rng.randint(100, 900)),
                )
                for h in near
            ]
    county.save(Pairing, rows)


def _urban_rural(county: County, village_unit: dict[str, Unit], started: dict[str, dt.date]) -> None:
    """城乡联建: the branch of each village's unit leads the village branch."""
    branches = county.shared["branches"]
    unit_orgs = county.shared["unit_orgs"]
    rows = [
        Linkage(
            first=unit_orgs[unit.pk],
            second=branches[code],
            kind=LinkKind.URBAN_RURAL,
            started_on=started[code],
            note=f"{unit.name}结对帮扶{branches[code].name.removesuffix('党支部').removesuffix('党总支')}",
        )
        for code, unit in sorted(village_unit.items())
        if code in branches
    ]
    county.save(Linkage, rows)
