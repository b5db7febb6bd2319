"""Writes of the screening app: thresholds, rule parameters, and starting a run.

Who may set what:

- The national floor (全国监测底线) applies in every province, so only the operator at the
  command line (``SYSTEM``) sets it.
- A province's threshold belongs to the province: only the province bureau (a
  ``regional_admin`` bound to the province) enters it, as the province published it. A county
  bureau reads it and cannot change it, since the value applies in every county of the
  province. The scope is derived from the actor, never read from a form, and a value below the
  national floor is refused. ``SYSTEM`` may name any province. This is the same rule as the
  poverty lines (``registry.poverty_lines``).
- Rule parameters: the office of the area they are set for (``core.access.require_setting_owner``):
  a county bureau for its county, a province or prefecture bureau for its own area (which its
  counties inherit unless they set their own); ``SYSTEM`` for any.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from fupin.accounts.permissions import EDIT_RULES, RUN_SCREENING
from fupin.areas.models import Area, Level
from fupin.core import audit
from fupin.core.access import SYSTEM, require, require_setting_owner
from fupin.core.errors import Conflict, FupinError, PermissionDenied, ValidationFailed
from fupin.core.jobs import create_job
from fupin.core.models import Job
from fupin.registry.poverty_lines import clean_province
from fupin.screening.engines import ENGINES, spark_available
from fupin.screening.errors import ScreeningError
from fupin.screening.models import MonitoringLine, RuleSetting, ScreeningRun
from fupin.screening.queries import effective_setting, province_code, threshold_for
from fupin.screening.rules import BY_KEY, Rule

FIRST_YEAR = 2016
RUN_KIND = "screening.run"
BUSY_HOURS = 12
# Above any threshold published, below what the column holds (8 digits, 2 places).
AMOUNT_LIMIT = Decimal("100000")
SOURCE_MAX = MonitoringLine._meta.get_field("source").max_length or 300


class RunBusy(FupinError):
    """A run of the same area is already queued or running."""

    status = 409

    def __init__(self) -> None:
        super().__init__(ScreeningError.RUN_RUNNING)


class RunLimit(FupinError):
    """The area has had as many runs in the last hour as the setting allows."""

    status = 429

    def __init__(self, limit: int) -> None:
        super().__init__(ScreeningError.RUN_LIMIT, limit=limit)


def last_year() -> int:
    # Next year's values are often announced before the year starts.
    return timezone.localdate().year + 1


def clean_year(raw: Any, field: str = "year") -> int:
    last = last_year()
    bad = FupinError(ScreeningError.BAD_YEAR, field=field, first=FIRST_YEAR, last=last)
    if isinstance(raw, bool):
        raise bad
    try:
        year = int(str(raw).strip())
    except ValueError:
        raise bad from None
    if not FIRST_YEAR <= year <= last:
        raise bad
    return year


def _clean_amount(raw: Any) -> Decimal:
    bad = FupinError(ScreeningError.BAD_AMOUNT, field="amount")
    if raw is None or isinstance(raw, bool):
        raise bad
    try:
        amount = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise bad from None
    if not amount.is_finite() or amount <= 0 or amount >= AMOUNT_LIMIT:
        raise bad
    if amount != amount.quantize(Decimal("0.01")):
        raise bad
    return amount.quantize(Decimal("0.01"))


def _line_scope(actor: Any, *, national: bool, province: str | None) -> str:
    if actor is SYSTEM:
        if national == (province is not None):
            raise FupinError(ScreeningError.LINE_SCOPE, field="scope")
        return MonitoringLine.NATIONAL if national else clean_province(province)
    # Only the command line speaks for the whole country, or names a province.
    if national or province is not None:
        raise PermissionDenied()
    area = getattr(actor, "area", None)
    if area is None:
        raise PermissionDenied()
    scope = province_code(area.code)
    # The threshold is the province's: a county bureau inside it is refused, not redirected.
    require_setting_owner(actor, EDIT_RULES, area_code=scope)
    return scope


def do_set_monitoring_line(
    actor: Any,
    *,
    year: Any,
    amount: Any,
    source: Any,
    national: bool = False,
    province: str | None = None,
) -> MonitoringLine:
    """Create or correct one year's threshold: the actor's province's, or (``SYSTEM`` only)
    the national floor or a named province's."""
    require(actor, EDIT_RULES)
    scope = _line_scope(actor, national=national, province=province)
    errors: list[FupinError] = []
    cleaned_year: int | None = None
    cleaned_amount: Decimal | None = None
    try:
        cleaned_year = clean_year(year)
    except FupinError as exc:
        errors.append(exc)
    try:
        cleaned_amount = _clean_amount(amount)
    except FupinError as exc:
        errors.append(exc)
    text = "" if source is None else str(source).strip()
    if not text:
        errors.append(FupinError(ScreeningError.SOURCE_REQUIRED, field="source"))
    elif len(text) > SOURCE_MAX:
        errors.append(FupinError(ScreeningError.TOO_LONG, field="source", max=SOURCE_MAX))
    if errors:
        raise ValidationFailed(errors)
    assert cleaned_year is not None and cleaned_amount is not None
    if scope != MonitoringLine.NATIONAL:
        floor = threshold_for(scope, cleaned_year).floor
        if floor is not None and cleaned_amount < floor.amount:
            raise ValidationFailed(
                [
                    FupinError(
                        ScreeningError.LINE_BELOW_FLOOR, field="amount", floor=floor.amount, year=cleaned_year
                    )
                ]
            )
    try:
        with transaction.atomic():
            existing = (
                MonitoringLine.objects.select_for_update().filter(scope=scope, year=cleaned_year).first()
            )
            before = audit.snapshot(existing)
            row, _created = MonitoringLine.objects.update_or_create(
                scope=scope, year=cleaned_year, defaults={"amount": cleaned_amount, "source": text}
            )
            audit.record(
                actor,
                "screening.set_monitoring_line",
                obj=row,
                area_code="" if scope == MonitoringLine.NATIONAL else scope,
                before=before,
                after=audit.snapshot(row),
            )
    except IntegrityError:
        raise Conflict() from None
    return row


