"""A province-sized registry written straight into PostgreSQL, for the dashboard benchmark.

Every row is made by the server (``INSERT … SELECT`` over ``generate_series``; values from
``hashint8extended``, so a size and a seed always give the same registry), never by Python:
building 50 million rows through the ORM would take hours. Secondary indexes and foreign keys
are dropped while a table fills and rebuilt afterwards, which is what a bulk load does.

What it holds, for N households spread in blocks over the villages of Hunan (43):
- households: 60 % exited (registered 2014–2019, exited by 2020), 5 % still poor (registered
  2019–2025), 5 % monitored (3 % unstable exited households, 2 % edge or sudden households),
  2 % risk eliminated, 28 % ordinary; registered households carry a main cause;
- members: 1–6 per household (3.36 on average), 3 % of the non-heads have left;
- status changes matching the registered, exit and monitoring years;
- income records and condition checks for every registered household in each year of YEARS;
- completed monitoring cases (with category) and elimination cases (with way);
- alerts for 3 % of households (open, visited, case started, dismissed; some overdue).
Pairings, visits, measures and teams stay empty.

Run inside a process whose Django settings point at the benchmark database.
"""

# ruff: noqa: S608  (every statement is built from this module's constants and integers)

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

YEAR_COUNT = 7  # income and condition years, the last one this year (the dashboards open on it)
MEAN_SIZE = 37 / 11  # of SIZES below
SIZES = "(ARRAY[1,2,2,3,3,3,4,4,4,5,6])"
CAUSES = "illness disability schooling disaster land water skills labour funds transport motivation"


def u(expr: str, salt: int, mod: int = 100) -> str:
    """A uniform integer in [0, mod) from ``expr`` (deterministic)."""
    return f"(abs(hashint8extended(({expr})::bigint, {salt})) % {mod})::int"


def pick(words: str, expr: str, salt: int) -> str:
    """One of the space-separated ``words``, uniformly (repeat a word to weigh it)."""
    values = words.split()
    quoted = ",".join(f"'{v}'" for v in values)
    return f"(ARRAY[{quoted}])[1 + {u(expr, salt, len(values))}]"


def _took(table: str, count: int, started: float) -> str:
    return f"  {table:<28} {count:>11,} rows {time.perf_counter() - started:7.1f} s"


