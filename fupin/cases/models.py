"""Cases: the only way a household enters (识别纳入) or leaves (退出) the register, or enters
(纳入监测) or leaves (风险消除) monitoring against return to poverty.

A case walks a fixed path of steps (``workflow.path_of``); the case row holds where it is, and
every act on it leaves a ``CaseStep`` row (the timeline) and an audit entry. Rows are written
only by ``cases.actions``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.registry.choices import EliminationWay, MonitoringCategory, RiskType


class Kind(models.TextChoices):
    IDENTIFICATION = "identification", _("identification")
    EXIT = "exit", _("exit")
    MONITORING = "monitoring", _("monitoring inclusion")
    ELIMINATION = "elimination", _("risk elimination")


class Origin(models.TextChoices):
    APPLICATION = "application", _("household application")
    NOMINATION = "nomination", _("village nomination")
    # The other two discovery channels of monitoring (domain.md §5); a household's own
    # report (农户自主申报) is an application.
    CADRE_CHECK = "cadre_check", _("cadre check")
    SCREENING = "screening", _("department screening")


class Status(models.TextChoices):
    OPEN = "open", _("open")
    COMPLETED = "completed", _("completed")
    REJECTED = "rejected", _("rejected")


class Step(models.TextChoices):
    VERIFICATION = "verification", _("home verification")
    AUTHORISATION = "authorisation", _("household authorisation")
    COMPARISON = "comparison", _("data comparison")
    REVIEW = "review", _("democratic review")
    CONSENT = "consent", _("household consent")
    FIRST_NOTICE = "notice1", _("village notice")
    TOWNSHIP_REVIEW = "township", _("township review")
    SECOND_NOTICE = "notice2", _("second village notice")
    COUNTY_APPROVAL = "county", _("county approval")
    ANNOUNCEMENT = "announcement", _("announcement")
    TAGGING = "tagging", _("entry and tagging")
    DONE = "done", _("done")


class Decision(models.TextChoices):
    STARTED = "started", _("case opened")
    DONE = "done", _("done")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    POSTED = "posted", _("notice posted")
    CLOSED = "closed", _("notice closed")
    OBJECTION = "objection", _("objection recorded")
    ANSWERED = "answered", _("objection answered")
    OVERRIDDEN = "overridden", _("rule overridden")
    ATTACHED = "attached", _("file attached")


class Case(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # No action deletes a household; only a demo rebuild removes its own, and its cases go too.
    household = models.ForeignKey(
        "registry.Household", on_delete=models.CASCADE, related_name="cases", verbose_name=_("household")
    )
    # Copied from the household so every scoping query is one indexed prefix range.
    area_code = models.CharField(_("area code"), max_length=15, db_index=True)
    origin = models.CharField(_("origin"), max_length=12, choices=Origin.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    step = models.CharField(_("step"), max_length=14, choices=Step.choices)
    year = models.PositiveSmallIntegerField(_("work year"))
    reason = models.CharField(_("reason"), max_length=300)
    # The local exit path is fixed when the case starts, so a later change of the area's
    # settings cannot move a case that is already half way.
    needs_township_review = models.BooleanField(_("township review required"), default=True)
    needs_county_approval = models.BooleanField(_("county approval required"), default=True)
    consent_name = models.CharField(_("consent given by"), max_length=50, blank=True)
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    # Monitoring (domain.md §5). Kept on the case, like the exit consent, rather than in a
    # related row: each is one value per case, set by the same conditional update that claims
    # the step (so a concurrent act cannot leave a step taken without its record), checked
    # against the kind by the constraints below, and read in every list of monitored
    # households without a join. Only the risk types, a list, have rows of their own.
    authorised_name = models.CharField(_("authorisation signed by"), max_length=50, blank=True)
    authorised_on = models.DateField(_("authorisation signed on"), null=True, blank=True)
    comparison_findings = models.CharField(_("data comparison findings"), max_length=1000, blank=True)
    category = models.CharField(
        _("monitoring category"), max_length=10, choices=MonitoringCategory.choices, blank=True
    )
    elimination_way = models.CharField(
        _("way of elimination"), max_length=10, choices=EliminationWay.choices, blank=True
    )
    # The 15-day limit from the first risk clue to completed identification (domain.md §5),
    # monitoring inclusion only: the clue is the alert's date when the case came from one, else
    # the day the case opened (the application). Fixed at opening, like the exit path, so a later
    # change of the area's limit does not move a running clock.
    first_clue_on = models.DateField(_("first risk clue on"), null=True, blank=True)
    identification_due = models.DateField(_("identification due"), null=True, blank=True)
    rejection_reason = models.CharField(_("rejection reason"), max_length=300, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    step_since = models.DateTimeField(_("at this step since"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["area_code", "status", "step"])]
        constraints = [
            # One open case per household: two would race to change the same status.
            models.UniqueConstraint(
                fields=["household"], condition=Q(status="open"), name="one_open_case_per_household"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""), name="rejected_case_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(category="") | Q(kind="monitoring"), name="category_only_on_monitoring"
            ),
            models.CheckConstraint(
                condition=Q(elimination_way="") | Q(kind="elimination"), name="way_only_on_elimination"
            ),
            # A household tagged as monitored has its category; one tagged eliminated, its way.
            models.CheckConstraint(
                condition=~Q(kind="monitoring", status="completed") | ~Q(category=""),
                name="completed_monitoring_has_category",
            ),
            models.CheckConstraint(
                condition=~Q(kind="elimination", status="completed") | ~Q(elimination_way=""),
                name="completed_elimination_has_way",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def identification_late_on(self, today: dt.date) -> bool:
        """Past the 15-day limit as of ``today``: still open after the due day, or tagged after
        it. ``cases.queries.identification_late`` is the same rule as a query."""
        if self.identification_due is None or self.status == Status.REJECTED:
            return False
        if self.status == Status.OPEN:
            return self.identification_due < today
        done = timezone.localdate(self.closed_at) if self.closed_at else today
        return self.identification_due < done


class CaseStep(models.Model):
    """One act on a case: the timeline a reviewer reads. Appended, never edited."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=14, choices=Step.choices)
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    remarks = models.CharField(_("remarks"), max_length=500, blank=True)

    class Meta:
        ordering = ["case_id", "at", "id"]
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")

    def __str__(self) -> str:
        return f"{self.case_id} {self.step} {self.decision}"