def clean_params(rule: Rule, raw: dict[str, Any], current: dict[str, Decimal]) -> dict[str, Decimal]:
    """The rule's full parameter set: given values checked against their bounds, the others
    kept as they currently apply. Raises ValidationFailed naming every bad field."""
    errors: list[FupinError] = []
    values = dict(current)
    for name, value in raw.items():
        param = rule.param(name)
        if param is None:
            errors.append(FupinError(ScreeningError.UNKNOWN_PARAMETER, field=name, name=name))
            continue
        bad = FupinError(
            ScreeningError.PARAMETER_OUT_OF_RANGE,
            field=name,
            minimum=f"{param.minimum:f}",
            maximum=f"{param.maximum:f}",
        )
        try:
            number = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            errors.append(bad)
            continue
        if not number.is_finite() or not param.minimum <= number <= param.maximum:
            errors.append(bad)
            continue
        if param.whole and number != number.to_integral_value():
            errors.append(bad)
            continue
        # Two places at most: parameters are yuan, percentages or whole years.
        values[name] = number.quantize(Decimal("1") if param.whole else Decimal("0.01")).normalize()
    if not errors and not rule.consistent(values):
        errors.append(FupinError(ScreeningError.MIN_AGE_NOT_BELOW_MAX, field=rule.params[0].name))
    if errors:
        raise ValidationFailed(errors)
    return values


def _rule(key: Any) -> Rule:
    rule = BY_KEY.get(str(key))
    if rule is None:
        raise FupinError(ScreeningError.UNKNOWN_RULE, field="rule", rule=key)
    return rule


def _setting_area(actor: Any, area: Area, perm: str) -> None:
    require_setting_owner(actor, perm, area_code=area.code)
    # Parameters resolve per county; a township's own value would never be read.
    if area.level > Level.COUNTY:
        raise FupinError(ScreeningError.SETTING_LEVEL, field="area")


def _setting_data(row: RuleSetting | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "rule": row.rule,
        "area": row.area_id,
        "year": row.year,
        "enabled": row.enabled,
        "params": row.params,
    }


