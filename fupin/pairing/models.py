"""Pairing (结对帮扶): who answers for whom, domain.md §0 "three full coverages".

单位包村 (a unit for a village), 干部包户 (a cadre for a household), 党员联户 (a party member for
a household), and county leaders for a township and a key village. A household pairing of a
poor or monitored household cannot end while it stays so (贫困户不脱贫、帮扶责任人不脱钩); it
can only be handed to a successor.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PairingKind(models.TextChoices):
    UNIT_VILLAGE = "unit_village", _("unit for a village")
    CADRE_HOUSEHOLD = "cadre_household", _("cadre for a household")
    MEMBER_HOUSEHOLD = "member_household", _("party member for a household")
    LEADER_TOWNSHIP = "leader_township", _("county leader for a township")
    LEADER_VILLAGE = "leader_village", _("county leader for a village")


HOUSEHOLD_KINDS = (PairingKind.CADRE_HOUSEHOLD, PairingKind.MEMBER_HOUSEHOLD)


class Pairing(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=PairingKind.choices)
    # The area paired (a village or township), or the household's own village or group.
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="pairings", verbose_name=_("area")
    )
    household = models.ForeignKey(
        "registry.Household",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pairings",
        verbose_name=_("household"),
    )
    # The helper: a unit for unit_village; a named person (with their unit) otherwise.
    unit = models.ForeignKey(
        "party.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings",
        verbose_name=_("unit"),
    )
    helper_name = models.CharField(_("helper"), max_length=50, blank=True)
    helper_post = models.CharField(_("helper's post"), max_length=60, blank=True)
    helper_phone_enc = models.TextField(blank=True)
    helper_phone_masked = models.CharField(_("helper's phone"), max_length=20, blank=True)
    helper_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pairings",
        verbose_name=_("helper's login"),
    )
    party_member = models.ForeignKey(
        "party.PartyMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings",
        verbose_name=_("party member"),
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handed to"),
    )

    class Meta:
        ordering = ["area_id", "kind", "-started_on"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        indexes = [
            models.Index(fields=["area", "kind"]),
            models.Index(fields=["helper_user", "ended_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=list(HOUSEHOLD_KINDS), household__isnull=False)
                | (~Q(kind__in=list(HOUSEHOLD_KINDS)) & Q(household__isnull=True)),
                name="pairing_household_kinds_have_household",
            ),
            models.CheckConstraint(
                condition=~Q(kind=PairingKind.UNIT_VILLAGE) | Q(unit__isnull=False),
                name="pairing_unit_village_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"
