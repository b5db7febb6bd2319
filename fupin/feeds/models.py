"""Department feeds (部门筛查数据): what medical insurance, civil affairs, education, housing,
the disability federation, human resources, emergency management and public security send.

Every source's rows land in one typed table, ``FeedRecord``, so a screening rule reads one
shape whatever the source (the per-source upload columns and how they map onto these fields are
declared in ``feeds.schemas``). ID numbers arrive in the upload and leave it as the platform's
keyed hash: the raw number is never stored. A row that matches no registered person is kept
(household empty) and counted in its batch's report; a later registration can still match it.

Nothing is counted twice: a batch whose content was received before is kept as DUPLICATE with
no records, and a row identical to one already stored (its ``fingerprint``) is counted as
repeated and not stored again, so overlapping monthly pulls add only what is new.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Source(models.TextChoices):
    MEDICAL = "medical", _("medical insurance")
    CIVIL_AFFAIRS = "civil_affairs", _("civil affairs")
    EDUCATION = "education", _("education")
    HOUSING = "housing", _("housing and construction")
    DISABILITY = "disability", _("disability federation")
    HUMAN_RESOURCES = "human_resources", _("human resources and social security")
    EMERGENCY = "emergency", _("emergency management")
    PUBLIC_SECURITY = "public_security", _("public security")


class EventKind(models.TextChoices):
    """What one feed row reports. A source sends one or more of these kinds."""

    HOSPITAL_STAY = "hospital_stay", _("hospital stay (out of pocket after the three layers)")
    YEARLY_OUT_OF_POCKET = "yearly_oop", _("yearly out-of-pocket medical spending")
    ASSISTANCE_STATUS = "assistance", _("minimum allowance / destitute / marginal status")
    DROPOUT = "dropout", _("school dropout")
    STUDENT_AID = "student_aid", _("student aid")
    HOUSE_RATING = "house_rating", _("house safety rating")
    DISABILITY_CERTIFICATE = "disability", _("disability certificate")
    UNEMPLOYMENT = "unemployment", _("unemployment")
    PENSION = "pension", _("pension")
    DISASTER_LOSS = "disaster_loss", _("disaster loss")
    DEATH = "death", _("death")


class FeedBatch(models.Model):
    """One upload (or API call) by a department: its match report lives here."""

    class Status(models.TextChoices):
        # Its own context: "received" is also the self-report's 受理时间 (a time, not a state).
        RECEIVED = "received", pgettext_lazy("feed status", "received")
        DONE = "done", _("done")
        DUPLICATE = "duplicate", _("already received")
        REFUSED = "refused", _("refused")

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    # The sender's area: a county medical-insurance office sends for its county.
    area_code = models.CharField(_("area code"), max_length=15, db_index=True)
    # What the rows are about, e.g. "2024" or "2024-03"; part of how a re-send is recognised.
    period = models.CharField(_("period"), max_length=7)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    # SHA-256 over the normalised rows (ID numbers already hashed): the same content sent again
    # for the same source is recognised and not counted twice.
    content_hash = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_matched = models.PositiveIntegerField(_("matched"), default=0)
    rows_unmatched = models.PositiveIntegerField(_("not matched"), default=0)
    rows_invalid = models.PositiveIntegerField(_("invalid"), default=0)
    # Rows already stored from an earlier batch (or earlier in this one): not stored again.
    rows_repeated = models.PositiveIntegerField(_("already received"), default=0)
    # Row numbers and reasons of invalid rows, and row numbers of unmatched ones (never IDs).
    report = models.JSONField(_("report"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # For a DUPLICATE batch: the batch that first brought the same content.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("same as")
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("feed batch")
        verbose_name_plural = _("feed batches")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "content_hash"],
                condition=~Q(status="duplicate") & ~Q(status="refused"),
                name="one_batch_per_content",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.period} #{self.pk}"


class FeedRecord(models.Model):
    """One reported event about one person, in the shape every rule reads."""

    batch = models.ForeignKey(FeedBatch, on_delete=models.CASCADE, related_name="records")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    person_hash = models.CharField(max_length=64, db_index=True)
    # Filled when the hash matches a registered member; empty rows are the unmatched ones.
    member = models.ForeignKey(
        "registry.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="feed_records"
    )
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.SET_NULL, related_name="feed_records"
    )
    # The household's area when matched (for scoping), else the batch's.
    area_code = models.CharField(_("area code"), max_length=15, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"))
    event_date = models.DateField(_("date"), null=True, blank=True)
    # Money: out-of-pocket spending, disaster loss, aid received (yuan).
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    # A coded value: house rating A–D, dibao/tekun/marginal, disability grade, ...
    code = models.CharField(_("code"), max_length=20, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    # SHA-256 over the row as stored (kind, person hash, year, date, amount, code, detail): the
    # same event sent again, in another batch or another period's pull, is one record.
    fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["batch_id", "id"]
        verbose_name = _("feed record")
        verbose_name_plural = _("feed records")
        indexes = [models.Index(fields=["household", "kind", "year"])]
        constraints = [models.UniqueConstraint(fields=["source", "fingerprint"], name="one_record_per_event")]

    def __str__(self) -> str:
        return f"{self.source}/{self.kind} {self.year}"


class ProviderDepartment(models.Model):
    """A department a provider account sends for (医保局, 民政局 …). An account sends only its
    own departments' feeds, so one department cannot inject another's facts (a 公安 death
    record, a 民政 benefit stop). One account may send for several (a county data office)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_departments"
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    bound_at = models.DateTimeField(_("bound"), auto_now_add=True)

    class Meta:
        ordering = ["user_id", "source"]
        verbose_name = _("provider department")
        verbose_name_plural = _("provider departments")
        constraints = [
            models.UniqueConstraint(fields=["user", "source"], name="one_binding_per_user_and_source")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.source}"
