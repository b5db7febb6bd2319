"""What every assistance action shares: cleaning submitted values with each problem reported
against its field, the paired-cadre rule, and which pairings count as active today."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from fupin.accounts.permissions import RECORD_ASSISTANCE, Role
from fupin.areas.models import Area, Level
from fupin.assistance.errors import AssistanceError, NotPaired
from fupin.core.access import require
from fupin.core.errors import ErrorCode, FupinError, ValidationFailed
from fupin.pairing.models import HOUSEHOLD_KINDS, Pairing
from fupin.registry.cleaning import clean_amount, clean_bool, clean_choice
from fupin.registry.errors import RegistryError
from fupin.registry.models import Household, Member


def user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# --- pairings -----------------------------------------------------------------------------


def active_pairing_q(today: dt.date | None = None, prefix: str = "") -> Q:
    """Pairings in force on ``today``: started, and not ended (an end date still ahead counts
    as in force until that day). ``prefix`` reaches them through a relation."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}started_on__lte": today}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": today})
    )


def household_pairings(household: Household, today: dt.date | None = None) -> models.QuerySet[Pairing]:
    """The household's active pairings (干部包户, 党员联户): who answers for it now."""
    return Pairing.objects.filter(active_pairing_q(today), household=household, kind__in=HOUSEHOLD_KINDS)


def is_cadre(actor: Any) -> bool:
    return getattr(actor, "role", None) == Role.CADRE


def paired_to(actor: Any, household: Household) -> bool:
    return household_pairings(household).filter(helper_user_id=getattr(actor, "pk", None)).exists()


def paired_household_ids(actor: Any) -> set[int]:
    """The households actively paired to ``actor`` (a cadre's own list)."""
    pairings = Pairing.objects.filter(active_pairing_q(), helper_user_id=getattr(actor, "pk", None))
    return set(pairings.exclude(household__isnull=True).values_list("household_id", flat=True))


def require_recorder(actor: Any, household: Household) -> None:
    """May ``actor`` record a measure or a visit for ``household``? The village, township and
    county record for any household of their area; a cadre (帮扶干部) only for the households
    paired to them (干部包户), so a cadre's record always comes from the one who answers for it."""
    require(actor, RECORD_ASSISTANCE, area_code=household.area_id)
    if is_cadre(actor) and not paired_to(actor, household):
        raise NotPaired()


def may_record(actor: Any, household: Household) -> bool:
    try:
        require_recorder(actor, household)
    except FupinError:
        return False
    return True


# --- areas --------------------------------------------------------------------------------


def village_code(area_code: str) -> str:
    return area_code[:12]


def township_code(area_code: str) -> str:
    return area_code[:9] + "000"


def member_inside(member: Member, area: Area) -> None:
    """The member belongs, now, to a household inside ``area``."""
    if not area.contains_code(member.household.area_id):
        raise FupinError(AssistanceError.MEMBER_OUTSIDE, field="member", area=area.name)
    if member.left_on is not None:
        raise FupinError(AssistanceError.MEMBER_LEFT, field="member")


def require_level(area: Area, levels: tuple[int, ...], code: ErrorCode) -> None:
    if area.level not in levels:
        raise FupinError(code, field="area")


VILLAGE_OR_TOWNSHIP = (Level.TOWNSHIP, Level.VILLAGE)


# --- cleaning -----------------------------------------------------------------------------


class Cleaner:
    """Cleans one submission field by field and keeps every problem, so a form shows them all."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: list[FupinError] = []

    def _fail(self, code: ErrorCode, field: str, **params: Any) -> None:
        self.errors.append(FupinError(code, field=field, **params))

    def _raw(self, name: str) -> Any:
        value = self.data.get(name)
        return value.strip() if isinstance(value, str) else value

    def has(self, name: str) -> bool:
        return name in self.data

    def text(self, name: str, limit: int, required: ErrorCode | None = None) -> str:
        value = self._raw(name)
        text = "" if value is None else str(value)
        if required is not None and not text:
            self._fail(required, name)
        elif len(text) > limit:
            self._fail(RegistryError.TOO_LONG, name, max=limit)
        return text

    def choice(self, name: str, choices: type[models.TextChoices]) -> str:
        value = self._raw(name)
        try:
            return clean_choice(choices, "" if value is None else value)
        except FupinError as exc:
            exc.field = name
            self.errors.append(exc)
            return ""

    def day(
        self, name: str, *, required: bool = True, not_future: bool = True, today: dt.date | None = None
    ) -> dt.date | None:
        value = self._raw(name)
        if value in (None, ""):
            if required:
                self._fail(AssistanceError.DATE_REQUIRED, name)
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            try:
                value = dt.date.fromisoformat(str(value))
            except ValueError:
                self._fail(RegistryError.BAD_DATE, name)
                return None
        if not_future and value > (today or timezone.localdate()):
            self._fail(AssistanceError.DATE_IN_FUTURE, name)
        return value

    def amount(self, name: str) -> Decimal:
        """Yuan, at least 0, at most two decimals; blank is 0."""
        value = self._raw(name)
        if value in (None, ""):
            return Decimal("0.00")
        try:
            return clean_amount(value)
        except FupinError as exc:
            exc.field = name
            self.errors.append(exc)
            return Decimal("0.00")

    def hours(self, name: str) -> Decimal:
        value = self._raw(name)
        try:
            hours = Decimal(str(value))
            ok = hours.is_finite() and 0 < hours < 1000 and hours.as_tuple().exponent >= -1  # type: ignore[operator]
        except (InvalidOperation, ValueError):
            ok = False
        if not ok:
            self._fail(AssistanceError.HOURS, name)
            return Decimal("0")
        return hours.quantize(Decimal("0.1"))

    def year(self, name: str, *, first: int = 2010, ahead: int = 1) -> int:
        """A year from ``first`` to next year (funds are planned a year ahead)."""
        last = timezone.localdate().year + ahead
        try:
            year = int(str(self._raw(name)))
        except ValueError:
            year = 0
        if not first <= year <= last:
            self._fail(RegistryError.BAD_YEAR, name, first=first, last=last)
        return year

    def flag(self, name: str) -> bool:
        try:
            return clean_bool(self.data.get(name, False))
        except FupinError as exc:
            exc.field = name
            self.errors.append(exc)
            return False

    def ends_after(self, start: dt.date | None, end: dt.date | None, field: str) -> None:
        if start and end and end < start:
            self._fail(AssistanceError.END_BEFORE_START, field)

    def add(self, error: FupinError) -> None:
        self.errors.append(error)

    def done(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ValidationFailed(self.errors)
