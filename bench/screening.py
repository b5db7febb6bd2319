"""Benchmark: screening a province-sized registry (部门筛查预警) on our engine, against a
hand-written DuckDB query (the floor) and plain pandas.

1. Generates (seed 2024, numpy) a snapshot in the exact schema ``fupin screen`` writes: N persons
   in about N/4 households over 100 counties and 25 villages per 1,000 households, about three
   department feed rows per person, incomes of two years; alert rates of a few percent of
   households per rule. Kept under var/bench/ and reused.
2. In a child process each (so the peak memory, ru_maxrss, is the work's own):
   (a) our engine: ``engines.run_rules("duckdb", …)`` with every rule of ``screening.rules``,
       alerts written as Parquet: the code path ``fupin screen`` takes after the snapshot;
   (b) the floor: the same rules as one hand-written DuckDB statement, written as one file;
   (c) pandas: the same rules as a competent analyst writes them (read the needed columns,
       vectorised merges and group-bys, no Python loops), written as one file.
   and checks the three alert sets (rule, household, period) are equal.
3. Separately (``--pg-persons``, default 1,000,000; 0 skips): creates a throwaway PostgreSQL
   database, migrates it, fills a registry of that many persons with generate_series, times
   ``screening.snapshot.write_snapshot`` (the first step of ``fupin screen``) out of it, and
   drops the database.

    .venv/bin/python bench/screening.py --persons N [--pg-persons M] [--pg-url URL] [--regenerate]

The last line: persons= engine_s= floor_s= pandas_s= floor_ratio= pandas_ratio= engine_mb=
pandas_mb= equal=
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
YEAR = 2024
COUNTIES = 100
LINE = 6500.0  # the province's threshold for YEAR, above the 6000 floor

# Department feed rows by kind: (share of rows, source).
KINDS: dict[str, tuple[float, str]] = {
    "hospital_stay": (0.05, "medical"),
    "yearly_oop": (0.15, "medical"),
    "assistance": (0.20, "civil_affairs"),
    "student_aid": (0.10, "education"),
    "pension": (0.341, "human_resources"),
    "unemployment": (0.05, "human_resources"),
    "house_rating": (0.08, "housing"),
    "disability": (0.002, "disability"),
    "dropout": (0.001, "education"),
    "death": (0.006, "public_security"),
    "disaster_loss": (0.02, "emergency"),
}


def peak_mb() -> float:
    """This process's peak resident memory. Not ru_maxrss: Linux keeps it across fork and exec,
    so a child would report at least its parent's size; VmHWM belongs to the new image only."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- 1. the generated snapshot ---------------------------------------------------------------


def county_codes() -> list[str]:
    return [f"43{c // 20 + 1:02d}{c % 20 + 21:02d}000000" for c in range(COUNTIES)]


