"""Village work teams (驻村工作队) and first secretaries (第一书记), domain.md §7.

一日一签到、一周一总结、一月一计划、一年一考核: the daily check-in, the weekly summary, the
monthly plan and the yearly assessment are rows here; leave, spot checks and recall proposals
are what the organisation department manages them by. Every row carries the team's village in
``area`` so "inside my area" needs no join.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WorkTeam(models.Model):
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="work_teams", verbose_name=_("village")
    )
    lead_unit = models.ForeignKey(
        "party.Unit", on_delete=models.PROTECT, related_name="work_teams", verbose_name=_("lead sending unit")
    )
    started_on = models.DateField(_("started on"))
    term_ends_on = models.DateField(_("term ends on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["area_id", "-started_on"]
        verbose_name = _("work team")
        verbose_name_plural = _("work teams")
        constraints = [
            models.UniqueConstraint(
                fields=["area"], condition=Q(ended_on__isnull=True), name="teams_one_active_per_village"
            ),
            models.CheckConstraint(
                condition=Q(term_ends_on__gt=models.F("started_on")), name="teams_term_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.started_on:%Y}"


class TeamRole(models.TextChoices):
    FIRST_SECRETARY = "first_secretary", _("first secretary")
    LEADER = "leader", _("team leader")
    MEMBER = "member", _("team member")


class TeamMember(models.Model):
    team = models.ForeignKey(
        WorkTeam, on_delete=models.PROTECT, related_name="members", verbose_name=_("team")
    )
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    # The member's own login, so the phone page knows whose check-in it is.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_memberships",
        verbose_name=_("login"),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    unit = models.ForeignKey(
        "party.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("sending unit")
    )
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices, default=TeamRole.MEMBER)
    term_starts_on = models.DateField(_("term starts on"))
    term_ends_on = models.DateField(_("term ends on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    recalled = models.BooleanField(_("recalled"), default=False)

    class Meta:
        ordering = ["team_id", "role", "name"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(left_on__isnull=True), name="teams_user_one_active_team"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CheckIn(models.Model):
    """一日一签到: one per person per day."""

    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="check_ins")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    at = models.DateTimeField(_("time"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [models.UniqueConstraint(fields=["member", "day"], name="teams_one_check_in_a_day")]
        indexes = [models.Index(fields=["area", "day"])]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class ReportKind(models.TextChoices):
    WEEKLY_SUMMARY = "week", _("weekly summary")
    MONTHLY_PLAN = "month", _("monthly plan")


class WorkReport(models.Model):
    """一周一总结 (period starts on the Monday) and 一月一计划 (period starts on the 1st).

    Editable by its author until someone reviews it."""

    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="reports")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=5, choices=ReportKind.choices)
    period_start = models.DateField(_("period starts"))
    text = models.TextField(_("text"))
    submitted_at = models.DateTimeField(_("submitted at"), auto_now=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.CharField(_("review note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("work report")
        verbose_name_plural = _("work reports")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind", "period_start"], name="teams_one_report_a_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    CANCELLED = "cancelled", _("cancelled")


class LeaveRequest(models.Model):
    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="leave_requests")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    days = models.PositiveSmallIntegerField(_("days"))
    reason = models.CharField(_("reason"), max_length=300)
    # 4: the township party committee approves; 3: the county organisation department.
    approver_level = models.PositiveSmallIntegerField(_("approved at level"))
    status = models.CharField(
        _("status"), max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.PENDING
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-first_day"]
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")), name="teams_leave_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class SpotCheck(models.Model):
    """An unannounced check (抽查) that found the member in the village or not."""

    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="spot_checks")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    present = models.BooleanField(_("present"))
    excused = models.BooleanField(_("absent with approved reason"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-day"]
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        constraints = [models.UniqueConstraint(fields=["member", "day"], name="teams_one_spot_check_a_day")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("excellent")
    COMPETENT = "competent", _("competent")
    BASIC = "basic", _("basically competent")
    UNFIT = "unfit", _("not competent")


class YearlyAssessment(models.Model):
    """一年一考核: half-year and year-end scores, weighted, and the grade given."""

    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="assessments")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    half_year_score = models.DecimalField(_("half-year score"), max_digits=5, decimal_places=2)
    year_end_score = models.DecimalField(_("year-end score"), max_digits=5, decimal_places=2)
    total = models.DecimalField(_("weighted score"), max_digits=5, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField(_("graded at"), auto_now=True)

    class Meta:
        ordering = ["-year", "-total"]
        verbose_name = _("yearly assessment")
        verbose_name_plural = _("yearly assessments")
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="teams_one_assessment_a_year")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class RecallTrigger(models.TextChoices):
    LEAVE = "leave", _("leave over the yearly limit")
    UNFIT = "unfit", _("graded not competent")
    ABSENCE = "absence", _("repeatedly absent at spot checks")
    ATTENDANCE = "attendance", _("too few days in the village")


class RecallStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    RECALLED = "recalled", _("recalled")
    KEPT = "kept", _("kept on")


class RecallProposal(models.Model):
    """召回: proposed by the system when a rule trips, decided by the organisation department."""

    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="recall_proposals")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    trigger = models.CharField(_("trigger"), max_length=10, choices=RecallTrigger.choices)
    evidence = models.JSONField(_("evidence"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=RecallStatus.choices, default=RecallStatus.PROPOSED
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("recall proposal")
        verbose_name_plural = _("recall proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year", "trigger"], name="teams_one_proposal_per_trigger"
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"
