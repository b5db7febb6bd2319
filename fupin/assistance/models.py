"""Assistance (精准施策): what was done for each household, and the projects, workshops,
trainings and care behind it. Every row keeps its village (or group) code in ``area`` so scoping
is one indexed range match, as in the registry.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0")}


class MeasureKind(models.TextChoices):
    INDUSTRY = "industry", _("industry")
    EMPLOYMENT = "employment", _("employment")
    EDUCATION = "education", _("education")
    HEALTH = "health", _("health")
    HOUSING = "housing", _("housing (dangerous-house renovation)")
    RELOCATION = "relocation", _("relocation")
    DIBAO = "dibao", _("minimum living allowance")
    TEKUN = "tekun", _("destitute support")
    FINANCE = "finance", _("finance (micro-credit, insurance)")
    PUBLIC_JOB = "public_job", _("public-welfare job")
    CONSUMPTION = "consumption", _("consumption aid")
    TRAINING = "training", _("training")
    ECOLOGICAL = "ecological", _("ecological compensation")
    WATER = "water", _("safe drinking water")
    OTHER = "other", _("other")


class Project(models.Model):
    """A project with its funds in a village or township (项目资金)."""

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="projects", verbose_name=_("area")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=MeasureKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    budget = models.DecimalField(_("budget"), **MONEY)
    allocated = models.DecimalField(_("allocated"), **MONEY)
    spent = models.DecimalField(_("spent"), **MONEY)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    finished_on = models.DateField(_("finished on"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "area_id", "name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(fields=["area", "year", "name"], name="assistance_project_unique"),
            models.CheckConstraint(
                condition=Q(budget__gte=0, allocated__gte=0, spent__gte=0),
                name="assistance_project_money_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Measure(models.Model):
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="measures")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=MeasureKind.choices)
    day = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    description = models.CharField(_("description"), max_length=300)
    responsible = models.ForeignKey(
        "pairing.Pairing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="measures",
        verbose_name=_("responsible cadre"),
    )
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
        verbose_name=_("project"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = _("assistance measure")
        verbose_name_plural = _("assistance measures")
        indexes = [models.Index(fields=["area", "kind"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="assistance_measure_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class Visit(models.Model):
    """走访: a home visit, what was discussed and what was done."""

    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="visits")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("date"))
    visitor_name = models.CharField(_("visitor"), max_length=50)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    discussed = models.CharField(_("what was discussed"), max_length=500)
    done = models.CharField(_("what was done"), max_length=500, blank=True)

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        indexes = [models.Index(fields=["area", "day"]), models.Index(fields=["household", "day"])]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class WorkshopKind(models.TextChoices):
    FACTORY = "factory", _("factory workshop")
    HOME = "home", _("home workshop")
    COOPERATIVE = "cooperative", _("cooperative workshop")


class Workshop(models.Model):
    """扶贫车间."""

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="workshops", verbose_name=_("area")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=WorkshopKind.choices)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["area_id", "name"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="assistance_workshop_unique")]

    def __str__(self) -> str:
        return self.name


class WorkshopWorker(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="workers")
    member = models.ForeignKey("registry.Member", on_delete=models.CASCADE, related_name="workshop_jobs")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    monthly_wage = models.DecimalField(_("monthly wage"), **MONEY)

    class Meta:
        verbose_name = _("workshop worker")
        verbose_name_plural = _("workshop workers")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "member"],
                condition=Q(ended_on__isnull=True),
                name="assistance_one_active_job",
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class TransferJob(models.Model):
    """转移就业: work found away from home."""

    member = models.ForeignKey("registry.Member", on_delete=models.CASCADE, related_name="transfer_jobs")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("place of work"), max_length=100)
    employer = models.CharField(_("employer"), max_length=100)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    monthly_income = models.DecimalField(_("monthly income"), **MONEY)
    via_job_fair = models.BooleanField(_("found at a job fair"), default=False)

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("transfer job")
        verbose_name_plural = _("transfer jobs")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class Training(models.Model):
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="trainings", verbose_name=_("area")
    )
    title = models.CharField(_("title"), max_length=100)
    day = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    organiser = models.CharField(_("organiser"), max_length=100, blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class TrainingAttendance(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("registry.Member", on_delete=models.CASCADE, related_name="trainings")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendance")
        constraints = [models.UniqueConstraint(fields=["training", "member"], name="assistance_attend_once")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class CareCategory(models.TextChoices):
    CHILD = "child", _("left-behind child")
    WOMAN = "woman", _("left-behind woman")
    ELDERLY = "elderly", _("left-behind elderly")
    DISABLED = "disabled", _("person with disabilities")


class CareFlag(models.Model):
    """三留守 and disability: flagged people followed by a named person (儿童督导员 …)."""

    member = models.ForeignKey("registry.Member", on_delete=models.CASCADE, related_name="care_flags")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=10, choices=CareCategory.choices)
    since = models.DateField(_("since"))
    followed_by = models.CharField(_("followed by"), max_length=50)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("care flag")
        verbose_name_plural = _("care flags")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "category"],
                condition=Q(ended_on__isnull=True),
                name="assistance_one_active_flag",
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class CareFollowUp(models.Model):
    flag = models.ForeignKey(CareFlag, on_delete=models.CASCADE, related_name="follow_ups")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("date"))
    note = models.CharField(_("what was found and done"), max_length=500)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-day"]
        verbose_name = _("care follow-up")
        verbose_name_plural = _("care follow-ups")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"
