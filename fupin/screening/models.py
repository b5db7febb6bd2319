"""Screening (部门筛查预警): the yearly monitoring thresholds, each rule's parameters by area
and year, and the record of each run.

The rules themselves (their SQL text, run unchanged by DuckDB and by Spark) are declared in
``screening.rules``; what a county may change is their parameters, kept here as data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MonitoringLine(models.Model):
    """监测范围: the per-capita net income below which a household is in the monitoring range,
    by (scope, year); scope is "national" (the floor) or a 12-digit province code."""

    NATIONAL = "national"

    year = models.PositiveSmallIntegerField(_("year"))
    scope = models.CharField(_("scope"), max_length=12)
    amount = models.DecimalField(_("threshold (yuan per person per year)"), max_digits=8, decimal_places=2)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["scope", "-year"]
        verbose_name = _("monitoring threshold")
        verbose_name_plural = _("monitoring thresholds")
        constraints = [
            models.UniqueConstraint(fields=["scope", "year"], name="one_monitoring_line_per_scope_year"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="monitoring_line_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.year}: {self.amount}"


class RuleSetting(models.Model):
    """A rule's parameters (and whether it runs) for an area from ``year`` on, until a later
    row for the same area; an area without its own row uses the nearest ancestor's, and with
    none anywhere the rule's defaults."""

    rule = models.CharField(_("rule"), max_length=40)
    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("effective from year"))
    enabled = models.BooleanField(_("enabled"), default=True)
    params = models.JSONField(_("parameters"), default=dict)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(_("set"), auto_now=True)

    class Meta:
        ordering = ["rule", "area_id", "-year"]
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")
        constraints = [
            models.UniqueConstraint(fields=["rule", "area", "year"], name="one_rule_setting_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.area_id} {self.year}"


class ScreeningRun(models.Model):
    class Engine(models.TextChoices):
        DUCKDB = "duckdb", "DuckDB"
        SPARK = "spark", "Apache Spark"

    area_code = models.CharField(_("area code"), max_length=15)
    year = models.PositiveSmallIntegerField(_("year"))
    engine = models.CharField(_("engine"), max_length=8, choices=Engine.choices)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # {rule: alerts found}, and how many of them were new (not already raised).
    found = models.JSONField(_("alerts found by rule"), default=dict)
    new_alerts = models.PositiveIntegerField(_("new alerts"), default=0)
    # Rows written per snapshot table, and what the operator should know (e.g. no threshold
    # on file for the year, so the income rule found nothing).
    snapshot_rows = models.JSONField(_("snapshot rows"), default=dict, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("screening run")
        verbose_name_plural = _("screening runs")

    def __str__(self) -> str:
        return f"{self.engine} {self.area_code} {self.year}"

    @property
    def total_found(self) -> int:
        return sum((self.found or {}).values())
