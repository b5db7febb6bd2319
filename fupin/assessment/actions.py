"""Every write of the exit assessment: population figures, sampling results, threshold settings.
Each checks role and area, validates every field before storing anything, runs in one
transaction and leaves an audit entry."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fupin.accounts.permissions import EDIT_ASSESSMENT, SET_ASSESSMENT_SETTINGS
from fupin.areas.models import Area, Level
from fupin.assessment.errors import AssessmentError
from fupin.assessment.models import AreaPopulation, AssessmentSetting, CountySampling, DenominatorKind
from fupin.core import audit
from fupin.core.access import require, require_setting_owner
from fupin.core.errors import Conflict, FupinError, ValidationFailed

FIRST_YEAR = 2013  # 建档立卡 began in 2014 with figures for 2013

# (part, whole) pairs of a county sample: a part can never exceed its whole.
SAMPLING_PAIRS = (
    ("wrongly_exited", "sampled_exited"),
    ("missed_poor", "sampled_unregistered"),
    ("approving_households", "surveyed_households"),
)
SAMPLING_FIELDS = tuple(name for pair in SAMPLING_PAIRS for name in reversed(pair))
THRESHOLD_FIELDS = ("incidence_max", "wrong_exit_max", "missed_poor_max", "approval_min")


def assessment_years() -> list[int]:
    """The years an assessment can be about, newest first: this year and the past ones. A year
    still to come has no figures yet, so neither the page's selector nor a form offers it."""
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


def clean_year(raw: Any) -> int:
    last = timezone.localdate().year
    try:
        year = int(str(raw).strip())
    except (TypeError, ValueError):
        year = 0
    if not FIRST_YEAR <= year <= last:
        raise FupinError(AssessmentError.BAD_YEAR, field="year", first=FIRST_YEAR, last=last)
    return year


def _count(raw: Any, *, minimum: int) -> int:
    text = "" if raw is None else str(raw).strip().replace(",", "")
    if not text.isdigit():  # also refuses "-3" and "2.5"
        raise FupinError(AssessmentError.BAD_COUNT)
    value = int(text)
    if value < minimum or value > 2_000_000_000:  # the column is a 32-bit integer
        raise FupinError(AssessmentError.BAD_COUNT)
    return value


def _percent(raw: Any) -> Decimal | None:
    text = "" if raw is None else str(raw).strip().rstrip("%").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FupinError(AssessmentError.BAD_PERCENT) from None
    if not value.is_finite() or value < 0 or value > 100 or value != value.quantize(Decimal("0.01")):
        raise FupinError(AssessmentError.BAD_PERCENT)
    return value


def _source(raw: Any, errors: list[FupinError], *, required: bool, max_length: int) -> str:
    text = str(raw or "").strip()
    if required and not text:
        errors.append(FupinError(AssessmentError.SOURCE_REQUIRED, field="source"))
    elif len(text) > max_length:
        errors.append(FupinError(AssessmentError.TOO_LONG, field="source", max=max_length))
    return text


def _year_or_error(data: dict[str, Any], errors: list[FupinError]) -> int | None:
    try:
        return clean_year(data.get("year"))
    except FupinError as exc:
        errors.append(exc)
        return None


def _upsert(model: Any, action: str, values: dict[str, Any], *, actor: Any, area: Area, **key: Any) -> Any:
    """Create or replace the one row of ``model`` for ``area`` (and ``key``), locked while it is
    read and written, with one audit entry holding both versions."""
    try:
        with transaction.atomic():
            row = model.objects.select_for_update().filter(area=area, **key).first()
            before = audit.snapshot(row)
            if row is None:
                row = model.objects.create(area=area, **key, **values)
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                row.save()
            after = audit.snapshot(row)
            audit.record(actor, action, obj=row, area_code=area.code, before=before, after=after)
    except IntegrityError:
        # Two first entries for the same row at once: the other one won.
        raise Conflict() from None
    return row


