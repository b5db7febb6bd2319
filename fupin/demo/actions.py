"""Building the demo county: one action that writes a whole population in bulk.

Per-household actions would take hours for 80,000 households, so ``do_build_demo`` writes rows in
batches with ``bulk_create`` inside one transaction (all or nothing) and leaves one audit entry
with the counts. Personal data is protected exactly as ``registry.actions`` does it: ID numbers
and phones are encrypted, hashed and masked before they reach the database, never printed.

Which households belong to the demo is kept in that audit entry as ranges of primary keys, so a
rebuild removes the demo and nothing that users added beside it.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from fupin.areas.models import Area, Level
from fupin.core import audit, crypto
from fupin.core.access import SYSTEM, require
from fupin.core.models import AuditEntry
from fupin.demo import economy, population
from fupin.demo.population import HouseholdPlan
from fupin.registry import idnumber
from fupin.registry.choices import HouseholdStatus, MonitoringCategory
from fupin.registry.models import Household, HouseholdCondition, IncomeRecord, Member, StatusChange

BUILD_DEMO = "demo.build"  # held by no role: only the operator at the command line builds demos
ACTION = "demo.build"
COUNTY = "433124000000"
MAX_HOUSEHOLDS = 2_000_000  # 4-digit household numbers allow 9,999 per village
FLUSH_HOUSEHOLDS = 2_000
DEMO_REASON_SUFFIX = "(演示数据)"


class DemoError(ValueError):
    """The demo cannot be built as asked (areas missing, size out of range)."""


@dataclass(frozen=True)
class DemoInfo:
    """The demo the database holds, as its last build recorded it."""

    seed: int
    households: int
    present: int  # how many of its households are still there
    counts: dict[str, Any]

    @property
    def intact(self) -> bool:
        return self.present == self.households


def _ranges_q(ranges: list[list[int]], field: str = "pk") -> Q:
    q = Q(**{f"{field}__in": []})  # no ranges, no rows
    for first, last in ranges:
        q |= Q(**{f"{field}__gte": first, f"{field}__lte": last})
    return q


def _runs(pks: list[int]) -> list[list[int]]:
    """Sorted keys as [first, last] runs: a bulk insert usually gives one run."""
    runs: list[list[int]] = []
    for pk in sorted(pks):
        if runs and pk == runs[-1][1] + 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return runs


def _all_demo_ranges() -> list[list[int]]:
    ranges: list[list[int]] = []
    for after in AuditEntry.objects.filter(action=ACTION).values_list("after", flat=True):
        ranges += (after or {}).get("household_ranges", [])
    return ranges


def current_demo() -> DemoInfo | None:
    entry = AuditEntry.objects.filter(action=ACTION).order_by("-at", "-id").first()
    if entry is None or not entry.after:
        return None
    after = entry.after
    present = (
        Household.objects.filter(_ranges_q(after.get("household_ranges", []))).count()
        if after.get("household_ranges")
        else 0
    )
    return DemoInfo(int(after.get("seed", 0)), int(after.get("households", 0)), present, after)


_DELETE_CHUNK = 2000


def _delete_demo() -> int:
    """Remove every household an earlier build wrote; children first."""
    ranges = _all_demo_ranges()
    if not ranges:
        return 0
    demo = Household.objects.filter(_ranges_q(ranges), number__startswith=COUNTY[:6])
    ids = list(demo.values_list("pk", flat=True))
    deleted = 0
    # In chunks: members are pointed at by feed records and party members (SET NULL), and Django
    # nulls those in one UPDATE naming every member, which passes SQLite's variable limit at 80k.
    for start in range(0, len(ids), _DELETE_CHUNK):
        chunk = ids[start : start + _DELETE_CHUNK]
        for model in (StatusChange, HouseholdCondition, IncomeRecord, Member):
            model.objects.filter(household_id__in=chunk).delete()
        deleted += Household.objects.filter(pk__in=chunk).delete()[1].get(Household._meta.label, 0)
    return deleted


def _ensure_groups(groups: list[population.Group]) -> int:
    """Add the demo's village groups that are not there yet; keeps groups users made."""
    existing = set(Area.objects.filter(code__in=[g.code for g in groups]).values_list("code", flat=True))
    new = [
        Area(code=g.code, name=g.name, level=Level.GROUP, parent_id=g.village)
        for g in groups
        if g.code not in existing
    ]
    Area.objects.bulk_create(new)
    return len(new)


def _next_sequences() -> dict[str, int]:
    """Per village, the last household sequence in use (``registry.actions._next_number``'s rule)."""
    last: dict[str, int] = {}
    for number in Household.objects.filter(number__startswith=COUNTY[:6]).values_list("number", flat=True):
        village, seq = number[:12], int(number[12:] or 0)
        last[village] = max(last.get(village, 0), seq)
    return last


def _monitoring_category(plan: HouseholdPlan, to_status: str, year: int) -> str:
    """The category an inclusion in monitoring sets, fitting the household (domain.md §5): a
    former poor household is 脱贫不稳定户, any other 边缘易致贫户, and about one in eight of
    either 突发严重困难户 — so every monitored year has a category on its history row."""
    if to_status != HouseholdStatus.MONITORED:
        return ""
    if zlib.crc32(f"{plan.village}{plan.head.name}{year}".encode()) % 8 == 0:
        return MonitoringCategory.SUDDEN
    return MonitoringCategory.UNSTABLE if plan.registered_year else MonitoringCategory.EDGE


