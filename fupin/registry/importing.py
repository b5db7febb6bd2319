"""Excel import of the household file (户籍花名册导入), in bulk.

Each row is checked with the same cleaners the forms and ``registry.actions`` use; the good rows
of a chunk are then written with bulk inserts and updates in one transaction and one audit
entry, because one transaction per row cannot reach thousands of rows a second. Rows that
change nothing are not written and not audited, so importing a file twice is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import python_calamine
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from fupin.accounts.permissions import IMPORT_REGISTRY
from fupin.areas.models import Area, Level
from fupin.core import audit, crypto
from fupin.core.access import covers, require
from fupin.core.errors import ErrorCode, FupinError
from fupin.registry import choices as c
from fupin.registry import excel, idnumber, income
from fupin.registry.actions import (
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    _clean_causes,
    _mask_account,
    _mask_phone,
    clean_id_number,
)
from fupin.registry.cleaning import Field, clean_fields, clean_phone
from fupin.registry.errors import RegistryError
from fupin.registry.models import Household, IncomeRecord, Member

CHUNK = 2000
READABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
INCOME_FIELDS = {"year": Field("year"), **{name: Field("amount") for name in income.INPUT_FIELDS}}


class ImportProblem(ErrorCode):
    NOT_A_SPREADSHEET = gettext_noop("The file is not a spreadsheet (.xlsx, .xls or .ods) or is damaged.")
    EMPTY = gettext_noop("The sheet has no header row.")
    MISSING_COLUMNS = gettext_noop("Required columns are missing: {columns}.")
    REQUIRED = gettext_noop("This value is required.")
    DUPLICATE_ID = gettext_noop("The same ID number appears earlier in this file, on row {row}.")
    AREA_UNKNOWN = gettext_noop("No village or village group has this code.")
    AREA_OUTSIDE = gettext_noop("This area lies outside the area being imported.")
    HEAD_ID_SELF = gettext_noop("On the head's own row the head's ID number must be the head's own.")
    NO_HEAD = gettext_noop("The household's head is neither in this file nor registered.")
    NUMBER_UNKNOWN = gettext_noop("No household with this number is registered in the area being imported.")
    OTHER_HOUSEHOLD = gettext_noop("This person is registered in another household.")
    AREA_MOVED = gettext_noop("The household is registered in {area}; an import cannot move it.")
    INCOME_YEAR = gettext_noop("Enter the income year when an income amount is given.")
    TWO_HEADS = gettext_noop("The household has a head already; only one member can be the head.")
    TOO_MANY_ROWS = gettext_noop(
        "The sheet has {rows} rows; one import takes at most {limit}. Split the file and import the parts."
    )
    TOO_LARGE = gettext_noop("The file is larger than {limit} MB. Split it and import the parts.")


class ImportRefused(FupinError):
    """The whole file is refused before any row is read (not a spreadsheet, wrong columns)."""


@dataclass
class Problem:
    header: str
    reason: str


@dataclass
class BadRow:
    row: int
    values: list[Any]
    problems: list[Problem]


@dataclass
class Parsed:
    row: int
    values: list[Any]
    head_hash: str
    number: str
    area: str
    member: dict[str, Any]
    id_number: str
    id_hash: str
    phone: str | None
    is_head: bool
    household: dict[str, Any] | None = None  # cleaned household values, head's row only
    income: dict[str, Any] | None = None


@dataclass
class ImportResult:
    rows: int = 0
    good: int = 0
    bad: int = 0
    households_created: int = 0
    households_updated: int = 0
    members_created: int = 0
    members_updated: int = 0
    incomes_written: int = 0
    unchanged: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)  # header -> column in the file read

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if k not in ("bad_rows", "positions")}


# --- reading -------------------------------------------------------------------------------


def open_sheet(path: Path) -> tuple[dict[str, int], Iterator[tuple[int, list[Any]]], int]:
    """The header positions, the data rows as (row number, values) and the number of data rows.

    calamine builds the whole sheet's cells in its own compact (Rust) form (it cannot stream:
    pyo3 cannot hand a borrowing iterator to Python); Python values are made one row at a time
    as the import asks for them, never a list of the whole sheet. The size limits in settings
    bound that memory.
    """
    if path.suffix.lower() not in READABLE_SUFFIXES:
        raise ImportRefused(ImportProblem.NOT_A_SPREADSHEET)
    if path.is_file() and path.stat().st_size > settings.FUPIN_IMPORT_MAX_BYTES:
        raise ImportRefused(ImportProblem.TOO_LARGE, limit=settings.FUPIN_IMPORT_MAX_BYTES // (1024 * 1024))
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        sheet = (
            book.get_sheet_by_name(excel.DATA_SHEET)
            if excel.DATA_SHEET in names
            else (book.get_sheet_by_index(0))
        )
        rows = sheet.iter_rows()
        header = next(rows, None)
    except (python_calamine.CalamineError, OSError, ValueError):
        raise ImportRefused(ImportProblem.NOT_A_SPREADSHEET) from None
    if not header:
        raise ImportRefused(ImportProblem.EMPTY)
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        name = excel.cell_text(value).rstrip("*").strip()
        if name and name not in positions:
            positions[name] = index
    missing = [h for h in excel.REQUIRED_HEADERS if h not in positions]
    if missing:
        raise ImportRefused(ImportProblem.MISSING_COLUMNS, columns="、".join(missing))
    total = max(sheet.height - 1, 0)
    limit = settings.FUPIN_IMPORT_MAX_ROWS
    if total > limit:
        raise ImportRefused(ImportProblem.TOO_MANY_ROWS, rows=total, limit=limit)

    def data() -> Iterator[tuple[int, list[Any]]]:
        for number, row in enumerate(rows, start=2):
            if any(v not in (None, "") for v in row):
                yield number, row

    return positions, data(), total


def check_file(path: Path) -> int:
    """Refuse a file at once (upload page, command line): returns the number of data rows."""
    _, _, total = open_sheet(path)
    return total


# --- checking one row ----------------------------------------------------------------------


class Importer:
    def __init__(self, *, actor: Any, area: Area, positions: dict[str, int]) -> None:
        self.actor = actor
        self.area = area
        self.columns = [(col, positions.get(col.header)) for col in excel.COLUMNS]
        self.width = max(positions.values()) + 1 if positions else 0
        # The villages and groups a row may name: a county has a few hundred, a province 30,000.
        self.villages = set(
            Area.objects.filter(area.within_q("code"), level__in=[Level.VILLAGE, Level.GROUP]).values_list(
                "code", flat=True
            )
        )
        # Codes and Chinese labels to codes, computed once: translating every choice's label for
        # every cell was a quarter of the import's time. A value not found here still goes
        # through clean_choice, which gives the shared error message.
        self.choice_maps: dict[tuple[str, str], dict[str, str]] = {}
        for col in excel.COLUMNS:
            if col.kind == "choice" and col.choices is not None:
                labels = dict(zip(excel.choice_labels(col.choices), col.choices.values, strict=True))
                self.choice_maps[(col.target, col.field)] = {
                    **{v: v for v in col.choices.values},
                    **excel.ALIASES.get(col.field, {}),
                    **labels,
                }
        self.plan = [
            (
                position,
                (col.target, col.field),
                col.required,
                col.header,
                self.choice_maps.get((col.target, col.field)),
            )
            for col, position in self.columns
            if position is not None
        ]
        self.known_elsewhere: dict[str, bool] = {}
        self.last_head: tuple[str, str] = ("", "")
        self.last_numbers: dict[str, int] = {}
        self.seen: dict[str, int] = {}  # ID hash (shortened) -> first row, to refuse duplicates
        self.result = ImportResult()
        self.deferred: list[Parsed] = []

    def _area_problem(self, code: str) -> str | None:
        if code in self.villages:
            return None
        if code not in self.known_elsewhere:
            self.known_elsewhere[code] = Area.objects.filter(code=code).exists()
        if self.known_elsewhere[code] and code.startswith(self.area.prefix):
            return RegistryError.AREA_NOT_VILLAGE.message()
        return (
            ImportProblem.AREA_OUTSIDE.message()
            if self.known_elsewhere[code]
            else (ImportProblem.AREA_UNKNOWN.message())
        )

    def parse(self, number: int, values: list[Any]) -> Parsed | BadRow:
        problems: list[Problem] = []
        raw: dict[tuple[str, str], str] = {}
        coded: dict[tuple[str, str], str] = {}
        width = len(values)
        # The hottest loop of the import (every cell): plain tuples, no calls for empty cells.
        for position, key, required, header, choice_map in self.plan:
            value = values[position] if position < width else None
            if value is None or value == "":
                text = ""
            elif type(value) is str:
                text = value.strip()
            else:
                text = excel.cell_text(value)
            if not text:
                if required:
                    problems.append(Problem(header, ImportProblem.REQUIRED.message()))
                continue
            code = choice_map.get(text) if choice_map is not None else None
            if code is None:
                raw[key] = text
            else:
                coded[key] = code

        def problem(target: str, exc: FupinError, fallback: str) -> None:
            col = (
                excel.BY_TARGET_FIELD.get((target, exc.field or fallback))
                or excel.BY_TARGET_FIELD[(target, fallback)]
            )
            problems.append(Problem(col.header, exc.message))

        member_data = {f: v for (t, f), v in raw.items() if t == "member" and f in MEMBER_FIELDS}
        errors: list[FupinError] = []
        member = clean_fields(MEMBER_FIELDS, member_data, errors, partial=True)
        member.update({f: v for (t, f), v in coded.items() if t == "member"})
        id_number = id_hash = head_hash = ""
        if raw.get(("member", "id_number")):
            try:
                id_number = clean_id_number(raw[("member", "id_number")])
            except FupinError as exc:
                errors.append(exc)
        if id_number:
            id_hash = crypto.keyed_hash(id_number)
            short = id_hash[:20]
            if short in self.seen:
                problems.append(Problem("身份证号", ImportProblem.DUPLICATE_ID.message(row=self.seen[short])))
            else:
                self.seen[short] = number
            if member.get("gender") and member["gender"] != idnumber.gender(id_number):
                errors.append(FupinError(RegistryError.GENDER_MISMATCH, field="gender"))
            member["gender"] = idnumber.gender(id_number)
        phone = None
        if ("member", "phone") in raw:
            try:
                phone = clean_phone(raw[("member", "phone")])
            except FupinError as exc:
                exc.field = "phone"
                errors.append(exc)
        for exc in errors:
            problem("member", exc, "id_number")
        head_text = raw.get(("key", "head_id"), "")
        if head_text and head_text == raw.get(("member", "id_number")) and id_hash:
            head_hash = id_hash  # the head's own row: checked just above
        elif head_text and head_text == self.last_head[0]:
            head_hash = self.last_head[1]  # the household's other rows repeat the same number
        elif head_text:
            try:
                head_hash = crypto.keyed_hash(clean_id_number(head_text))
                self.last_head = (head_text, head_hash)
            except FupinError as exc:
                problems.append(Problem("户主身份证号", exc.message))
        is_head = member.get("relation") == c.Relation.HEAD
        if is_head and id_hash and head_hash and head_hash != id_hash:
            problems.append(Problem("户主身份证号", ImportProblem.HEAD_ID_SELF.message()))
        area = raw.get(("household", "area"), "")
        if area:
            reason = self._area_problem(area)
            if reason:
                problems.append(Problem("村/组区划代码", reason))
        parsed = Parsed(
            row=number,
            values=values,
            head_hash=head_hash,
            number=raw.get(("key", "number"), ""),
            area=area,
            member=member,
            id_number=id_number,
            id_hash=id_hash,
            phone=phone,
            is_head=is_head,
        )
        if is_head:
            parsed.household = self._household_values(raw, coded, problems, problem)
            parsed.income = self._income_values(raw, problems, problem)
        if problems:
            return BadRow(number, values, problems)
        return parsed

    def _household_values(
        self,
        raw: dict[tuple[str, str], str],
        coded: dict[tuple[str, str], str],
        problems: list[Problem],
        problem: Any,
    ) -> Any:
        data = {f: v for (t, f), v in raw.items() if t == "household" and f in HOUSEHOLD_FIELDS}
        errors: list[FupinError] = []
        values = clean_fields(HOUSEHOLD_FIELDS, data, errors, partial=True)
        values.update({f: v for (t, f), v in coded.items() if t == "household"})
        if ("household", "other_causes") in raw or "main_cause" in values:
            values["other_causes"] = _clean_causes(
                values.get("main_cause", ""),
                raw.get(("household", "other_causes"), ""),
                errors,
                needs_main=False,
            )
        if ("household", "phone") in raw:
            try:
                values["_phone"] = clean_phone(raw[("household", "phone")])
            except FupinError as exc:
                exc.field = "phone"
                errors.append(exc)
        if ("household", "bank_account") in raw:
            account = "".join(raw[("household", "bank_account")].split())
            if not account.isdigit():
                errors.append(FupinError(RegistryError.BAD_NUMBER, field="bank_account"))
            values["_bank_account"] = account
        for exc in errors:
            problem("household", exc, "main_cause")
        return values

    def _income_values(self, raw: dict[tuple[str, str], str], problems: list[Problem], problem: Any) -> Any:
        data = {f: v for (t, f), v in raw.items() if t == "income"}
        if not data:
            return None
        errors: list[FupinError] = []
        values = clean_fields(INCOME_FIELDS, data, errors, partial=True)
        for exc in errors:
            problem("income", exc, "year")
        if "year" not in data and not errors:
            problems.append(Problem("收入年度", ImportProblem.INCOME_YEAR.message()))
        return values

    # --- one chunk -------------------------------------------------------------------------

    def feed(self, rows: Iterable[tuple[int, list[Any]]], on_progress: Callable[[int], None]) -> ImportResult:
        chunk: list[Parsed] = []
        seen_rows = 0
        for number, values in rows:
            seen_rows += 1
            item = self.parse(number, values)
            if isinstance(item, BadRow):
                self.result.bad_rows.append(item)
                continue
            # A chunk ends between households, so a household's rows (and the size its
            # income is divided by) are written together.
            if len(chunk) >= CHUNK and item.head_hash != chunk[-1].head_hash:
                self.write_chunk(chunk, final=False)
                chunk = []
                on_progress(seen_rows - 1)
            chunk.append(item)
        self.write_chunk(chunk, final=False)
        # Rows whose head came later in the file: their household exists now, or never will.
        deferred, self.deferred = self.deferred, []
        for start in range(0, len(deferred), CHUNK):
            self.write_chunk(deferred[start : start + CHUNK], final=True)
        on_progress(seen_rows)
        self.result.rows = seen_rows
        self.result.bad = len(self.result.bad_rows)
        self.result.good = seen_rows - self.result.bad
        self.result.bad_rows.sort(key=lambda b: b.row)
        return self.result

    def _reject(self, item: Parsed, header: str, reason: str) -> None:
        self.result.bad_rows.append(BadRow(item.row, item.values, [Problem(header, reason)]))

    def write_chunk(self, chunk: list[Parsed], *, final: bool) -> None:
        if not chunk:
            return
        hashes = {p.id_hash for p in chunk} | {p.head_hash for p in chunk}
        members = {m.id_number_hash: m for m in Member.objects.filter(id_number_hash__in=hashes)}
        numbers = {p.number for p in chunk if p.number}
        by_number = {h.number: h for h in Household.objects.filter(number__in=numbers)} if numbers else {}
        head_households = {members[h].household_id for h in hashes if h in members}
        households = {h.pk: h for h in Household.objects.filter(pk__in=head_households)}
        households.update({h.pk: h for h in by_number.values()})

        # Group the chunk's rows by household: the registered one, or a new one keyed by its head.
        groups: dict[Any, list[Parsed]] = {}
        for p in chunk:
            household: Household | None = None
            if p.number:
                household = by_number.get(p.number)
                if household is None or not household.area_id.startswith(self.area.prefix):
                    self._reject(p, "户编号", ImportProblem.NUMBER_UNKNOWN.message())
                    continue
            elif p.head_hash in members:
                household = households[members[p.head_hash].household_id]
                if not covers(self.actor, household.area_id) or not household.area_id.startswith(
                    self.area.prefix
                ):
                    # Said like a taken ID number: nothing about the other area leaks.
                    self._reject(p, "户主身份证号", RegistryError.ID_TAKEN.message())
                    continue
            groups.setdefault(household.pk if household else ("new", p.head_hash), []).append(p)

        ids = [k for k in groups if isinstance(k, int)]
        heads = dict(
            Member.objects.filter(household_id__in=ids, relation=c.Relation.HEAD, left_on=None).values_list(
                "household_id", "pk"
            )
        )
        sizes = dict(
            Member.objects.filter(household_id__in=ids, left_on=None)
            .values("household_id")
            .annotate(n=Count("id"))
            .values_list("household_id", "n")
        )
        years = {p.income["year"] for g in groups.values() for p in g if p.income and p.income.get("year")}
        incomes = {
            (r.household_id, r.year): r
            for r in IncomeRecord.objects.filter(household_id__in=ids, year__in=years)
        }
        new_villages = {g[0].area[:12] for k, g in groups.items() if not isinstance(k, int)}
        last_numbers = self._last_numbers(new_villages)

        new_households: list[Household] = []
        changed_households: dict[int, Household] = {}
        household_fields: set[str] = set()
        new_members: list[tuple[Member, Household]] = []
        changed_members: list[Member] = []
        member_fields: set[str] = set()
        income_rows: list[tuple[IncomeRecord, Household, bool]] = []
        unchanged = 0

        for key, group in groups.items():
            head_row = next((p for p in group if p.is_head), None)
            if isinstance(key, int):
                household = households[key]
            else:
                if head_row is None:
                    if final:
                        for p in group:
                            self._reject(p, "户主身份证号", ImportProblem.NO_HEAD.message())
                    else:
                        self.deferred.extend(group)
                    continue
                village = head_row.area[:12]
                last_numbers[village] += 1
                household = Household(area_id=head_row.area, number=f"{village}{last_numbers[village]:04d}")
                household.head_name = head_row.member.get("name", "")
            rows_kept: list[Parsed] = []
            for p in group:
                if p.area and p.area != household.area_id and household.pk:
                    self._reject(p, "村/组区划代码", ImportProblem.AREA_MOVED.message(area=household.area_id))
                    continue
                existing = members.get(p.id_hash)
                if existing is not None and existing.household_id != household.pk:
                    self._reject(p, "身份证号", RegistryError.ID_TAKEN.message())
                    continue
                rows_kept.append(p)
            # One current head: the registered one, unless this file gives that member another
            # relation, or the first head row of a new household.
            current_head = heads.get(household.pk) if household.pk else None
            if current_head is not None and self._head_leaves(current_head, rows_kept, members):
                current_head = None
            keep: list[Parsed] = []
            for p in rows_kept:
                existing = members.get(p.id_hash)
                is_current = existing is not None and existing.pk == current_head
                if p.is_head and not is_current:
                    if current_head is not None:
                        self._reject(p, "与户主关系", ImportProblem.TWO_HEADS.message())
                        continue
                    current_head = -1  # taken by this row
                keep.append(p)
            if head_row is not None and head_row not in keep:
                head_row = None
            if household.pk is None and head_row is None:
                for p in keep:
                    self._reject(p, "户主身份证号", ImportProblem.NO_HEAD.message())
                continue

            if head_row is not None and head_row.household is not None:
                data = dict(head_row.household)
                data["head_name"] = head_row.member.get("name", household.head_name)
                changed = _apply(household, data)
                if household.pk is None:
                    new_households.append(household)
                elif changed:
                    changed_households[household.pk] = household
                    household_fields |= changed
            elif household.pk is None:
                new_households.append(household)
            size = sizes.get(household.pk, 0) if household.pk else 0
            for p in keep:
                existing = members.get(p.id_hash)
                if existing is None:
                    member = Member()
                    _apply_member(member, p)
                    new_members.append((member, household))
                    size += 1
                else:
                    changed = _apply_member(existing, p)
                    if changed:
                        changed_members.append(existing)
                        member_fields |= changed
                    else:
                        unchanged += 1
            if head_row is not None and head_row.income and size:
                year = head_row.income["year"]
                record = incomes.get((household.pk, year)) if household.pk else None
                fresh = record is None
                if fresh:
                    record = IncomeRecord(year=year)
                assert record is not None
                if _apply_income(record, head_row.income, size):
                    income_rows.append((record, household, fresh))

        self.result.unchanged += unchanged
        self._save(
            new_households,
            changed_households,
            household_fields,
            new_members,
            changed_members,
            member_fields,
            income_rows,
        )

    def _head_leaves(self, head_pk: int | None, rows: list[Parsed], members: dict[str, Member]) -> bool:
        """The registered head is in this file with another relation: the head changes."""
        return any(
            members.get(p.id_hash) is not None and members[p.id_hash].pk == head_pk and not p.is_head
            for p in rows
        )

    def _last_numbers(self, villages: set[str]) -> dict[str, int]:
        """The last household number per village, read once per import and then counted on
        (one query per village per chunk was a tenth of the time)."""
        for village in villages - self.last_numbers.keys():
            last = Household.objects.filter(number__startswith=village).aggregate(m=Max("number"))["m"]
            self.last_numbers[village] = int(last[12:]) if last else 0
        return self.last_numbers

    def _save(
        self,
        new_households: list[Household],
        changed_households: dict[int, Household],
        household_fields: set[str],
        new_members: list[tuple[Member, Household]],
        changed_members: list[Member],
        member_fields: set[str],
        income_rows: list[tuple[IncomeRecord, Household, bool]],
    ) -> None:
        if not (new_households or changed_households or new_members or changed_members or income_rows):
            return
        with transaction.atomic():
            _insert_plain(Household, new_households)
            if new_households:
                # Household numbers are unique: they give back the ids plain SQL does not return.
                ids = dict(
                    Household.objects.filter(number__in=[h.number for h in new_households]).values_list(
                        "number", "pk"
                    )
                )
                for household in new_households:
                    household.pk = ids[household.number]
            for member, household in new_members:
                member.household_id = household.pk
            _insert_plain(Member, [m for m, _ in new_members])
            if changed_households:
                now = timezone.now()
                for household in changed_households.values():
                    household.updated_at = now
                Household.objects.bulk_update(
                    list(changed_households.values()),
                    sorted(household_fields | {"updated_at"}),
                    batch_size=500,
                )
            if changed_members:
                # The head's relation is moved before anyone takes the role, or the one-head
                # constraint would see two heads for a moment.
                changed_members.sort(key=lambda m: m.relation == c.Relation.HEAD)
                if any(m.relation == c.Relation.HEAD for m in changed_members):
                    for m in changed_members:
                        m.save(update_fields=sorted(member_fields))
                else:
                    Member.objects.bulk_update(changed_members, sorted(member_fields), batch_size=500)
            for record, household, _fresh in income_rows:
                record.household_id = household.pk
            _insert_plain(IncomeRecord, [r for r, _, fresh in income_rows if fresh])
            updated_incomes = [r for r, _, fresh in income_rows if not fresh]
            if updated_incomes:
                IncomeRecord.objects.bulk_update(
                    updated_incomes,
                    [*income.INPUT_FIELDS, "household_size", "transfer", "total", "per_capita_net"],
                    batch_size=500,
                )
            audit.record(
                self.actor,
                "registry.import_households",
                object_type="registry.household",
                area_code=self.area.code,
                after={
                    "households_created": [h.pk for h in new_households],
                    "households_updated": sorted(changed_households),
                    "members_created": len(new_members),
                    "members_updated": [m.pk for m in changed_members],
                    "incomes_written": len(income_rows),
                },
            )
        self.result.households_created += len(new_households)
        self.result.households_updated += len(changed_households)
        self.result.members_created += len(new_members)
        self.result.members_updated += len(changed_members)
        self.result.incomes_written += len(income_rows)


def _converter(field: Any) -> Callable[[Any], Any] | None:
    """How one column's Python value goes to the database, or None when it goes as it is."""
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DecimalField":
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    if kind == "JSONField":
        return lambda v: field.get_db_prep_save(v, connection)
    return None