def do_set_rule_setting(
    actor: Any,
    *,
    rule: Any,
    area: Area,
    year: Any,
    enabled: bool = True,
    params: dict[str, Any] | None = None,
) -> RuleSetting:
    """Set a rule's parameters (and whether it runs) for ``area`` from ``year`` on.

    Parameters not given keep the value that applies there and then now, so a county that
    changes one limit does not silently reset the others to the defaults.
    """
    _setting_area(actor, area, EDIT_RULES)
    found = _rule(rule)
    cleaned_year = clean_year(year)
    current = effective_setting(area.code, found.key, cleaned_year).params
    values = clean_params(found, params or {}, current)
    stored = {name: f"{value:f}" for name, value in values.items()}
    try:
        with transaction.atomic():
            existing = (
                RuleSetting.objects.select_for_update()
                .filter(rule=found.key, area=area, year=cleaned_year)
                .first()
            )
            before = _setting_data(existing)
            row, _created = RuleSetting.objects.update_or_create(
                rule=found.key,
                area=area,
                year=cleaned_year,
                defaults={
                    "enabled": bool(enabled),
                    "params": stored,
                    "set_by": actor if getattr(actor, "pk", None) else None,
                },
            )
            audit.record(
                actor,
                "screening.set_rule_setting",
                obj=row,
                area_code=area.code,
                before=before,
                after=_setting_data(row),
            )
    except IntegrityError:
        raise Conflict() from None
    return row


def do_remove_rule_setting(actor: Any, *, rule: Any, area: Area, year: Any) -> None:
    """Remove the area's setting of one year, so what applied before (or above) applies again."""
    _setting_area(actor, area, EDIT_RULES)
    found = _rule(rule)
    cleaned_year = clean_year(year)
    with transaction.atomic():
        existing = (
            RuleSetting.objects.select_for_update()
            .filter(rule=found.key, area=area, year=cleaned_year)
            .first()
        )
        if existing is None:
            return
        before = _setting_data(existing)
        existing.delete()
        audit.record(
            actor,
            "screening.remove_rule_setting",
            object_type="screening.rulesetting",
            object_id=f"{area.code}:{found.key}:{cleaned_year}",
            area_code=area.code,
            before=before,
        )


def clean_engine(raw: Any) -> str:
    engine = str(raw or "duckdb").strip().lower()
    if engine not in ENGINES:
        raise FupinError(ScreeningError.BAD_ENGINE, field="engine")
    if engine == "spark" and not spark_available():
        raise FupinError(ScreeningError.SPARK_MISSING, field="engine")
    return engine


def do_start_screening(
    actor: Any, *, area: Area, year: Any = None, engine: Any = "duckdb", start: bool = True
) -> ScreeningRun:
    """Create a run and its job; with ``start`` the job begins in the background after commit."""
    require(actor, RUN_SCREENING, area_code=area.code)
    cleaned_year = timezone.localdate().year if year in (None, "") else clean_year(year)
    cleaned_engine = clean_engine(engine)
    with transaction.atomic():
        # A second click while a run of the same area is under way would only repeat it.
        # A job whose process died stays "running"; after BUSY_HOURS it no longer blocks the area.
        busy = ScreeningRun.objects.filter(
            area_code=area.code,
            job__status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
            job__created_at__gte=timezone.now() - dt.timedelta(hours=BUSY_HOURS),
        ).exists()
        if busy:
            raise RunBusy()
        # Each run reads the whole area; a script (or a fuzzer) starting one after another would
        # keep the machine busy for nothing, so an area gets a bounded number per hour.
        limit = settings.FUPIN_SCREENING_RUNS_PER_AREA_PER_HOUR
        recent = ScreeningRun.objects.filter(
            area_code=area.code, started_at__gte=timezone.now() - dt.timedelta(hours=1)
        ).count()
        if recent >= limit:
            raise RunLimit(limit)
        job = create_job(
            RUN_KIND,
            actor=actor,
            area_code=area.code,
            params={"year": cleaned_year, "engine": cleaned_engine},
            start=start,
        )
        run = ScreeningRun.objects.create(
            area_code=area.code, year=cleaned_year, engine=cleaned_engine, job=job
        )
        audit.record(
            actor,
            "screening.start_run",
            obj=run,
            area_code=area.code,
            after={"year": cleaned_year, "engine": cleaned_engine, "job": job.pk},
        )
    return run
