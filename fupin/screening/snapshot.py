"""The screening snapshot: the registry and the department feeds of one area and year, written
as Parquet files that the rules read (their columns are described in ``screening.rules``).

Rows stream from the database through a server-side cursor (``QuerySet.iterator``) and are
written in row groups as they come, so memory stays flat whatever the province's size. The
files carry no ID number and no hash of one: people and households are the database's own
integer keys, enough to join feeds to members and to load alerts back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.db.models import BigIntegerField, F, FilteredRelation, Q
from django.db.models.functions import Cast, Round

from fupin.areas.models import Area
from fupin.areas.queries import within
from fupin.feeds.models import FeedRecord
from fupin.registry.models import Household, Member
from fupin.screening.engines import table_path
from fupin.screening.queries import counties_of, effective_settings, province_code, thresholds
from fupin.screening.rules import PARAM_COLUMNS, RULES

# Rows per Parquet row group: big enough for fast scans, small enough that a scan splits
# across cores (and Spark tasks) on a county-sized snapshot.
ROW_GROUP = 128 * 1024
CHUNK = 20_000  # rows per round trip of the server-side cursor

HOUSEHOLDS = pa.schema(
    [
        ("household_id", pa.int64()),
        ("area_code", pa.string()),
        ("county_code", pa.string()),
        ("province_code", pa.string()),
        ("status", pa.string()),
        ("income_fen", pa.int64()),
        ("income_prev_fen", pa.int64()),
    ]
)
MEMBERS = pa.schema(
    [
        ("member_id", pa.int64()),
        ("household_id", pa.int64()),
        ("birth_date", pa.date32()),
        ("health", pa.string()),
        ("labour_capacity", pa.string()),
        ("left_on", pa.date32()),
    ]
)
FEEDS = pa.schema(
    [
        ("household_id", pa.int64()),
        ("member_id", pa.int64()),
        ("source", pa.string()),
        ("kind", pa.string()),
        ("year", pa.int32()),
        ("event_date", pa.date32()),
        ("month", pa.string()),
        ("amount_fen", pa.int64()),
        ("code", pa.string()),
    ]
)
RULE_PARAMS = pa.schema(
    [("county_code", pa.string()), ("rule", pa.string()), ("enabled", pa.bool_())]
    + [(name, pa.float64()) for name in PARAM_COLUMNS]
)
LINES = pa.schema([("province_code", pa.string()), ("year", pa.int32()), ("threshold", pa.float64())])
RUN_INFO = pa.schema([("year", pa.int32()), ("period", pa.string())])

Progress = Callable[[str, int], None]


@dataclass
class Snapshot:
    directory: Path
    year: int
    rows: dict[str, int] = field(default_factory=dict)
    # (province code, year) without any threshold on file: the income rule flags nothing there.
    missing_thresholds: list[str] = field(default_factory=list)


def _fen(expression: str) -> Cast:
    # Rounded in SQL: SQLite keeps decimals as floating point, and 1234.56 * 100 there is
    # 123455.99999…, which a bare cast would cut to 123455.
    return Cast(Round(F(expression) * 100), BigIntegerField())


class _TableWriter:
    """Buffers rows column by column and writes a row group each ROW_GROUP rows."""

    def __init__(
        self, path: Path, schema: pa.Schema, finish: Callable[[pa.Table], pa.Table] | None = None
    ) -> None:
        self.path = path
        self.schema = schema
        self.finish = finish
        self.writer = pq.ParquetWriter(str(path), schema)
        self.columns: list[list[Any]] = [[] for _ in schema.names]
        self.rows = 0

    def add(self, row: Sequence[Any]) -> None:
        for column, value in zip(self.columns, row, strict=True):
            column.append(value)
        if len(self.columns[0]) >= ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        if not self.columns[0]:
            return
        table = pa.table(
            [pa.array(values, type=f.type) for values, f in zip(self.columns, self.schema, strict=True)],
            schema=self.schema,
        )
        if self.finish is not None:
            table = self.finish(table)
        self.writer.write_table(table)
        self.rows += table.num_rows
        self.columns = [[] for _ in self.schema.names]

    def close(self) -> int:
        self.flush()
        self.writer.close()
        return self.rows


def _pad(codes: pa.Array, digits: int) -> pa.Array:
    # area code -> county (6 digits) or province (2 digits), padded back to 12: vectorised, as
    # a province has millions of rows.
    head = pc.utf8_slice_codeunits(codes, 0, digits)
    return pc.binary_join_element_wise(head, pa.scalar("0" * (12 - digits)), "")


def _with_codes(table: pa.Table) -> pa.Table:
    area = table.column("area_code")
    table = table.set_column(2, "county_code", _pad(area.combine_chunks(), 6))
    return table.set_column(3, "province_code", _pad(area.combine_chunks(), 2))


def write_households(path: Path, area: Area, year: int) -> int:
    rows = (
        Household.objects.filter(within(area))
        .annotate(
            now=FilteredRelation("incomes", condition=Q(incomes__year=year)),
            before=FilteredRelation("incomes", condition=Q(incomes__year=year - 1)),
            income_fen=_fen("now__per_capita_net"),
            income_prev_fen=_fen("before__per_capita_net"),
        )
        .order_by()
        .values_list("pk", "area_id", "status", "income_fen", "income_prev_fen")
    )
    out = _TableWriter(path, HOUSEHOLDS, finish=_with_codes)
    for pk, area_code, status, now, before in rows.iterator(chunk_size=CHUNK):
        out.add((pk, area_code, "", "", status, now, before))
    return out.close()


def write_members(path: Path, area: Area) -> int:
    rows = (
        Member.objects.filter(within(area, "household__area_id"))
        .order_by()
        .values_list("pk", "household_id", "birth_date", "health", "labour_capacity", "left_on")
    )
    out = _TableWriter(path, MEMBERS)
    for row in rows.iterator(chunk_size=CHUNK):
        out.add(row)
    return out.close()


def _month(event_date: Any) -> str | None:
    return None if event_date is None else f"{event_date:%Y-%m}"


def _significant(code: str) -> str:
    """A division code's prefix shared by everything inside it ("433124000000" -> "433124")."""
    for digits in (2, 4, 6, 9):
        if not code[digits:].strip("0"):
            return code[:digits]
    return code