class Verification(models.Model):
    """入户核实: what the verifier found at the house. The exclusion flags (domain.md §1.4) live
    here because the registry has no such fields: they are findings of this visit."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="verification")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified"), auto_now_add=True)
    public_funds_member = models.BooleanField(
        _("a member is paid from public funds or is a village cadre"), default=False
    )
    non_productive_vehicle = models.BooleanField(_("owns a non-productive vehicle"), default=False)
    commercial_housing = models.BooleanField(_("owns commercial housing"), default=False)
    runs_business = models.BooleanField(_("runs a business or employs labour long-term"), default=False)
    policies_effective = models.BooleanField(_("assistance policies have taken effect"), default=True)
    # Risk elimination (domain.md §5): large unavoidable spending (刚性支出) must be resolved.
    spending_resolved = models.BooleanField(
        _("large unavoidable spending is resolved or under control"), default=True
    )
    remarks = models.CharField(_("remarks"), max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.case_id} verification"


class ReviewMeeting(models.Model):
    """民主评议: the village representatives' meeting, its attendance and votes."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="meeting")
    held_on = models.DateField(_("held on"))
    representatives_total = models.PositiveSmallIntegerField(_("representatives"))
    representatives_present = models.PositiveSmallIntegerField(_("present"))
    votes_for = models.PositiveSmallIntegerField(_("for"))
    votes_against = models.PositiveSmallIntegerField(_("against"))
    votes_abstain = models.PositiveSmallIntegerField(_("abstaining"))
    quorum = models.CharField(_("quorum"), max_length=10)
    passed = models.BooleanField(_("passed"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    representatives_present__lte=F("representatives_total"), representatives_total__gte=1
                ),
                name="meeting_present_le_total",
            ),
            models.CheckConstraint(
                condition=Q(
                    votes_for__lte=F("representatives_present") - F("votes_against") - F("votes_abstain")
                ),
                name="meeting_votes_le_present",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} meeting {self.held_on}"


