"""Benchmark: import 100,000 members of 花垣县 (433124) from one .xlsx, and export them again.

1. Generates (deterministically, seed 2024) a template-shaped .xlsx with valid ID numbers for the
   county's villages: households of 1–6 members, head's row with causes, conditions and a year's
   income (kept under var/bench/ and reused when present).
2. Reads it alone with python-calamine (the floor: rows/s).
3. For SQLite (a fresh file) and PostgreSQL (a fresh database fupin_bench_import, dropped
   afterwards, when a server answers): migrate, load the county's areas, then times
   ``fupin import households FILE --area 433124`` (whole process), a second import of the same
   file (must change nothing), and ``fupin export households OUT --area 433124 --unmasked``.
Each child process prints its peak memory (ru_maxrss) on exit.

    .venv/bin/python bench/import_households.py [--members N] [--pg-url URL] [--sqlite-only | --pg-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FUPIN = ROOT / ".venv" / "bin" / "fupin"
# Peak memory of the child process itself, printed when it exits.
PEAK = (
    "import atexit, resource, sys; atexit.register(lambda: print('peak_rss_mb=%.0f' % "
    "(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), file=sys.stderr))"
)


def villages() -> list[str]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from fupin.areas.loading import read_divisions

    return sorted(row.code for row in read_divisions("433124") if row.level == 5)


def generate(path: Path, members: int, seed: int = 2024) -> int:
    """Write ``members`` member rows (whole households); returns the household count."""
    from openpyxl import Workbook

    from fupin.registry import choices as c
    from fupin.registry import excel, idnumber

    rng = random.Random(seed)
    codes = villages()
    labels = {col.field: excel.choice_labels(col.choices) for col in excel.COLUMNS if col.choices is not None}
    relation = {v: excel.chinese(label) for v, label in c.Relation.choices}
    index = {
        col.field if col.target != "key" else "key." + col.field: i for i, col in enumerate(excel.COLUMNS)
    }
    book = Workbook(write_only=True)
    sheet = book.create_sheet(excel.DATA_SHEET)
    sheet.append(list(excel.HEADERS))
    person = 0
    households = 0
    first_day = dt.date(1940, 1, 1)

    def new_id(male: bool) -> str:
        nonlocal person
        # 400 people per birth date, odd sequence for men: unique, valid, never a real person.
        born = first_day + dt.timedelta(days=person // 400)
        seq = (person % 400) * 2 + (1 if male else 0)
        person += 1
        return idnumber.make("433124", born, seq)

    written = 0
    while written < members:
        households += 1
        size = min(rng.randint(1, 6), members - written)
        village = rng.choice(codes)
        head_id = new_id(True)
        causes = rng.sample(labels["main_cause"][:11], 3)
        for k in range(size):
            row: list[object] = [None] * len(excel.COLUMNS)
            row[index["key.head_id"]] = head_id
            row[index["area"]] = village
            male = rng.random() < 0.5
            row[index["id_number"]] = head_id if k == 0 else new_id(male)
            row[index["name"]] = f"石{households}之{k + 1}"
            row[index["relation"]] = (
                relation["head"]
                if k == 0
                else rng.choice(
                    [relation["spouse"], relation["son"], relation["daughter"], relation["parent"]]
                )
            )
            row[index["ethnicity"]] = "苗族"
            row[index["education"]] = rng.choice(labels["education"])
            row[index["health"]] = rng.choice(labels["health"])
            row[index["labour_capacity"]] = rng.choice(labels["labour_capacity"])
            row[index["work_months"]] = rng.randint(0, 12)
            row[index["medical_insurance"]] = "是"
            if k == 0:
                row[index["standard"]] = labels["standard"][0]
                row[index["main_cause"]] = causes[0]
                row[index["other_causes"]] = "、".join(causes[1 : 1 + rng.randint(0, 2)]) or None
                row[index["phone"]] = f"139{rng.randint(0, 99999999):08d}"
                row[index["cultivated_land_mu"]] = round(rng.uniform(0, 8), 1)
                row[index["housing_structure"]] = rng.choice(labels["housing_structure"])
                row[index["housing_built_year"]] = rng.randint(1970, 2020)
                row[index["water_safe"]] = "是"
                row[index["year"]] = 2023
                row[index["wage"]] = rng.randint(0, 40000)
                row[index["business"]] = rng.randint(0, 8000)
                row[index["transfer_dibao"]] = rng.choice([0, 0, 2400])
                row[index["business_costs"]] = rng.randint(0, 3000)
            sheet.append(row)
            written += 1
    book.save(path)
    return households


READ_ONLY = """
import resource, sys, time
import python_calamine
started = time.perf_counter()
sheet = python_calamine.CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0)
rows = sum(1 for _ in sheet.iter_rows()) - 1
seconds = time.perf_counter() - started
print(rows, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def read_only(path: Path) -> tuple[int, float, float]:
    """Reading alone, in a process of its own so its peak memory is the reader's."""
    done = subprocess.run(
        [sys.executable, "-c", READ_ONLY, str(path)], capture_output=True, text=True, check=True
    )
    rows, seconds, peak = done.stdout.split()
    return int(rows), float(seconds), float(peak)


def fupin(url: str, *args: str) -> tuple[str, float, str]:
    env = {**os.environ, "FUPIN_DATABASE_URL": url}
    code = f"{PEAK}; from fupin.cli import main; sys.exit(main(sys.argv[1:]))"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"fupin {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
    peak = re.search(r"peak_rss_mb=(\d+)", done.stderr)
    return done.stdout, seconds, peak.group(1) if peak else "?"


def run(label: str, url: str, path: Path, members: int, out_dir: Path) -> None:
    print(f"\n== {label}")
    fupin(url, "migrate")
    fupin(url, "load-areas", "--county", "433124")
    for attempt in ("first import", "second import (no-op)"):
        stdout, seconds, peak = fupin(url, "import", "households", str(path), "--area", "433124", "--quiet")
        counts = stdout.strip().splitlines()[-1]
        print(f"{attempt}: {seconds:.1f} s, {members / seconds:,.0f} rows/s, peak {peak} MB")
        print(f"  {counts}")
    out = out_dir / f"export-{label.split()[0].lower()}.xlsx"
    stdout, seconds, peak = fupin(url, "export", "households", str(out), "--area", "433124", "--unmasked")
    print(f"export (unmasked): {seconds:.1f} s, {members / seconds:,.0f} rows/s, peak {peak} MB")
    print(f"  {stdout.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--pg-only", action="store_true")
    args = parser.parse_args()
    data_dir = ROOT / "var" / "bench"
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"households-{args.members}.xlsx"
    if not path.exists():
        started = time.perf_counter()
        households = generate(path, args.members)
        print(
            f"generated {path.name}: {args.members} members in {households} households "
            f"({time.perf_counter() - started:.1f} s)"
        )
    rows, seconds, peak = read_only(path)
    print(
        f"read only (calamine): {rows} rows in {seconds:.2f} s, {rows / seconds:,.0f} rows/s, "
        f"peak {peak:.0f} MB"
    )
    with tempfile.TemporaryDirectory() as tmp:
        if not args.pg_only:
            run("SQLite (fresh file)", f"sqlite:///{tmp}/bench.sqlite3", path, rows, Path(tmp))
        if args.sqlite_only:
            return
        import psycopg

        name = "fupin_bench_import"
        try:
            admin = psycopg.connect(f"{args.pg_url}/postgres", autocommit=True)
        except psycopg.OperationalError as exc:
            print(f"\nPostgreSQL not reachable ({exc}); skipped")
            return
        with admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
            admin.execute(f"CREATE DATABASE {name}")
            try:
                run("PostgreSQL (fresh database)", f"{args.pg_url}/{name}", path, rows, Path(tmp))
            finally:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
