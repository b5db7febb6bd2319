"""Excel import of the household file (户籍花名册导入), in bulk.

Each row is checked with the same cleaners the forms and ``registry.actions`` use; the good rows
of a chunk are then written with bulk inserts and updates in one transaction and one audit
entry, because one transaction per row cannot reach thousands of rows a second. Rows that
change nothing are not written and not audited, so importing a file twice is a no-op.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
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
from xlsxwriter.utility import xl_col_to_name

from fupin.accounts.permissions import IMPORT_REGISTRY
from fupin.areas.models import Area, Level
from fupin.core import audit, crypto
from fupin.core.access import covers, require
from fupin.core.errors import ErrorCode, FupinError
from fupin.registry import choices as c
from fupin.registry import duplicates, excel, idnumber, income
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
    DUPLICATE_ID_SHEET = gettext_noop(
        "The same ID number appears earlier in this file, on sheet {sheet}, row {row}."
    )
    ID_NOT_TEXT = gettext_noop("The ID number must be entered as text.")
    PHONE_NOT_TEXT = gettext_noop("The phone number must be entered as text.")
    ACCOUNT_NOT_TEXT = gettext_noop("The bank account must be entered as text.")
    HOUSEHOLD_NOT_SAVED = gettext_noop(
        "Not saved: row {rows} of the same household has an error, and a household is saved only "
        "with all its rows."
    )
    SHEET_NOT_TEMPLATE = gettext_noop(
        "Not read: the sheet lacks the template's required columns ({columns})."
    )
    SHEET_NOT_WORKSHEET = gettext_noop("Not read: the sheet is not a worksheet.")
    HEADER_MERGED = gettext_noop(
        "Not read: its header cell is merged into column {column} ({header}), so the column has no header."
    )
    NO_HEADER = gettext_noop("Not read: the column has no header.")
    HEADER_TWICE = gettext_noop("Not read: column {column} has the same header and is the one read.")
    UNKNOWN_COLUMN = gettext_noop("Not read: not a column of the template.")
    CELL_NOT_HEAD = gettext_noop(
        "Not read: a household's values are read from its head's row, which says {value}."
    )
    CELL_HEAD_BLANK = gettext_noop(
        "Not read: a household's values are read from its head's row, where this cell is blank."
    )
    CELL_NO_HEAD_ROW = gettext_noop(
        "Not read: a household's values are read from its head's row, which is not in this file."
    )
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
    sheet: str = ""
    key: str = ""  # the household it belongs to in the file (household_key)


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
    sheet: str = ""
    key: str = ""  # the household it belongs to in the file (household_key)


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
    households_refused: int = 0  # households of the file not saved, with all their rows
    bad_rows: list[BadRow] = field(default_factory=list)
    positions: dict[str, dict[str, int]] = field(default_factory=dict)  # sheet -> header -> column
    sheets_read: list[str] = field(default_factory=list)
    not_read: list[Any] = field(default_factory=list)  # NotRead: sheets and columns
    cells_not_read: list[Any] = field(default_factory=list)  # NotRead: single cells

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            k: v
            for k, v in self.__dict__.items()
            if k not in ("bad_rows", "positions", "not_read", "cells_not_read")
        }
        out["not_read"] = [n.as_dict() for n in self.not_read]
        out["cells_not_read"] = len(self.cells_not_read)
        # A sample for the page; the error sheet lists every one.
        out["cells_not_read_sample"] = [n.as_dict() for n in self.cells_not_read[:20]]
        return out


# --- reading -------------------------------------------------------------------------------

# A title line or two above the header is common in county sheets: look this far for it.
HEADER_SEARCH_ROWS = 5
ERROR_HEADERS = frozenset(excel.ERROR_COLUMNS)
HEAD_HEADER = excel.BY_TARGET_FIELD[("key", "head_id")].header
AREA_HEADER = excel.BY_TARGET_FIELD[("household", "area")].header
# Cells typed as numbers in these columns are refused, not converted: Excel keeps 15 significant
# digits, so an 18-digit ID number typed as a number is already another number (4.33124200210096E+17)
# and about 1 in 11 such numbers still passes the checksum; a phone or account loses its leading 0.
TEXT_ONLY: dict[str, ImportProblem] = {
    "id": ImportProblem.ID_NOT_TEXT,
    "phone": ImportProblem.PHONE_NOT_TEXT,
    "account": ImportProblem.ACCOUNT_NOT_TEXT,
}


def household_key(value: Any) -> str:
    """The file's own grouping of its rows into households: the head's ID number as typed,
    folded as ``idnumber.normalise`` folds it, so 4331…x and 4331…X are one household."""
    return unicodedata.normalize("NFKC", excel.cell_text(value)).replace(" ", "").upper()


@dataclass
class NotRead:
    """Something in the file the import did not read: a sheet, a column or a cell."""

    what: str  # sheet | column | cell
    sheet: str
    where: str  # "" for a sheet; the column's letter (E) or the cell (E7)
    header: str
    reason: str
    cells: int = 0  # the filled cells it holds

    def as_dict(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "sheet": self.sheet,
            "where": self.where,
            "header": self.header,
            "reason": self.reason,
            "cells": self.cells,
        }


@dataclass
class DataSheet:
    """A sheet read as household rows: it has the template's required columns."""

    name: str
    sheet: Any  # python_calamine.CalamineSheet, kept so the rows are parsed from the file once
    header_index: int  # the header's row, counted from 0 (calamine yields rows from the top)
    first_column: int  # calamine's rows start at the first filled column; letters count from A
    positions: dict[str, int]  # template header -> index in the sheet's rows
    unread: dict[int, NotRead]  # index -> a filled column that is not read
    rows: int

    def letter(self, index: int) -> str:
        return xl_col_to_name(self.first_column + index)


