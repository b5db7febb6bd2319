"""Where screening keeps its files and which Spark it talks to, read from the environment.

Read here rather than in ``fupin.settings`` so the screening app owns its configuration; the
app checks every value when Django starts (``ScreeningConfig.ready``), so a malformed one stops
start-up with a message instead of failing the first run an hour later.

- ``FUPIN_SNAPSHOT_DIR``: where snapshots and alert files are written (default ``var/snapshots``).
  With a Spark cluster this must be a directory every worker mounts at the same path.
- ``FUPIN_SPARK_MASTER``: ``local[2]`` (default) or ``spark://host:7077``.
- ``FUPIN_SPARK_SHUFFLE_PARTITIONS`` (8), ``FUPIN_SPARK_CONF`` (``key=value;key=value``).
- ``FUPIN_DUCKDB_THREADS``, ``FUPIN_DUCKDB_MEMORY`` (e.g. ``2GB``): DuckDB's limits, default its own.
- ``FUPIN_KEEP_SNAPSHOTS``: keep each run's files after loading (they hold birth dates and
  health: off by default).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from fupin.screening.engines import SparkConfig, spark_config_from_env


def snapshot_dir() -> Path:
    raw = os.environ.get("FUPIN_SNAPSHOT_DIR")
    return Path(raw) if raw else Path(settings.VAR_DIR) / "snapshots"


def spark_config() -> SparkConfig:
    try:
        return spark_config_from_env()
    except ValueError as exc:
        raise ImproperlyConfigured(str(exc)) from None


def duckdb_threads() -> int | None:
    raw = os.environ.get("FUPIN_DUCKDB_THREADS") or ""
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ImproperlyConfigured(f"FUPIN_DUCKDB_THREADS must be a whole number above 0, not {raw!r}")
    return int(raw)


def duckdb_memory() -> str | None:
    return os.environ.get("FUPIN_DUCKDB_MEMORY") or None


def keep_snapshots() -> bool:
    raw = (os.environ.get("FUPIN_KEEP_SNAPSHOTS") or "").lower()
    if raw in {"", "0", "false", "no", "off"}:
        return False
    if raw in {"1", "true", "yes", "on"}:
        return True
    raise ImproperlyConfigured(f"FUPIN_KEEP_SNAPSHOTS must be true or false, not {raw!r}")


def check() -> None:
    """Every value parses: called once at start-up."""
    spark_config()
    duckdb_threads()
    keep_snapshots()
