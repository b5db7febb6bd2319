"""Mutual-aid groups (互助五兴), seed 003: a party member or activist leads about five
neighbouring households; activities are logged under the five 兴; each year the group is scored
by four sources and given stars, and each household gets its own star rating.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LeaderKind(models.TextChoices):
    PARTY_MEMBER = "party_member", _("party member")
    ACTIVIST = "activist", _("activist")


class AidGroup(models.Model):
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="aid_groups", verbose_name=_("village")
    )
    name = models.CharField(_("name"), max_length=60)
    leader_name = models.CharField(_("leader"), max_length=50)
    leader_kind = models.CharField(_("leader is"), max_length=12, choices=LeaderKind.choices)
    leader_party_member = models.ForeignKey(
        "party.PartyMember",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="aid_groups",
        verbose_name=_("leader's party record"),
    )
    formed_on = models.DateField(_("formed on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    class Meta:
        ordering = ["area_id", "name"]
        verbose_name = _("mutual-aid group")
        verbose_name_plural = _("mutual-aid groups")
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="mutualaid_group_unique_name")]

    def __str__(self) -> str:
        return self.name


class GroupHousehold(models.Model):
    """A household belongs to at most one group at a time (双向选择, 居住相邻)."""

    group = models.ForeignKey(AidGroup, on_delete=models.CASCADE, related_name="memberships")
    household = models.ForeignKey(
        "registry.Household", on_delete=models.CASCADE, related_name="aid_memberships"
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("group household")
        verbose_name_plural = _("group households")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(left_on__isnull=True),
                name="mutualaid_one_group_per_household",
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class FiveKind(models.TextChoices):
    STUDY = "study", _("study together, raise thinking")
    PRODUCTION = "production", _("produce together, raise industry")
    CIVILITY = "civility", _("customs together, raise civility")
    HARMONY = "harmony", _("neighbours together, raise harmony")
    GREEN = "green", _("green together, raise the homeland")


class Activity(models.Model):
    group = models.ForeignKey(AidGroup, on_delete=models.CASCADE, related_name="activities")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=12, choices=FiveKind.choices)
    description = models.CharField(_("what was done"), max_length=500)
    households = models.PositiveSmallIntegerField(_("households taking part"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = _("group activity")
        verbose_name_plural = _("group activities")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class EvaluationSource(models.TextChoices):
    SELF = "self", _("leader's self-assessment")
    PEERS = "peers", _("assessment by other groups")
    REPRESENTATIVES = "representatives", _("party-member and resident representatives")
    VILLAGE = "village", _("village party organisation")


class Evaluation(models.Model):
    group = models.ForeignKey(AidGroup, on_delete=models.CASCADE, related_name="evaluations")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=16, choices=EvaluationSource.choices)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("group evaluation")
        verbose_name_plural = _("group evaluations")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "year", "source"], name="mutualaid_one_score_per_source"
            ),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="mutualaid_score_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class HouseholdStar(models.Model):
    """农户思想道德星级化评定, with the titles the seeds name."""

    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="star_ratings")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    stars = models.PositiveSmallIntegerField(_("stars"))
    party_star = models.BooleanField(_("party-member star"), default=False)
    five_good_family = models.BooleanField(_("five-good family"), default=False)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("household star rating")
        verbose_name_plural = _("household star ratings")
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="mutualaid_one_star_rating_a_year"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="mutualaid_stars_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"
