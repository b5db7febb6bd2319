"""Reads for the exit assessment, always through the reader's area: the figures a village or
county page shows, built from the household file and the recorded populations and samples."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fupin.accounts.permissions import VIEW_ASSESSMENT
from fupin.areas.models import PREFIX_LENGTH, Area, Level, full_code
from fupin.areas.queries import access_area_by_code
from fupin.assessment import rules
from fupin.assessment.models import AreaPopulation, AssessmentSetting, CountySampling, DenominatorKind
from fupin.core.access import require
from fupin.core.errors import NotFound
from fupin.registry.models import Household
from fupin.registry.queries import households_within
from fupin.stats.engine import AreaYear, area_at_end_of


def access_assessment_area(user: Any, code: str, level: int) -> Area:
    """The village or county the page is about: outside the user's area, missing, or of another
    level all answer NotFound alike; a role without the assessment answers PermissionDenied."""
    area = access_area_by_code(user, code)
    if area.level != level:
        raise NotFound()
    require(user, VIEW_ASSESSMENT, area_code=area.code)
    return area


def thresholds_for(area: Area) -> rules.Thresholds:
    """Each value from the nearest area (itself, then upwards) that set it, else rules' default."""
    codes = [full_code(area.code[:n]) for lvl, n in PREFIX_LENGTH.items() if lvl < area.level]
    codes.append(area.code)
    settings = {
        s.area_id: s for s in AssessmentSetting.objects.select_related("area").filter(area_id__in=codes)
    }
    chain = [settings[c] for c in reversed(codes) if c in settings]  # nearest first
    # The western standard belongs to the province: only its own row is read, so a county or
    # prefecture cannot declare itself western to loosen its own gate.
    province_code = full_code(area.code[: PREFIX_LENGTH[Level.PROVINCE]])
    province = settings.get(province_code)
    if province is not None and province.western_standard is not None:
        western, western_source = bool(province.western_standard), province.area.name
    else:
        western, western_source = area.code[:2] in rules.WEST_PROVINCES, ""
    province_name = (
        province.area.name
        if province is not None
        else Area.objects.filter(code=province_code).values_list("name", flat=True).first() or ""
    )
    values: dict[str, Any] = {
        "incidence_max": rules.default_incidence_max(area.code, western),
        "wrong_exit_max": rules.WRONG_EXIT_MAX,
        "missed_poor_max": rules.MISSED_POOR_MAX,
        "approval_min": rules.APPROVAL_MIN,
        "denominator_kind": DenominatorKind.AGRICULTURAL_REGISTERED.value,
    }
    sources: dict[str, str] = {}
    for name in values:
        for setting in chain:
            value = getattr(setting, name)
            if value not in (None, ""):
                values[name] = value
                sources[name] = setting.area.name
                break
    return rules.Thresholds(
        **values,
        western=western,
        western_source=western_source,
        province_name=province_name,
        sources=sources,
    )


def own_setting(area: Area) -> AssessmentSetting | None:
    return AssessmentSetting.objects.filter(area=area).first()


CHUNK = 2000


def remaining_poor(user: Any, area: Area, year: int) -> Iterator[Household]:
    """Registered-poor households inside ``area`` at the end of ``year`` (not yet exited then),
    each with ``size``, its size in that year: the households the year's figures count."""
    file = area_at_end_of(area, year)
    sizes = dict(zip(file.poor_ids.tolist(), file.poor_sizes.tolist(), strict=True))
    ids = file.poor_ids.tolist()
    for start in range(0, len(ids), CHUNK):
        for household in (
            households_within(user, area)
            .filter(pk__in=ids[start : start + CHUNK])
            .select_related("area")
            .order_by("area_id", "number")
        ):
            household.size = round(sizes[household.pk])  # type: ignore[attr-defined]
            yield household


@dataclass
class Report:
    area: Area
    year: int
    thresholds: rules.Thresholds
    population: AreaPopulation | None
    denominator: int | None
    poor_households: int
    poor_people: int
    gates: list[rules.Gate]
    outcome: rules.Outcome
    latest_population_year: int | None = None
    sampling: CountySampling | None = None
    # Village only, and only without an entered figure: people in the household file, labelled
    # as a fallback; it never decides the outcome.
    fallback_people: int | None = None
    comprehensive: Decimal | None = None

    @property
    def incidence(self) -> rules.Gate:
        return self.gates[0]

    @property
    def denominator_label(self) -> str:
        return str(DenominatorKind(self.thresholds.denominator_kind).label)

    @property
    def fallback_rate_shown(self) -> str:
        if self.fallback_people is None:
            return "—"
        return rules.shown(rules.percent(self.poor_people, self.fallback_people))

    @property
    def comprehensive_shown(self) -> str:
        return rules.shown(self.comprehensive)


def _population(
    area: Area, year: int, kind: str, file: AreaYear
) -> tuple[AreaPopulation | None, int | None, int | None]:
    """That year's row, and the year's denominator as the snapshot has it (the area's own
    figure of the chosen kind, else its sub-areas' sum); without one, the latest year with an
    own figure, named on the page but never used."""
    row = AreaPopulation.objects.filter(area=area, year=year).first()
    figure = None if file.population is None else round(file.population)
    latest = None
    if figure is None:
        column = "rural_resident" if kind == DenominatorKind.RURAL_RESIDENT else "agricultural_registered"
        latest = (
            AreaPopulation.objects.filter(area=area, **{f"{column}__isnull": False})
            .order_by("-year")
            .values_list("year", flat=True)
            .first()
        )
    return row, figure, latest


def village_report(user: Any, village: Area, year: int) -> Report:
    limits = thresholds_for(village)
    file = area_at_end_of(village, year)
    row, denominator, latest = _population(village, year, limits.denominator_kind, file)
    poor = file.poor_people
    gate = rules.incidence_gate(poor, denominator, limits.incidence_max)
    return Report(
        area=village,
        year=year,
        thresholds=limits,
        population=row,
        denominator=denominator,
        poor_households=file.poor_households,
        poor_people=poor,
        gates=[gate],
        outcome=rules.overall([gate]),
        latest_population_year=latest,
        fallback_people=round(file.file_people) if denominator is None else None,
    )


def county_report(user: Any, county: Area, year: int) -> Report:
    limits = thresholds_for(county)
    file = area_at_end_of(county, year)
    row, denominator, latest = _population(county, year, limits.denominator_kind, file)
    poor = file.poor_people
    sampling = CountySampling.objects.filter(area=county, year=year).first()
    sample = (
        rules.Sampling(
            sampled_exited=sampling.sampled_exited,
            wrongly_exited=sampling.wrongly_exited,
            sampled_unregistered=sampling.sampled_unregistered,
            missed_poor=sampling.missed_poor,
            surveyed_households=sampling.surveyed_households,
            approving_households=sampling.approving_households,
        )
        if sampling
        else None
    )
    gates = rules.county_gates(poor, denominator, sample, limits)
    return Report(
        area=county,
        year=year,
        thresholds=limits,
        population=row,
        denominator=denominator,
        poor_households=file.poor_households,
        poor_people=poor,
        gates=gates,
        outcome=rules.overall(gates),
        latest_population_year=latest,
        sampling=sampling,
        comprehensive=rules.comprehensive_incidence(poor, denominator, sample),
    )
