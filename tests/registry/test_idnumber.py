"""Resident ID numbers (GB 11643-1999) and the cleaner every form, import and API call uses.

The check-digit oracle here is written from the standard, not from fupin.registry.idnumber:
the weight of position i (1 = leftmost) is 2^(18-i) mod 11, and the check character is
(12 - S mod 11) mod 11 with 10 written as X (ISO 7064 MOD 11-2).
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from fupin.core.errors import FupinError
from fupin.registry import idnumber
from fupin.registry.actions import clean_id_number
from fupin.registry.errors import RegistryError


def _weights() -> list[int]:
    return [pow(2, 18 - i, 11) for i in range(1, 18)]


def _oracle_check(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _weights(), strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def _with_check(first17: str) -> str:
    return first17 + _oracle_check(first17)


# --- the oracle itself ---------------------------------------------------------------------


def test_the_standard_weights_are_the_powers_of_two_mod_eleven() -> None:
    assert _weights() == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


# Worked by hand, digit × weight, left to right.
HAND_COMPUTED = [
    # The example printed in GB 11643-1999 itself.
    # 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10+1·5+0·8+0·4+2·2 = 167; 167 mod 11 = 2
    ("11010519491231002", 167, "X"),
    # 4·7+4·9+0·10+5·5+2·8+4·4+1·2+8·1+8·6+0·3+0·7+1·9+0·10+1·5+0·8+0·4+1·2 = 195; 195 mod 11 = 8
    ("44052418800101001", 195, "4"),
    # 4·7+3·9+3·10+1·5+2·8+4·4+1·2+9·1+8·6+0·3+0·7+5·9+1·10+7·5+0·8+0·4+1·2 = 273; 273 mod 11 = 9
    ("43312419800517001", 273, "3"),
    # 4·7+3·9+3·10+1·5+2·8+2·4+2·2+0·1+0·6+0·3+0·7+2·9+2·10+9·5+0·8+0·4+2·2 = 205; 205 mod 11 = 7
    ("43312220000229002", 205, "5"),
]


@pytest.mark.parametrize(("first17", "weighted_sum", "check"), HAND_COMPUTED)
def test_a_hand_computed_check_character_matches_the_module(
    first17: str, weighted_sum: int, check: str
) -> None:
    assert sum(int(d) * w for d, w in zip(first17, _weights(), strict=True)) == weighted_sum
    assert "10X98765432"[weighted_sum % 11] == check
    assert idnumber.check_char(first17) == check
    assert idnumber.normalise(first17 + check) == first17 + check


def test_the_check_character_agrees_with_the_oracle_on_many_random_numbers() -> None:
    rng = random.Random(11643)
    for _ in range(2000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        assert idnumber.check_char(first17) == _oracle_check(first17), first17


# --- valid numbers -------------------------------------------------------------------------


@pytest.mark.parametrize("first17", [row[0] for row in HAND_COMPUTED])
def test_a_valid_number_passes_the_cleaner_unchanged(first17: str) -> None:
    number = _with_check(first17)
    assert clean_id_number(number) == number


def test_a_lowercase_x_is_accepted_and_normalised_to_uppercase() -> None:
    assert clean_id_number("11010519491231002x") == "11010519491231002X"


def test_blanks_around_and_inside_the_number_are_dropped() -> None:
    assert clean_id_number(" 433124 19800517 0013 ") == "433124198005170013"


def test_a_leap_day_in_a_leap_year_is_a_real_birth_date() -> None:
    number = _with_check("43312220000229002")
    assert clean_id_number(number) == number
    assert idnumber.birth_date(number) == dt.date(2000, 2, 29)


def test_someone_born_today_is_not_in_the_future() -> None:
    number = idnumber.make("433124", timezone.localdate(), 1)
    assert clean_id_number(number) == number


def test_birth_date_and_gender_are_read_from_the_number() -> None:
    assert idnumber.birth_date("433124198005170013") == dt.date(1980, 5, 17)
    assert idnumber.gender("433124198005170013") == "m"  # sequence 001 is odd
    woman = idnumber.make("433124", dt.date(1990, 1, 2), 2)
    assert idnumber.gender(woman) == "f"


def test_the_masked_form_shows_the_first_six_and_last_four() -> None:
    assert idnumber.masked("433124198005170013") == "433124********0013"


# --- each fault gets its own code ----------------------------------------------------------


def _code_of(raw: object) -> RegistryError:
    with pytest.raises(FupinError) as caught:
        clean_id_number(raw)
    assert caught.value.field == "id_number"
    return caught.value.code  # type: ignore[return-value]


def test_a_wrong_check_character_is_a_checksum_error() -> None:
    assert _code_of("433124198005170014") == RegistryError.ID_CHECKSUM
    assert _code_of("43312419800517001X") == RegistryError.ID_CHECKSUM


@pytest.mark.parametrize(
    "birth",
    [
        "19800230",  # 30 February
        "19810229",  # 29 February in a common year
        "19801301",  # month 13
        "19800001",  # month 0
        "19800532",  # 32 May
        "19800500",  # day 0
        "18790101",  # before any living person
    ],
)
def test_an_impossible_birth_date_is_a_birth_date_error_even_with_a_good_check_character(
    birth: str,
) -> None:
    assert _code_of(_with_check(f"433124{birth}001")) == RegistryError.ID_BIRTH_DATE


def test_a_birth_date_after_today_is_a_future_error() -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert _code_of(idnumber.make("433124", tomorrow, 1)) == RegistryError.ID_FUTURE
    assert _code_of(_with_check("43312430000101001")) == RegistryError.ID_FUTURE


@pytest.mark.parametrize(
    "raw",
    [
        "43312419800517001",  # 17 characters
        "4331241980051700133",  # 19 characters
        "43312419800517A013",  # a letter inside
        "43312419800517001Y",  # a check letter other than X
        "X33124198005170013",  # X anywhere but last
        "4331-2419800517001",  # punctuation
        "",
        None,
    ],
)
def test_a_number_of_the_wrong_length_or_with_letters_is_a_format_error(raw: str | None) -> None:
    assert _code_of(raw) == RegistryError.ID_FORMAT


def test_full_width_digits_are_read_as_the_same_number() -> None:
    # Chinese input methods type full-width digits; stored as they are they would hash
    # differently and slip past the one-person-one-number check.
    assert clean_id_number("４３３１２４１９８００５１７００１３") == "433124198005170013"
    assert clean_id_number("11010519491231002ｘ") == "11010519491231002X"


def test_digits_from_other_scripts_are_a_format_error() -> None:
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in "433124198005170013")
    assert _code_of(arabic_indic) == RegistryError.ID_FORMAT
