"""Responsibility lists (职责任务清单化、定人定责) and their progress, ranked every two months
(亮进度、赛成绩). A task is owned by a township (its area) or by a unit, never both.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Task(models.Model):
    # The area whose list it is: the county for a county's 23 items, a township for its own.
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="tasks", verbose_name=_("area")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("task"), max_length=200)
    owner_area = models.ForeignKey(
        "areas.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_tasks",
        verbose_name=_("owning township"),
    )
    owner_unit = models.ForeignKey(
        "party.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("owning unit"),
    )
    owner_person = models.CharField(_("person responsible"), max_length=50)
    due_on = models.DateField(_("due on"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_area__isnull=False) & Q(owner_unit__isnull=True))
                | (Q(owner_area__isnull=True) & Q(owner_unit__isnull=False)),
                name="duty_task_one_owner",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="duty_progress_0_100"),
        ]

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    """Each progress update, kept so a ranking can be reproduced for any past date."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("date"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"
