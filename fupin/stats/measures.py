"""Poverty and inequality measures over households (贫困测度): plain numpy, no Django.

Every income figure is per person (per-capita net income); a household is weighted by its size,
so a household of three counts as three people. The conventions are fixed here once:

* poor by income means strictly below the line, ``y < z``; a household exactly on the line is not poor;
* the Watts index counts incomes below 1 yuan as 1 yuan, so zero and negative incomes (both occur
  in real files) keep the index finite;
* the multidimensional index is Alkire–Foster M0 with deprivation weights summing to 1.

The tests check these functions against two independent implementations (apode and mpitb).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

Floats = NDArray[np.float64]

# Scores are sums of fractions in floating point and need not land on the double of the cutoff they
# equal exactly: 1/4 + 1/6 comes out below 5/12. With the usual k = 1/3, a household whose weights
# add up to exactly 1/3 must count as poor however the doubles round, so a score this close below k does.
SCORE_TOLERANCE = 1e-9
WEIGHTS_TOLERANCE = 1e-9
# Below this per-person income the Watts log uses this value instead.
WATTS_FLOOR = 1.0


def _floats(values: ArrayLike) -> Floats:
    return np.asarray(values, dtype=np.float64)


def _line(z: float | ArrayLike) -> Floats:
    # ``z`` may also be one line per household (households of several provinces in one pass).
    line = _floats(z)
    if np.any(line <= 0):
        raise ValueError("the poverty line must be positive")
    return line


def fgt_terms(y: np.ndarray, z: float | np.ndarray, alpha: int) -> Floats:
    """Per household ((z − y)/z)^alpha when y < z, else 0; alpha = 0 gives the indicator [y < z]."""
    if alpha < 0:
        raise ValueError("alpha must be 0 or more")
    income = _floats(y)
    line = _line(z)
    poor = income < line
    gap = np.where(poor, (line - income) / line, 0.0)
    # 0**0 would be 1 for the non-poor, hence the mask again rather than gap**alpha alone.
    return np.where(poor, gap**alpha, 0.0)


def watts_terms(y: np.ndarray, z: float | np.ndarray) -> Floats:
    """Per household ln(z / max(y, 1)) when y < z, else 0."""
    income = _floats(y)
    line = _line(z)
    poor = income < line
    # The floor keeps the log argument positive for every row, poor or not, so no warnings either.
    return np.where(poor, np.log(line / np.maximum(income, WATTS_FLOOR)), 0.0)


def weighted_mean(terms: np.ndarray, w: np.ndarray) -> float:
    """Σ w·terms / Σ w; nan when there is no weight."""
    t = _floats(terms)
    weights = _floats(w)
    total = float(weights.sum())
    if total == 0:
        return float("nan")
    return float((weights * t).sum() / total)


def fgt(y: np.ndarray, w: np.ndarray, z: float, alpha: int) -> float:
    """Foster–Greer–Thorbecke P_alpha over people: P0 headcount ratio, P1 gap, P2 severity."""
    return weighted_mean(fgt_terms(y, z, alpha), w)


def watts(y: np.ndarray, w: np.ndarray, z: float) -> float:
    """Watts index over people."""
    return weighted_mean(watts_terms(y, z), w)


def gini(y: np.ndarray, w: np.ndarray) -> float:
    """Population Gini over people: ΣᵢΣⱼ wᵢwⱼ|yᵢ − yⱼ| / (2 W² μ), in O(n log n).

    Sorted ascending with Cᵢ the cumulative weight up to and including i, the double sum is
    2 Σᵢ wᵢ yᵢ (2Cᵢ − wᵢ − W): each yᵢ is added once for every person below it and subtracted once
    for every person above. Ties cancel whichever way the sort orders them.
    """
    income = _floats(y)
    weights = _floats(w)
    if income.size == 0:
        return float("nan")
    total_w = float(weights.sum())
    total_y = float((weights * income).sum())
    if total_w == 0 or total_y == 0:
        return float("nan")
    order = np.argsort(income, kind="stable")
    ys, ws = income[order], weights[order]
    cumulative = np.cumsum(ws)
    return float((ws * ys * (2 * cumulative - ws - total_w)).sum() / (total_w * total_y))


def median(y: np.ndarray) -> float:
    """Median per-person income over households (not people); the mean of the middle two when even."""
    income = _floats(y)
    if income.size == 0:
        return float("nan")
    return float(np.median(income))


@dataclass(frozen=True)
class Mpi:
    """Alkire–Foster results: headcount ratio H, intensity A, adjusted headcount M0 = H·A,
    per indicator the censored headcount ratio and its share of M0."""

    h: float
    a: float
    m0: float
    censored: np.ndarray
    contributions: np.ndarray


def check_weights(weights: np.ndarray | Sequence[float]) -> None:
    """Deprivation weights must all be positive and add up to 1."""
    values = _floats(weights)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("weights must be a non-empty list")
    if not np.all(values > 0):
        raise ValueError("every weight must be positive")
    if abs(float(values.sum()) - 1.0) > WEIGHTS_TOLERANCE:
        raise ValueError("weights must add up to 1")


def mpi_parts(
    deprived: np.ndarray, weights: np.ndarray, k: float, w: np.ndarray
) -> dict[str, float | list[float]]:
    """Sums that add up across areas: an area's parts are the sums of its children's parts.

    ``total_w`` Σw, ``poor_w`` Σ w[c≥k], ``score_w`` Σ w·c·[c≥k] and ``dep_w`` per indicator
    Σ w·g[c≥k], with c the weighted deprivation score of a household.
    """
    g = np.asarray(deprived, dtype=bool)
    dims = _floats(weights)
    people = _floats(w)
    if g.ndim != 2 or g.shape[1] != dims.size or g.shape[0] != people.size:
        raise ValueError("deprived must be households × indicators, matching weights and w")
    score = g.astype(np.float64) @ dims
    # A score equal to k in exact arithmetic may come out a hair below k in floating point
    # (SCORE_TOLERANCE); it is poor all the same.
    poor = score >= k - SCORE_TOLERANCE
    wp = people * poor
    return {
        "total_w": float(people.sum()),
        "poor_w": float(wp.sum()),
        "score_w": float((wp * score).sum()),
        "dep_w": [float(x) for x in wp @ g.astype(np.float64)],
    }


def _number(value: float | list[float]) -> float:
    if isinstance(value, list):
        raise ValueError("expected a number, got a list")
    return float(value)


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator else float("nan")


def mpi_from_parts(parts: dict[str, float | list[float]], weights: np.ndarray) -> Mpi:
    """H, A, M0 and per indicator censored headcount and contribution from (summed) parts."""
    total, poor, score = (_number(parts[key]) for key in ("total_w", "poor_w", "score_w"))
    dep = _floats(parts["dep_w"])
    m0 = _ratio(score, total)
    censored = dep / total if total else np.full(dep.shape, np.nan)
    contributions = _floats(weights) * censored / m0 if m0 else np.full(dep.shape, np.nan)
    return Mpi(
        h=_ratio(poor, total), a=_ratio(score, poor), m0=m0, censored=censored, contributions=contributions
    )


def mpi(deprived: np.ndarray, weights: np.ndarray, k: float, w: np.ndarray) -> Mpi:
    """The multidimensional poverty index of households weighted by size."""
    return mpi_from_parts(mpi_parts(deprived, weights, k, w), weights)
