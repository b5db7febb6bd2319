"""The demo county gets cases in every state, built through the case actions."""

from __future__ import annotations

from typing import Any

from fupin.cases.models import Case, Objection, Status, Step
from fupin.demo.actions import do_build_demo
from fupin.demo.cases import build_demo_cases


def test_demo_cases_cover_every_state_and_run_once(personas: dict[str, Any]) -> None:
    do_build_demo(1500, 2014)
    made = build_demo_cases()
    assert made == Case.objects.count() >= 15
    steps = set(Case.objects.filter(status=Status.OPEN).values_list("kind", "step"))
    assert {
        ("identification", Step.VERIFICATION),
        ("identification", Step.FIRST_NOTICE),
        ("identification", Step.TOWNSHIP_REVIEW),
        ("identification", Step.COUNTY_APPROVAL),
        ("exit", Step.REVIEW),
        ("exit", Step.CONSENT),
    } <= steps
    assert Case.objects.filter(status=Status.COMPLETED).exists()
    assert Case.objects.filter(status=Status.REJECTED).exclude(rejection_reason="").exists()
    assert Objection.objects.filter(answered_at=None).exists()
    assert Objection.objects.exclude(answer="").exists()
    assert Case.objects.filter(area_code__startswith="433124110226").exists()
    assert build_demo_cases() == 0
