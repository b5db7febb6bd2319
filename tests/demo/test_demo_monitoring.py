"""The demo county shows monitoring: department feeds with match reports, screening alerts in
several states, overdue ones among them, and cadre checks in 十八洞村."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from fupin.alerts.models import Alert, AlertStatus, Channel
from fupin.alerts.queries import overdue
from fupin.core.personas import VILLAGE
from fupin.demo.actions import do_build_demo
from fupin.demo.cases import build_demo_cases
from fupin.demo.monitoring import build_demo_monitoring
from fupin.feeds.models import FeedBatch

SIZE = 600


@pytest.fixture(autouse=True)
def _snapshots_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_SNAPSHOT_DIR", str(tmp_path / "snapshots"))


def _state() -> list[tuple[Any, ...]]:
    return list(
        Alert.objects.order_by("household__number", "rule", "period").values_list(
            "household__number", "rule", "period", "status"
        )
    )


def test_the_demo_shows_feeds_screening_alerts_and_their_states(personas: dict[str, Any]) -> None:
    do_build_demo(SIZE, 7)
    build_demo_cases()
    made = build_demo_monitoring(7)
    assert made["batches"] == 4

    batches = FeedBatch.objects.filter(status=FeedBatch.Status.DONE)
    sources = set(batches.values_list("source", flat=True))
    assert sources == {"medical", "housing", "education", "civil_affairs"}
    for batch in batches:
        assert batch.rows_matched > 0 and batch.rows_unmatched > 0 and batch.rows_invalid == 0

    screening = Alert.objects.filter(channel=Channel.SCREENING)
    assert len(set(screening.values_list("rule", flat=True))) >= 2
    assert screening.filter(status=AlertStatus.VISITED).exists()
    assert screening.filter(status=AlertStatus.DISMISSED).exclude(dismiss_reason="").exists()
    assert screening.filter(overdue(timezone.localdate())).exists()
    checks = Alert.objects.filter(channel=Channel.CADRE_CHECK)
    assert checks.count() == 2 and all(a.area_code.startswith(VILLAGE) for a in checks)
    assert checks.filter(evidence__checked_by="village_clerk").count() == 2

    # Once only; a rebuild of the same seed gives the same alerts again.
    first = _state()
    assert build_demo_monitoring(7) == {}
    do_build_demo(SIZE, 7)
    build_demo_cases()
    build_demo_monitoring(7)
    assert _state() == first
    assert FeedBatch.objects.count() == 4