@dataclass
class Book:
    sheets: list[DataSheet]
    not_read: list[NotRead]
    total: int
    order: list[str]  # every sheet's name, in the book's order


def _is_blank(row: list[Any]) -> bool:
    return all(v is None or v == "" for v in row)


def _header_of(sheet: Any) -> tuple[int, list[Any]] | None:
    """The header row: the first of the top filled rows that holds every required column."""
    first: tuple[int, list[Any]] | None = None
    for index, row in enumerate(sheet.iter_rows()):
        if _is_blank(row):
            continue
        names = {excel.cell_text(v).rstrip("*").strip() for v in row}
        if first is None:
            first = (index, row)
        if all(h in names for h in excel.REQUIRED_HEADERS):
            return index, row
        if index - first[0] + 1 >= HEADER_SEARCH_ROWS:
            break
    return first


def _columns(name: str, sheet: Any, header_index: int, header: list[Any]) -> DataSheet:
    first_column = sheet.start[1] if sheet.start else 0
    # A merged header cell keeps its text in its first cell only: the others read as blank.
    merged_into: dict[int, int] = {}
    for (top, left), (bottom, right) in sheet.merged_cell_ranges or []:
        if top <= header_index <= bottom:
            for col in range(left + 1, right + 1):
                merged_into[col - first_column] = left - first_column
    positions: dict[str, int] = {}
    unread: dict[int, NotRead] = {}
    texts = [excel.cell_text(v).rstrip("*").strip() for v in header]
    out = DataSheet(name, sheet, header_index, first_column, positions, unread, 0)
    for index, text in enumerate(texts):
        if text in excel.HEADERS and text not in positions:
            positions[text] = index
            continue
        if text in ERROR_HEADERS:
            continue  # our own error sheet's notes beside the rows: read back without a word
        if not text and index in merged_into:
            anchor = merged_into[index]
            reason = ImportProblem.HEADER_MERGED.message(
                header=texts[anchor] if anchor < len(texts) else "", column=out.letter(anchor)
            )
        elif not text:
            reason = ImportProblem.NO_HEADER.message()
        elif text in positions:
            reason = ImportProblem.HEADER_TWICE.message(column=out.letter(positions[text]))
        else:
            reason = ImportProblem.UNKNOWN_COLUMN.message()
        unread[index] = NotRead("column", name, out.letter(index), text, reason)
    return out