def _not_null_defaults(cursor: Any, table: str, given: set[str]) -> tuple[list[str], list[str]]:
    """Columns Django requires (NOT NULL, no database default) that the INSERT does not name,
    with a neutral value each: Django sets field defaults in Python, not in the table."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        [table],
    )
    neutral = {
        "boolean": "false",
        "date": "DATE '2000-01-01'",
        "timestamp with time zone": "now()",
        "jsonb": "'{}'::jsonb",
    }
    names, values = [], []
    for column, kind in cursor.fetchall():
        if column in given:
            continue
        names.append(column)
        values.append(
            neutral.get(kind, "0" if kind in {"integer", "smallint", "bigint", "numeric"} else "''")
        )
    return names, values


def insert(cursor: Any, table: str, columns: dict[str, str], source: str) -> int:
    extra_names, extra_values = _not_null_defaults(cursor, table, set(columns))
    names = ", ".join([*columns, *extra_names])
    values = ", ".join([*columns.values(), *extra_values])
    cursor.execute(f"INSERT INTO {table} ({names}) SELECT {values} {source}")
    return int(cursor.rowcount)


@contextmanager
def bare(cursor: Any, table: str) -> Iterator[None]:
    """Fill ``table`` without its secondary indexes and foreign keys, then rebuild them: one
    sort per index and one join per key instead of a B-tree insert and a lookup per row."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [table],
    )
    indexes = cursor.fetchall()
    for name, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    for _, definition in indexes:
        cursor.execute(definition)
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def fill(households: int, say: Callable[[str], None] = print) -> dict[str, int]:
    """Write the registry (the areas of Hunan must be loaded); returns rows per table."""
    from django.db import connection, transaction
    from django.utils import timezone

    from fupin.registry.models import HouseholdCondition

    last = timezone.localdate().year
    first = last - YEAR_COUNT + 1
    rows: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute(
            "CREATE TEMP TABLE bench_village ON COMMIT DROP AS "
            "SELECT (row_number() OVER (ORDER BY code))::int - 1 AS n, code FROM areas_area WHERE level = 5"
        )
        cur.execute("SELECT count(*) FROM bench_village")
        villages = cur.fetchone()[0]
        if not villages:
            raise RuntimeError("no villages: load the areas of Hunan first")
        # One row per household with everything its other rows depend on.
        r = u("g", 1)
        cur.execute(
            "CREATE TEMP TABLE bench_h ON COMMIT DROP AS "
            "SELECT g AS id, v.code AS area, "
            f"CASE WHEN {r} < 60 THEN 'exited' WHEN {r} < 65 THEN 'poor' WHEN {r} < 70 THEN 'monitored' "
            f"WHEN {r} < 72 THEN 'eliminated' ELSE 'none' END AS status, "
            # unstable: exited before monitoring; edge and sudden: never registered.
            f"CASE WHEN {r} BETWEEN 65 AND 67 OR {r} = 70 THEN 'unstable' "
            f"WHEN {r} = 68 OR {r} = 71 THEN 'edge' WHEN {r} = 69 THEN 'sudden' ELSE '' END AS category, "
            f"{SIZES}[1 + {u('g', 2, 11)}] AS size "
            f"FROM generate_series(1, {households}) g "
            f"JOIN bench_village v ON v.n = ((g - 1)::bigint * {villages} / {households})::int"
        )
        cur.execute("ALTER TABLE bench_h ADD reg int, ADD exit int, ADD mon int, ADD elim int")
        cur.execute(
            f"UPDATE bench_h SET reg = CASE WHEN status = 'poor' THEN 2019 + {u('id', 3, 7)} "
            f"WHEN status IN ('exited') OR category = 'unstable' THEN 2014 + {u('id', 3, 6)} END"
        )
        cur.execute(
            f"UPDATE bench_h SET exit = reg + 1 + {u('id', 4)} % (2020 - reg) "
            "WHERE status = 'exited' OR category = 'unstable'"
        )
        cur.execute(
            f"UPDATE bench_h SET mon = 2021 + {u('id', 5, 3)}, elim = 2024 + {u('id', 6, 2)} "
            "WHERE status = 'eliminated'"
        )
        cur.execute(f"UPDATE bench_h SET mon = 2021 + {u('id', 5, 5)} WHERE status = 'monitored'")
        cur.execute("ALTER TABLE bench_h ADD PRIMARY KEY (id)")
        cur.execute("ANALYZE bench_h")
        say(f"  {households:,} households over {villages:,} villages")

        started = time.perf_counter()
        with bare(cur, "registry_household"):
            rows["registry_household"] = insert(
                cur,
                "registry_household",
                {
                    "id": "h.id",
                    "area_id": "h.area",
                    "number": "'B' || lpad(h.id::text, 10, '0')",
                    "head_name": "'户主' || h.id",
                    "status": "h.status",
                    "standard": "CASE WHEN h.reg IS NULL THEN '' ELSE 'national' END",
                    "household_type": "CASE WHEN h.reg IS NULL THEN '' ELSE "
                    + pick("general general general dibao_poor tekun", "h.id", 7)
                    + " END",
                    "main_cause": f"CASE WHEN h.reg IS NULL THEN '' ELSE {pick(CAUSES, 'h.id', 8)} END",
                    "other_causes": "'[]'::jsonb",
                    "registered_year": "h.reg",
                    "exit_year": "h.exit",
                    "production_power": "true",
                    "living_power": "true",
                    "water_safe": "true",
                    "created_at": "now()",
                    "updated_at": "now()",
                },
                "FROM bench_h h ORDER BY h.id",
            )
        say(_took("registry_household", rows["registry_household"], started))

        started = time.perf_counter()
        kid = "k > 2 AND h.size > 2"
        person = "h.id * 8 + k"
        with bare(cur, "registry_member"):
            rows["registry_member"] = insert(
                cur,
                "registry_member",
                {
                    "household_id": "h.id",
                    "name": "'成员' || h.id || '-' || k",
                    "gender": f"CASE k WHEN 1 THEN 'm' WHEN 2 THEN 'f' ELSE {pick('m f', person, 9)} END",
                    "id_number_enc": "'bench'",
                    "id_number_hash": "md5(h.id || ':' || k) || md5(k || ':' || h.id)",
                    "id_number_masked": "left(h.area, 6) || '********' || lpad((h.id * 8 + k)::text, 4, '0')",
                    "birth_date": f"CASE WHEN {kid} THEN DATE '2000-01-01' + {u(person, 10, 8000)} "
                    f"ELSE DATE '1940-01-01' + {u(person, 10, 18000)} END",
                    "relation": "CASE WHEN k = 1 THEN 'head' WHEN k = 2 THEN 'spouse' ELSE "
                    + pick("son daughter grandchild parent", person, 11)
                    + " END",
                    "ethnicity": "'汉族'",
                    "education": pick("none primary junior junior senior vocational college", person, 12),
                    "school_status": f"CASE WHEN {kid} THEN 'junior' ELSE 'none' END",
                    "health": pick("healthy " * 6 + "chronic chronic serious disabled", person, 13),
                    "labour_capacity": pick("ordinary ordinary ordinary skilled lost none", person, 14),
                    "migrant_work": pick("none none township county province out", person, 15),
                    "work_months": f"{u(person, 16, 13)}",
                    "medical_insurance": "true",
                    "serious_illness_insurance": "true",
                    "left_on": f"CASE WHEN k > 1 AND {u(person, 17)} < 3 THEN DATE '2022-03-01' END",
                },
                "FROM bench_h h CROSS JOIN LATERAL generate_series(1, h.size) k ORDER BY h.id, k",
            )
        say(_took("registry_member", rows["registry_member"], started))

        started = time.perf_counter()
        # Changes in the order they happened: registration, exit, monitoring, elimination.
        steps = [
            ("'none'", "'poor'", "h.reg", "h.reg IS NOT NULL"),
            ("'poor'", "'exited'", "h.exit", "h.exit IS NOT NULL"),
            (
                "CASE WHEN h.exit IS NULL THEN 'none' ELSE 'exited' END",
                "'monitored'",
                "h.mon",
                "h.mon IS NOT NULL",
            ),
            ("'monitored'", "'eliminated'", "h.elim", "h.elim IS NOT NULL"),
        ]
        rows["registry_statuschange"] = 0
        month, day = u("h.id", 18, 12), u("h.id", 19, 28)
        with bare(cur, "registry_statuschange"):
            for source, target, year, where in steps:
                rows["registry_statuschange"] += insert(
                    cur,
                    "registry_statuschange",
                    {
                        "household_id": "h.id",
                        "from_status": source,
                        "to_status": target,
                        "year": year,
                        "at": f"make_timestamptz({year}, 1 + {month}, 1 + {day}, 10, 0, 0)",
                        "reason": "'bench'",
                    },
                    f"FROM bench_h h WHERE {where} ORDER BY h.id",
                )
        say(_took("registry_statuschange", rows["registry_statuschange"], started))

        started = time.perf_counter()
        # Yearly amounts in yuan: wages grow with the year, a poor household earns less.
        key = "h.id * 16 + y"
        scale = f"(CASE WHEN h.status = 'poor' THEN 0.35 ELSE 1.0 END * (1 + 0.08 * (y - {first})))"
        total = "a.wage + a.business + a.property + a.dibao + a.pension + a.eco"
        with bare(cur, "registry_incomerecord"):
            rows["registry_incomerecord"] = insert(
                cur,
                "registry_incomerecord",
                {
                    "household_id": "a.id",
                    "year": "a.y",
                    "wage": "a.wage",
                    "business": "a.business",
                    "property": "a.property",
                    "transfer_dibao": "a.dibao",
                    "transfer_pension": "a.pension",
                    "transfer_eco": "a.eco",
                    "business_costs": "a.costs",
                    "household_size": "a.size",
                    "transfer": "a.dibao + a.pension + a.eco",
                    "total": total,
                    "per_capita_net": f"round(({total} - a.costs) / a.size, 2)",
                    "recorded_at": "now()",
                },
                "FROM (SELECT h.id, y, h.size, "
                f"round(h.size * (1500 + {u(key, 20, 9000)}) * {scale}, 2)::numeric(12,2) AS wage, "
                f"round((500 + {u(key, 21, 6000)}) * {scale}, 2)::numeric(12,2) AS business, "
                f"({u(key, 22, 400)})::numeric(12,2) AS property, "
                f"(CASE WHEN {u(key, 23)} < 15 THEN 2400 + 120 * (y - {first}) ELSE 0 END)::numeric(12,2) "
                "AS dibao, "
                f"(CASE WHEN {u(key, 24)} < 30 THEN 1200 ELSE 0 END)::numeric(12,2) AS pension, "
                f"({u(key, 25, 300)})::numeric(12,2) AS eco, "
                f"round((200 + {u(key, 26, 2500)}) * {scale}, 2)::numeric(12,2) AS costs "
                f"FROM bench_h h CROSS JOIN generate_series({first}, {last}) y "
                "WHERE h.reg IS NOT NULL OR h.mon IS NOT NULL) a ORDER BY a.id, a.y",
            )
        say(_took("registry_incomerecord", rows["registry_incomerecord"], started))

        started = time.perf_counter()
        checks = HouseholdCondition.CHECKS
        short_per_mille = "CASE WHEN h.status = 'poor' THEN 120 ELSE 25 END"
        with bare(cur, "registry_householdcondition"):
            rows["registry_householdcondition"] = insert(
                cur,
                "registry_householdcondition",
                {
                    "household_id": "h.id",
                    "year": "y",
                    # A poor household falls short more often, and more in the early years.
                    **{
                        name: f"{u(key + ' * 8', 30 + i, 1000)} >= {short_per_mille} - 3 * (y - {first})"
                        for i, name in enumerate(checks)
                    },
                    "notes": "''",
                },
                f"FROM bench_h h CROSS JOIN generate_series({first}, {last}) y "
                "WHERE h.reg IS NOT NULL OR h.mon IS NOT NULL ORDER BY h.id, y",
            )
        say(_took("registry_householdcondition", rows["registry_householdcondition"], started))

        started = time.perf_counter()
        with bare(cur, "cases_case"):
            rows["cases_case"] = insert(
                cur,
                "cases_case",
                {
                    "kind": "'monitoring'",
                    "household_id": "h.id",
                    "area_code": "h.area",
                    "origin": "(ARRAY['application','cadre_check','screening'])[1 + "
                    + u("h.id", 40, 3)
                    + "]",
                    "status": "'completed'",
                    "step": "'done'",
                    "year": "h.mon",
                    "reason": "'bench'",
                    "category": "h.category",
                    "opened_at": "make_timestamptz(h.mon, 3, 1, 9, 0, 0)",
                    "step_since": "make_timestamptz(h.mon, 5, 1, 9, 0, 0)",
                    "closed_at": "make_timestamptz(h.mon, 5, 1, 9, 0, 0)",
                    "needs_township_review": "true",
                    "needs_county_approval": "true",
                },
                "FROM bench_h h WHERE h.mon IS NOT NULL ORDER BY h.id",
            )
            rows["cases_case"] += insert(
                cur,
                "cases_case",
                {
                    "kind": "'elimination'",
                    "household_id": "h.id",
                    "area_code": "h.area",
                    "status": "'completed'",
                    "step": "'done'",
                    "year": "h.elim",
                    "reason": "'bench'",
                    "elimination_way": pick("assisted natural", "h.id", 41),
                    "opened_at": "make_timestamptz(h.elim, 3, 1, 9, 0, 0)",
                    "step_since": "make_timestamptz(h.elim, 5, 1, 9, 0, 0)",
                    "closed_at": "make_timestamptz(h.elim, 5, 1, 9, 0, 0)",
                    "needs_township_review": "true",
                    "needs_county_approval": "true",
                },
                "FROM bench_h h WHERE h.elim IS NOT NULL ORDER BY h.id",
            )
        say(_took("cases_case", rows["cases_case"], started))

        started = time.perf_counter()
        state = u("h.id", 51)
        raised = f"(now() - make_interval(days => {u('h.id', 52, 90)}))"
        with bare(cur, "alerts_alert"):
            rows["alerts_alert"] = insert(
                cur,
                "alerts_alert",
                {
                    "household_id": "h.id",
                    "area_code": "h.area",
                    "channel": "'screening'",
                    "rule": pick(
                        "income_below_line income_drop medical_costs disability dibao_lost", "h.id", 53
                    ),
                    "period": f"'{last}'",
                    "summary": "'bench'",
                    "evidence": "'{}'::jsonb",
                    "status": f"CASE WHEN {state} < 50 THEN 'open' WHEN {state} < 70 THEN 'visited' "
                    f"WHEN {state} < 80 THEN 'case_started' ELSE 'dismissed' END",
                    "dismiss_reason": f"CASE WHEN {state} >= 80 THEN 'bench' ELSE '' END",
                    "raised_at": raised,
                    "visit_due": f"({raised})::date + 7",
                    "decision_due": f"({raised})::date + 15",
                    "visited_at": f"CASE WHEN {state} >= 50 THEN {raised} + interval '3 days' END",
                },
                f"FROM bench_h h WHERE {u('h.id', 50)} < 3 ORDER BY h.id",
            )
        say(_took("alerts_alert", rows["alerts_alert"], started))

        # Explicit ids were written: move the sequence past them for households the app adds.
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('registry_household', 'id'), "
            "(SELECT max(id) FROM registry_household))"
        )
    started = time.perf_counter()
    with connection.cursor() as cur:
        for table in rows:
            cur.execute(f"VACUUM ANALYZE {table}")
    say(f"  vacuum analyze {time.perf_counter() - started:.1f} s")
    return rows
