"""Alerts (风险预警): a household that may fall (back) into poverty, found by one of the three
channels of domain.md §5, waiting to be visited and decided on within the time limits.

One alert per household, rule and period: a screening re-run finds the same alert again and
changes nothing. Rows are written only by ``alerts.actions`` (and the screening loader,
``alerts.raising.record_screening_alerts``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    SCREENING = "screening", _("department screening")
    CADRE_CHECK = "cadre_check", _("cadre check")
    SELF_REPORT = "self_report", _("self-report")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("waiting for a home visit")
    VISITED = "visited", _("visited, waiting for a decision")
    CASE_STARTED = "case_started", _("monitoring case started")
    DISMISSED = "dismissed", _("dismissed")


class Alert(models.Model):
    # Empty only for a self-report by someone the registry does not hold yet: the village
    # still has to visit them (all rural residents are monitored, domain.md §5).
    household = models.ForeignKey(
        "registry.Household",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name=_("household"),
    )
    # Copied from the household so scoping is one indexed prefix range.
    area_code = models.CharField(_("area code"), max_length=15, db_index=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    # The screening rule's key; "cadre_check" or "self_report" for the other channels.
    rule = models.CharField(_("rule"), max_length=40)
    # What the alert is about: "2024", "2024-03" or a day "2024-03-05" for reports.
    period = models.CharField(_("period"), max_length=10)
    summary = models.CharField(_("summary"), max_length=300)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)
    visit_due = models.DateField(_("home visit due"))
    decision_due = models.DateField(_("identification due"))
    visited_at = models.DateTimeField(_("visited"), null=True, blank=True)
    visit_notes = models.CharField(_("visit notes"), max_length=1000, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    dismiss_reason = models.CharField(_("reason for dismissal"), max_length=500, blank=True)
    # Why the village decided to start a monitoring case: the case's reason once such cases exist.
    decision_notes = models.CharField(_("decision notes"), max_length=500, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )

    class Meta:
        ordering = ["visit_due", "id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [models.Index(fields=["area_code", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["household", "rule", "period"], name="one_alert_per_rule_period"),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(dismiss_reason=""), name="dismissed_alert_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.period} #{self.pk}"


class SelfReport(models.Model):
    """农户自主申报 through the public page. The ID number is kept encrypted (the village needs
    it to find the family) with its keyed hash for the rate limit and for matching."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    id_number_enc = models.TextField()
    id_number_hash = models.CharField(max_length=64, db_index=True)
    phone_enc = models.TextField()
    phone_masked = models.CharField(_("phone"), max_length=20)
    village_code = models.CharField(_("village"), max_length=15, db_index=True)
    what_happened = models.CharField(_("what happened"), max_length=1000)
    # Keyed hash of the sender's address: enough to rate-limit, not a log of who asked.
    client_hash = models.CharField(max_length=64, db_index=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Past the per-ID daily limit: taken (a limit that refused would let anyone silence a
    # person by sending reports in their name), but the village is told to check it.
    needs_review = models.BooleanField(_("to be checked"), default=False)
    # Past the village's daily cap: no alert yet; the township reads it and may raise one.
    queued = models.BooleanField(_("waiting for the township"), default=False, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("self-report")
        verbose_name_plural = _("self-reports")

    def __str__(self) -> str:
        return f"{self.village_code} {self.received_at:%Y-%m-%d}"


class UsedChallenge(models.Model):
    """The question of the public page's challenge once answered: a second use is refused, so
    one solved question cannot be replayed for a flood (``alerts.challenge``)."""

    nonce = models.CharField(max_length=32, primary_key=True)
    used_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.nonce


class ReportThrottle(models.Model):
    """One row per rate-limit key of the public self-report page (the keyed hash of a sender's
    address or of an ID number). A report locks its keys' rows while it counts the recent
    reports and adds its own, so a burst of simultaneous reports cannot all slip under the
    limit together: PostgreSQL has no row to lock before the first report exists."""

    key = models.CharField(max_length=80, primary_key=True)

    def __str__(self) -> str:
        return self.key
