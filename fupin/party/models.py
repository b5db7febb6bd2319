"""Party organisations (党组织) and the people and units around them (domain.md §0).

An organisation sits in one area (a village branch in its village, a township committee in its
township, a county bureau's branch in the county) and is scoped by that area like everything
else. A joint party committee (联合党委) also lists the villages it covers. Units (帮扶单位 /
派出单位) are the departments, enterprises and institutions that pair with villages and send
work teams; their own party organisations point at them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fupin.registry.choices import Education, Gender


class UnitKind(models.TextChoices):
    PARTY_GOVERNMENT = "party_gov", _("party or government office")
    DEPARTMENT = "department", _("government department")
    INSTITUTION = "institution", _("public institution")
    SCHOOL = "school", _("school")
    HOSPITAL = "hospital", _("hospital")
    ENTERPRISE = "enterprise", _("state-owned or private enterprise")
    OTHER = "other", _("other")


class Unit(models.Model):
    """A unit that pairs with a village (单位包村) and sends cadres and work teams."""

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="units", verbose_name=_("area")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["area_id", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="party_unit_unique_name")]

    def __str__(self) -> str:
        return self.name


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("party committee")
    JOINT_COMMITTEE = "joint", _("joint party committee")
    GENERAL_BRANCH = "general", _("general party branch")
    BRANCH = "branch", _("party branch")


class OrgSetting(models.TextChoices):
    """Where the organisation is built (产业链上建支部, 合作社里建支部 …)."""

    VILLAGE = "village", _("village")
    TOWNSHIP = "township", _("township")
    COMMUNITY = "community", _("relocation community")
    COOPERATIVE = "cooperative", _("cooperative")
    ENTERPRISE = "enterprise", _("enterprise")
    INDUSTRY_CHAIN = "chain", _("industry chain")
    UNIT = "unit", _("government unit")


class Organisation(models.Model):
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="party_organisations", verbose_name=_("area")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=OrgKind.choices, default=OrgKind.BRANCH)
    setting = models.CharField(
        _("built in"), max_length=12, choices=OrgSetting.choices, default=OrgSetting.VILLAGE
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("higher organisation"),
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("unit"),
    )
    # A joint party committee's villages (联合党委 over neighbouring villages).
    villages = models.ManyToManyField(
        "areas.Area", blank=True, related_name="joint_organisations", verbose_name=_("villages covered")
    )
    secretary_name = models.CharField(_("secretary"), max_length=50, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["area_id", "name"]
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="party_org_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class LinkKind(models.TextChoices):
    STRONG_WEAK = "strong_weak", _("strong with weak")
    SAME_INDUSTRY = "industry", _("same industry")
    SAME_AREA = "area", _("same area")
    CHAIN = "chain", _("along an industry chain")
    URBAN_RURAL = "urban_rural", _("urban unit with village")


class Linkage(models.Model):
    """Two organisations built together (组织联建); ``first`` is the leading (strong, urban) one."""

    first = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="links_led",
        verbose_name=_("leading organisation"),
    )
    second = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="links_joined",
        verbose_name=_("linked organisation"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=LinkKind.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-started_on", "pk"]
        verbose_name = _("organisation linkage")
        verbose_name_plural = _("organisation linkages")
        constraints = [
            models.CheckConstraint(condition=~Q(first=models.F("second")), name="party_link_two_orgs"),
            models.UniqueConstraint(
                fields=["first", "second", "kind"],
                condition=Q(ended_on__isnull=True),
                name="party_link_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class MemberStatus(models.TextChoices):
    FULL = "full", _("full member")
    PROBATIONARY = "probationary", _("probationary member")
    ACTIVIST = "activist", _("activist applying to join")
    TRANSFERRED = "transferred", _("transferred out")
    DECEASED = "deceased", _("deceased")


class PartyMember(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="members", verbose_name=_("organisation")
    )
    # Kept on the row so scoping never needs a join through the organisation.
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="party_members", verbose_name=_("area")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    education = models.CharField(_("education"), max_length=12, choices=Education.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MemberStatus.choices, default=MemberStatus.FULL
    )
    post = models.CharField(_("post"), max_length=50, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    # The villager in the household file, when the member lives in a registered household.
    registry_member = models.ForeignKey(
        "registry.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_records",
        verbose_name=_("household member"),
    )

    class Meta:
        ordering = ["organisation_id", "name", "pk"]
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        indexes = [models.Index(fields=["area", "status"])]

    def __str__(self) -> str:
        return self.name


class CadrePost(models.TextChoices):
    SECRETARY = "secretary", _("branch secretary")
    DIRECTOR = "director", _("village committee director")
    SECRETARY_DIRECTOR = "both", _("secretary and director")
    COMMITTEE = "committee", _("committee member")
    ACCOUNTANT = "accountant", _("accountant")
    GROUP_LEADER = "group_leader", _("group leader")
    RESERVE = "reserve", _("reserve cadre")
    OTHER = "other", _("other")


class Cadre(models.Model):
    """A village cadre's profile (村干部), used to decide who is trained, replaced or groomed."""

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="cadres", verbose_name=_("area")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="cadres", verbose_name=_("unit")
    )
    post = models.CharField(_("post"), max_length=12, choices=CadrePost.choices)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    education = models.CharField(_("education"), max_length=12, choices=Education.choices)
    party_member = models.BooleanField(_("party member"), default=True)
    reserve = models.BooleanField(_("reserve cadre"), default=False)
    last_trained_on = models.DateField(_("last trained on"), null=True, blank=True)
    left_on = models.DateField(_("left the post on"), null=True, blank=True)

    class Meta:
        ordering = ["area_id", "post", "name"]
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")

    def __str__(self) -> str:
        return self.name


class RatingClass(models.TextChoices):
    """三分类: each class is to move up one (三升级)."""

    ADVANCED = "advanced", _("advanced")
    MIDDLE = "middle", _("middle")
    LAGGING = "lagging", _("lagging")


class Rating(models.Model):
    """One organisation's yearly rating: five-star (五星党组织) and class, and the weak list."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("organisation")
    )
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    year = models.PositiveSmallIntegerField(_("year"))
    stars = models.PositiveSmallIntegerField(_("stars"))
    rating_class = models.CharField(_("class"), max_length=10, choices=RatingClass.choices)
    weak = models.BooleanField(_("weak and lax"), default=False)
    rectification = models.TextField(_("rectification measures"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rated_at = models.DateTimeField(_("rated at"), auto_now=True)

    class Meta:
        ordering = ["-year", "organisation_id"]
        verbose_name = _("organisation rating")
        verbose_name_plural = _("organisation ratings")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="party_rating_one_a_year"),
            models.CheckConstraint(condition=Q(stars__lte=5), name="party_rating_stars_0_5"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"
