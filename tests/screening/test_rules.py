"""Each rule on small real data: it flags exactly the households it should, with the period and
evidence a reviewer reads, and no other rule fires on the same data."""

from __future__ import annotations

from typing import Any

import pytest

from fupin.alerts.models import Alert
from fupin.screening.rules import BY_KEY, RULES
from tests.screening.helpers import YEAR, screen
from tests.screening.world import BUILDERS


def test_every_rule_has_a_world() -> None:
    assert set(BUILDERS) == set(BY_KEY)


@pytest.mark.parametrize("rule", list(BUILDERS))
def test_the_rule_flags_exactly_its_households(rule: str, db: Any) -> None:
    expected = BUILDERS[rule]()
    run = screen()
    raised = dict(Alert.objects.filter(rule=rule).values_list("household_id", "period"))
    assert raised == expected
    assert run.found == {r.key: (len(expected) if r.key == rule else 0) for r in RULES}
    assert run.new_alerts == len(expected)
    assert not Alert.objects.exclude(rule=rule).exists()


def test_an_alert_carries_its_evidence_in_yuan_and_a_chinese_summary(db: Any) -> None:
    BUILDERS["hospital_stay"]()
    screen()
    alert = Alert.objects.get(rule="hospital_stay", evidence__stays=2)
    assert alert.period == f"{YEAR}-03"
    assert alert.evidence == {"amount": "9000.00", "stays": 2, "threshold": 6000}
    assert alert.summary == f"{YEAR}-03 一次住院个人自付 9,000.00 元，超过 6,000 元（当月共 2 次超限）"
    assert alert.channel == "screening" and alert.status == "open"


def test_the_income_rule_says_which_year_it_compared(db: Any) -> None:
    BUILDERS["income_below_line"]()
    screen()
    last_year = Alert.objects.get(rule="income_below_line", evidence__income_year=YEAR - 1)
    assert last_year.evidence == {"income_year": YEAR - 1, "income": "4000.00", "threshold": 6000}
    assert "低于2024年监测范围 6,000 元" in last_year.summary


def test_the_death_rule_reports_the_age(db: Any) -> None:
    BUILDERS["working_age_death"]()
    screen()
    assert sorted(
        a["evidence"]["age"] for a in Alert.objects.filter(rule="working_age_death").values("evidence")
    ) == [
        16,
        43,
        59,
    ]


def test_every_rule_text_names_its_own_key_and_reads_only_snapshot_tables() -> None:
    for rule in RULES:
        assert f"'{rule.key}' AS rule" in rule.sql
        assert "household_id" in rule.sql and "period" in rule.sql
