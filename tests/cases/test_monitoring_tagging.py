"""Tagging a monitored household: the category must fit the household, the risk types come from
the declared list, one to five of them, none twice; a refused tagging changes nothing; and the
database itself keeps the risk types and the kind-specific fields in line."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from fupin.accounts.models import User
from fupin.assistance.measures import do_record_measure
from fupin.cases import actions
from fupin.cases.models import Case, CaseRiskType, CaseStep, Status, Step
from fupin.core.access import SYSTEM
from fupin.core.errors import ValidationFailed
from fupin.core.models import AuditEntry
from fupin.registry.choices import RiskType
from fupin.registry.models import Household, StatusChange
from tests.cases.helpers import advance_to, monitoring_candidate, open_identification, open_monitoring


@pytest.fixture
def at_tagging(personas: dict[str, User]) -> Case:
    """An ordinary household's monitoring case, approved by the county, waiting to be tagged."""
    return advance_to(open_monitoring(personas), Step.TAGGING, personas)


def state(case: Case) -> tuple[Any, ...]:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.step,
        fresh.category,
        Household.objects.get(pk=case.household_id).status,
        CaseRiskType.objects.filter(case=case).count(),
        CaseStep.objects.filter(case=case).count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize(
    ("risk_types", "code"),
    [
        ([], "RISK_TYPES_COUNT"),
        (["", "  "], "RISK_TYPES_COUNT"),
        (["illness", "schooling", "disability", "disaster", "accident", "water"], "RISK_TYPES_COUNT"),
        (["illness", "gambling"], "RISK_TYPE_UNKNOWN"),
        (["illness", "housing", "illness"], "RISK_TYPE_TWICE"),
    ],
    ids=["none", "blank", "six", "unknown", "twice"],
)
def test_bad_risk_types_are_refused_and_nothing_changes(
    personas: dict[str, User], at_tagging: Case, risk_types: list[str], code: str
) -> None:
    before = state(at_tagging)
    with pytest.raises(ValidationFailed) as refused:
        actions.do_tag_monitoring(
            at_tagging, category="edge", risk_types=risk_types, actor=personas["village_clerk"]
        )
    assert [e.code.name for e in refused.value.errors] == [code]
    assert refused.value.errors[0].field == "risk_types"
    assert state(at_tagging) == before


def test_five_risk_types_of_the_declared_list_are_kept_in_order(
    personas: dict[str, User], at_tagging: Case
) -> None:
    chosen = ["water", "housing", "employment", "industry", "labour"]
    # A 因安全饮水 risk is tagged only with a 饮水安全保障 measure on file (domain.md §5).
    do_record_measure(
        at_tagging.household,
        {"kind": "water", "day": str(at_tagging.year) + "-01-02", "amount": "800", "description": "水窖"},
        actor=SYSTEM,
    )
    case = actions.do_tag_monitoring(
        at_tagging, category="edge", risk_types=chosen, actor=personas["village_clerk"]
    )
    assert list(case.risk_types.values_list("risk", flat=True)) == chosen
    assert set(RiskType.values) == {
        "illness",
        "schooling",
        "disability",
        "disaster",
        "accident",
        "water",
        "housing",
        "employment",
        "industry",
        "labour",
        "other",
    }


@pytest.mark.parametrize(
    ("status", "category", "code"),
    [
        ("none", "unstable", "CATEGORY_NEEDS_EXITED"),
        ("exited", "edge", "CATEGORY_NEEDS_ORDINARY"),
        ("none", "", "CATEGORY_REQUIRED"),
        ("none", "poorest", "CATEGORY_REQUIRED"),
    ],
)
def test_a_category_that_does_not_fit_the_household_is_refused(
    personas: dict[str, User], status: str, category: str, code: str
) -> None:
    case = advance_to(open_monitoring(personas, monitoring_candidate(status=status)), Step.TAGGING, personas)
    before = state(case)
    with pytest.raises(ValidationFailed) as refused:
        actions.do_tag_monitoring(
            case, category=category, risk_types=["illness"], actor=personas["village_clerk"]
        )
    assert [e.code.name for e in refused.value.errors] == [code]
    assert state(case) == before


@pytest.mark.parametrize("status", ["none", "exited", "eliminated"])
def test_sudden_severe_hardship_fits_any_household_monitoring_may_take(
    personas: dict[str, User], status: str
) -> None:
    household = monitoring_candidate(status=status)
    case = advance_to(open_monitoring(personas, household), Step.TAGGING, personas)
    case = actions.do_tag_monitoring(
        case, category="sudden", risk_types=["disaster"], actor=personas["first_secretary"]
    )
    assert (case.status, case.category) == (Status.COMPLETED, "sudden")
    assert StatusChange.objects.get(household=household, to_status="monitored").from_status == status


def test_every_problem_of_a_tagging_is_reported_at_once(personas: dict[str, User], at_tagging: Case) -> None:
    with pytest.raises(ValidationFailed) as refused:
        actions.do_tag_monitoring(at_tagging, category="", risk_types=[], actor=personas["village_clerk"])
    assert [(e.code.name, e.field) for e in refused.value.errors] == [
        ("CATEGORY_REQUIRED", "category"),
        ("RISK_TYPES_COUNT", "risk_types"),
    ]


def test_the_database_refuses_a_sixth_or_repeated_risk_type(
    personas: dict[str, User], at_tagging: Case
) -> None:
    case = actions.do_tag_monitoring(
        at_tagging, category="edge", risk_types=["illness", "schooling"], actor=personas["village_clerk"]
    )
    for bad in (
        {"risk": "illness", "position": 3},
        {"risk": "water", "position": 2},
        {"risk": "water", "position": 6},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            CaseRiskType.objects.create(case=case, **bad)
    assert case.risk_types.count() == 2


def test_the_database_keeps_category_and_way_to_their_kinds(personas: dict[str, User]) -> None:
    case = open_identification(personas)
    for bad in ({"category": "edge"}, {"elimination_way": "natural"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Case.objects.filter(pk=case.pk).update(**bad)
    monitoring = open_monitoring(personas)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=monitoring.pk).update(status="completed", step="done")