def _insert_plain(model: Any, objects: list[Any]) -> None:
    """Insert rows with COPY (PostgreSQL) or multi-row INSERTs (SQLite).

    bulk_create spent more time preparing every value of every row (thirty to forty-five fields
    each) than the database spent storing them; here the values are already cleaned, and only
    dates, decimals and JSON need the backend's adapter."""
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    for f in fields:
        # auto_now / auto_now_add are set by save() and bulk_create(), not by plain SQL.
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objects:
                setattr(obj, f.attname, now)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    plan = [(f.attname, _converter(f)) for f in fields]
    if connection.vendor == "postgresql":
        # COPY: the client binds parameters into the query text, and re-parsing multi-row
        # INSERTs of thousands of placeholders cost more than the rows themselves.
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
        ):
            for obj in objects:
                copy.write_row(
                    [
                        (convert(value) if convert is not None and value is not None else value)
                        for name, convert in plan
                        for value in (getattr(obj, name),)
                    ]
                )
        return
    # Several rows per statement (SQLite caps the parameters of one query).
    limit = connection.features.max_query_params or 10000
    per_statement = max(1, min(500, limit // len(fields)))
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(objects), per_statement):
            batch = objects[start : start + per_statement]
            params: list[Any] = []
            for obj in batch:
                for name, convert in plan:
                    value = getattr(obj, name)
                    params.append(convert(value) if convert is not None and value is not None else value)
            marks = ", ".join([row_marks] * len(batch))
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {marks}", params)  # noqa: S608 - names from the model


# --- applying values: each returns the fields that changed -------------------------------


def _same_secret(token: str, masked: str, value: str, masker: Callable[[str], str]) -> bool:
    if not value:
        return not token
    # The masked form rules most changes out cheaply; decrypt only when it matches.
    return bool(token) and masked == masker(value) and crypto.decrypt(token) == value


def _apply(household: Household, data: dict[str, Any]) -> set[str]:
    changed: set[str] = set()
    phone = data.pop("_phone", None)
    account = data.pop("_bank_account", None)
    for name, value in data.items():
        if getattr(household, name) != value:
            setattr(household, name, value)
            changed.add(name)
    if phone is not None and not _same_secret(
        household.phone_enc, household.phone_masked, phone, _mask_phone
    ):
        household.phone_enc = crypto.encrypt(phone) if phone else ""
        household.phone_masked = _mask_phone(phone) if phone else ""
        changed |= {"phone_enc", "phone_masked"}
    if account is not None and not _same_secret(
        household.bank_account_enc, household.bank_account_masked, account, _mask_account
    ):
        household.bank_account_enc = crypto.encrypt(account) if account else ""
        household.bank_account_masked = _mask_account(account) if account else ""
        changed |= {"bank_account_enc", "bank_account_masked"}
    return changed


def _apply_member(member: Member, p: Parsed) -> set[str]:
    changed: set[str] = set()
    for name, value in p.member.items():
        if value is None:
            continue
        if getattr(member, name) != value:
            setattr(member, name, value)
            changed.add(name)
    if member.pk is None:
        # Encrypted exactly as registry.actions does for a member added by hand.
        member.id_number_enc = crypto.encrypt(p.id_number)
        member.id_number_hash = p.id_hash
        member.id_number_masked = idnumber.masked(p.id_number)
        member.birth_date = idnumber.birth_date(p.id_number)
    if p.phone is not None and not _same_secret(member.phone_enc, member.phone_masked, p.phone, _mask_phone):
        member.phone_enc = crypto.encrypt(p.phone) if p.phone else ""
        member.phone_masked = _mask_phone(p.phone) if p.phone else ""
        changed |= {"phone_enc", "phone_masked"}
    return changed


def _apply_income(record: IncomeRecord, values: dict[str, Any], size: int) -> bool:
    amounts = {name: values.get(name, Decimal("0.00")) for name in income.INPUT_FIELDS}
    totals = income.compute(amounts, size)
    new = {
        **amounts,
        "household_size": size,
        "transfer": totals.transfer,
        "total": totals.total,
        "per_capita_net": totals.per_capita_net,
    }
    if record.pk is not None and all(getattr(record, k) == v for k, v in new.items()):
        return False
    for k, v in new.items():
        setattr(record, k, v)
    return True


# --- the whole file ------------------------------------------------------------------------


def do_import_households(
    path: Path,
    *,
    actor: Any,
    area: Area,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import one file into ``area`` (which must lie in the actor's); rows outside are reported.

    Reasons are written in Chinese whatever the caller's language: the error sheet goes back
    to the people who filled in the Chinese template.
    """
    require(actor, IMPORT_REGISTRY, area_code=area.code)
    positions, rows, total = open_sheet(path)
    with translation.override("zh-hans"):
        importer = Importer(actor=actor, area=area, positions=positions)
        importer.result.positions = positions
        if on_progress:
            on_progress(0, total)
        return importer.feed(rows, lambda done: on_progress(done, total) if on_progress else None)
