"""DuckDB and Spark run the same rule text over the same snapshot and give the same alerts.

Spark runs in local mode; the test is skipped only where pyspark cannot be imported (it is in
the dev extra, so CI runs it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.dataset as pads
import pytest

from fupin.alerts.models import Alert
from fupin.areas.models import Area
from fupin.core.personas import COUNTY
from fupin.screening.engines import SparkConfig, alerts_path, run_rules, spark_available, stop_spark
from fupin.screening.rules import RULES, evidence_of
from fupin.screening.snapshot import write_snapshot
from tests.screening.helpers import YEAR, screen
from tests.screening.world import BUILDERS

needs_spark = pytest.mark.skipif(not spark_available(), reason="pyspark is not importable here")


def rows_of(out: Path) -> set[tuple[Any, ...]]:
    """Every alert row, engine-neutral: evidence as the loader keeps it (ints, strings, floats)."""
    found: set[tuple[Any, ...]] = set()
    for rule in RULES:
        for row in pads.dataset(str(alerts_path(out, rule.key)), format="parquet").to_table().to_pylist():
            evidence = tuple(sorted(evidence_of(row).items()))
            found.add((row["rule"], int(row["household_id"]), str(row["period"]), evidence))
    return found


def test_duckdb_writes_one_file_per_rule_with_the_rows_it_counts(db: Any, tmp_path: Path) -> None:
    for build in BUILDERS.values():
        build()
    write_snapshot(tmp_path / "snap", Area.objects.get(code=COUNTY), YEAR)
    counts = run_rules("duckdb", tmp_path / "snap", tmp_path / "out", RULES)
    rows = rows_of(tmp_path / "out")
    assert sum(counts.values()) == len(rows) > 0
    assert all(counts[rule.key] > 0 for rule in RULES)


@needs_spark
def test_both_engines_give_identical_alerts_on_the_same_snapshot(db: Any, tmp_path: Path) -> None:
    expected = {rule: build() for rule, build in BUILDERS.items()}
    write_snapshot(tmp_path / "snap", Area.objects.get(code=COUNTY), YEAR)
    duck = run_rules("duckdb", tmp_path / "snap", tmp_path / "duck", RULES)
    try:
        spark = run_rules(
            "spark", tmp_path / "snap", tmp_path / "spark", RULES, spark=SparkConfig("local[2]")
        )
    finally:
        stop_spark()
    assert duck == spark == {rule: len(households) for rule, households in expected.items()}
    assert rows_of(tmp_path / "duck") == rows_of(tmp_path / "spark")


@needs_spark
def test_a_spark_run_raises_the_same_alerts_as_a_duckdb_run(db: Any) -> None:
    for build in BUILDERS.values():
        build()

    def raised() -> set[tuple[Any, ...]]:
        return set(Alert.objects.values_list("household_id", "rule", "period", "summary"))

    spark_run = screen(engine="spark")
    by_spark = raised()
    with_evidence = {a.pk: a.evidence for a in Alert.objects.all()}
    Alert.objects.all().delete()
    duck_run = screen(engine="duckdb")
    assert raised() == by_spark
    assert sorted(map(str, with_evidence.values())) == sorted(str(a.evidence) for a in Alert.objects.all())
    assert spark_run.found == duck_run.found
    assert spark_run.engine == "spark"