def do_record_population(area: Area, data: dict[str, Any], *, actor: Any) -> AreaPopulation:
    """农业户籍人口 and/or 农村常住人口 of ``area`` for a year; replaces that year's figures."""
    require(actor, EDIT_ASSESSMENT, area_code=area.code)
    errors: list[FupinError] = []
    if area.level not in (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE):
        raise FupinError(AssessmentError.WRONG_LEVEL)
    year = _year_or_error(data, errors)
    figures: dict[str, int | None] = {}
    for name in ("agricultural_registered", "rural_resident"):
        raw = data.get(name)
        if raw is None or str(raw).strip() == "":
            figures[name] = None
            continue
        try:
            figures[name] = _count(raw, minimum=1)
        except FupinError:
            errors.append(FupinError(AssessmentError.BAD_POPULATION, field=name))
    if not errors and all(v is None for v in figures.values()):
        errors.append(FupinError(AssessmentError.NO_FIGURE, field="agricultural_registered"))
    source = _source(data.get("source"), errors, required=True, max_length=200)
    if errors:
        raise ValidationFailed(errors)
    values = {**figures, "source": source, "recorded_by": actor if getattr(actor, "pk", None) else None}
    return _upsert(AreaPopulation, "assessment.record_population", values, actor=actor, area=area, year=year)


def do_record_sampling(county: Area, data: dict[str, Any], *, actor: Any) -> CountySampling:
    """The county's special assessment sample for a year; replaces that year's results."""
    require(actor, EDIT_ASSESSMENT, area_code=county.code)
    if county.level != Level.COUNTY:
        raise FupinError(AssessmentError.NOT_COUNTY)
    errors: list[FupinError] = []
    year = _year_or_error(data, errors)
    counts: dict[str, int] = {}
    for name in SAMPLING_FIELDS:
        try:
            counts[name] = _count(data.get(name), minimum=0)
        except FupinError as exc:
            exc.field = name
            errors.append(exc)
    for part, whole in SAMPLING_PAIRS:
        if part in counts and whole in counts and counts[part] > counts[whole]:
            errors.append(FupinError(AssessmentError.PART_EXCEEDS_WHOLE, field=part, whole=counts[whole]))
    notes = str(data.get("notes") or "").strip()
    if len(notes) > 300:
        errors.append(FupinError(AssessmentError.TOO_LONG, field="notes", max=300))
    if errors:
        raise ValidationFailed(errors)
    values: dict[str, Any] = {
        **counts,
        "notes": notes,
        "recorded_by": actor if getattr(actor, "pk", None) else None,
    }
    return _upsert(CountySampling, "assessment.record_sampling", values, actor=actor, area=county, year=year)


def do_set_assessment_setting(area: Area, data: dict[str, Any], *, actor: Any) -> AssessmentSetting:
    """Override the denominator kind and thresholds for ``area`` and everything inside it; a blank
    value goes back to the area above or the default. Only the office that owns the area's
    values sets them: a county bureau for its county and villages, a province or prefecture
    bureau for its own area."""
    require_setting_owner(actor, SET_ASSESSMENT_SETTINGS, area_code=area.code)
    errors: list[FupinError] = []
    kind = str(data.get("denominator_kind") or "").strip()
    if kind and kind not in DenominatorKind.values:
        errors.append(FupinError(AssessmentError.UNKNOWN_KIND, field="denominator_kind"))
    limits: dict[str, Decimal | None] = {}
    for name in THRESHOLD_FIELDS:
        try:
            limits[name] = _percent(data.get(name))
        except FupinError as exc:
            exc.field = name
            errors.append(exc)
    if errors:
        raise ValidationFailed(errors)
    values: dict[str, Any] = {
        "denominator_kind": kind,
        **limits,
        "updated_by": actor if getattr(actor, "pk", None) else None,
    }
    return _upsert(AssessmentSetting, "assessment.set_setting", values, actor=actor, area=area)


def do_set_western_standard(province: Area, western: bool | None, *, actor: Any) -> AssessmentSetting:
    """Whether the western-region standard (incidence below 3%, domain.md §4) applies in
    ``province``; None goes back to the built-in list. A setting like any other, under the one
    rule for settings writes: only the office that owns the level (the province's bureau) or the
    operator (``SYSTEM``) sets it, never a prefecture or a county for itself."""
    require_setting_owner(actor, SET_ASSESSMENT_SETTINGS, area_code=province.code)
    if province.level != Level.PROVINCE:
        raise FupinError(AssessmentError.NOT_PROVINCE, field="area")
    if western is not None and not isinstance(western, bool):
        raise FupinError(AssessmentError.BAD_WESTERN, field="western_standard")
    values: dict[str, Any] = {
        "western_standard": western,
        "updated_by": actor if getattr(actor, "pk", None) else None,
    }
    return _upsert(AssessmentSetting, "assessment.set_western_standard", values, actor=actor, area=province)
