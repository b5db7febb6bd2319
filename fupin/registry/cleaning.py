"""Turning submitted values (form, API, spreadsheet) into typed field values, with every
problem reported against its field so nothing is stored half-checked."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import timezone

from fupin.core.errors import FupinError
from fupin.registry.errors import RegistryError

MAX_AMOUNT = Decimal("100000000")
FEN = Decimal("0.01")
# The range an amount is told in when it falls outside (MAX_AMOUNT itself is not allowed).
AMOUNT_RANGE = {"minimum": "0", "maximum": "99,999,999.99"}


@dataclass(frozen=True)
class Field:
    kind: str  # choice, bool, decimal, amount, int, year, str, date
    choices: type[models.TextChoices] | None = None
    max_length: int = 0
    required: bool = False
    # int: the inclusive range; decimal: the largest value its column holds; year: the first year.
    minimum: int | None = None
    maximum: int | None = None
    # What an empty int input stores. A column that holds no NULL (a newborn's 务工时间 is 0,
    # not unknown) names its value here, so a blank form field, a JSON null and a blank cell
    # store the same thing instead of reaching the database as NULL.
    empty: int | None = None


def clean_fields(
    specs: dict[str, Field], data: dict[str, Any], errors: list[FupinError], *, partial: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, spec in specs.items():
        if name not in data:
            if spec.required and not partial:
                errors.append(FupinError(RegistryError.NAME_REQUIRED, field=name))
            continue
        try:
            out[name] = clean_value(spec, data[name])
        except FupinError as exc:
            exc.field = name
            errors.append(exc)
    return out


def clean_value(spec: Field, raw: Any) -> Any:
    empty = raw is None or (isinstance(raw, str) and raw.strip() == "")
    if spec.kind == "str":
        value = "" if empty else str(raw).strip()
        if spec.required and not value:
            raise FupinError(RegistryError.NAME_REQUIRED)
        if spec.max_length and len(value) > spec.max_length:
            raise FupinError(RegistryError.TOO_LONG, max=spec.max_length)
        return value
    if spec.kind == "choice":
        if empty:
            if spec.required:
                raise FupinError(RegistryError.UNKNOWN_CHOICE, value="—")
            return ""
        return clean_choice(spec.choices, raw)
    if spec.kind == "bool":
        return clean_bool(raw)
    if spec.kind in ("decimal", "amount"):
        if empty:
            return Decimal("0.00") if spec.kind == "amount" else None
        try:
            number = clean_amount(raw)
        except FupinError as exc:
            if exc.code is RegistryError.AMOUNT_RANGE and spec.kind == "decimal":
                # An area or a distance is not in yuan: say its own limit.
                raise FupinError(
                    RegistryError.TOO_LARGE, maximum=spec.maximum or AMOUNT_RANGE["maximum"]
                ) from None
            raise
        if spec.maximum is not None and number > spec.maximum:
            # Past the column's digits PostgreSQL refuses the row (SQLite silently keeps it).
            raise FupinError(RegistryError.TOO_LARGE, maximum=spec.maximum)
        return number
    if spec.kind in ("int", "year"):
        if empty:
            if spec.required and spec.kind == "year":
                # A required year left blank would otherwise reach the database as NULL.
                raise FupinError(RegistryError.BAD_YEAR, first=1990, last=timezone.localdate().year)
            if spec.required:
                raise FupinError(RegistryError.BAD_NUMBER)
            return spec.empty
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise FupinError(RegistryError.BAD_NUMBER) from None
        if spec.kind == "year":
            return clean_year(value, first=spec.minimum or 1990)
        if (spec.minimum is not None and value < spec.minimum) or (
            spec.maximum is not None and value > spec.maximum
        ):
            raise FupinError(RegistryError.WORK_MONTHS)
        return value
    if spec.kind == "date":
        if empty:
            return None
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            raise FupinError(RegistryError.BAD_DATE) from None
    raise ValueError(f"unknown field kind {spec.kind}")


def clean_choice(choices: type[models.TextChoices] | None, raw: Any) -> str:
    assert choices is not None
    value = str(raw).strip()
    if value in choices.values:
        return value
    # Accept the label as shown in the interface too (a spreadsheet user types 因病, not illness).
    for choice in choices:
        if value == str(choice.label):
            return str(choice.value)
    raise FupinError(RegistryError.UNKNOWN_CHOICE, value=value)


def clean_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    value = str(raw).strip().lower()
    if value in {"1", "true", "yes", "on", "是", "y"}:
        return True
    if value in {"", "0", "false", "no", "off", "否", "n", "none"}:
        return False
    raise FupinError(RegistryError.UNKNOWN_CHOICE, value=str(raw))


def clean_amount(raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise FupinError(RegistryError.BAD_AMOUNT) from None
    if not value.is_finite():
        raise FupinError(RegistryError.BAD_AMOUNT)
    if value < 0:
        raise FupinError(RegistryError.NEGATIVE_AMOUNT)
    if value >= MAX_AMOUNT:
        # Well written but too large (1e12): the range helps, "enter an amount" does not.
        raise FupinError(RegistryError.AMOUNT_RANGE, **AMOUNT_RANGE)
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise FupinError(RegistryError.BAD_AMOUNT)
    # Two places, as the columns store it, so the audit's "after" matches what a later
    # "before" reads back (6000 and 6000.00 would show as a change).
    return value.quantize(FEN)


def clean_year(value: int, *, first: int = 1990) -> int:
    last = timezone.localdate().year
    if not first <= value <= last:
        raise FupinError(RegistryError.BAD_YEAR, first=first, last=last)
    return value


def clean_phone(raw: Any) -> str:
    # Full-width digits (Chinese input methods) fold to ASCII; other scripts' digits do not pass.
    value = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", str(raw or "")))
    if value == "":
        return ""
    if re.fullmatch(r"1[0-9]{10}", value) or re.fullmatch(r"0[0-9]{9,11}", value):
        return value
    raise FupinError(RegistryError.PHONE_FORMAT)