def generate(directory: Path, persons: int, seed: int = 2024) -> dict[str, int]:
    """Write the six snapshot tables for ``persons`` people; returns rows per table."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from fupin.screening import snapshot as s
    from fupin.screening.engines import table_path
    from fupin.screening.rules import RULES

    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)

    def write(name: str, table: pa.Table, schema: pa.Schema) -> int:
        pq.write_table(table.cast(schema), str(table_path(directory, name)), row_group_size=s.ROW_GROUP)
        return table.num_rows

    # Households: sizes 1-7 averaging 4, so persons / 4 of them.
    sizes = rng.choice(np.arange(1, 8), size=persons // 3 + 10, p=[0.06, 0.12, 0.2, 0.24, 0.2, 0.12, 0.06])
    ends = np.cumsum(sizes)
    count = int(np.searchsorted(ends, persons)) + 1
    sizes = sizes[:count]
    sizes[-1] -= int(ends[count - 1] - persons)
    household_ids = np.arange(1, count + 1, dtype=np.int64)
    villages_n = max(COUNTIES, count // 100)
    counties = county_codes()
    village_codes = [
        f"{counties[v % COUNTIES][:6]}{100 + (v // COUNTIES) % 20:03d}{200 + v // (COUNTIES * 20):03d}"
        for v in range(villages_n)
    ]
    village = rng.integers(0, villages_n, size=count)
    area = pa.DictionaryArray.from_arrays(pa.array(village, pa.int32()), pa.array(village_codes)).cast(
        pa.string()
    )
    county = pa.DictionaryArray.from_arrays(
        pa.array(village % COUNTIES, pa.int32()), pa.array(counties)
    ).cast(pa.string())
    statuses = np.array(["none", "exited", "monitored", "eliminated", "poor"])
    status = statuses[rng.choice(5, size=count, p=[0.72, 0.20, 0.04, 0.03, 0.01])]
    income = np.round(rng.lognormal(np.log(15000), 0.5, size=count) * 100)
    previous = np.round(income / rng.lognormal(0, 0.15, size=count))
    income_null = rng.random(count) < 0.03
    previous_null = rng.random(count) < 0.03
    rows = {
        "households": write(
            "households",
            pa.table(
                {
                    "household_id": household_ids,
                    "area_code": area,
                    "county_code": county,
                    "province_code": pa.array(["430000000000"] * count),
                    "status": status,
                    "income_fen": pa.array(income.astype(np.int64), mask=income_null),
                    "income_prev_fen": pa.array(previous.astype(np.int64), mask=previous_null),
                }
            ),
            s.HOUSEHOLDS,
        )
    }

    # Members.
    member_household = np.repeat(household_ids, sizes)
    born = rng.integers(
        np.datetime64("1935-01-01").astype(int), np.datetime64("2023-12-31").astype(int), persons
    )
    healths = np.array(["healthy", "chronic", "serious", "disabled"])
    labours = np.array(["ordinary", "skilled", "lost", "none"])
    left = rng.random(persons) < 0.01
    left_on = rng.integers(
        np.datetime64("2020-01-01").astype(int), np.datetime64(f"{YEAR}-12-31").astype(int), persons
    )
    rows["members"] = write(
        "members",
        pa.table(
            {
                "member_id": np.arange(1, persons + 1, dtype=np.int64),
                "household_id": member_household,
                "birth_date": pa.array(born.astype(np.int32), pa.int32()).cast(pa.date32()),
                "health": healths[rng.choice(4, size=persons, p=[0.85, 0.08, 0.03, 0.04])],
                "labour_capacity": labours[rng.choice(4, size=persons, p=[0.6, 0.1, 0.1, 0.2])],
                "left_on": pa.array(left_on.astype(np.int32), pa.int32(), mask=~left).cast(pa.date32()),
            }
        ),
        s.MEMBERS,
    )

    # Feeds: about three rows per person, written in chunks (a 10M-person province has 30M).
    total = persons * 3
    kinds = np.array(list(KINDS))
    sources = np.array([source for _, source in KINDS.values()])
    shares = np.array([share for share, _ in KINDS.values()])
    shares = shares / shares.sum()
    writer = pq.ParquetWriter(str(table_path(directory, "feeds")), s.FEEDS)
    chunk = 2_000_000
    first_day = np.datetime64(f"{YEAR}-01-01").astype(int)
    for start in range(0, total, chunk):
        n = min(chunk, total - start)
        member = rng.integers(0, persons, size=n)
        kind = rng.choice(len(kinds), size=n, p=shares)
        day = first_day + rng.integers(0, 366, size=n)
        undated = rng.random(n) < 0.05
        dates = pa.array(day.astype(np.int32), pa.int32(), mask=undated).cast(pa.date32())
        months = np.datetime_as_string(day.astype("datetime64[D]"), unit="M")
        amount = np.zeros(n)
        money = np.zeros(n, dtype=bool)
        for name, median, sigma in (
            ("hospital_stay", 1500, 0.9),
            ("yearly_oop", 900, 0.9),
            ("disaster_loss", 2500, 1.0),
            ("assistance", 500, 0.3),
        ):
            pick = kind == list(KINDS).index(name)
            amount[pick] = rng.lognormal(np.log(median), sigma, size=int(pick.sum()))
            money |= pick
        code = np.full(n, "", dtype=object)
        house = kind == list(KINDS).index("house_rating")
        code[house] = np.array(["A", "B", "C", "D"])[
            rng.choice(4, size=int(house.sum()), p=[0.6, 0.375, 0.02, 0.005])
        ]
        grade = kind == list(KINDS).index("disability")
        code[grade] = np.array(["1", "2", "3", "4"])[rng.integers(0, 4, size=int(grade.sum()))]
        help_ = kind == list(KINDS).index("assistance")
        code[help_] = np.array(["dibao", "tekun", "marginal"])[rng.integers(0, 3, size=int(help_.sum()))]
        writer.write_table(
            pa.table(
                {
                    "household_id": member_household[member],
                    "member_id": (member + 1).astype(np.int64),
                    "source": sources[kind],
                    "kind": kinds[kind],
                    "year": np.full(n, YEAR, dtype=np.int32),
                    "event_date": dates,
                    "month": pa.array(months, mask=undated),
                    "amount_fen": pa.array(np.round(amount * 100).astype(np.int64), mask=~money),
                    "code": pa.array(code.tolist(), pa.string()),
                }
            ).cast(s.FEEDS),
            row_group_size=s.ROW_GROUP,
        )
    writer.close()
    rows["feeds"] = total

    # Parameters: defaults everywhere, a tenth of the counties with their own values, one
    # county with dropout switched off; the threshold of the province.
    params = []
    for i, code_ in enumerate(counties):
        for rule in RULES:
            values = {p.name: float(p.default) for p in rule.params}
            if i % 10 == 3 and rule.key == "hospital_stay":
                values["amount_other"] = 8000.0
            if i % 10 == 7 and rule.key == "income_drop":
                values["share_pct"] = 25.0
            enabled = not (i == 42 and rule.key == "dropout")
            params.append({"county_code": code_, "rule": rule.key, "enabled": enabled, **values})
    rows["rule_params"] = write(
        "rule_params", pa.Table.from_pylist(params, schema=s.RULE_PARAMS), s.RULE_PARAMS
    )
    rows["lines"] = write(
        "lines", pa.table({"province_code": ["430000000000"], "year": [YEAR], "threshold": [LINE]}), s.LINES
    )
    rows["run_info"] = write("run_info", pa.table({"year": [YEAR], "period": [str(YEAR)]}), s.RUN_INFO)
    (directory / "rows.json").write_text(json.dumps(rows))
    return rows


# --- 2b. the floor: one hand-written DuckDB statement ----------------------------------------

# Views rather than a WITH clause: DuckDB materialises a CTE that a statement reads more than
# once, which made the single statement about a quarter slower than the same text over views.
FLOOR_VIEWS = """
CREATE VIEW h AS SELECT * FROM read_parquet('{d}/households.parquet');
CREATE VIEW m AS SELECT * FROM read_parquet('{d}/members.parquet');
CREATE VIEW f AS SELECT * FROM read_parquet('{d}/feeds.parquet');
CREATE VIEW p AS SELECT * FROM read_parquet('{d}/rule_params.parquet') WHERE enabled;
CREATE VIEW l AS SELECT * FROM read_parquet('{d}/lines.parquet');
"""
FLOOR_SQL = """
COPY (
SELECT h.household_id, 'income_below_line' AS rule, '{y}' AS period
FROM h JOIN p ON p.county_code = h.county_code AND p.rule = 'income_below_line'
JOIN l ON l.province_code = h.province_code
WHERE h.status NOT IN ('poor', 'monitored') AND coalesce(h.income_fen, h.income_prev_fen) < l.threshold * 100
UNION ALL
SELECT f.household_id, 'hospital_stay', coalesce(f.month, '{y}')
FROM f JOIN h USING (household_id) JOIN p ON p.county_code = h.county_code AND p.rule = 'hospital_stay'
WHERE f.kind = 'hospital_stay' AND f.amount_fen > 100 * CASE WHEN h.status IN ('poor', 'exited', 'monitored')
      THEN p.amount_supported ELSE p.amount_other END
GROUP BY ALL
UNION ALL
SELECT s.household_id, 'yearly_medical', '{y}'
FROM (SELECT household_id, sum(amount_fen) AS spent FROM f WHERE kind = 'yearly_oop' GROUP BY 1) s
JOIN h USING (household_id) JOIN p ON p.county_code = h.county_code AND p.rule = 'yearly_medical'
WHERE s.spent > p.share_pct * p.rural_income
UNION ALL
SELECT DISTINCT f.household_id, 'dropout', '{y}'
FROM f JOIN h USING (household_id) JOIN p ON p.county_code = h.county_code AND p.rule = 'dropout'
WHERE f.kind = 'dropout'
UNION ALL
SELECT DISTINCT f.household_id, 'house_unsafe', '{y}'
FROM f JOIN h USING (household_id) JOIN p ON p.county_code = h.county_code AND p.rule = 'house_unsafe'
WHERE f.kind = 'house_rating' AND upper(trim(f.code)) IN ('C', 'D')
UNION ALL
SELECT DISTINCT f.household_id, 'new_disability', '{y}'
FROM f JOIN h USING (household_id) JOIN p ON p.county_code = h.county_code AND p.rule = 'new_disability'
LEFT JOIN m ON m.member_id = f.member_id
WHERE f.kind = 'disability' AND coalesce(m.health, '') <> 'disabled'
UNION ALL
SELECT DISTINCT f.household_id, 'working_age_death', '{y}'
FROM f JOIN m ON m.member_id = f.member_id JOIN h ON h.household_id = f.household_id
JOIN p ON p.county_code = h.county_code AND p.rule = 'working_age_death'
WHERE f.kind = 'death' AND (m.left_on IS NULL OR f.event_date IS NULL OR m.left_on >= f.event_date)
  AND date_sub('year', m.birth_date, coalesce(f.event_date, DATE '{y}-07-01')) >= p.min_age
  AND date_sub('year', m.birth_date, coalesce(f.event_date, DATE '{y}-07-01')) < p.max_age
UNION ALL
SELECT s.household_id, 'disaster_loss', '{y}'
FROM (SELECT household_id, sum(amount_fen) AS lost FROM f WHERE kind = 'disaster_loss' GROUP BY 1) s
JOIN h USING (household_id) JOIN p ON p.county_code = h.county_code AND p.rule = 'disaster_loss'
WHERE s.lost > p.min_loss * 100
UNION ALL
SELECT h.household_id, 'income_drop', '{y}'
FROM h JOIN p ON p.county_code = h.county_code AND p.rule = 'income_drop'
WHERE h.income_prev_fen > 0 AND (h.income_prev_fen - h.income_fen) * 100 > p.share_pct * h.income_prev_fen
) TO '{out}/floor.parquet' (FORMAT parquet)
"""


def run_floor(data: Path, out: Path) -> dict[str, Any]:
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with duckdb.connect() as con:
        con.execute(FLOOR_VIEWS.format(d=data))
        rows = con.execute(FLOOR_SQL.format(out=out, y=YEAR)).fetchone()
    return {"seconds": time.perf_counter() - started, "rows": rows[0] if rows else 0}


# --- 2a. our engine ------------------------------------------------------------------------


def run_engine(data: Path, out: Path) -> dict[str, Any]:
    import duckdb  # noqa: F401  imported before the clock starts, as the floor's is

    from fupin.screening.engines import run_rules
    from fupin.screening.rules import RULES

    started = time.perf_counter()
    counts = run_rules("duckdb", data, out, RULES)
    return {"seconds": time.perf_counter() - started, "rows": sum(counts.values()), "counts": counts}


# --- 2c. pandas --------------------------------------------------------------------------------


def run_pandas(data: Path, out: Path) -> dict[str, Any]:
    """As an analyst who knows pandas writes it: only the needed columns and the feed kinds the
    rules read (filters pushed into the Parquet reader), dates as datetime64, merges and
    group-bys, the member table cut to the people the person-level rules need."""
    import numpy as np
    import pandas as pd

    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    year = str(YEAR)
    dates = {"date_as_object": False}
    h = pd.read_parquet(
        data / "households.parquet",
        columns=["household_id", "county_code", "province_code", "status", "income_fen", "income_prev_fen"],
    )
    params = pd.read_parquet(data / "rule_params.parquet")
    params = params[params["enabled"]]
    lines = pd.read_parquet(data / "lines.parquet")
    wanted = ["hospital_stay", "yearly_oop", "dropout", "house_rating", "disability", "disaster_loss"]
    feeds = pd.read_parquet(
        data / "feeds.parquet",
        columns=["household_id", "member_id", "kind", "month", "amount_fen", "code"],
        filters=[("kind", "in", wanted)],
    )
    by_kind = {kind: frame for kind, frame in feeds.groupby("kind", sort=False)}
    del feeds
    deaths = pd.read_parquet(
        data / "feeds.parquet",
        columns=["household_id", "member_id", "event_date"],
        filters=[("kind", "==", "death")],
        to_pandas_kwargs=dates,
    )
    members = pd.read_parquet(
        data / "members.parquet",
        columns=["member_id", "birth_date", "health", "left_on"],
        to_pandas_kwargs=dates,
    )
    people = pd.concat([deaths["member_id"], by_kind["disability"]["member_id"]]).unique()
    members = members[members["member_id"].isin(people)]

    def with_params(frame: pd.DataFrame, rule: str) -> pd.DataFrame:
        own = params[params["rule"] == rule].drop(columns=["rule", "enabled"])
        return frame.merge(own, on="county_code")

    def household_rows(frame: pd.DataFrame, rule: str) -> pd.DataFrame:
        return with_params(frame.merge(h[["household_id", "county_code", "status"]], on="household_id"), rule)

    found = []

    def add(ids: Any, rule: str, period: Any = year) -> None:
        found.append(pd.DataFrame({"household_id": np.asarray(ids), "rule": rule, "period": period}))

    latest = h["income_fen"].fillna(h["income_prev_fen"])
    x = with_params(h.assign(latest=latest), "income_below_line").merge(lines, on="province_code")
    x = x[~x["status"].isin(["poor", "monitored"]) & (x["latest"] < x["threshold"] * 100)]
    add(x["household_id"], "income_below_line")

    x = household_rows(by_kind["hospital_stay"], "hospital_stay")
    limit = np.where(
        x["status"].isin(["poor", "exited", "monitored"]), x["amount_supported"], x["amount_other"]
    )
    x = x[x["amount_fen"] > limit * 100]
    x = x.assign(period=x["month"].fillna(year)).drop_duplicates(["household_id", "period"])
    add(x["household_id"], "hospital_stay", x["period"].to_numpy())

    spent = by_kind["yearly_oop"].groupby("household_id", as_index=False)["amount_fen"].sum(min_count=1)
    x = household_rows(spent, "yearly_medical")
    add(x.loc[x["amount_fen"] > x["share_pct"] * x["rural_income"], "household_id"], "yearly_medical")

    lost = by_kind["disaster_loss"].groupby("household_id", as_index=False)["amount_fen"].sum(min_count=1)
    x = household_rows(lost, "disaster_loss")
    add(x.loc[x["amount_fen"] > x["min_loss"] * 100, "household_id"], "disaster_loss")

    add(household_rows(by_kind["dropout"], "dropout")["household_id"].unique(), "dropout")
    house = by_kind["house_rating"]
    house = house[house["code"].str.strip().str.upper().isin(["C", "D"])]
    add(household_rows(house, "house_unsafe")["household_id"].unique(), "house_unsafe")

    x = household_rows(by_kind["disability"], "new_disability").merge(members, on="member_id", how="left")
    add(x.loc[x["health"].fillna("") != "disabled", "household_id"].unique(), "new_disability")

    x = household_rows(deaths, "working_age_death").merge(members, on="member_id")
    x = x[x["left_on"].isna() | x["event_date"].isna() | (x["left_on"] >= x["event_date"])]
    died = x["event_date"].fillna(pd.Timestamp(f"{YEAR}-07-01"))
    born = x["birth_date"]
    span = (died.dt.year * 10000 + died.dt.month * 100 + died.dt.day) - (
        born.dt.year * 10000 + born.dt.month * 100 + born.dt.day
    )
    x = x[(span >= x["min_age"] * 10000) & (span < x["max_age"] * 10000)]
    add(x["household_id"].unique(), "working_age_death")

    x = with_params(h, "income_drop")
    drop = (x["income_prev_fen"] - x["income_fen"]) * 100 > x["share_pct"] * x["income_prev_fen"]
    add(x.loc[(x["income_prev_fen"] > 0) & drop, "household_id"], "income_drop")

    result = pd.concat(found, ignore_index=True)
    result.to_parquet(out / "pandas.parquet", index=False)
    return {"seconds": time.perf_counter() - started, "rows": len(result)}


# --- 3. the snapshot out of PostgreSQL ------------------------------------------------------


def _insert(cursor: Any, table: str, columns: dict[str, str], source: str) -> None:
    # The dashboard benchmark's generator fills its tables the same way; one copy of the helper.
    from bigdata import insert

    insert(cursor, table, columns, source)


def run_pg_snapshot(persons: int, out: Path) -> dict[str, Any]:
    """Inside a child whose FUPIN_DATABASE_URL names an empty database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from fupin.areas.actions import do_load_areas
    from fupin.areas.models import Area
    from fupin.screening.snapshot import write_snapshot

    timings: dict[str, Any] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    do_load_areas("433124")
    villages = list(Area.objects.filter(code__startswith="433124", level=5).values_list("code", flat=True))
    timings["migrate_s"] = round(time.perf_counter() - started, 1)
    households = persons // 4
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE village_codes (n int, code text)")
        cur.executemany("INSERT INTO village_codes VALUES (%s, %s)", list(enumerate(villages)))
        _insert(
            cur,
            "registry_household",
            {
                "id": "g",
                "area_id": "v.code",
                "number": "'B' || g",
                "head_name": "'户主' || g",
                "status": "(ARRAY['none','none','none','exited','monitored'])[1 + g % 5]",
                "other_causes": "'[]'::jsonb",
            },
            f"FROM generate_series(1, {households}) g JOIN village_codes v ON v.n = g % {len(villages)}",
        )
        _insert(
            cur,
            "registry_member",
            {
                "id": "g",
                "household_id": "1 + (g - 1) / 4",
                "name": "'成员' || g",
                "gender": "'m'",
                "id_number_enc": "'enc' || g",
                "id_number_hash": "md5(g::text) || md5((-g)::text)",
                "id_number_masked": "'433124********0000'",
                "birth_date": "DATE '1940-01-01' + (g::bigint * 7919 % 30000)::int",
                "relation": "CASE WHEN g % 4 = 1 THEN 'head' ELSE 'son' END",
                "school_status": "'none'",
                "health": "(ARRAY['healthy','healthy','chronic','disabled'])[1 + g % 4]",
                "labour_capacity": "'ordinary'",
                "migrant_work": "'none'",
                "medical_insurance": "true",
                "serious_illness_insurance": "true",
            },
            f"FROM generate_series(1, {households * 4}) g",
        )
        for year in (YEAR - 1, YEAR):
            _insert(
                cur,
                "registry_incomerecord",
                {
                    "household_id": "g",
                    "year": str(year),
                    "household_size": "4",
                    "per_capita_net": f"(3000 + (g * 37 + {year}) % 20000)::numeric(12,2)",
                    "recorded_at": "now()",
                },
                f"FROM generate_series(1, {households}) g",
            )
        # Through _insert too: the feeds app adds counters to its batch as it grows.
        _insert(
            cur,
            "feeds_feedbatch",
            {
                "source": "'medical'",
                "area_code": "'433124000000'",
                "period": f"'{YEAR}'",
                "content_hash": "'bench'",
                "status": "'done'",
            },
            "FROM generate_series(1, 1) g",
        )
        cur.execute("SELECT max(id) FROM feeds_feedbatch")
        batch = cur.fetchone()[0]
        _insert(
            cur,
            "feeds_feedrecord",
            {
                "batch_id": str(batch),
                "source": "'medical'",
                "kind": "(ARRAY['hospital_stay','yearly_oop','pension','assistance'])[1 + g % 4]",
                "person_hash": "md5(g::text) || md5((-g)::text)",
                "member_id": "1 + (g - 1) % " + str(households * 4),
                "household_id": "1 + ((g - 1) % " + str(households * 4) + ") / 4",
                "area_code": "'433124000000'",
                "year": str(YEAR),
                "event_date": f"DATE '{YEAR}-01-01' + g % 365",
                "amount": "(g * 13 % 12000)::numeric(12,2)",
                "fingerprint": "md5(g::text)",
            },
            f"FROM generate_series(1, {households * 12}) g",
        )
        for table in ("registry_household", "registry_member", "registry_incomerecord", "feeds_feedrecord"):
            cur.execute(f"ANALYZE {table}")
    timings["fill_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    snap = write_snapshot(out, Area.objects.get(code="433124000000"), YEAR)
    timings["snapshot_s"] = round(time.perf_counter() - started, 2)
    timings["rows"] = snap.rows
    return timings


# --- the parent ------------------------------------------------------------------------------


def child(mode: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    command = [PYTHON, __file__, "--child", mode, *args]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"child {mode} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def alert_set(path: Path) -> set[tuple[str, int, str]]:
    import duckdb

    with duckdb.connect() as con:
        rows = con.execute(
            f"SELECT rule, household_id, period FROM read_parquet('{path}', union_by_name = true)"  # noqa: S608
        ).fetchall()
    return {(rule, int(household), str(period)) for rule, household, period in rows}


def pg_snapshot(persons: int, admin_url: str, directory: Path) -> dict[str, Any] | None:
    import psycopg

    name = "fupin_bench_snapshot"
    try:
        admin = psycopg.connect(admin_url, autocommit=True)
    except psycopg.OperationalError as exc:
        print(f"pg_snapshot skipped: no PostgreSQL at {admin_url} ({exc.__class__.__name__})")
        return None
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
        try:
            base = admin_url.rsplit("/", 1)[0]
            env = {**os.environ, "FUPIN_DATABASE_URL": f"{base}/{name}"}
            return child("pg", str(persons), str(directory), env=env)
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--pg-persons", type=int, default=1_000_000, help="0 skips the PostgreSQL snapshot")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        mode, *rest = args.child
        if mode == "pg":
            result = run_pg_snapshot(int(rest[0]), Path(rest[1]))
        else:
            data, out = Path(rest[0]), Path(rest[1])
            result = {"engine": run_engine, "floor": run_floor, "pandas": run_pandas}[mode](data, out)
        result["mb"] = round(peak_mb())
        print(json.dumps(result))
        return

    base = ROOT / "var" / "bench" / f"screening-{args.persons}"
    data = base / "snapshot"
    if args.regenerate or not (data / "rows.json").exists():
        shutil.rmtree(base, ignore_errors=True)
        started = time.perf_counter()
        rows = generate(data, args.persons)
        print(f"generated {rows} in {time.perf_counter() - started:.1f} s under {data}")
    else:
        rows = json.loads((data / "rows.json").read_text())
        print(f"reusing {rows} under {data}")
    size = sum(p.stat().st_size for p in data.glob("*.parquet")) / 2**20
    print(f"snapshot size {size:.0f} MB")

    results: dict[str, dict[str, Any]] = {}
    for mode in ("engine", "floor", "pandas"):
        out = base / f"out-{mode}"
        shutil.rmtree(out, ignore_errors=True)
        results[mode] = child(mode, str(data), str(out))
        done = results[mode]
        print(f"{mode}: {done['seconds']:.2f} s, peak {done['mb']} MB, {done['rows']} alerts")
    counts = results["engine"]["counts"]
    households = rows["households"]
    print(
        "per rule (share of households): "
        + ", ".join(f"{k} {v} ({100 * v / households:.2f}%)" for k, v in counts.items())
    )

    engine_set = alert_set(base / "out-engine" / "*" / "*.parquet")
    floor_set = alert_set(base / "out-floor" / "floor.parquet")
    pandas_set = alert_set(base / "out-pandas" / "pandas.parquet")
    equal = engine_set == floor_set == pandas_set
    sizes = f"engine {len(engine_set)}, floor {len(floor_set)}, pandas {len(pandas_set)}"
    print(f"alert sets: {sizes}; equal={equal}")
    if not equal:
        for name, other in (("floor", floor_set), ("pandas", pandas_set)):
            only_engine, only_other = sorted(engine_set - other)[:5], sorted(other - engine_set)[:5]
            print(f"  only in engine (vs {name}): {only_engine}; only in {name}: {only_other}")

    if args.pg_persons:
        pg = pg_snapshot(args.pg_persons, args.pg_url, base / "pg-snapshot")
        shutil.rmtree(base / "pg-snapshot", ignore_errors=True)
        if pg is not None:
            total_rows = sum(pg["rows"].values())
            print(
                f"pg_snapshot persons={args.pg_persons} rows={pg['rows']} snapshot_s={pg['snapshot_s']} "
                f"rows_per_s={total_rows / pg['snapshot_s']:.0f} peak_mb={pg['mb']} "
                f"(fill {pg['fill_s']} s, migrate {pg['migrate_s']} s)"
            )

    engine_s, floor_s, pandas_s = (results[m]["seconds"] for m in ("engine", "floor", "pandas"))
    print(
        f"persons={args.persons} engine_s={engine_s:.2f} floor_s={floor_s:.2f} pandas_s={pandas_s:.2f} "
        f"floor_ratio={engine_s / floor_s:.2f} pandas_ratio={pandas_s / engine_s:.2f} "
        f"engine_mb={results['engine']['mb']} pandas_mb={results['pandas']['mb']} equal={equal}"
    )


if __name__ == "__main__":
    main()
