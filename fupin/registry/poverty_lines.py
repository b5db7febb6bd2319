"""The poverty line table (扶贫标准, domain.md §2): reading it, and setting one row.

A province's line belongs to the province: only its province bureau (a ``regional_admin``
bound to the province) enters it, as the province publishes it, and a county bureau reads it.
The national line applies in every province, so only the operator at the command line
(``SYSTEM``) sets it. The scope is derived from the actor, never taken from a form.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from fupin.accounts.permissions import EDIT_POVERTY_LINES, VIEW_REGISTRY
from fupin.areas.models import Area, Level, full_code
from fupin.core import audit
from fupin.core.access import SYSTEM, require, require_setting_owner
from fupin.core.errors import Conflict, FupinError, PermissionDenied, ValidationFailed
from fupin.registry.cleaning import clean_amount
from fupin.registry.errors import RegistryError
from fupin.registry.models import PovertyLine

FIRST_YEAR = 2000
# Far above any line ever published, and below what the column holds (8 digits, 2 places).
LINE_LIMIT = Decimal("100000")
SOURCE_MAX = PovertyLine._meta.get_field("source").max_length or 300


def province_scope(area_code: str) -> str:
    """The scope of the province an area lies in: its first two digits, padded to 12."""
    return area_code[:2].ljust(12, "0")


def last_year() -> int:
    # Next year's line is often announced before the year starts.
    return timezone.localdate().year + 1


def _clean_year(raw: Any, field: str, errors: list[FupinError]) -> int | None:
    last = last_year()
    bad = FupinError(RegistryError.BAD_YEAR, field=field, first=FIRST_YEAR, last=last)
    if isinstance(raw, bool):
        errors.append(bad)
        return None
    try:
        year = int(str(raw).strip())
    except ValueError:
        errors.append(bad)
        return None
    if not FIRST_YEAR <= year <= last:
        errors.append(bad)
        return None
    return year


def _clean_line(raw: Any, errors: list[FupinError]) -> Decimal | None:
    if raw is None or isinstance(raw, bool) or str(raw).strip() == "":
        errors.append(FupinError(RegistryError.BAD_AMOUNT, field="nominal_line"))
        return None
    try:
        line = clean_amount(raw)
    except FupinError as exc:
        # A negative amount is refused for the same reason as zero; one message says why.
        code = RegistryError.LINE_NOT_POSITIVE if exc.code == RegistryError.NEGATIVE_AMOUNT else exc.code
        errors.append(FupinError(code, field="nominal_line", **exc.params))
        return None
    if line <= 0:
        errors.append(FupinError(RegistryError.LINE_NOT_POSITIVE, field="nominal_line"))
        return None
    if line >= LINE_LIMIT:
        errors.append(FupinError(RegistryError.TOO_LARGE, field="nominal_line", maximum="99999.99"))
        return None
    return line


def _clean_source(raw: Any, errors: list[FupinError]) -> str:
    source = "" if raw is None else str(raw).strip()
    if not source:
        errors.append(FupinError(RegistryError.SOURCE_REQUIRED, field="source"))
    elif len(source) > SOURCE_MAX:
        errors.append(FupinError(RegistryError.TOO_LONG, field="source", max=SOURCE_MAX))
    return source


def clean_province(raw: Any) -> str:
    """A province's 12-digit code from a short or full code ("43", "430000000000").

    The province must be loaded: a typo would otherwise store a line no area ever looks up.
    """
    text = str(raw or "").strip()
    code = full_code(text) if text.isdigit() and len(text) <= 12 else ""
    if not (code and Area.objects.filter(code=code, level=Level.PROVINCE).exists()):
        raise FupinError(RegistryError.NOT_A_PROVINCE, field="province", value=text or "—")
    return code


def _scope_for(actor: Any, *, national: bool, province: str | None) -> str:
    if actor is SYSTEM:
        if national == (province is not None):
            raise FupinError(RegistryError.LINE_SCOPE, field="scope")
        return PovertyLine.NATIONAL if national else clean_province(province)
    # Only the command line speaks for the whole country, or names a province.
    if national or province is not None:
        raise PermissionDenied()
    area = getattr(actor, "area", None)
    if area is None:
        raise PermissionDenied()
    scope = province_scope(area.code)
    # The line applies in every county of the province: a county bureau may not set it.
    require_setting_owner(actor, EDIT_POVERTY_LINES, area_code=scope)
    return scope


def do_set_poverty_line(
    actor: Any,
    *,
    income_year: Any,
    nominal_line: Any,
    source: Any,
    work_year: Any = None,
    national: bool = False,
    province: str | None = None,
) -> PovertyLine:
    """Create or correct the line of one income year for the actor's province.

    ``national`` and ``province`` are for ``SYSTEM`` only (the command line); the province
    bureau always writes its own province's line.
    """
    require(actor, EDIT_POVERTY_LINES)
    scope = _scope_for(actor, national=national, province=province)
    errors: list[FupinError] = []
    year = _clean_year(income_year, "income_year", errors)
    line = _clean_line(nominal_line, errors)
    text = _clean_source(source, errors)
    work: int | None = None
    if work_year is not None and str(work_year).strip() != "":
        work = _clean_year(work_year, "work_year", errors)
    if errors:
        raise ValidationFailed(errors)
    assert year is not None and line is not None
    try:
        with transaction.atomic():
            existing = PovertyLine.objects.select_for_update().filter(scope=scope, income_year=year).first()
            before = audit.snapshot(existing)
            row, _created = PovertyLine.objects.update_or_create(
                scope=scope,
                income_year=year,
                defaults={"nominal_line": line, "work_year": work, "source": text},
            )
            audit.record(
                actor,
                "registry.set_poverty_line",
                obj=row,
                area_code="" if scope == PovertyLine.NATIONAL else scope,
                before=before,
                after=audit.snapshot(row),
            )
    except IntegrityError:
        raise Conflict() from None
    return row


def poverty_lines_for_reader(user: Any) -> QuerySet[PovertyLine]:
    """The national lines and those of the reader's own province, by income year."""
    # The province bureau reads no household but must see the lines it keeps.
    if not (getattr(user, "is_authenticated", False) and user.can(EDIT_POVERTY_LINES)):
        require(user, VIEW_REGISTRY)
    rows = PovertyLine.objects.all()
    if user is not SYSTEM:
        area = getattr(user, "area", None)
        if area is None:
            raise PermissionDenied()
        rows = rows.filter(Q(scope=PovertyLine.NATIONAL) | Q(scope=province_scope(area.code)))
    return rows.order_by("income_year", "scope")