class Notice(models.Model):
    """公示: posted in the village; may close only on or after ``ends_on`` with every objection
    answered."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    round = models.PositiveSmallIntegerField(_("round"))
    starts_on = models.DateField(_("posted on"))
    ends_on = models.DateField(_("may close on"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["case_id", "round"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="one_notice_per_round"),
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="notice_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} notice {self.round}"

    # The one definition of a notice's period, read by the case page, the printed notice and
    # the timeline alike: ``days`` whole days from the day it is posted, so its last day is the
    # day before ``ends_on`` and it may close from ``ends_on`` on. (Shown differently in three
    # places before, a 7-day notice read as 8 days on the page.)
    @property
    def first_day(self) -> dt.date:
        return self.starts_on

    @property
    def last_day(self) -> dt.date:
        return self.ends_on - dt.timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days

    @property
    def period(self) -> str:
        return notice_period_text(self.first_day, self.last_day)


def notice_ends_on(starts_on: dt.date, days: int) -> dt.date:
    """The first day a notice of ``days`` days posted on ``starts_on`` may close."""
    return starts_on + dt.timedelta(days=days)


def notice_period_text(first_day: dt.date, last_day: dt.date) -> str:
    return f"{first_day.isoformat()} – {last_day.isoformat()}"


class Objection(models.Model):
    """异议 raised during a notice; the case cannot move on until it is answered."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="objections")
    raised_by = models.CharField(_("raised by"), max_length=50)
    content = models.CharField(_("objection"), max_length=1000)
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.CharField(_("answer"), max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["notice_id", "raised_at", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"{self.notice_id} {self.raised_by}"


class RuleCheck(models.Model):
    """A rule's latest result for the case, with its evidence, and a reviewer's override."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rule_checks")
    rule = models.CharField(_("rule"), max_length=40)
    passed = models.BooleanField(_("passed"))
    evidence = models.JSONField(_("evidence"), default=dict)
    checked_at = models.DateTimeField(_("checked"), auto_now=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    override_reason = models.CharField(_("override reason"), max_length=500, blank=True)
    overridden_at = models.DateTimeField(_("overridden"), null=True, blank=True)

    class Meta:
        ordering = ["case_id", "id"]
        verbose_name = _("rule check")
        verbose_name_plural = _("rule checks")
        constraints = [models.UniqueConstraint(fields=["case", "rule"], name="one_check_per_case_rule")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.rule}"

    @property
    def overridden(self) -> bool:
        return bool(self.override_reason)


class CaseRiskType(models.Model):
    """One of a monitoring case's risk types (致贫/返贫风险1..5). Rows, not a JSON list, so the
    database itself holds "at most five, none twice", and counts by risk type are one query."""

    MAX = 5

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_types")
    risk = models.CharField(_("risk type"), max_length=12, choices=RiskType.choices)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["case_id", "position"]
        verbose_name = _("risk type")
        verbose_name_plural = _("risk types")
        constraints = [
            models.UniqueConstraint(fields=["case", "risk"], name="one_risk_type_once_per_case"),
            models.UniqueConstraint(fields=["case", "position"], name="one_risk_type_per_position"),
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=5), name="risk_type_position_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.position}: {self.risk}"


def _files() -> FileSystemStorage:
    # Resolved when used, so tests and deployments can point FUPIN_FILES_DIR elsewhere.
    return FileSystemStorage(location=settings.FUPIN_FILES_DIR)


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    step = models.CharField(_("step"), max_length=14, choices=Step.choices)
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/", storage=_files, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["case_id", "uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
