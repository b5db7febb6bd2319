from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _snapshots_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Each test writes its snapshots under its own directory, never into var/.
    monkeypatch.setenv("FUPIN_SNAPSHOT_DIR", str(tmp_path / "snapshots"))
    yield
