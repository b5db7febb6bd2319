"""The poverty measures against two independent implementations and against hand arithmetic.

apode (income measures) has no sample weights, so it gets each household repeated by its size;
mpitb (Alkire–Foster) takes the sizes as survey weights. Both are test-only dependencies installed
by ``make install``; a missing oracle fails the module rather than skipping it.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from apode import ApodeData
from mpitb import MPIToolbox

from fupin.stats import measures
from fupin.stats.measures import Mpi

TOL = 1e-9
SEEDS = range(16)
# The engine's index: income and six living conditions.
DIMENSIONS = 7


# ---------------------------------------------------------------- oracles


def _apode(y: np.ndarray, w: np.ndarray) -> ApodeData:
    people = np.repeat(np.asarray(y, dtype=float), np.asarray(w, dtype=int))
    return ApodeData(pd.DataFrame({"inc": people}), income_column="inc")


def _mpitb(deprived: np.ndarray, weights: np.ndarray, k_percent: float, w: np.ndarray) -> dict[str, object]:
    """H, A, M0 and per indicator hdk (censored headcount), actb and pctb from mpitb.

    mpitb's cutoff is a percent (poor when score >= k/100), it reads the sample weights from the
    svyset column only with svy=True, and it writes columns into the frame it is given.
    """
    names = [f"g{j}" for j in range(deprived.shape[1])]
    frame = pd.DataFrame(deprived.astype(int), columns=names)
    frame["hhw"] = np.asarray(w, dtype=float)
    tool = MPIToolbox()
    tool.set(name="fp", dimensions=[([n], n) for n in names])
    tool.svyset(weight="hhw")
    rows = pd.DataFrame(
        tool.est(
            frame.copy(), "fp", klist=[k_percent], weights=dict(zip(names, weights, strict=True)), svy=True
        )
    )
    overall = rows[rows["indicator"].isna()].set_index("measure")["b"]
    per = rows[rows["indicator"].notna()]

    def by_indicator(measure: str) -> np.ndarray:
        found = per[per["measure"] == measure].set_index("indicator")["b"]
        return np.array([float(found[n]) for n in names])

    return {
        "H": float(overall["H"]),
        "A": float(overall["A"]),
        "M0": float(overall["M0"]),
        "hdk": by_indicator("hdk"),
        "actb": by_indicator("actb"),
        "pctb": by_indicator("pctb"),
    }


# ---------------------------------------------------------------- random data


def _incomes(seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """1..8 households: zero, negative, under 1 yuan, below, exactly on and above the line."""
    rng = np.random.default_rng(seed)
    n = 1 + seed % 8
    z = float(rng.choice([2300.0, 4000.0, 4625.5, 6000.0]))
    kinds = rng.integers(0, 6, n)
    y = np.empty(n)
    for i, kind in enumerate(kinds):
        y[i] = [
            0.0,
            z,
            round(float(rng.uniform(1, z)), 2),
            round(float(rng.uniform(z, 3 * z)), 2),
            round(float(rng.uniform(-800, 0)), 2),
            round(float(rng.uniform(0, 1)), 2),
        ][kind]
    w = rng.integers(1, 7, n)
    return y, w, z


def _deprivations(seed: int, dyadic: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """1..8 households over seven indicators; weights in sixteenths (exact sums, so a score can
    equal the cutoff exactly and both sides must agree it is poor) or any positive weights."""
    rng = np.random.default_rng(1000 + seed)
    n = 1 + seed % 8
    deprived = rng.random((n, DIMENSIONS)) < rng.uniform(0.1, 0.7)
    if dyadic:
        sixteenths = 1 + rng.multinomial(16 - DIMENSIONS, np.full(DIMENSIONS, 1 / DIMENSIONS))
        weights = sixteenths / 16.0
        k_percent = float(rng.choice([25, 50, 75]))
    else:
        weights = rng.dirichlet(np.ones(DIMENSIONS))
        k_percent = float(rng.choice([20, 33, 40, 60]))
    w = rng.integers(1, 7, n)
    return deprived, weights, w, k_percent


@pytest.mark.parametrize("seed", SEEDS)
def test_fgt_matches_apode_on_people(seed: int) -> None:
    y, w, z = _incomes(seed)
    data = _apode(y, w)
    for alpha in (0, 1, 2):
        assert measures.fgt(y, w, z, alpha) == pytest.approx(
            data.poverty("fgt", pline=z, alpha=alpha), abs=TOL
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_watts_matches_apode_with_incomes_floored_at_one_yuan(seed: int) -> None:
    # apode has no floor (ln z/0 is infinite); below the line, flooring at 1 yuan first is our rule,
    # and it does not move anyone across a line above 1 yuan.
    y, w, z = _incomes(seed)
    expected = _apode(np.maximum(y, 1.0), w).poverty.watts(pline=z)
    assert measures.watts(y, w, z) == pytest.approx(expected, abs=TOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_watts_matches_apode_unchanged_on_incomes_of_a_yuan_or_more(seed: int) -> None:
    y, w, z = _incomes(seed)
    keep = y >= 1.0
    if not keep.any():
        y, w, keep = np.array([1.0]), np.array([2]), np.array([True])
    assert measures.watts(y[keep], w[keep], z) == pytest.approx(
        _apode(y[keep], w[keep]).poverty.watts(pline=z), abs=TOL
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_gini_matches_apode_on_people_and_the_double_sum(seed: int) -> None:
    y, w, _ = _incomes(seed)
    if (w * y).sum() <= 0:
        assert math.isnan(measures.gini(y, w)) or (w * y).sum() < 0
        return
    ours = measures.gini(y, w)
    assert ours == pytest.approx(_apode(y, w).inequality.gini(), abs=TOL)
    pairs = (w[:, None] * w[None, :] * np.abs(y[:, None] - y[None, :])).sum()
    assert ours == pytest.approx(pairs / (2 * w.sum() ** 2 * ((w * y).sum() / w.sum())), abs=TOL)


def test_gini_with_fractional_weights_is_the_double_sum() -> None:
    rng = np.random.default_rng(7)
    y = rng.uniform(0, 20000, 50).round(2)
    y[[3, 9, 17]] = y[5]  # ties
    w = rng.uniform(0.2, 5, 50)
    pairs = (w[:, None] * w[None, :] * np.abs(y[:, None] - y[None, :])).sum()
    mu = (w * y).sum() / w.sum()
    assert measures.gini(y, w) == pytest.approx(pairs / (2 * w.sum() ** 2 * mu), abs=TOL)


def _check_mpi(ours: Mpi, theirs: dict[str, object], weights: np.ndarray) -> None:
    assert ours.h == pytest.approx(theirs["H"], abs=TOL)
    assert ours.m0 == pytest.approx(theirs["M0"], abs=TOL)
    assert ours.censored == pytest.approx(theirs["hdk"], abs=TOL)
    assert weights * ours.censored == pytest.approx(theirs["actb"], abs=TOL)
    if ours.h == 0:
        # mpitb reports 0 where nobody is poor; ours says "not defined".
        assert math.isnan(ours.a)
        assert np.isnan(ours.contributions).all()
        assert theirs["A"] == 0
        assert not np.any(theirs["pctb"])
    else:
        assert ours.a == pytest.approx(theirs["A"], abs=TOL)
        assert ours.contributions == pytest.approx(theirs["pctb"], abs=TOL)
        assert ours.contributions.sum() == pytest.approx(1.0, abs=TOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_mpi_matches_mpitb_with_exact_weights(seed: int) -> None:
    deprived, weights, w, k_percent = _deprivations(seed, dyadic=True)
    ours = measures.mpi(deprived, weights, k_percent / 100, w)
    _check_mpi(ours, _mpitb(deprived, weights, k_percent, w), weights)


@pytest.mark.parametrize("seed", SEEDS)
def test_mpi_matches_mpitb_with_any_weights(seed: int) -> None:
    deprived, weights, w, k_percent = _deprivations(seed, dyadic=False)
    scores = deprived @ weights
    # Away from the cutoff the two float sums (ours and pandas') cannot disagree on who is poor.
    assert np.abs(scores - k_percent / 100).min() > 1e-6
    ours = measures.mpi(deprived, weights, k_percent / 100, w)
    _check_mpi(ours, _mpitb(deprived, weights, k_percent, w), weights)


def test_seeds_reach_the_cases_that_matter() -> None:
    # The random data above is only worth as much as the cases it covers.
    incomes = [_incomes(s) for s in SEEDS]
    assert any((y == z).any() for y, _, z in incomes)
    assert any((y == 0).any() for y, _, _ in incomes)
    assert any((y < 0).any() for y, _, _ in incomes)
    assert any(((y > 0) & (y < 1)).any() for y, _, _ in incomes)
    assert any(len(y) == 1 for y, _, _ in incomes)
    exact = [_deprivations(s, dyadic=True) for s in SEEDS]
    assert any(np.isclose(g @ wt, k / 100, rtol=0, atol=0).any() for g, wt, _, k in exact)
    every = [*exact, *(_deprivations(s, dyadic=False) for s in SEEDS)]
    h = [measures.mpi(g, wt, k / 100, w).h for g, wt, w, k in every]
    assert 0 in h
    assert any(0 < x < 1 for x in h)


# ---------------------------------------------------------------- by hand


def test_income_measures_by_hand() -> None:
    # z = 4000; households (per-person income × people): 0×1, 2000×2, 4000×3 (on the line: not
    # poor), 6000×4; W = 10 people.
    # P0 = (1 + 2) / 10 = 0.3
    # P1 = (1·1 + 2·0.5) / 10 = 0.2
    # P2 = (1·1 + 2·0.25) / 10 = 0.15
    # Watts = (1·ln(4000/1) + 2·ln(4000/2000)) / 10: the zero income counts as 1 yuan
    # Gini: μ = (0 + 4000 + 12000 + 24000) / 10 = 4000; Σ over pairs i<j wᵢwⱼ|yᵢ−yⱼ| =
    #   1·2·2000 + 1·3·4000 + 1·4·6000 + 2·3·2000 + 2·4·4000 + 3·4·2000 = 108000,
    #   G = 2·108000 / (2·10²·4000) = 0.27
    # median over households = (2000 + 4000) / 2 = 3000
    y = np.array([0.0, 2000.0, 4000.0, 6000.0])
    w = np.array([1, 2, 3, 4])
    assert measures.fgt(y, w, 4000.0, 0) == pytest.approx(0.3, abs=TOL)
    assert measures.fgt(y, w, 4000.0, 1) == pytest.approx(0.2, abs=TOL)
    assert measures.fgt(y, w, 4000.0, 2) == pytest.approx(0.15, abs=TOL)
    assert measures.watts(y, w, 4000.0) == pytest.approx((math.log(4000) + 2 * math.log(2)) / 10, abs=TOL)
    assert measures.gini(y, w) == pytest.approx(0.27, abs=TOL)
    assert measures.median(y) == 3000.0
    assert measures.median(np.array([5.0, 1.0, 3.0])) == 3.0


def test_on_the_line_is_not_poor_and_under_one_yuan_counts_as_one() -> None:
    z = 4000.0
    y = np.array([4000.0, 3999.99, 0.5, 0.0, -500.0, 4000.01])
    assert measures.fgt_terms(y, z, 0).tolist() == [0, 1, 1, 1, 1, 0]
    assert measures.fgt_terms(y, z, 1) == pytest.approx([0, 0.01 / 4000, 3999.5 / 4000, 1, 4500 / 4000, 0])
    floor = math.log(4000)
    assert measures.watts_terms(y, z) == pytest.approx([0, math.log(4000 / 3999.99), floor, floor, floor, 0])
    assert np.isfinite(measures.watts(y, np.ones(6), z))


def test_terms_take_one_line_per_household() -> None:
    # The engine passes each household its own province's line.
    y = np.array([3000.0, 3000.0, 5000.0])
    z = np.array([4000.0, 2000.0, 6000.0])
    assert measures.fgt_terms(y, z, 1) == pytest.approx([0.25, 0, 1 / 6])
    assert measures.watts_terms(y, z) == pytest.approx([math.log(4 / 3), 0, math.log(6 / 5)])


def test_mpi_by_hand() -> None:
    # Four indicators weighted 1/4 each, k = 1/2; people 3, 2, 1, 4 (W = 10).
    # Scores: hh1 {a, c} 1/2 poor; hh2 {d} 1/4 not; hh3 {a, b} 1/2 poor; hh4 {a, b, c} 3/4 poor.
    # H = (3 + 1 + 4) / 10 = 0.8; A = (3·½ + 1·½ + 4·¾) / 8 = 5/8; M0 = 0.5
    # censored: a (3+1+4)/10 = 0.8, b (1+4)/10 = 0.5, c (3+4)/10 = 0.7, d 0 (hh2 is not poor)
    # contributions: ¼·(0.8, 0.5, 0.7, 0) / 0.5 = (0.4, 0.25, 0.35, 0)
    deprived = np.array([[1, 0, 1, 0], [0, 0, 0, 1], [1, 1, 0, 0], [1, 1, 1, 0]], dtype=bool)
    weights = np.full(4, 0.25)
    w = np.array([3, 2, 1, 4])
    result = measures.mpi(deprived, weights, 0.5, w)
    assert (result.h, result.a, result.m0) == pytest.approx((0.8, 0.625, 0.5), abs=TOL)
    assert result.censored == pytest.approx([0.8, 0.5, 0.7, 0.0], abs=TOL)
    assert result.contributions == pytest.approx([0.4, 0.25, 0.35, 0.0], abs=TOL)
    assert measures.mpi_parts(deprived, weights, 0.5, w) == {
        "total_w": 10.0,
        "poor_w": 8.0,
        "score_w": 5.0,
        "dep_w": [8.0, 5.0, 7.0, 0.0],
    }
    _check_mpi(result, _mpitb(deprived, weights, 50, w), weights)


def test_a_score_equal_to_the_cutoff_is_poor_despite_rounding() -> None:
    # 1/4 + 1/6 is 5/12, but in doubles 0.41666666666666663 < float(5/12) = 0.4166666666666667.
    weights = np.array([float(Fraction(f)) for f in ("1/4", "1/6", "1/6", "1/6", "1/4")])
    measures.check_weights(weights)
    k = float(Fraction(5, 12))
    deprived = np.array([[1, 1, 0, 0, 0], [0, 1, 1, 0, 0]], dtype=bool)
    assert (deprived @ weights)[0] < k
    result = measures.mpi(deprived, weights, k, np.array([2, 3]))
    assert result.h == pytest.approx(0.4, abs=TOL)
    assert result.a == pytest.approx(5 / 12, abs=TOL)


# ---------------------------------------------------------------- additivity and edges


@pytest.mark.parametrize("seed", range(6))
def test_parts_of_areas_add_up_to_the_parts_of_their_union(seed: int) -> None:
    rng = np.random.default_rng(500 + seed)
    weights = np.array([float(Fraction(f)) for f in ("1/4", "1/8", "1/8", "1/8", "1/8", "1/8", "1/8")])
    areas = []
    for _ in range(3):
        n = int(rng.integers(0, 9))
        areas.append((rng.random((n, DIMENSIONS)) < 0.4, rng.integers(1, 7, n)))
    k = 1 / 3
    summed: dict[str, float | list[float]] = {
        "total_w": 0.0,
        "poor_w": 0.0,
        "score_w": 0.0,
        "dep_w": [0.0] * DIMENSIONS,
    }
    for g, w in areas:
        parts = measures.mpi_parts(g, weights, k, w)
        for key in ("total_w", "poor_w", "score_w"):
            summed[key] = float(summed[key]) + float(parts[key])  # type: ignore[arg-type]
        summed["dep_w"] = [a + b for a, b in zip(summed["dep_w"], parts["dep_w"], strict=True)]  # type: ignore[arg-type]
    g_all = np.vstack([g for g, _ in areas])
    w_all = np.concatenate([w for _, w in areas])
    whole = measures.mpi_parts(g_all, weights, k, w_all)
    for key in ("total_w", "poor_w", "score_w"):
        assert summed[key] == pytest.approx(whole[key], abs=TOL)
    assert summed["dep_w"] == pytest.approx(whole["dep_w"], abs=TOL)
    rolled, direct = measures.mpi_from_parts(summed, weights), measures.mpi(g_all, weights, k, w_all)
    np.testing.assert_allclose(
        [rolled.h, rolled.a, rolled.m0, *rolled.censored, *rolled.contributions],
        [direct.h, direct.a, direct.m0, *direct.censored, *direct.contributions],
        rtol=0,
        atol=TOL,
    )


@pytest.mark.parametrize(
    "weights",
    [[0.5, 0.6], [1.0, 0.0], [1.5, -0.5], [], [0.5, float("nan")], [0.3, 0.3, 0.3]],
)
def test_check_weights_refuses(weights: list[float]) -> None:
    with pytest.raises(ValueError):
        measures.check_weights(np.array(weights))


def test_check_weights_accepts_fractions_adding_up_to_one() -> None:
    measures.check_weights(np.full(3, 1 / 3))
    measures.check_weights([float(Fraction(f)) for f in ("1/7",) * 7])
    measures.check_weights(np.array([1.0]))


def test_empty_data_gives_nan() -> None:
    empty = np.array([])
    assert math.isnan(measures.fgt(empty, empty, 4000.0, 0))
    assert math.isnan(measures.watts(empty, empty, 4000.0))
    assert math.isnan(measures.gini(empty, empty))
    assert math.isnan(measures.median(empty))
    assert math.isnan(measures.weighted_mean(np.array([1.0, 2.0]), np.array([0, 0])))
    result = measures.mpi(np.zeros((0, 3), dtype=bool), np.full(3, 1 / 3), 1 / 3, empty)
    assert all(math.isnan(x) for x in (result.h, result.a, result.m0))
    assert np.isnan(result.censored).all()
    assert np.isnan(result.contributions).all()


def test_gini_undefined_at_zero_mean_and_zero_when_equal() -> None:
    assert math.isnan(measures.gini(np.array([0.0, 0.0]), np.array([1, 2])))
    assert math.isnan(measures.gini(np.array([-100.0, 100.0]), np.array([1, 1])))
    assert measures.gini(np.array([3000.0, 3000.0]), np.array([2, 5])) == pytest.approx(0, abs=TOL)
    assert measures.gini(np.array([3000.0]), np.array([4])) == 0


def test_nobody_poor_and_everybody_poor() -> None:
    weights = np.array([0.5, 0.25, 0.25])
    w = np.array([2, 3])
    nobody = measures.mpi(np.array([[0, 1, 0], [0, 0, 1]], dtype=bool), weights, 0.5, w)
    assert (nobody.h, nobody.m0) == (0, 0)
    assert math.isnan(nobody.a)
    assert nobody.censored.tolist() == [0, 0, 0]
    assert np.isnan(nobody.contributions).all()
    everybody = measures.mpi(np.ones((2, 3), dtype=bool), weights, 0.5, w)
    assert (everybody.h, everybody.a, everybody.m0) == (1, 1, 1)
    assert everybody.contributions == pytest.approx(weights, abs=TOL)
    y = np.array([100.0, 200.0])
    assert measures.fgt(y, w, 4000.0, 0) == 1
    assert measures.fgt(y * 100, w, 4000.0, 2) == 0
    assert measures.watts(y * 100, w, 4000.0) == 0


def test_bad_lines_and_shapes_are_refused() -> None:
    y = np.array([1.0])
    with pytest.raises(ValueError):
        measures.fgt_terms(y, 0.0, 1)
    with pytest.raises(ValueError):
        measures.watts_terms(y, -1.0)
    with pytest.raises(ValueError):
        measures.fgt_terms(y, 4000.0, -1)
    with pytest.raises(ValueError):
        measures.mpi_parts(np.zeros((2, 3), dtype=bool), np.full(2, 0.5), 0.5, np.ones(2))
