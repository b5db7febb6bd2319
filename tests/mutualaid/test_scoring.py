"""A group's yearly score: Σ weight × score / 100, exact in Decimal; no score while a source is
missing; a configuration error, never a number, when the weights do not add up to 100 or the
star cutoffs are out of order; stars from the cutoffs, which are local settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from fupin.areas.models import Area
from fupin.cases.area_settings import do_set_area_setting
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError
from fupin.core.personas import COUNTY, TOWNSHIP, VILLAGE
from fupin.mutualaid import actions
from fupin.mutualaid.errors import ScoringError
from fupin.mutualaid.models import AidGroup
from fupin.mutualaid.scoring import (
    Rules,
    group_score,
    rules_for,
    scores_for_groups,
    stars_for,
    weighted_score,
)
from tests.mutualaid.conftest import make_group

YEAR = 2024
DEFAULT = Rules(
    area_code=VILLAGE,
    weights={"self": 10, "peers": 20, "representatives": 30, "village": 40},
    cutoffs={5: 90, 4: 80, 3: 70, 2: 60},
)


def score_all(group: AidGroup, scores: dict[str, str], year: int = YEAR) -> None:
    for source, score in scores.items():
        actions.do_record_evaluation(SYSTEM, group, year, source, score)


def setting(code: str, key: str, value: Any) -> None:
    do_set_area_setting(Area.objects.get(code=code), key, value, actor=SYSTEM)


def test_the_score_is_the_weighted_sum_exactly() -> None:
    scores = {
        "self": Decimal("95.55"),
        "peers": Decimal("88.25"),
        "representatives": Decimal("79.99"),
        "village": Decimal("81.11"),
    }
    # 955.5 + 1765 + 2399.7 + 3244.4 = 8364.6 → 83.646: four decimals kept, nothing rounded
    assert weighted_score(scores, DEFAULT) == Decimal("83.646")
    assert stars_for(Decimal("83.646"), DEFAULT) == 4


@pytest.mark.parametrize(
    ("score", "stars"),
    [
        ("100", 5),
        ("90", 5),
        ("89.99", 4),
        ("80", 4),
        ("79.9999", 3),
        ("70", 3),
        ("60", 2),
        ("59.99", 1),
        ("0", 1),
    ],
)
def test_stars_from_the_default_cutoffs_at_and_below_each(score: str, stars: int) -> None:
    assert stars_for(Decimal(score), DEFAULT) == stars


def test_a_group_missing_a_source_has_no_score_and_says_which(group: AidGroup) -> None:
    score_all(group, {"self": "90", "village": "85"})
    result = group_score(group, YEAR)
    assert result.score is None and result.stars is None and result.error is None
    assert result.missing == ["peers", "representatives"]
    assert len(result.missing_labels) == 2
    score_all(group, {"peers": "80", "representatives": "70"})
    complete = group_score(group, YEAR)
    # 10×90 + 20×80 + 30×70 + 40×85 = 900 + 1600 + 2100 + 3400 = 8000 → 80: four stars
    assert complete.missing == [] and complete.score == Decimal("80") and complete.stars == 4
    # another year of the same group is scored on its own
    assert group_score(group, YEAR - 1).missing == ["self", "peers", "representatives", "village"]


def test_weights_not_adding_to_100_are_a_configuration_error_not_a_score(group: AidGroup) -> None:
    score_all(group, {"self": "90", "peers": "90", "representatives": "90", "village": "90"})
    assert group_score(group, YEAR).stars == 5
    setting(COUNTY, "aid_weight_village", 50)  # 10 + 20 + 30 + 50 = 110
    result = group_score(group, YEAR)
    assert result.score is None and result.stars is None
    assert result.error is not None and result.error.code == ScoringError.WEIGHTS_NOT_100
    assert "110" in result.error.message
    with pytest.raises(FupinError) as raised:
        weighted_score(
            {"self": Decimal(1), "peers": Decimal(1), "representatives": Decimal(1), "village": Decimal(1)},
            rules_for(VILLAGE),
        )
    assert raised.value.code == ScoringError.WEIGHTS_NOT_100
    # a township setting nearer the village puts the sum right again: 0 + 20 + 30 + 50 = 100
    setting(TOWNSHIP, "aid_weight_self", 0)
    fixed = group_score(group, YEAR)
    assert fixed.error is None and fixed.score == Decimal("90") and fixed.stars == 5


def test_changed_weights_and_cutoffs_change_the_score_and_stars(group: AidGroup) -> None:
    score_all(group, {"self": "100", "peers": "60", "representatives": "75", "village": "85"})
    # defaults: 1000 + 1200 + 2250 + 3400 = 7850 → 78.5: three stars
    before = group_score(group, YEAR)
    assert before.score == Decimal("78.5") and before.stars == 3
    setting(VILLAGE, "aid_stars_4", 78)
    assert group_score(group, YEAR).stars == 4
    setting(COUNTY, "aid_weight_self", 40)
    setting(COUNTY, "aid_weight_village", 10)
    # 4000 + 1200 + 2250 + 850 = 8300 → 83
    after = group_score(group, YEAR)
    assert after.score == Decimal("83") and after.stars == 4
    setting(COUNTY, "aid_stars_5", 83)
    assert group_score(group, YEAR).stars == 5


def test_cutoffs_out_of_order_are_a_configuration_error(group: AidGroup) -> None:
    score_all(group, {"self": "90", "peers": "90", "representatives": "90", "village": "90"})
    setting(VILLAGE, "aid_stars_3", 85)  # three stars would need more than four (80)
    result = group_score(group, YEAR)
    assert result.stars is None and result.error is not None
    assert result.error.code == ScoringError.CUTOFFS_ORDER


def test_scores_of_many_groups_take_a_fixed_number_of_queries(
    personas: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    groups = [make_group(name=f"互助组{i}", leader=f"组长{i}") for i in range(6)]
    for g in groups:
        score_all(g, {"self": "90", "peers": "80", "representatives": "70", "village": "60"})
    with django_assert_max_num_queries(2):
        results = scores_for_groups(groups, YEAR)
    # 900 + 1600 + 2100 + 2400 = 7000 → 70: three stars
    assert {r.score for r in results.values()} == {Decimal("70")}
    assert {r.stars for r in results.values()} == {3}