def _unmatched_feeds(area: Area, year: int) -> Iterator[tuple[Any, ...]]:
    """Rows that arrived before their person was registered (the feed kept them unmatched),
    matched now by the keyed hash to a member living in the screened area.

    Only where the sending office's area contains the household: the feeds app matches inside
    the batch's area alone, so a county office's rows about another county's people stay
    unmatched here too.
    """
    rows = (
        FeedRecord.objects.filter(year=year, household__isnull=True)
        .order_by()
        .annotate(amount_fen=_fen("amount"))
        .values_list("person_hash", "area_code", "source", "kind", "year", "event_date", "amount_fen", "code")
    )
    batch: list[tuple[Any, ...]] = []

    def resolve() -> Iterator[tuple[Any, ...]]:
        members = {
            digest: (member, household, household_area)
            for digest, member, household, household_area in Member.objects.filter(
                within(area, "household__area_id"), id_number_hash__in={r[0] for r in batch}
            )
            .order_by()
            .values_list("id_number_hash", "pk", "household_id", "household__area_id")
        }
        for person_hash, sender_area, *rest in batch:
            found = members.get(person_hash)
            if found is not None and found[2].startswith(_significant(sender_area)):
                yield (found[1], found[0], *rest)

    for row in rows.iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) >= CHUNK:
            yield from resolve()
            batch = []
    if batch:
        yield from resolve()


def write_feeds(path: Path, area: Area, year: int) -> int:
    matched = (
        FeedRecord.objects.filter(within(area, "household__area_id"), year=year)
        .order_by()
        .annotate(amount_fen=_fen("amount"))
        .values_list(
            "household_id", "member_id", "source", "kind", "year", "event_date", "amount_fen", "code"
        )
    )
    out = _TableWriter(path, FEEDS)
    for source in (matched.iterator(chunk_size=CHUNK), _unmatched_feeds(area, year)):
        for household_id, member_id, src, kind, yr, event_date, amount_fen, code in source:
            out.add(
                (household_id, member_id, src, kind, yr, event_date, _month(event_date), amount_fen, code)
            )
    return out.close()


def _write_small(path: Path, schema: pa.Schema, rows: Iterable[Sequence[Any]]) -> int:
    columns = list(zip(*rows, strict=True)) or [() for _ in schema.names]
    table = pa.table(
        [pa.array(list(c), type=f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
    )
    pq.write_table(table, str(path))
    return table.num_rows


def write_rule_params(path: Path, area: Area, year: int) -> int:
    counties = counties_of(area)
    settings = effective_settings(counties, year)
    rows = []
    for county in counties:
        for rule in RULES:
            effective = settings[(county, rule.key)]
            values = [
                float(effective.params[name]) if name in effective.params else None for name in PARAM_COLUMNS
            ]
            rows.append((county, rule.key, effective.enabled, *values))
    return _write_small(path, RULE_PARAMS, rows)


def write_lines(path: Path, area: Area, year: int) -> tuple[int, list[str]]:
    provinces = {province_code(c) for c in counties_of(area)}
    found = thresholds(provinces, year)
    rows = [(p, year, float(t.amount)) for p, t in found.items() if t.amount is not None]
    missing = [p for p, t in found.items() if t.amount is None]
    return _write_small(path, LINES, rows), missing


def write_snapshot(directory: Path, area: Area, year: int, *, on_table: Progress | None = None) -> Snapshot:
    """Write every table of the snapshot into ``directory``; ``on_table(name, rows)`` after each."""
    directory.mkdir(parents=True, exist_ok=True)
    snap = Snapshot(directory, year)

    def done(name: str, rows: int) -> None:
        snap.rows[name] = rows
        if on_table:
            on_table(name, rows)

    done("rule_params", write_rule_params(table_path(directory, "rule_params"), area, year))
    lines, snap.missing_thresholds = write_lines(table_path(directory, "lines"), area, year)
    done("lines", lines)
    done("run_info", _write_small(table_path(directory, "run_info"), RUN_INFO, [(year, str(year))]))
    done("households", write_households(table_path(directory, "households"), area, year))
    done("members", write_members(table_path(directory, "members"), area))
    done("feeds", write_feeds(table_path(directory, "feeds"), area, year))
    return snap


def yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen) / 100
