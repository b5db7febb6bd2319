"""The household file (建档立卡): households, members, yearly incomes and conditions, status history.

Personal data is stored as ciphertext (``*_enc``) with a keyed hash (``*_hash``) for uniqueness
and matching, and a masked form (``*_masked``) for display; the plain value is never stored.
Rows are written only by ``registry.actions``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fupin.registry import choices as c

MONEY = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0")}
AREA_MU = {"max_digits": 10, "decimal_places": 2, "null": True, "blank": True}


class Household(models.Model):
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="households", verbose_name=_("village or group")
    )
    number = models.CharField(_("household number"), max_length=24, unique=True)
    head_name = models.CharField(_("head of household"), max_length=50, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=c.HouseholdStatus.choices,
        default=c.HouseholdStatus.NONE,
        db_index=True,
    )
    standard = models.CharField(
        _("identification standard"), max_length=12, choices=c.Standard.choices, blank=True
    )
    household_type = models.CharField(
        _("household type"), max_length=12, choices=c.HouseholdType.choices, blank=True
    )
    main_cause = models.CharField(
        _("main cause of poverty"), max_length=12, choices=c.Cause.choices, blank=True
    )
    other_causes = models.JSONField(_("other causes"), default=list, blank=True)
    registered_year = models.PositiveSmallIntegerField(_("year registered"), null=True, blank=True)
    exit_year = models.PositiveSmallIntegerField(_("year exited"), null=True, blank=True)
    phone_enc = models.TextField(blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    bank_name = models.CharField(_("bank"), max_length=60, blank=True)
    bank_account_enc = models.TextField(blank=True)
    bank_account_masked = models.CharField(_("bank account"), max_length=40, blank=True)
    family_planning = models.BooleanField(_("family-planning household"), default=False)
    military_family = models.BooleanField(_("military or martyr family"), default=False)
    # Living conditions (生产生活条件)
    cultivated_land_mu = models.DecimalField(_("cultivated land (mu)"), **AREA_MU)
    irrigated_land_mu = models.DecimalField(_("irrigated land (mu)"), **AREA_MU)
    forest_land_mu = models.DecimalField(_("forest land (mu)"), **AREA_MU)
    returned_farmland_mu = models.DecimalField(_("farmland returned to forest (mu)"), **AREA_MU)
    orchard_mu = models.DecimalField(_("orchard (mu)"), **AREA_MU)
    pasture_mu = models.DecimalField(_("pasture (mu)"), **AREA_MU)
    water_surface_mu = models.DecimalField(_("water surface (mu)"), **AREA_MU)
    in_cooperative = models.BooleanField(_("member of a cooperative"), default=False)
    production_power = models.BooleanField(_("power for production"), default=True)
    living_power = models.BooleanField(_("power for living"), default=True)
    road_distance_km = models.DecimalField(
        _("distance to main village road (km)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    road_type = models.CharField(
        _("road to the house"), max_length=10, choices=c.RoadType.choices, blank=True
    )
    housing_area_m2 = models.DecimalField(
        _("housing area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    housing_structure = models.CharField(
        _("housing structure"), max_length=12, choices=c.HousingStructure.choices, blank=True
    )
    housing_built_year = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    dangerous_house = models.BooleanField(_("dangerous house"), default=False)
    water_difficult = models.BooleanField(_("difficulty getting drinking water"), default=False)
    water_safe = models.BooleanField(_("drinking water safe"), default=True)
    fuel_type = models.CharField(_("main fuel"), max_length=12, choices=c.FuelType.choices, blank=True)
    sanitary_toilet = models.BooleanField(_("sanitary toilet"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["area_id", "number"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [models.Index(fields=["area", "status"])]

    def __str__(self) -> str:
        return f"{self.head_name} ({self.number})"


class Member(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=c.Gender.choices)
    id_number_enc = models.TextField()
    id_number_hash = models.CharField(max_length=64, unique=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    birth_date = models.DateField(_("date of birth"))
    relation = models.CharField(_("relation to head"), max_length=16, choices=c.Relation.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    education = models.CharField(_("education"), max_length=12, choices=c.Education.choices, blank=True)
    political_status = models.CharField(
        _("political status"), max_length=12, choices=c.PoliticalStatus.choices, blank=True
    )
    school_status = models.CharField(
        _("school status"),
        max_length=20,
        choices=c.SchoolStatus.choices,
        default=c.SchoolStatus.NOT_IN_SCHOOL,
    )
    health = models.CharField(_("health"), max_length=10, choices=c.Health.choices, default=c.Health.HEALTHY)
    labour_capacity = models.CharField(
        _("labour capacity"),
        max_length=10,
        choices=c.LabourCapacity.choices,
        default=c.LabourCapacity.ORDINARY,
    )
    migrant_work = models.CharField(
        _("migrant work"), max_length=10, choices=c.MigrantWork.choices, default=c.MigrantWork.NONE
    )
    work_months = models.PositiveSmallIntegerField(_("months worked away"), default=0)
    medical_insurance = models.BooleanField(_("basic medical insurance"), default=True)
    serious_illness_insurance = models.BooleanField(_("serious-illness insurance"), default=True)
    pension_insurance = models.BooleanField(_("residents' pension insurance"), default=False)
    dibao = models.BooleanField(_("minimum-allowance recipient"), default=False)
    phone_enc = models.TextField(blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    left_on = models.DateField(_("left the household on"), null=True, blank=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=100, blank=True)

    class Meta:
        ordering = ["household_id", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.CheckConstraint(condition=Q(work_months__lte=12), name="member_work_months_le_12"),
            # One head per household among the current members.
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation="head", left_on=None),
                name="one_head_per_household",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IncomeRecord(models.Model):
    """One year's income (年收入构成); totals are computed by the action, never typed in."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="incomes")
    year = models.PositiveSmallIntegerField(_("income year"))
    wage = models.DecimalField(_("wage income"), **MONEY)
    business = models.DecimalField(_("business income"), **MONEY)
    property = models.DecimalField(_("property income"), **MONEY)
    transfer_family_planning = models.DecimalField(_("family-planning payments"), **MONEY)
    transfer_dibao = models.DecimalField(_("minimum allowance"), **MONEY)
    transfer_tekun = models.DecimalField(_("five-guarantee / destitute support"), **MONEY)
    transfer_pension = models.DecimalField(_("pension"), **MONEY)
    transfer_eco = models.DecimalField(_("ecological compensation"), **MONEY)
    transfer_other = models.DecimalField(_("other transfers"), **MONEY)
    business_costs = models.DecimalField(_("business costs"), **MONEY)
    household_size = models.PositiveSmallIntegerField(_("household members"))
    transfer = models.DecimalField(_("transfer income"), **MONEY)
    total = models.DecimalField(_("total income"), **MONEY)
    per_capita_net = models.DecimalField(_("per-capita net income"), **MONEY)
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        ordering = ["household_id", "-year"]
        verbose_name = _("income record")
        verbose_name_plural = _("income records")
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="one_income_per_year"),
            models.CheckConstraint(condition=Q(household_size__gte=1), name="income_size_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"


class HouseholdCondition(models.Model):
    """两不愁三保障 and safe drinking water, assessed per household per year."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="conditions")
    year = models.PositiveSmallIntegerField(_("year"))
    food_secure = models.BooleanField(_("enough food"), default=True)
    clothing_secure = models.BooleanField(_("enough clothing"), default=True)
    education_secured = models.BooleanField(_("compulsory education secured"), default=True)
    medical_secured = models.BooleanField(_("basic medical care secured"), default=True)
    housing_secured = models.BooleanField(_("safe housing secured"), default=True)
    water_secured = models.BooleanField(_("safe drinking water secured"), default=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["household_id", "-year"]
        verbose_name = _("living condition check")
        verbose_name_plural = _("living condition checks")
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="one_condition_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"

    CHECKS = (
        "food_secure",
        "clothing_secure",
        "education_secured",
        "medical_secured",
        "housing_secured",
        "water_secured",
    )

    @property
    def all_met(self) -> bool:
        return all(getattr(self, name) for name in self.CHECKS)

    @property
    def shortfalls(self) -> list[str]:
        return [name for name in self.CHECKS if not getattr(self, name)]


class StatusChange(models.Model):
    """The household's status history; appended by actions, never edited."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="status_history")
    from_status = models.CharField(_("from"), max_length=12, choices=c.HouseholdStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=c.HouseholdStatus.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # The monitoring category (监测对象类别) the change set: on an inclusion in monitoring, or on a
    # change of category while monitored (from monitored to monitored). The category valid at
    # the end of a year is read from these dated rows, never from whichever case closed last.
    category = models.CharField(
        _("monitoring category"), max_length=10, choices=c.MonitoringCategory.choices, blank=True
    )

    class Meta:
        ordering = ["household_id", "at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")

    def __str__(self) -> str:
        return f"{self.household_id}: {self.from_status} → {self.to_status}"


class PovertyLine(models.Model):
    """The poverty line (扶贫标准) by income year: national rows and provincial ones (domain.md §2).

    Data, never a constant: seeded by a migration, corrected by administrators. Documents label
    a line by the year the income was earned or by the year identification happens, so both
    are kept; rules always look a line up by ``income_year``.
    """

    NATIONAL = "national"

    income_year = models.PositiveSmallIntegerField(_("income year"))
    scope = models.CharField(
        _("scope"), max_length=12, help_text=_("'national', or the 12-digit code of a province.")
    )
    nominal_line = models.DecimalField(_("line (yuan per person per year)"), max_digits=8, decimal_places=2)
    work_year = models.PositiveSmallIntegerField(_("work year"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["scope", "-income_year"]
        verbose_name = _("poverty line")
        verbose_name_plural = _("poverty lines")
        constraints = [
            models.UniqueConstraint(fields=["scope", "income_year"], name="one_line_per_scope_year"),
            models.CheckConstraint(condition=Q(nominal_line__gt=0), name="poverty_line_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.income_year}: {self.nominal_line}"

    @property
    def is_national(self) -> bool:
        return self.scope == self.NATIONAL


def poverty_line_for(area: Any, income_year: int) -> PovertyLine | None:
    """The line that applies to income earned in ``income_year`` in the area ``area_code``.

    The province's own line for that year wins; else the national line for that year; else
    the latest national line before it (a year with no published line keeps the last one).
    The row itself is returned so a rule can show which line it used. ``area`` is an Area or
    an area code.
    """
    code: str = getattr(area, "code", area)
    province = code[:2].ljust(12, "0")
    own = PovertyLine.objects.filter(scope=province, income_year=income_year).first()
    if own is not None:
        return own
    return (
        PovertyLine.objects.filter(scope=PovertyLine.NATIONAL, income_year__lte=income_year)
        .order_by("-income_year")
        .first()
    )


class DuplicateRegistration(models.Model):
    """重复登记核查: someone tried to register an ID number the registry already holds.

    ID numbers stay unique across the country, so the attempt is refused; the person who tried
    is told only that the number cannot be registered again, never where it is. The office
    that holds the record gets this task and resolves it with people (a move, a typing error,
    a second registration) and a note. One open task per record and requesting area, however
    often that area tries again (``attempts``).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        RESOLVED = "resolved", _("resolved")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+", verbose_name=_("member"))
    # The holding household's area (its village): the tasks list is scoped by it.
    area_code = models.CharField(_("area code"), max_length=15, db_index=True)
    requested_area_code = models.CharField(_("requested in"), max_length=15)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("duplicate registration")
        verbose_name_plural = _("duplicate registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "requested_area_code"],
                condition=Q(status="open"),
                name="one_open_duplicate_per_member_and_area",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.requested_area_code} {self.status}"
