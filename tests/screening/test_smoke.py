from __future__ import annotations

from typing import Any

from tests.conftest import make_household
from tests.screening.helpers import YEAR, feed, flagged, income, screen


def test_smoke(db: Any) -> None:
    a = make_household(members=1)
    income(a, YEAR, 5000)
    b = make_household(members=2, status="exited")
    feed(b, "hospital_stay", amount=7000)
    run = screen()
    print(run.found, run.snapshot_rows, run.warnings, run.new_alerts)
    assert flagged("income_below_line") == {a.pk}
    assert flagged("hospital_stay") == {b.pk}
