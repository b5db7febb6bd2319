"""A mutual-aid group's yearly score and stars (seed 003: 互助组长自评、互助组互评、党员群众代表测评、
村党组织定期考评).

score = Σ weight(source) × score(source) / 100 over the four sources, with the weights the group's
village reads from the local settings ``aid_weight_*``; the stars come from the cutoffs
``aid_stars_5/4/3/2`` (a score at or above a cutoff earns its stars, below the last one star).

Everything is Decimal and exact: a weight is a whole percentage and a score has two decimals, so
the score has at most four decimals and nothing is rounded before the stars are decided. A group
missing a source has no score yet, and settings that cannot give a right score (weights not adding
to 100, cutoffs out of order) are reported as a configuration error, never turned into a number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

from fupin.areas.models import AreaSetting
from fupin.cases.area_settings import SPECS, lineage
from fupin.core.errors import FupinError
from fupin.mutualaid.errors import ScoringError
from fupin.mutualaid.models import AidGroup, Evaluation, EvaluationSource

SOURCES: tuple[str, ...] = tuple(EvaluationSource.values)
WEIGHT_KEYS = {source: f"aid_weight_{source}" for source in SOURCES}
STAR_KEYS = {stars: f"aid_stars_{stars}" for stars in (5, 4, 3, 2)}
HUNDRED = Decimal(100)
SHOWN = Decimal("0.01")


@dataclass(frozen=True)
class Rules:
    """The weights and cutoffs in force for one village."""

    area_code: str
    weights: dict[str, int]
    cutoffs: dict[int, int]

    def check(self, area_name: str = "") -> None:
        """Raise a configuration error when these settings cannot give a right score."""
        total = sum(self.weights.values())
        if total != 100:
            raise FupinError(ScoringError.WEIGHTS_NOT_100, area=area_name or self.area_code, total=total)
        ordered = [self.cutoffs[n] for n in (5, 4, 3, 2)]
        if any(high < low for high, low in pairwise(ordered)):
            raise FupinError(
                ScoringError.CUTOFFS_ORDER,
                area=area_name or self.area_code,
                cutoffs=" / ".join(str(c) for c in ordered),
            )


def _rules_from(area_code: str, found: dict[tuple[str, str], Any]) -> Rules:
    codes = lineage(area_code)

    def value(key: str) -> int:
        for code in codes:
            if (code, key) in found:
                return int(found[(code, key)])
        return int(SPECS[key].default)

    return Rules(
        area_code=area_code,
        weights={source: value(key) for source, key in WEIGHT_KEYS.items()},
        cutoffs={stars: value(key) for stars, key in STAR_KEYS.items()},
    )


def rules_for_many(area_codes: Iterable[str]) -> dict[str, Rules]:
    """The rules of each village, read in one query however many villages there are."""
    wanted = sorted(set(area_codes))
    if not wanted:
        return {}
    all_codes = {code for area_code in wanted for code in lineage(area_code)}
    keys = [*WEIGHT_KEYS.values(), *STAR_KEYS.values()]
    found = {
        (area_id, key): value
        for area_id, key, value in AreaSetting.objects.filter(
            area_id__in=all_codes, key__in=keys
        ).values_list("area_id", "key", "value")
    }
    return {code: _rules_from(code, found) for code in wanted}


def rules_for(area_code: str) -> Rules:
    return rules_for_many([area_code])[area_code]


def weighted_score(scores: dict[str, Decimal], rules: Rules) -> Decimal:
    """Σ weight × score / 100, exactly; every source must be present and the rules consistent."""
    rules.check()
    missing = [s for s in SOURCES if s not in scores]
    if missing:
        raise ValueError(f"sources missing: {missing}")
    total = sum((Decimal(rules.weights[s]) * Decimal(scores[s]) for s in SOURCES), Decimal(0))
    return total / HUNDRED


def stars_for(score: Decimal, rules: Rules) -> int:
    for stars in (5, 4, 3, 2):
        if score >= rules.cutoffs[stars]:
            return stars
    return 1


@dataclass
class GroupScore:
    """One group's year: the scores given, the sources still missing, and — only when all four
    are in and the settings are consistent — the score and the stars."""

    year: int
    scores: dict[str, Decimal]
    rules: Rules
    missing: list[str] = field(default_factory=list)
    score: Decimal | None = None
    stars: int | None = None
    error: FupinError | None = None

    @property
    def shown(self) -> Decimal | None:
        """The score as displayed, to two decimals (the stars were decided on the exact value)."""
        return None if self.score is None else self.score.quantize(SHOWN, rounding=ROUND_HALF_UP)

    @property
    def missing_labels(self) -> list[str]:
        return [str(EvaluationSource(s).label) for s in self.missing]

    @property
    def complete(self) -> bool:
        return self.score is not None


def score_of(scores: dict[str, Decimal], year: int, rules: Rules, area_name: str = "") -> GroupScore:
    result = GroupScore(year=year, scores=dict(scores), rules=rules)
    result.missing = [s for s in SOURCES if s not in scores]
    try:
        rules.check(area_name)
    except FupinError as exc:
        result.error = exc
        return result
    if result.missing:
        return result
    result.score = weighted_score(scores, rules)
    result.stars = stars_for(result.score, rules)
    return result


def scores_for_groups(groups: Iterable[AidGroup], year: int) -> dict[int, GroupScore]:
    """Each group's score of ``year``: two queries (evaluations, settings) for any number of groups."""
    groups = list(groups)
    if not groups:
        return {}
    given: dict[int, dict[str, Decimal]] = {g.pk: {} for g in groups}
    for group_id, source, score in Evaluation.objects.filter(group_id__in=list(given), year=year).values_list(
        "group_id", "source", "score"
    ):
        given[group_id][source] = score
    rules = rules_for_many(g.area_id for g in groups)
    names = {g.area_id: g.area.name for g in groups if "area" in g._state.fields_cache}
    return {g.pk: score_of(given[g.pk], year, rules[g.area_id], names.get(g.area_id, "")) for g in groups}


def group_score(group: AidGroup, year: int) -> GroupScore:
    return scores_for_groups([group], year)[group.pk]
