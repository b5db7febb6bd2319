"""Figures the exit assessment needs that the household file does not hold: the population that
is the incidence's denominator, the county's sampling results, and per-area threshold settings.
Rows are written only by ``assessment.actions``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

PERCENT = {"max_digits": 5, "decimal_places": 2, "null": True, "blank": True}


class DenominatorKind(models.TextChoices):
    """Which population divides the registered poor (domain.md §10: UNCONFIRMED, so a setting)."""

    AGRICULTURAL_REGISTERED = "agricultural_registered", _("agricultural-registered population")
    RURAL_RESIDENT = "rural_resident", _("rural resident population")


class AreaPopulation(models.Model):
    """One area's population for one year, as entered by the county, with where it came from."""

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="populations", verbose_name=_("area")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    agricultural_registered = models.PositiveIntegerField(
        _("agricultural-registered population"), null=True, blank=True
    )
    rural_resident = models.PositiveIntegerField(_("rural resident population"), null=True, blank=True)
    source = models.CharField(_("source of the figures"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        ordering = ["area_id", "-year"]
        verbose_name = _("area population")
        verbose_name_plural = _("area populations")
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="one_population_per_area_year"),
            # A denominator of zero would divide by zero; an unknown figure is NULL, not 0.
            models.CheckConstraint(
                condition=(Q(agricultural_registered__isnull=True) | Q(agricultural_registered__gte=1))
                & (Q(rural_resident__isnull=True) | Q(rural_resident__gte=1)),
                name="population_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.year}"

    def figure(self, kind: str) -> int | None:
        return self.rural_resident if kind == DenominatorKind.RURAL_RESIDENT else self.agricultural_registered


class CountySampling(models.Model):
    """The results of a county's special assessment (专项评估检查, domain.md §4) for one year."""

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="samplings", verbose_name=_("county")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sampled_exited = models.PositiveIntegerField(_("exited people sampled"))
    wrongly_exited = models.PositiveIntegerField(_("of them wrongly exited"))
    sampled_unregistered = models.PositiveIntegerField(
        _("rural people not registered in the sampled villages")
    )
    missed_poor = models.PositiveIntegerField(_("of them missed poor found"))
    surveyed_households = models.PositiveIntegerField(_("households surveyed"))
    approving_households = models.PositiveIntegerField(_("of them approving"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        ordering = ["area_id", "-year"]
        verbose_name = _("county sampling result")
        verbose_name_plural = _("county sampling results")
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="one_sampling_per_county_year"),
            models.CheckConstraint(
                condition=Q(wrongly_exited__lte=F("sampled_exited"))
                & Q(missed_poor__lte=F("sampled_unregistered"))
                & Q(approving_households__lte=F("surveyed_households")),
                name="sampling_parts_within_wholes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.year}"


class AssessmentSetting(models.Model):
    """Per-area overrides of the assessment's defaults (rules.py). Blank means "as the area above,
    or the default": a setting on 湘西州 reaches every county and village in it."""

    area = models.OneToOneField(
        "areas.Area",
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="assessment_setting",
        verbose_name=_("area"),
    )
    denominator_kind = models.CharField(
        _("incidence denominator"), max_length=24, choices=DenominatorKind.choices, blank=True
    )
    incidence_max = models.DecimalField(_("incidence threshold (%)"), **PERCENT)
    # 西部地区标准 (below 3% instead of 2%, domain.md §4): which provinces count as western is a
    # matter for the province, so this is read on a province's row only (queries.thresholds_for)
    # and set only at that level. Blank: the built-in list (rules.WEST_PROVINCES).
    western_standard = models.BooleanField(_("western-region standard"), null=True, blank=True)
    wrong_exit_max = models.DecimalField(_("wrong-exit threshold (%)"), **PERCENT)
    missed_poor_max = models.DecimalField(_("missed-poor threshold (%)"), **PERCENT)
    approval_min = models.DecimalField(_("approval threshold (%)"), **PERCENT)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("assessment setting")
        verbose_name_plural = _("assessment settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(incidence_max__isnull=True) | Q(incidence_max__gte=0, incidence_max__lte=100),
                name="setting_incidence_percent",
            ),
            models.CheckConstraint(
                condition=Q(wrong_exit_max__isnull=True) | Q(wrong_exit_max__gte=0, wrong_exit_max__lte=100),
                name="setting_wrong_exit_percent",
            ),
            models.CheckConstraint(
                condition=Q(missed_poor_max__isnull=True)
                | Q(missed_poor_max__gte=0, missed_poor_max__lte=100),
                name="setting_missed_poor_percent",
            ),
            models.CheckConstraint(
                condition=Q(approval_min__isnull=True) | Q(approval_min__gte=0, approval_min__lte=100),
                name="setting_approval_percent",
            ),
        ]

    def __str__(self) -> str:
        return str(self.area_id)