class _Writer:
    """Turns plans into rows and writes them in batches."""

    def __init__(self, reason_suffix: str) -> None:
        self.suffix = reason_suffix
        self.sequences = _next_sequences()
        self.counts = dict.fromkeys(("households", "members", "incomes", "conditions", "status_changes"), 0)
        self.pks: list[int] = []

    def _number(self, village: str) -> str:
        seq = self.sequences.get(village, 0) + 1
        if seq > 9999:
            raise DemoError(f"village {village} would need more than 9,999 household numbers")
        self.sequences[village] = seq
        return f"{village}{seq:04d}"

    def write(self, plans: list[HouseholdPlan]) -> None:
        households = []
        for plan in plans:
            head = plan.head
            household = Household(
                area_id=plan.area,
                number=self._number(plan.village),
                head_name=head.name,
                status=plan.status,
                household_type=plan.household_type,
                main_cause=plan.main_cause,
                other_causes=plan.other_causes,
                registered_year=plan.registered_year,
                exit_year=plan.exit_year,
                **plan.fields,
            )
            if plan.phone:
                household.phone_enc = crypto.encrypt(plan.phone)
                household.phone_masked = crypto.mask(plan.phone, 3, 4)
            if plan.bank_account:
                household.bank_account_enc = crypto.encrypt(plan.bank_account)
                household.bank_account_masked = crypto.mask(plan.bank_account, 4, 4)
            households.append(household)
        Household.objects.bulk_create(households)
        members: list[Member] = []
        incomes: list[IncomeRecord] = []
        conditions: list[HouseholdCondition] = []
        changes: list[StatusChange] = []
        for plan, household in zip(plans, households, strict=True):
            pk = household.pk
            self.pks.append(pk)
            for person in plan.members:
                number = person.id_number
                member = Member(
                    household_id=pk,
                    name=person.name,
                    gender=idnumber.gender(number),
                    id_number_enc=crypto.encrypt(number),
                    id_number_hash=crypto.keyed_hash(number),
                    id_number_masked=idnumber.masked(number),
                    birth_date=person.born,
                    relation=person.relation,
                    ethnicity=person.ethnicity,
                    education=person.education,
                    political_status=person.political_status,
                    school_status=person.school_status,
                    health=person.health,
                    labour_capacity=person.labour_capacity,
                    migrant_work=person.migrant_work,
                    work_months=person.work_months,
                    medical_insurance=person.medical_insurance,
                    serious_illness_insurance=person.serious_illness_insurance,
                    pension_insurance=person.pension_insurance,
                    dibao=person.dibao,
                )
                if person.phone:
                    member.phone_enc = crypto.encrypt(person.phone)
                    member.phone_masked = crypto.mask(person.phone, 3, 4)
                members.append(member)
            for year, amounts, size in plan.incomes:
                totals = economy.totals(amounts, size)
                incomes.append(
                    IncomeRecord(
                        household_id=pk,
                        year=year,
                        household_size=size,
                        transfer=totals.transfer,
                        total=totals.total,
                        per_capita_net=totals.per_capita_net,
                        **amounts,
                    )
                )
            conditions += [
                HouseholdCondition(household_id=pk, year=year, **checks)
                for year, checks in sorted(plan.conditions.items())
            ]
            changes += [
                StatusChange(
                    household_id=pk,
                    from_status=old,
                    to_status=new,
                    year=year,
                    reason=f"{reason}{self.suffix}",
                    category=_monitoring_category(plan, new, year),
                )
                for old, new, year, reason in plan.changes
            ]
        Member.objects.bulk_create(members)
        IncomeRecord.objects.bulk_create(incomes)
        HouseholdCondition.objects.bulk_create(conditions)
        StatusChange.objects.bulk_create(changes)
        self.counts["households"] += len(households)
        self.counts["members"] += len(members)
        self.counts["incomes"] += len(incomes)
        self.counts["conditions"] += len(conditions)
        self.counts["status_changes"] += len(changes)


def do_build_demo(
    households: int = population.DEFAULT_HOUSEHOLDS,
    seed: int = 2014,
    *,
    actor: Any = SYSTEM,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Replace the demo population of 花垣县 with a new one of ``households`` households.

    The areas of 433124 must be loaded. Returns the counts also written to the audit entry.
    """
    require(actor, BUILD_DEMO, area_code=COUNTY)
    if not 1 <= households <= MAX_HOUSEHOLDS:
        raise DemoError(f"the demo holds 1 to {MAX_HOUSEHOLDS:,} households, not {households:,}")
    villages = [
        population.Village(code, name)
        for code, name in Area.objects.filter(level=Level.VILLAGE, code__startswith=COUNTY[:6])
        .order_by("code")
        .values_list("code", "name")
    ]
    if not villages:
        raise DemoError(
            "the villages of 花垣县 (433124) are not loaded: run `fupin load-areas --county 433124`"
        )
    started = time.perf_counter()
    with transaction.atomic():
        deleted = _delete_demo()
        groups = _ensure_groups(population.groups_for(villages))
        taken = set(Member.objects.values_list("id_number_hash", flat=True))
        writer = _Writer(DEMO_REASON_SUFFIX)
        batch: list[HouseholdPlan] = []
        plans = population.generate(
            villages, households, seed, taken=(lambda n: crypto.keyed_hash(n) in taken) if taken else None
        )
        for plan in plans:
            batch.append(plan)
            if len(batch) >= FLUSH_HOUSEHOLDS:
                writer.write(batch)
                if on_progress:
                    on_progress(len(batch))
                batch = []
        if batch:
            writer.write(batch)
            if on_progress:
                on_progress(len(batch))
        counts: dict[str, Any] = {
            "seed": seed,
            **writer.counts,
            "groups_added": groups,
            "households_deleted": deleted,
            "household_ranges": _runs(writer.pks),
            "seconds": round(time.perf_counter() - started, 1),
        }
        audit.record(
            actor,
            ACTION,
            object_type="registry.household",
            object_id=f"seed-{seed}",
            area_code=COUNTY,
            after=counts,
        )
    return counts
