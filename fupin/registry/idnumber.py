"""Resident ID numbers (GB 11643-1999): 6-digit area, 8-digit birth date, 3-digit sequence
(odd for men), and a mod 11-2 check character (0-9 or X)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.utils import timezone

from fupin.core.crypto import mask

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


class InvalidIdNumber(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # one of: format, checksum, birth_date, future


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalise(raw: str) -> str:
    """Strip blanks and accept a lowercase x; raise InvalidIdNumber with the reason."""
    # NFKC folds full-width digits and ｘ (typed by Chinese input methods) to ASCII; the
    # pattern is ASCII-only because \d also matches other scripts' digits, and one person
    # must always give one string, or the keyed hash lets a duplicate through.
    value = unicodedata.normalize("NFKC", raw or "").strip().replace(" ", "").upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        raise InvalidIdNumber("format")
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdNumber("birth_date") from None
    if born.year < 1880:
        raise InvalidIdNumber("birth_date")
    if born > timezone.localdate():
        raise InvalidIdNumber("future")
    if check_char(value[:17]) != value[17]:
        raise InvalidIdNumber("checksum")
    return value


def birth_date(value: str) -> dt.date:
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def gender(value: str) -> str:
    return "m" if int(value[16]) % 2 else "f"


def masked(value: str) -> str:
    """First 6 and last 4 shown: enough to tell two people apart, not enough to use."""
    return mask(value, 6, 4)


def make(area6: str, born: dt.date, sequence: int) -> str:
    """Build a valid number (for demo data and tests; never for real people)."""
    first17 = f"{area6}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
