"""Benchmark: load all of China's division codes (about 665,000 areas) with ``fupin load-areas --all``.

Runs the real command line in a subprocess on a fresh SQLite file, and on a fresh PostgreSQL
database when a server answers (default postgres://postgres@127.0.0.1:5432, database fupin_bench,
dropped afterwards). Prints the wall time of the load, the areas per level and rows per second.

    .venv/bin/python bench/load_areas.py [--pg-url URL] [--sqlite-only]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
FUPIN = ROOT / ".venv" / "bin" / "fupin"
# Distinct codes per level. The package's CSVs hold 342 / 2,978 / 41,352 / 620,573 rows, but five
# rows repeat their parent's code: 东莞市, 中山市 and 儋州市 appear again as their own county, and
# 金门县 as its own township and village. A correct load keeps one area per code.
EXPECTED = {1: 31, 2: 342, 3: 2975, 4: 41351, 5: 620572}
LEVEL_NAMES = {1: "provinces", 2: "prefectures", 3: "counties", 4: "townships", 5: "villages"}
COUNT_SCRIPT = (
    "import json; from django.db.models import Count; from fupin.areas.models import Area; "
    "print(json.dumps({r['level']: r['n'] for r in Area.objects.values('level').annotate(n=Count('code'))}))"
)


class CommandFailed(Exception):
    pass


def fupin(url: str, *args: str) -> str:
    env = {**os.environ, "FUPIN_DATABASE_URL": url}
    done = subprocess.run([str(FUPIN), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise CommandFailed(f"fupin {' '.join(args)} exited with {done.returncode}: {last}")
    return done.stdout


def run(label: str, url: str) -> bool:
    print(f"\n== {label}")
    fupin(url, "migrate")
    started = time.perf_counter()
    try:
        fupin(url, "load-areas", "--all", "--quiet")
    except CommandFailed as exc:
        print(f"FAILED after {time.perf_counter() - started:.1f} s: {exc}")
        return False
    seconds = time.perf_counter() - started
    counts = {
        int(k): v
        for k, v in json.loads(fupin(url, "shell", "-c", COUNT_SCRIPT).strip().splitlines()[-1]).items()
    }
    total = sum(counts.values())
    ok = all(counts.get(level) == n for level, n in EXPECTED.items())
    print(f"load-areas --all: {seconds:.1f} s wall, {total:,} areas, {total / seconds:,.0f} rows/s")
    for level, name in LEVEL_NAMES.items():
        mark = "" if counts.get(level) == EXPECTED[level] else f"  (expected {EXPECTED[level]:,})"
        print(f"  {name:<12} {counts.get(level, 0):>9,}{mark}")
    if not ok:
        print("  (wrong counts: rows that repeat a code overwrote other areas; see EXPECTED above)")
    return ok


def postgres_admin(url: str) -> psycopg.Connection | None:
    try:
        return psycopg.connect(f"{url.rstrip('/')}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pg-url", default="postgres://postgres@127.0.0.1:5432", help="server URL, no database"
    )
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    if not FUPIN.exists():
        sys.exit(f"{FUPIN} is missing: run `make install` first")
    ok = True
    with tempfile.TemporaryDirectory(prefix="fupin-bench-") as tmp:
        ok &= run("SQLite (fresh file)", f"sqlite:///{tmp}/bench.sqlite3")
    if args.sqlite_only:
        return 0 if ok else 1
    admin = postgres_admin(args.pg_url)
    if admin is None:
        print(f"\n== PostgreSQL SKIPPED: no server answered at {args.pg_url}")
        return 0 if ok else 1
    with admin:
        admin.execute("DROP DATABASE IF EXISTS fupin_bench")
        admin.execute("CREATE DATABASE fupin_bench")
        try:
            ok &= run("PostgreSQL (fresh database fupin_bench)", f"{args.pg_url.rstrip('/')}/fupin_bench")
        finally:
            admin.execute("DROP DATABASE IF EXISTS fupin_bench")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