def open_book(path: Path) -> Book:
    """Every sheet's header, checked before any row is read.

    Every sheet with the template's required columns is read, in the book's order: a second
    sheet of households is as much the clerk's data as the first. Any other sheet that holds
    something is named in the summary as not read; the template's own sheets (说明, 代码表) and
    the error sheet's are skipped quietly. A file without any such sheet is refused.

    calamine builds a sheet's cells in its own compact (Rust) form (it cannot stream: pyo3
    cannot hand a borrowing iterator to Python); Python values are made one row at a time as the
    import asks for them, never a list of the whole sheet. The size limits in settings bound
    that memory.
    """
    if path.suffix.lower() not in READABLE_SUFFIXES:
        raise ImportRefused(ImportProblem.NOT_A_SPREADSHEET)
    if path.is_file() and path.stat().st_size > settings.FUPIN_IMPORT_MAX_BYTES:
        raise ImportRefused(ImportProblem.TOO_LARGE, limit=settings.FUPIN_IMPORT_MAX_BYTES // (1024 * 1024))
    sheets: list[DataSheet] = []
    not_read: list[NotRead] = []
    # The sheet whose missing columns a refusal names: 花名册, else the first with anything.
    refused: tuple[str, list[Any]] | None = None
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        kinds = {m.name: m.typ for m in book.sheets_metadata}
        for name in sorted(names, key=lambda n: n != excel.DATA_SHEET):
            if (
                kinds.get(name, python_calamine.SheetTypeEnum.WorkSheet)
                != python_calamine.SheetTypeEnum.WorkSheet
            ):
                not_read.append(NotRead("sheet", name, "", "", ImportProblem.SHEET_NOT_WORKSHEET.message()))
                continue
            sheet = book.get_sheet_by_name(name)
            found = _header_of(sheet)
            if found is None:
                continue  # an empty sheet holds nothing to lose
            index, header = found
            present = {excel.cell_text(v).rstrip("*").strip() for v in header}
            if all(h in present for h in excel.REQUIRED_HEADERS):
                data = _columns(name, sheet, index, header)
                data.rows = max((sheet.end[0] if sheet.end else 0) - index, 0)
                sheets.append(data)
                continue
            if refused is None:
                refused = (name, header)
            if name in excel.AUXILIARY_SHEETS:
                continue
            missing = [h for h in excel.REQUIRED_HEADERS if h not in present]
            not_read.append(
                NotRead(
                    "sheet",
                    name,
                    "",
                    "",
                    ImportProblem.SHEET_NOT_TEMPLATE.message(columns="、".join(missing)),
                    cells=sum(1 for row in sheet.iter_rows() for v in row if v not in (None, "")),
                )
            )
    except (python_calamine.CalamineError, OSError, ValueError):
        raise ImportRefused(ImportProblem.NOT_A_SPREADSHEET) from None
    if not sheets:
        if refused is None:
            raise ImportRefused(ImportProblem.EMPTY)
        present = {excel.cell_text(v).rstrip("*").strip() for v in refused[1]}
        missing = [h for h in excel.REQUIRED_HEADERS if h not in present]
        raise ImportRefused(ImportProblem.MISSING_COLUMNS, columns="、".join(missing))
    # The sheets in the book's order, so row numbers and the summary follow the file.
    sheets.sort(key=lambda s: names.index(s.name))
    not_read.sort(key=lambda n: names.index(n.sheet))
    total = sum(s.rows for s in sheets)
    limit = settings.FUPIN_IMPORT_MAX_ROWS
    if total > limit:
        raise ImportRefused(ImportProblem.TOO_MANY_ROWS, rows=total, limit=limit)
    return Book(sheets, not_read, total, names)


def data_rows(book: Book) -> Iterator[tuple[DataSheet, int, list[Any]]]:
    """Every filled row under a header, as (its sheet, its row number in the file, its cells)."""
    for data in book.sheets:
        for index, row in enumerate(data.sheet.iter_rows()):
            if index > data.header_index and not _is_blank(row):
                yield data, index + 1, row


def survey(book: Book) -> dict[str, int]:
    """One pass before the import: where each household's last row is (a household is written
    only once all its rows are seen, however the file is sorted), and how many filled cells
    the columns that are not read hold."""
    last: dict[str, int] = {}
    head_positions = {id(d): d.positions[HEAD_HEADER] for d in book.sheets}
    for ordinal, (data, _number, row) in enumerate(data_rows(book)):
        position = head_positions[id(data)]
        if position < len(row):
            key = household_key(row[position])
            if key:
                last[key] = ordinal
        for index, column in data.unread.items():
            if index < len(row) and row[index] not in (None, ""):
                column.cells += 1
    for data in book.sheets:
        for column in data.unread.values():
            # A blank column inside the used range (calamine's rows are as wide as the sheet)
            # lost nothing; a named one is reported even when empty, so a typo in a header shows.
            if column.cells or column.header:
                book.not_read.append(column)
    book.not_read.sort(key=lambda n: (book.order.index(n.sheet), n.what != "sheet", len(n.where), n.where))
    return last


def check_file(path: Path) -> int:
    """Refuse a file at once (upload page, command line): returns the number of data rows."""
    return open_book(path).total


# --- checking one row ----------------------------------------------------------------------


class Importer:
    def __init__(self, *, actor: Any, area: Area) -> None:
        self.actor = actor
        self.area = area
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
        self.plan: list[tuple[int, tuple[str, str], bool, str, dict[str, str] | None, str | None]] = []
        self.sheet: DataSheet | None = None
        self.head_position = 0
        # Per sheet: the household's columns, which only the head's row is read for.
        self.shared: dict[str, list[tuple[str, int]]] = {}
        self.letters: dict[str, dict[int, str]] = {}
        self.known_elsewhere: dict[str, bool] = {}
        self.last_head: tuple[str, str] = ("", "")
        self.last_numbers: dict[str, int] = {}
        # ID hash (shortened) -> (sheet, first row), to refuse duplicates
        self.seen: dict[str, tuple[str, int]] = {}
        # household key -> (sheet, row) of its refused rows: the households not saved
        self.refused: dict[str, list[tuple[str, int]]] = {}
        self.result = ImportResult()

    def use_sheet(self, sheet: DataSheet) -> None:
        """Read the following rows with this sheet's columns (each sheet has its own order)."""
        positions = sheet.positions
        self.sheet = sheet
        self.head_position = positions[HEAD_HEADER]
        self.plan = [
            (
                positions[col.header],
                (col.target, col.field),
                col.required,
                col.header,
                self.choice_maps.get((col.target, col.field)),
                TEXT_ONLY[col.kind].message() if col.kind in TEXT_ONLY else None,
            )
            for col in excel.COLUMNS
            if col.header in positions
        ]
        self.shared[sheet.name] = [
            (col.header, positions[col.header])
            for col in excel.COLUMNS
            if col.target in ("household", "income") and col.header in positions
        ]
        self.letters[sheet.name] = {i: sheet.letter(i) for i in positions.values()}
        self.result.positions[sheet.name] = dict(positions)
        self.result.sheets_read.append(sheet.name)

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
        assert self.sheet is not None
        sheet = self.sheet.name
        problems: list[Problem] = []
        raw: dict[tuple[str, str], str] = {}
        coded: dict[tuple[str, str], str] = {}
        width = len(values)
        household = household_key(values[self.head_position]) if self.head_position < width else ""
        # The hottest loop of the import (every cell): plain tuples, no calls for empty cells.
        for position, key, required, header, choice_map, text_only in self.plan:
            value = values[position] if position < width else None
            if value is None or value == "":
                text = ""
            elif type(value) is str:
                text = value.strip()
            elif text_only is not None:
                # Never turned back into digits: the number the cell holds is not the one typed.
                problems.append(Problem(header, text_only))
                continue
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
                first_sheet, first_row = self.seen[short]
                problems.append(
                    Problem(
                        "身份证号",
                        ImportProblem.DUPLICATE_ID.message(row=first_row)
                        if first_sheet == sheet
                        else ImportProblem.DUPLICATE_ID_SHEET.message(sheet=first_sheet, row=first_row),
                    )
                )
            else:
                self.seen[short] = (sheet, number)
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
            sheet=sheet,
            key=household,
        )
        if is_head:
            parsed.household = self._household_values(raw, coded, problems, problem)
            parsed.income = self._income_values(raw, problems, problem)
        if problems:
            return BadRow(number, values, problems, sheet, household)
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

    def feed(self, book: Book, last: dict[str, int], on_progress: Callable[[int], None]) -> ImportResult:
        """Check every row; write households in chunks, each household only once all its rows
        are seen (``survey`` said where its last row is), and only if every one of them is good:
        a household saved without a member row the clerk wrote would look complete and is not."""
        pending: dict[str, list[Parsed | BadRow]] = {}
        ready: list[Parsed] = []
        seen_rows = 0
        for ordinal, (sheet, number, values) in enumerate(data_rows(book)):
            if sheet is not self.sheet:
                self.use_sheet(sheet)
            seen_rows += 1
            item = self.parse(number, values)
            # A row without a head's ID number is a household of its own (and refused).
            item.key = item.key or f"\0{ordinal}"
            group = pending.setdefault(item.key, [])
            group.append(item)
            if last.get(item.key, ordinal) > ordinal:
                continue  # more rows of this household follow
            del pending[item.key]
            self._complete(group, ready)
            # A chunk ends between households, so a household's rows (and the size its
            # income is divided by) are written together.
            if len(ready) >= CHUNK:
                self.write_chunk(ready)
                ready = []
                on_progress(seen_rows)
        for group in pending.values():
            self._complete(group, ready)
        self.write_chunk(ready)
        on_progress(seen_rows)
        self.result.rows = seen_rows
        self.result.bad = len(self.result.bad_rows)
        self.result.good = seen_rows - self.result.bad
        self.result.households_refused = len(self.refused)
        order = {name: i for i, name in enumerate(book.order)}
        self.result.bad_rows.sort(key=lambda b: (order.get(b.sheet, 0), b.row))
        self.result.not_read = list(book.not_read)
        return self.result

    def _complete(self, group: list[Parsed | BadRow], ready: list[Parsed]) -> None:
        """All of a household's rows are read: pass it on whole, or refuse it whole."""
        good = [p for p in group if isinstance(p, Parsed)]
        bad = [b for b in group if isinstance(b, BadRow)]
        if not bad:
            ready.extend(good)
            return
        self.result.bad_rows.extend(bad)
        self.refused.setdefault(group[0].key, []).extend((b.sheet, b.row) for b in bad)
        for p in good:
            self._refuse_with_household(p)

    def _refuse_with_household(self, item: Parsed) -> None:
        rows = "、".join(
            str(row) if sheet == item.sheet else f"{sheet}!{row}" for sheet, row in self.refused[item.key]
        )
        self.result.bad_rows.append(
            BadRow(
                item.row,
                item.values,
                [Problem(HEAD_HEADER, ImportProblem.HOUSEHOLD_NOT_SAVED.message(rows=rows))],
                item.sheet,
                item.key,
            )
        )

    def _reject(self, item: Parsed, header: str, reason: str) -> None:
        self.result.bad_rows.append(
            BadRow(item.row, item.values, [Problem(header, reason)], item.sheet, item.key)
        )
        self.refused.setdefault(item.key, []).append((item.sheet, item.row))

    def _note_unread_cells(self, rows: list[Parsed], head_row: Parsed | None) -> None:
        """A household's values on its other rows are not read: say so where they differ from
        the head's row (a repeated value, as the template allows, is nothing lost)."""
        for p in rows:
            if p is head_row:
                continue
            letters = self.letters[p.sheet]
            width = len(p.values)
            head_positions = self.result.positions[head_row.sheet] if head_row is not None else {}
            for header, position in self.shared[p.sheet]:
                value = p.values[position] if position < width else None
                if value is None or value == "":
                    continue
                if head_row is None:
                    if header == AREA_HEADER:
                        continue  # checked on every row of a registered household
                    reason = ImportProblem.CELL_NO_HEAD_ROW.message()
                else:
                    at = head_positions.get(header)
                    head_value = head_row.values[at] if at is not None and at < len(head_row.values) else None
                    if head_value == value:
                        continue
                    head_text = excel.cell_text(head_value)
                    if head_text == excel.cell_text(value):
                        continue
                    reason = (
                        ImportProblem.CELL_NOT_HEAD.message(value=head_text)
                        if head_text
                        else ImportProblem.CELL_HEAD_BLANK.message()
                    )
                self.result.cells_not_read.append(
                    NotRead("cell", p.sheet, f"{letters[position]}{p.row}", header, reason, 1)
                )

    def write_chunk(self, chunk: list[Parsed]) -> None:
        """Write whole households (``feed`` never splits one between chunks)."""
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
                    duplicates.record_refusal(
                        self.actor, members[p.head_hash], area_code=self.area.code, channel="import"
                    )
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

        # First every check that can refuse a row, then the writing: a refused row takes its
        # household's other rows with it, and they may lie in another group (another number).
        plans: list[tuple[Household, Parsed | None, list[Parsed]]] = []
        for key, group in groups.items():
            head_row = next((p for p in group if p.is_head), None)
            if isinstance(key, int):
                household = households[key]
            else:
                if head_row is None:
                    # Every row of the household has been read: its head is in no row.
                    for p in group:
                        self._reject(p, "户主身份证号", ImportProblem.NO_HEAD.message())
                    continue
                household = Household(area_id=head_row.area)
                household.head_name = head_row.member.get("name", "")
            rows_kept: list[Parsed] = []
            for p in group:
                if p.area and p.area != household.area_id and household.pk:
                    self._reject(p, "村/组区划代码", ImportProblem.AREA_MOVED.message(area=household.area_id))
                    continue
                existing = members.get(p.id_hash)
                if existing is not None and existing.household_id != household.pk:
                    self._reject(p, "身份证号", RegistryError.ID_TAKEN.message())
                    duplicates.record_refusal(
                        self.actor, existing, area_code=self.area.code, channel="import"
                    )
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
            plans.append((household, head_row, keep))

        for household, head_row, keep in plans:
            if any(p.key in self.refused for p in keep):
                for p in keep:
                    self._refuse_with_household(p)
                continue
            self._note_unread_cells(keep, head_row)
            if household.pk is None:
                assert head_row is not None
                village = head_row.area[:12]
                last_numbers[village] += 1
                household.number = f"{village}{last_numbers[village]:04d}"
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
    # A file of ID numbers would otherwise ask the registry about each one (duplicates.py).
    duplicates.check_limit(actor)
    with translation.override("zh-hans"):
        book = open_book(path)
        total = book.total
        if on_progress:
            on_progress(0, total)
        last = survey(book)
        importer = Importer(actor=actor, area=area)
        return importer.feed(book, last, lambda done: on_progress(done, total) if on_progress else None)
