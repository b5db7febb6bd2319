"""Pre-aggregated indicator values: one row per (area, year) at all six levels.

A row holds every indicator of the catalogue (``values``) and the additive sums they are
derived from (``parts``), so an ancestor can be re-derived from its children's rows after an
incremental refresh without reading a household. Rows are written only by ``stats.refresh``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Snapshot(models.Model):
    area = models.ForeignKey(
        "areas.Area", on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("area")
    )
    # Copied from the area so a ranking of sub-areas or a map of counties is one indexed read.
    parent_code = models.CharField(_("parent area"), max_length=15, blank=True)
    level = models.PositiveSmallIntegerField(_("level"))
    year = models.PositiveSmallIntegerField(_("year"))
    values = models.JSONField(_("indicator values"), default=dict)
    parts = models.JSONField(_("additive parts"), default=dict)
    # Keys whose value is older than the row: the median and the Gini coefficient of an area
    # above the county cannot be re-derived from children, so an incremental refresh keeps
    # them from the last full refresh and names them here until the next one.
    carried_keys = models.JSONField(_("values carried from the last full refresh"), default=list)
    refreshed_at = models.DateTimeField(_("refreshed"))
    full_at = models.DateTimeField(_("last full refresh"))

    class Meta:
        ordering = ["area_id", "year"]
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")
        constraints = [models.UniqueConstraint(fields=["area", "year"], name="one_snapshot_per_area_year")]
        indexes = [
            models.Index(fields=["parent_code", "year"], name="snapshot_children"),
            models.Index(fields=["level", "year"], name="snapshot_level_year"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.year}"
