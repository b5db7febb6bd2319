"""The assessment arithmetic on its own: known answers, exact boundaries, the west list."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fupin.assessment import rules
from fupin.assessment.rules import Gate, Outcome, Sampling, Thresholds


def test_seven_poor_people_of_five_hundred_is_1_40_percent_and_passes_at_2() -> None:
    gate = rules.incidence_gate(7, 500, Decimal("2"))
    assert gate.rate == Decimal("1.4")
    assert gate.rate_shown == "1.40%"
    assert gate.outcome == Outcome.PASS


def test_exactly_the_limit_fails_a_below_criterion() -> None:
    assert rules.incidence_gate(10, 500, Decimal("2")).outcome == Outcome.FAIL
    assert rules.incidence_gate(9, 500, Decimal("2")).outcome == Outcome.PASS


def test_the_comparison_is_exact_although_the_display_rounds() -> None:
    # 1999/100000 = 1.999%: shown as 2.00%, yet below 2%.
    gate = rules.incidence_gate(1999, 100_000, Decimal("2"))
    assert gate.rate_shown == "2.00%"
    assert gate.outcome == Outcome.PASS
    # One in three hundred ≈ 0.333…%: no float, no rounding in the verdict.
    assert rules.incidence_gate(1, 300, Decimal("0.33")).outcome == Outcome.FAIL
    assert rules.incidence_gate(1, 300, Decimal("0.34")).outcome == Outcome.PASS


def test_exactly_ninety_percent_approval_passes_and_just_under_fails() -> None:
    assert Gate("approval", 90, 100, Decimal("90"), below=False).outcome == Outcome.PASS
    assert Gate("approval", 8999, 10_000, Decimal("90"), below=False).outcome == Outcome.FAIL


def test_no_denominator_is_unknown_never_a_pass() -> None:
    assert rules.incidence_gate(3, None, Decimal("2")).outcome == Outcome.UNKNOWN
    assert rules.incidence_gate(0, 0, Decimal("2")).outcome == Outcome.UNKNOWN
    assert rules.incidence_gate(3, None, Decimal("2")).rate_shown == "—"


@pytest.mark.parametrize(
    ("code", "limit"),
    [
        ("520000000000", "3"),  # 贵州
        ("513200000000", "3"),  # 四川 阿坝州
        ("150100000000", "3"),  # 内蒙古
        ("650000000000", "3"),  # 新疆
        ("433124000000", "2"),  # 湖南 花垣县: western policy is a setting, not this list
        ("340000000000", "2"),  # 安徽
        ("440000000000", "2"),  # 广东
    ],
)
def test_the_default_incidence_threshold_is_3_percent_in_the_west(code: str, limit: str) -> None:
    assert rules.default_incidence_max(code) == Decimal(limit)


def test_the_west_list_has_the_twelve_western_provinces() -> None:
    assert sorted(rules.WEST_PROVINCES) == sorted(
        ["15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"]
    )
    assert "43" not in rules.WEST_PROVINCES


def limits() -> Thresholds:
    return Thresholds(incidence_max=Decimal("2"))


def sample(**changes: int) -> Sampling:
    base = {
        "sampled_exited": 1000,
        "wrongly_exited": 5,
        "sampled_unregistered": 2000,
        "missed_poor": 10,
        "surveyed_households": 500,
        "approving_households": 480,
    }
    return Sampling(**{**base, **changes})


def outcomes(gates: list[Gate]) -> dict[str, Outcome]:
    return {g.key: g.outcome for g in gates}


def test_a_county_passing_every_gate_passes() -> None:
    gates = rules.county_gates(7, 500, sample(), limits())
    assert outcomes(gates) == dict.fromkeys(
        ["incidence", "wrong_exit", "missed_poor", "approval"], Outcome.PASS
    )
    assert rules.overall(gates) == Outcome.PASS
    assert [g.rate_shown for g in gates] == ["1.40%", "0.50%", "0.50%", "96.00%"]


@pytest.mark.parametrize(
    ("changes", "gate"),
    [
        ({"wrongly_exited": 20}, "wrong_exit"),  # exactly 2% fails "< 2%"
        ({"missed_poor": 40}, "missed_poor"),  # exactly 2% fails "< 2%"
        ({"approving_households": 449}, "approval"),  # 89.8% fails "≥ 90%"
    ],
)
def test_failing_any_one_gate_fails_the_county(changes: dict[str, int], gate: str) -> None:
    gates = rules.county_gates(7, 500, sample(**changes), limits())
    assert outcomes(gates)[gate] == Outcome.FAIL
    assert [k for k, v in outcomes(gates).items() if v == Outcome.FAIL] == [gate]
    assert rules.overall(gates) == Outcome.FAIL


def test_just_under_each_boundary_passes() -> None:
    gates = rules.county_gates(
        7, 500, sample(wrongly_exited=19, missed_poor=39, approving_households=450), limits()
    )
    assert rules.overall(gates) == Outcome.PASS  # 1.9%, 1.95%, exactly 90%


def test_without_sampling_the_three_gates_are_unknown() -> None:
    gates = rules.county_gates(7, 500, None, limits())
    assert outcomes(gates) == {
        "incidence": Outcome.PASS,
        "wrong_exit": Outcome.UNKNOWN,
        "missed_poor": Outcome.UNKNOWN,
        "approval": Outcome.UNKNOWN,
    }
    assert rules.overall(gates) == Outcome.UNKNOWN


def test_a_sample_of_nobody_is_unknown() -> None:
    gates = rules.county_gates(7, 500, sample(sampled_exited=0, wrongly_exited=0), limits())
    assert outcomes(gates)["wrong_exit"] == Outcome.UNKNOWN


def test_a_fail_outweighs_an_unknown() -> None:
    gates = rules.county_gates(50, 500, None, limits())
    assert rules.overall(gates) == Outcome.FAIL


def test_settings_move_the_gates() -> None:
    strict = Thresholds(
        incidence_max=Decimal("1"),
        wrong_exit_max=Decimal("0.5"),
        missed_poor_max=Decimal("0.5"),
        approval_min=Decimal("97"),
    )
    gates = rules.county_gates(7, 500, sample(), strict)
    assert outcomes(gates) == dict.fromkeys(
        ["incidence", "wrong_exit", "missed_poor", "approval"], Outcome.FAIL
    )


def test_comprehensive_incidence_adds_the_sample_counts_and_is_only_information() -> None:
    # (7 + 5 + 10) / 500 = 4.4%
    assert rules.comprehensive_incidence(7, 500, sample()) == Decimal("4.4")
    assert rules.comprehensive_incidence(7, 500, None) is None
    assert rules.comprehensive_incidence(7, None, sample()) is None


def test_every_assessment_error_and_label_speaks_chinese() -> None:
    import re

    from django.utils import translation

    from fupin.assessment.errors import AssessmentError

    with translation.override("zh-hans"):
        for code in AssessmentError:
            assert re.search(r"[\u4e00-\u9fff]", code.message()), code.name
        for label in [*rules.GATE_LABELS.values(), *rules.OUTCOME_LABELS.values()]:
            assert re.search(r"[\u4e00-\u9fff]", str(label)), label
