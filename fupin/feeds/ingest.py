"""Reading a department's feed and checking it row by row.

A file is CSV (UTF-8, UTF-8 with BOM, or GB18030, which covers the GBK files Excel writes on a
Chinese Windows) or a spreadsheet read with python-calamine. Its header names columns by their
Chinese header or English key (``feeds.schemas``); other columns, such as a name, are not read.
Each row becomes either a ``Row`` (ID number already hashed, values typed) or an ``Invalid``
with every problem found, by column and error code; the raw ID number goes no further than
``Parser.parse``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import python_calamine
from django.conf import settings
from django.utils import timezone

from fupin.core import crypto
from fupin.feeds.errors import FeedError, FeedRefused
from fupin.feeds.models import EventKind
from fupin.feeds.schemas import AMOUNT, CHOICE, DATE, ID, KIND, TEXT, TEXT_MAX, YEAR, SourceSchema, fold
from fupin.registry import idnumber

CSV_SUFFIXES = (".csv",)
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
READABLE_SUFFIXES = CSV_SUFFIXES + SHEET_SUFFIXES
# Government exports often put a title line or two above the header: look this far for it.
HEADER_SEARCH_ROWS = 5
FIRST_YEAR = 2000
MAX_AMOUNT = Decimal("100000000")
FEN = Decimal("0.01")
# A status holds for the period it is reported in (a certificate issued in 2015 and reported
# in 2024 says "disabled in 2024"); an event belongs to the year it happened.
STATUS_KINDS = frozenset(
    {
        EventKind.ASSISTANCE_STATUS.value,
        EventKind.HOUSE_RATING.value,
        EventKind.DISABILITY_CERTIFICATE.value,
        EventKind.PENSION.value,
    }
)
_ID_REASONS = {
    "format": FeedError.ID_FORMAT,
    "checksum": FeedError.ID_CHECKSUM,
    "birth_date": FeedError.ID_BIRTH_DATE,
    "future": FeedError.ID_FUTURE,
}
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_ID_LIKE = re.compile(r"[0-9]{15,}")
_PERIOD = re.compile(r"([0-9]{4})(?:-([0-9]{1,2}))?")


# --- the period ------------------------------------------------------------------------------


def clean_period(raw: str) -> str:
    """A year (2024) or a month (2024-03; also written 2024-3, 2024/03, 2024年3月), from 2000
    up to this month, in its one stored form."""
    text = fold(str(raw or "")).replace("年", "-").replace("月", "").replace("/", "-").replace(".", "-")
    match = _PERIOD.fullmatch(text.strip("-"))
    if match is None:
        raise FeedRefused(FeedError.BAD_PERIOD, field="period")
    year, month = int(match[1]), int(match[2]) if match[2] else None
    today = timezone.localdate()
    if (
        year < FIRST_YEAR
        or (month is not None and not 1 <= month <= 12)
        or (year, month or 1) > (today.year, today.month)
    ):
        raise FeedRefused(FeedError.BAD_PERIOD, field="period")
    return f"{year}" if month is None else f"{year}-{month:02d}"


def period_year(period: str) -> int:
    return int(period[:4])


# --- reading a file --------------------------------------------------------------------------


@dataclass
class FeedFile:
    positions: dict[str, int]  # column key -> index in the file's rows
    rows: Iterator[tuple[int, dict[str, Any]]]  # (row number in the file, {key: cell})
    total: int  # rows below the header, blank ones included: the job's progress total


def _header_positions(header: list[Any], schema: SourceSchema) -> dict[str, int]:
    by_header = {fold(h): c.key for c in schema.columns for h in c.headers}
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = by_header.get(fold(cell_text(cell)))
        if key is not None and key not in positions:
            positions[key] = index
    return positions


def _is_blank(row: list[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _find_header(rows: Iterator[list[Any]], schema: SourceSchema) -> tuple[dict[str, int], int]:
    """The header's positions and its row number: the first of the top rows that names the ID
    number column (a title line above it is skipped)."""
    id_headers = {fold(h) for h in schema.column("id_number").headers}
    first: list[Any] | None = None
    for number, row in enumerate(rows, start=1):
        if first is None and not _is_blank(row):
            first = row
        if any(fold(cell_text(v)) in id_headers for v in row):
            return _header_positions(row, schema), number
        if number >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise FeedRefused(FeedError.EMPTY)
    # No header names the ID number: report the columns the first row lacks.
    return _header_positions(first, schema), 1


def _check_columns(positions: dict[str, int], schema: SourceSchema) -> None:
    missing = [schema.column(k).label for k in schema.required_keys() if k not in positions]
    if missing:
        raise FeedRefused(FeedError.MISSING_COLUMNS, columns="、".join(missing))


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on a Chinese Windows saves "CSV" in GBK, which GB18030 contains.
        return data.decode("gb18030")


def _csv_rows(path: Path) -> tuple[list[list[Any]], int]:
    try:
        text = _decode(path.read_bytes())
        rows: list[list[Any]] = list(csv.reader(io.StringIO(text, newline="")))
    except (UnicodeDecodeError, csv.Error, OSError):
        raise FeedRefused(FeedError.NOT_READABLE) from None
    return rows, len(rows)


def _sheet_rows(path: Path) -> tuple[Iterator[list[Any]], int]:
    """calamine holds the sheet in its compact form; Python values are made a row at a time."""
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        return iter(sheet.iter_rows()), sheet.height
    except (python_calamine.CalamineError, OSError, ValueError, IndexError):
        raise FeedRefused(FeedError.NOT_READABLE) from None


def read_feed(path: Path, schema: SourceSchema) -> FeedFile:
    """Open a feed file: refuse it whole (FeedRefused) or give its rows to check one by one."""
    suffix = path.suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        raise FeedRefused(FeedError.NOT_READABLE)
    if path.is_file() and path.stat().st_size > settings.FUPIN_IMPORT_MAX_BYTES:
        raise FeedRefused(FeedError.TOO_LARGE, limit=settings.FUPIN_IMPORT_MAX_BYTES // (1024 * 1024))
    if suffix in CSV_SUFFIXES:
        listed, height = _csv_rows(path)
        source: Iterator[list[Any]] = iter(listed)
    else:
        source, height = _sheet_rows(path)
    positions, header_row = _find_header(source, schema)
    _check_columns(positions, schema)
    total = max(height - header_row, 0)
    limit = settings.FUPIN_IMPORT_MAX_ROWS
    if total > limit:
        raise FeedRefused(FeedError.TOO_MANY_ROWS, rows=total, limit=limit)

    def data() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, row in enumerate(source, start=header_row + 1):
            if _is_blank(row):
                continue
            width = len(row)
            yield number, {key: row[i] if i < width else None for key, i in positions.items()}

    return FeedFile(positions, data(), total)


def check_file(path: Path, schema: SourceSchema) -> int:
    """Refuse a file at once (upload page, command line), before a job is made: its row count."""
    feed = read_feed(path, schema)
    # A sheet's height counts trailing blank rows; one with no data rows at all is refused.
    if not any(True for _ in feed.rows):
        raise FeedRefused(FeedError.NO_ROWS)
    return feed.total


# --- one row ---------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as text: a whole number typed in a spreadsheet arrives as a float."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return str(value).strip()


@dataclass(frozen=True)
class Problem:
    column: str  # the column's key
    code: str  # a FeedError name
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"column": self.column, "code": self.code, "params": self.params}


@dataclass
class Row:
    """A good row, as it will be stored."""

    row: int
    person_hash: str
    kind: str
    year: int
    event_date: dt.date | None
    amount: Decimal | None
    code: str
    detail: str
    fingerprint: str = ""


@dataclass
class Invalid:
    row: int
    problems: list[Problem]
    fingerprint: str  # for the batch's content hash only: keyed, so no ID can be recovered


class _Bad(Exception):
    def __init__(self, code: FeedError, **params: Any) -> None:
        super().__init__(code.name)
        self.code = code
        self.params = params


def _date(value: Any, today: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = cell_text(value)
        match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
        if match is None:
            raise _Bad(FeedError.BAD_DATE)
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise _Bad(FeedError.BAD_DATE) from None
    if day.year < 1900:
        raise _Bad(FeedError.BAD_DATE)
    if day > today:
        raise _Bad(FeedError.DATE_FUTURE)
    return day


def _amount(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _Bad(FeedError.BAD_AMOUNT)
    if isinstance(value, float):
        # A sum computed in a spreadsheet comes back as 1234.5600000000001: two places meant.
        number = Decimal(repr(value))
        rounded = round(value, 2)
        if number.as_tuple().exponent < -2 and abs(value - rounded) < 1e-6:  # type: ignore[operator]
            number = Decimal(repr(rounded))
    else:
        text = cell_text(value).replace(",", "").replace("，", "").removesuffix("元").strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _Bad(FeedError.BAD_AMOUNT) from None
    if not number.is_finite() or number.as_tuple().exponent < -2 or number.copy_abs() >= MAX_AMOUNT:  # type: ignore[operator]
        raise _Bad(FeedError.BAD_AMOUNT)
    if number < 0:
        raise _Bad(FeedError.NEGATIVE_AMOUNT)
    return number.quantize(FEN)


def _year(value: Any, today: dt.date) -> int:
    last = today.year
    text = cell_text(value).removesuffix("年")
    if not re.fullmatch(r"[0-9]{4}", text) or not FIRST_YEAR <= int(text) <= last:
        raise _Bad(FeedError.BAD_YEAR, first=FIRST_YEAR, last=last)
    return int(text)


def _text(value: Any) -> str:
    text = cell_text(value)
    if len(text) > TEXT_MAX:
        raise _Bad(FeedError.TOO_LONG, max=TEXT_MAX)
    # Free text is stored as given: an ID number in it would be a raw number kept.
    if _ID_LIKE.search(fold(text)):
        raise _Bad(FeedError.TEXT_HAS_ID)
    return text


def fingerprint(source: str, row: Row) -> str:
    parts = [
        source,
        row.kind,
        row.person_hash,
        str(row.year),
        row.event_date.isoformat() if row.event_date else "",
        str(row.amount) if row.amount is not None else "",
        row.code,
        row.detail,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class Parser:
    """Checks rows of one source for one period; remembers rows seen, to spot repeats."""

    def __init__(self, schema: SourceSchema, period: str) -> None:
        self.schema = schema
        self.source = schema.source.value
        self.period_year = period_year(period)
        # Asked once: the time zone lookup behind localdate() was a sixth of a row's time.
        self.today = timezone.localdate()
        self.kind_column = schema.kind_column
        self.kind_map = self.kind_column.choice_map() if self.kind_column else {}
        self.choice_maps = {c.key: c.choice_map() for c in schema.columns if c.type == CHOICE}
        self.allowed = {c.key: "、".join(ch.label for ch in c.choices) for c in schema.columns if c.choices}
        self.by_header = {fold(h): c.key for c in schema.columns for h in c.headers}

    def keyed(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """An API row's fields by column key (a client may also use the Chinese headers)."""
        out: dict[str, Any] = {}
        for name, value in values.items():
            key = self.by_header.get(fold(str(name)))
            if key is not None and key not in out:
                out[key] = value
        return out

    def parse(self, number: int, values: Mapping[str, Any]) -> Row | Invalid:
        problems: list[Problem] = []
        texts = {key: cell_text(v) for key, v in values.items()}
        kind = self.schema.kinds[0].value
        if self.kind_column is not None:
            raw_kind = texts.get(self.kind_column.key, "")
            found = self.kind_map.get(fold(raw_kind)) if raw_kind else None
            if found is None:
                code = FeedError.NOT_ALLOWED if raw_kind else FeedError.REQUIRED
                params = {"allowed": self.allowed[self.kind_column.key]} if raw_kind else {}
                problems.append(Problem(self.kind_column.key, code.name, params))
                kind = ""
            else:
                kind = found
        person_hash = ""
        out: dict[str, Any] = {"event_date": None, "amount": None, "code": "", "detail": "", "year": None}
        for column in self.schema.columns:
            if column.type == KIND:
                continue
            raw = values.get(column.key)
            if not texts.get(column.key):
                if column.type == ID or (kind and column.required(kind)):
                    problems.append(Problem(column.key, FeedError.REQUIRED.name))
                continue
            try:
                if column.type == ID:
                    if not isinstance(raw, str):
                        # A spreadsheet cell typed as a number keeps 15 significant digits: the
                        # number read is not the one typed, and may still pass the checksum.
                        raise _Bad(FeedError.ID_NOT_TEXT)
                    try:
                        person_hash = crypto.keyed_hash(idnumber.normalise(texts[column.key]))
                    except idnumber.InvalidIdNumber as exc:
                        raise _Bad(_ID_REASONS[exc.reason]) from None
                elif column.type == DATE:
                    out[column.target] = _date(raw, self.today)
                elif column.type == AMOUNT:
                    out[column.target] = _amount(raw)
                elif column.type == YEAR:
                    out[column.target] = _year(raw, self.today)
                elif column.type == CHOICE:
                    code = self.choice_maps[column.key].get(fold(texts[column.key]))
                    if code is None:
                        raise _Bad(FeedError.NOT_ALLOWED, allowed=self.allowed[column.key])
                    out[column.target] = code
                elif column.type == TEXT:
                    out[column.target] = _text(raw)
            except _Bad as bad:
                problems.append(Problem(column.key, bad.code.name, bad.params))
        if problems:
            return Invalid(number, problems, self._invalid_fingerprint(texts))
        year = out["year"]
        if year is None:
            event_date = out["event_date"]
            year = event_date.year if event_date and kind not in STATUS_KINDS else self.period_year
        row = Row(
            row=number,
            person_hash=person_hash,
            kind=kind,
            year=year,
            event_date=out["event_date"],
            amount=out["amount"],
            code=out["code"],
            detail=out["detail"],
        )
        row.fingerprint = fingerprint(self.source, row)
        return row

    def _invalid_fingerprint(self, texts: dict[str, str]) -> str:
        # Keyed like the ID hash: a plain hash of a one-row batch could be reversed by trying
        # every ID number of a county.
        joined = "\x1f".join(texts.get(c.key, "") for c in self.schema.columns)
        return crypto.keyed_hash("feed-row\x1f" + joined)


def content_hash(source: str, period: str, fingerprints: list[str]) -> str:
    """The batch's identity: its source, period and rows, in any order."""
    digest = hashlib.sha256(f"{source}\x1e{period}\x1e".encode())
    for item in sorted(fingerprints):
        digest.update(item.encode())
    return digest.hexdigest()
