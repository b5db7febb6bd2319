"""The engines that run the rules over a snapshot: DuckDB (embedded, the default) and Apache
Spark (the optional extra ``fupin[spark]``, local or on a cluster).

Both do the same three things: register every snapshot table under its name, run each rule's
SQL text unchanged, and write each rule's rows as Parquet under ``out/<rule>``. Nothing here
touches the database, so the benchmark and a cluster driver run exactly this code.
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.dataset as pads

from fupin.screening.rules import Rule

TABLES = ("households", "members", "feeds", "rule_params", "lines", "run_info")
ENGINES = ("duckdb", "spark")

OnRule = Callable[[str, int], None]


@dataclass(frozen=True)
class SparkConfig:
    """Where Spark runs: ``local[2]`` by default; ``spark://host:7077`` for a standalone cluster
    (then the snapshot directory must be mounted at the same path on every worker)."""

    master: str = "local[2]"
    shuffle_partitions: int = 8
    extra: dict[str, str] = field(default_factory=dict)


def spark_available() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return True


def table_path(snapshot: Path, name: str) -> Path:
    return snapshot / f"{name}.parquet"


def alerts_path(out: Path, rule_key: str) -> Path:
    return out / rule_key


def count_rows(path: Path) -> int:
    # Parquet footers hold the row counts: no data is read. Spark leaves _SUCCESS and .crc
    # files beside its parts; pyarrow skips names starting with "_" or ".".
    return int(pads.dataset(str(path), format="parquet").count_rows())


def run_rules(
    engine: str,
    snapshot: Path,
    out: Path,
    rules: Sequence[Rule],
    *,
    on_rule: OnRule | None = None,
    spark: SparkConfig | None = None,
    duckdb_threads: int | None = None,
    duckdb_memory: str | None = None,
) -> dict[str, int]:
    """Run every rule over the snapshot; returns {rule: rows written}."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if engine == "duckdb":
        return _run_duckdb(snapshot, out, rules, on_rule, threads=duckdb_threads, memory=duckdb_memory)
    if engine == "spark":
        return _run_spark(snapshot, out, rules, on_rule, spark or SparkConfig())
    raise ValueError(f"unknown engine {engine!r}")


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _run_duckdb(
    snapshot: Path,
    out: Path,
    rules: Sequence[Rule],
    on_rule: OnRule | None,
    *,
    threads: int | None,
    memory: str | None,
) -> dict[str, int]:
    import duckdb

    config: dict[str, Any] = {}
    if threads:
        config["threads"] = threads
    if memory:
        config["memory_limit"] = memory
    counts: dict[str, int] = {}
    with duckdb.connect(":memory:", config=config) as con:
        # Views, not tables: DuckDB reads only the columns and row groups each rule needs, and
        # nothing is copied into memory first.
        for name in TABLES:
            # The names are our constants and the path is quoted: nothing here comes from a user.
            source = _quoted(table_path(snapshot, name))
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({source})")  # noqa: S608
        for rule in rules:
            target = alerts_path(out, rule.key)
            target.mkdir()
            row = con.execute(
                f"COPY ({rule.sql}) TO {_quoted(target / 'part-0.parquet')} (FORMAT parquet)"
            ).fetchone()
            counts[rule.key] = int(row[0]) if row else 0
            if on_rule:
                on_rule(rule.key, counts[rule.key])
    return counts


_spark_session: Any = None


def spark_session(config: SparkConfig) -> Any:
    """One session per process: a JVM takes seconds to start, so later runs reuse it."""
    global _spark_session
    if _spark_session is not None and _spark_session.sparkContext._jsc is not None:
        return _spark_session
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(config.master)
        .appName("fupin-screening")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(config.shuffle_partitions))
        .config("spark.sql.session.timeZone", "UTC")
    )
    for key, value in config.extra.items():
        builder = builder.config(key, value)
    with warnings.catch_warnings():
        # Starting a session imports pyspark.testing, which warns that its pandas helpers
        # predate pandas 3; screening uses only SQL and Parquet, never those helpers.
        warnings.simplefilter("ignore", FutureWarning)
        _spark_session = builder.getOrCreate()
    _spark_session.sparkContext.setLogLevel("ERROR")
    return _spark_session


def stop_spark() -> None:
    global _spark_session
    if _spark_session is not None:
        _spark_session.stop()
        _spark_session = None


def _run_spark(
    snapshot: Path, out: Path, rules: Sequence[Rule], on_rule: OnRule | None, config: SparkConfig
) -> dict[str, int]:
    spark = spark_session(config)
    for name in TABLES:
        spark.read.parquet(str(table_path(snapshot, name))).createOrReplaceTempView(name)
    counts: dict[str, int] = {}
    for rule in rules:
        target = alerts_path(out, rule.key)
        spark.sql(rule.sql).write.mode("overwrite").parquet(str(target))
        counts[rule.key] = count_rows(target)
        if on_rule:
            on_rule(rule.key, counts[rule.key])
    return counts


def spark_config_from_env(environ: dict[str, str] | None = None) -> SparkConfig:
    """FUPIN_SPARK_MASTER, FUPIN_SPARK_SHUFFLE_PARTITIONS and FUPIN_SPARK_CONF ("key=value;...")."""
    env = os.environ if environ is None else environ
    extra: dict[str, str] = {}
    for item in (env.get("FUPIN_SPARK_CONF") or "").split(";"):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"FUPIN_SPARK_CONF entries are key=value, not {item!r}")
        extra[key.strip()] = value.strip()
    raw_partitions = env.get("FUPIN_SPARK_SHUFFLE_PARTITIONS") or "8"
    try:
        partitions = int(raw_partitions)
    except ValueError:
        raise ValueError(
            f"FUPIN_SPARK_SHUFFLE_PARTITIONS must be a whole number, not {raw_partitions!r}"
        ) from None
    return SparkConfig(
        master=env.get("FUPIN_SPARK_MASTER") or "local[2]", shuffle_partitions=partitions, extra=extra
    )
