"""The demo county gets cases in every state, built through the case actions: identification
and exit, monitoring inclusion and risk elimination."""

from __future__ import annotations

from typing import Any

from fupin.cases import rules
from fupin.cases.models import Case, CaseRiskType, Objection, Status, Step
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
    assert {
        ("monitoring", Step.VERIFICATION),
        ("monitoring", Step.AUTHORISATION),
        ("monitoring", Step.COMPARISON),
        ("monitoring", Step.FIRST_NOTICE),
        ("monitoring", Step.COUNTY_APPROVAL),
        ("monitoring", Step.TAGGING),
        ("elimination", Step.VERIFICATION),
        ("elimination", Step.FIRST_NOTICE),
        ("elimination", Step.TAGGING),
    } <= steps
    monitored = Case.objects.filter(kind="monitoring", status=Status.COMPLETED)
    assert {"sudden"} < set(monitored.values_list("category", flat=True))
    assert all(c.household.status == "monitored" for c in monitored)
    assert CaseRiskType.objects.filter(case__in=monitored).count() >= 2 * monitored.count()
    assert Case.objects.filter(kind="monitoring", status=Status.REJECTED).exists()
    eliminated = Case.objects.get(kind="elimination", status=Status.COMPLETED)
    assert eliminated.elimination_way and eliminated.household.status == "eliminated"
    # The household nobody in which can work waits at the township: its block cannot be lifted.
    stuck = Case.objects.get(kind="elimination", step=Step.TOWNSHIP_REVIEW)
    assert not next(r for r in rules.evaluate(stuck) if r.code == "labour_capacity").passed
    assert build_demo_cases() == 0
