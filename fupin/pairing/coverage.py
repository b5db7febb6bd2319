"""The three full coverages (三个全覆盖, domain.md §0, seed 002) and where an area falls short:

(a) every township has a county leader (县领导联乡);
(b) every key village has a county leader (县领导包村), and (c) a unit (单位包村) — a key village
    being one with at least one poor or monitored household;
(d) every county department, party or government office and public institution is paired with a
    village;
(e) every poor or monitored household has a cadre (干部包户).

Each gap is listed by township and village with counts. Everything is computed with a handful of
aggregate queries whose cost does not grow with a loop over households: a county of 80,000
households is one grouped scan with an EXISTS probe on the pairing's household index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from fupin.areas.models import PREFIX_LENGTH, Area, Level, full_code
from fupin.areas.queries import within
from fupin.pairing.models import Pairing, PairingKind
from fupin.pairing.queries import require_read
from fupin.party.models import Unit, UnitKind
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household

KEY_STATUSES = (HouseholdStatus.POOR, HouseholdStatus.MONITORED)
# The units the county pairs with villages (县直部门、党政机关、事业单位); schools, hospitals and
# enterprises may pair too but are not counted as gaps when they do not.
PAIRED_UNIT_KINDS = (UnitKind.DEPARTMENT, UnitKind.PARTY_GOVERNMENT, UnitKind.INSTITUTION)


def _active(kind: str) -> QuerySet[Pairing]:
    return Pairing.objects.filter(kind=kind, ended_on__isnull=True)


def has_cadre() -> Exists:
    """True for a household row with an active cadre pairing."""
    return Exists(_active(PairingKind.CADRE_HOUSEHOLD).filter(household=OuterRef("pk")))


@dataclass
class VillageRow:
    """A key village: its poor and monitored households, how many lack a cadre, and whether a
    county leader and a unit are paired with it."""

    code: str
    area: Area | None
    township: Area | None
    households: int
    uncovered: int
    has_leader: bool
    has_unit: bool

    @property
    def name(self) -> str:
        return self.area.name if self.area else self.code


@dataclass
class ChildRow:
    """One sub-area's gaps, for the drill-down table."""

    area: Area
    townships: int = 0
    townships_without_leader: int = 0
    key_villages: int = 0
    villages_without_leader: int = 0
    villages_without_unit: int = 0
    households: int = 0
    uncovered: int = 0

    @property
    def gaps(self) -> int:
        return (
            self.townships_without_leader
            + self.villages_without_leader
            + self.villages_without_unit
            + self.uncovered
        )


@dataclass
class Coverage:
    area: Area
    townships: list[Area] = field(default_factory=list)
    townships_without_leader: list[Area] = field(default_factory=list)
    key_villages: list[VillageRow] = field(default_factory=list)
    units: int = 0
    units_without_village: list[Unit] = field(default_factory=list)
    children: list[ChildRow] = field(default_factory=list)

    @property
    def villages_without_leader(self) -> list[VillageRow]:
        return [v for v in self.key_villages if not v.has_leader]

    @property
    def villages_without_unit(self) -> list[VillageRow]:
        return [v for v in self.key_villages if not v.has_unit]

    @property
    def households(self) -> int:
        return sum(v.households for v in self.key_villages)

    @property
    def uncovered(self) -> int:
        return sum(v.uncovered for v in self.key_villages)

    @property
    def villages_with_uncovered(self) -> list[VillageRow]:
        return [v for v in self.key_villages if v.uncovered]

    @property
    def complete(self) -> bool:
        return not (
            self.townships_without_leader
            or self.villages_without_leader
            or self.villages_without_unit
            or self.units_without_village
            or self.uncovered
        )


def coverage(user: Any, area: Area) -> Coverage:
    """The gaps inside ``area``, which the caller has checked lies inside the user's area."""
    require_read(user)
    report = Coverage(area=area)
    if not area.code.startswith(user.area.prefix):
        return report

    # (a) townships, each with whether a county leader is paired with it.
    townships = list(
        Area.objects.filter(within(area, "code"), level=Level.TOWNSHIP)
        .annotate(led=Exists(_active(PairingKind.LEADER_TOWNSHIP).filter(area_id=OuterRef("code"))))
        .order_by("code")
    )
    report.townships = townships
    report.townships_without_leader = [t for t in townships if not t.led]  # type: ignore[attr-defined]

    # (b, c, e) key villages from one grouped scan of the poor and monitored households.
    per_village = (
        Household.objects.filter(within(area, "area_id"), status__in=KEY_STATUSES)
        .annotate(village=Substr("area_id", 1, 12), covered=has_cadre())
        .values("village")
        .annotate(households=Count("id"), uncovered=Count("id", filter=Q(covered=False)))
        .order_by("village")
    )
    counts = {r["village"]: r for r in per_village}
    paired = set(
        Pairing.objects.filter(
            within(area, "area_id"),
            kind__in=(PairingKind.LEADER_VILLAGE, PairingKind.UNIT_VILLAGE),
            ended_on__isnull=True,
        )
        .values_list("area_id", "kind")
        .distinct()
    )
    township_codes = {full_code(code[:9]) for code in counts}
    names = Area.objects.in_bulk([*counts, *township_codes])
    report.key_villages = [
        VillageRow(
            code=code,
            area=names.get(code),
            township=names.get(full_code(code[:9])),
            households=r["households"],
            uncovered=r["uncovered"],
            has_leader=(code, PairingKind.LEADER_VILLAGE) in paired,
            has_unit=(code, PairingKind.UNIT_VILLAGE) in paired,
        )
        for code, r in counts.items()
    ]

    # (d) units of the area without an active unit-village pairing anywhere.
    units = Unit.objects.filter(within(area, "area_id"), kind__in=PAIRED_UNIT_KINDS).annotate(
        paired=Exists(_active(PairingKind.UNIT_VILLAGE).filter(unit=OuterRef("pk")))
    )
    unit_rows = list(units.order_by("area_id", "name"))
    report.units = len(unit_rows)
    report.units_without_village = [u for u in unit_rows if not u.paired]  # type: ignore[attr-defined]

    report.children = _children(area, report)
    return report


def _children(area: Area, report: Coverage) -> list[ChildRow]:
    """The gaps summed per direct sub-area (townships of a county, villages of a township)."""
    if area.level >= Level.VILLAGE:
        return []
    width = PREFIX_LENGTH[area.level + 1]
    rows = {child.prefix: ChildRow(area=child) for child in Area.objects.filter(parent=area).order_by("code")}
    for township in report.townships:
        row = rows.get(township.code[:width])
        if row is not None:
            row.townships += 1
            row.townships_without_leader += 0 if township.led else 1  # type: ignore[attr-defined]
    for village in report.key_villages:
        row = rows.get(village.code[:width])
        if row is None:
            continue
        row.key_villages += 1
        row.villages_without_leader += 0 if village.has_leader else 1
        row.villages_without_unit += 0 if village.has_unit else 1
        row.households += village.households
        row.uncovered += village.uncovered
    return list(rows.values())


def uncovered_households(user: Any, area: Area) -> QuerySet[Household]:
    """(e) listed: the poor and monitored households in ``area`` without an active cadre."""
    require_read(user)
    if not area.code.startswith(user.area.prefix):
        return Household.objects.none()
    return (
        Household.objects.filter(within(area, "area_id"), status__in=KEY_STATUSES)
        .filter(~has_cadre())
        .order_by("area_id", "number")
    )
