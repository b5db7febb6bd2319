"""The one scoping rule: prefix_range(p) must select exactly the codes that start with p, on
every database and under the collation a production database may be created with."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db import connection
from django.db.models.functions import Collate

from fupin.areas.models import PREFIX_LENGTH, Area, Level, full_code, prefix_range

# A county's PostgreSQL is often initialised with a Chinese or English locale, not "C".
COLLATIONS = {
    "postgresql": ["C", "zh-Hans-CN-x-icu", "en-US-x-icu", "und-x-icu"],
    "sqlite": ["BINARY", "NOCASE"],
}.get(connection.vendor, [])


def _generated_codes(rng: random.Random, n: int) -> set[str]:
    """Digit strings of 1–15 characters that share prefixes often, with many 9s and 0s at the
    edges where a range bound could slip."""
    stems = ["", "4", "43", "433124", "4331241", "43312419", "9", "99", "999", "09", "0", "19", "1"]
    codes: set[str] = set()
    while len(codes) < n:
        stem = rng.choice(stems)
        tail = "".join(rng.choice("0123456789999000") for _ in range(rng.randint(0, 15 - len(stem))))
        code = (stem + tail)[:15]
        if code:
            codes.add(code)
    return codes


def _prefixes(rng: random.Random, codes: set[str]) -> list[str]:
    chosen = {"", "4", "43", "433124", "433124110226", "9", "99", "999999", "0", "09", "4331249", "19"}
    pool = sorted(codes)
    for _ in range(150):
        code = rng.choice(pool)
        chosen.add(code[: rng.randint(1, len(code))])
    return sorted(chosen)


@pytest.fixture
def many_codes(db: Any) -> set[str]:
    rng = random.Random(433124)
    codes = _generated_codes(rng, 1500)
    Area.objects.bulk_create(
        [Area(code=c, name=c, level=Level.GROUP) for c in codes], ignore_conflicts=True, batch_size=500
    )
    return set(Area.objects.values_list("code", flat=True))


def test_prefix_range_matches_exactly_the_codes_that_start_with_the_prefix(many_codes: set[str]) -> None:
    rng = random.Random(11)
    for prefix in _prefixes(rng, many_codes):
        got = set(Area.objects.filter(prefix_range(prefix, "code")).values_list("code", flat=True))
        assert got == {c for c in many_codes if c.startswith(prefix)}, prefix


@pytest.mark.parametrize("collation", COLLATIONS)
def test_prefix_range_holds_under_the_database_collations(many_codes: set[str], collation: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_collation WHERE collname = %s", [collation])
            if cursor.fetchone() is None:
                pytest.skip(f"this PostgreSQL has no collation {collation}")
    rng = random.Random(12)
    codes = Area.objects.annotate(c=Collate("code", collation))
    for prefix in _prefixes(rng, many_codes):
        got = set(codes.filter(prefix_range(prefix, "c")).values_list("code", flat=True))
        assert got == {c for c in many_codes if c.startswith(prefix)}, (collation, prefix)


def test_prefix_range_is_a_pure_comparison_of_digit_strings() -> None:
    # Punctuation in a bound is what linguistic collations ignore; digits they all order alike.
    for prefix in ["", "4", "433124", "4331249", "99", "1999", "0"]:
        for _, value in prefix_range(prefix, "code").children:  # type: ignore[misc]
            assert value == "" or value.isdigit(), (prefix, value)


def test_an_area_prefix_is_its_significant_digits() -> None:
    assert Area(code="430000000000", level=1).prefix == "43"
    assert Area(code="433100000000", level=2).prefix == "4331"
    assert Area(code="433124000000", level=3).prefix == "433124"
    assert Area(code="433124110000", level=4).prefix == "433124110"
    assert Area(code="433124110226", level=5).prefix == "433124110226"
    assert Area(code="433124110226003", level=6).prefix == "433124110226003"
    assert PREFIX_LENGTH == {1: 2, 2: 4, 3: 6, 4: 9, 5: 12, 6: 15}


def test_full_code_pads_short_codes_to_twelve_digits() -> None:
    assert full_code("43") == "430000000000"
    assert full_code("433124110") == "433124110000"
    assert full_code("433124110226003") == "433124110226003"


def test_contains_code_and_within_agree(db: Any) -> None:
    township = Area.objects.get(code="433124110000")
    inside = set(Area.objects.filter(township.within_q("code")).values_list("code", flat=True))
    every = set(Area.objects.values_list("code", flat=True))
    assert inside == {c for c in every if township.contains_code(c)}
    assert "433124110226" in inside
    assert "433124102201" not in inside
    assert len(inside) == 1 + Area.objects.filter(parent=township).count()


def test_ancestors_run_from_the_province_down_to_the_parent(db: Any) -> None:
    village = Area.objects.get(code="433124110226")
    assert [a.code for a in village.ancestors()] == [
        "430000000000",
        "433100000000",
        "433124000000",
        "433124110000",
    ]
    assert Area.objects.get(code="430000000000").ancestors() == []
