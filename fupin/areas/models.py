"""Administrative areas on six levels (六级), keyed by the national statistical division code.

Codes are 12 digits (2 province + 2 prefecture + 2 county + 3 township + 3 village); a village
group (组) appends 3 more. A code's significant prefix names all its ancestors, so "inside my
area" is a range match on one indexed column for every level and every table that holds a code.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("province")
    PREFECTURE = 2, _("prefecture")
    COUNTY = 3, _("county")
    TOWNSHIP = 4, _("township")
    VILLAGE = 5, _("village")
    GROUP = 6, _("village group")


PREFIX_LENGTH = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12, 6: 15}
CODE_LENGTH = {1: 12, 2: 12, 3: 12, 4: 12, 5: 12, 6: 15}


def full_code(short: str) -> str:
    """Pad a short division code (43, 4331, 433124, 433124102) to the 12-digit form."""
    return short.ljust(12, "0") if len(short) <= 12 else short


def prefix_range(prefix: str, field: str) -> Q:
    """``field`` starts with ``prefix``, written as a range so every database can use its index.

    Codes are ASCII digits, so [prefix, prefix + 1) is exactly the set of codes that start with
    prefix ("4331249" runs to "433125"; "99" has no upper end). Both bounds are digit strings
    because linguistic collations (zh_CN, en_US, ICU) ignore punctuation: with ':' as the
    bound, a PostgreSQL created under such a locale found no rows at all.
    """
    kept = prefix.rstrip("9")
    if not kept:
        return Q(**{f"{field}__gte": prefix})
    upper = kept[:-1] + chr(ord(kept[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


class Area(models.Model):
    code = models.CharField(_("code"), max_length=15, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent area"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=6), name="area_level_1_to_6"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return self.code[: PREFIX_LENGTH[self.level]]

    def contains_code(self, code: str) -> bool:
        return code.startswith(self.prefix)

    def within_q(self, field: str = "area_id") -> Q:
        return prefix_range(self.prefix, field)

    def ancestors(self) -> list[Area]:
        """From the province down to the parent, by code, in one query."""
        codes = [full_code(self.code[:n]) for lvl, n in PREFIX_LENGTH.items() if lvl < self.level]
        found = {a.code: a for a in Area.objects.filter(code__in=codes)}
        return [found[c] for c in codes if c in found]


class AreaSetting(models.Model):
    """A local value (domain.md's LOCAL rules) set for an area; it applies to every area below,
    unless one nearer sets its own. Keys and their defaults are declared by the app that reads
    them, so an unknown key is never guessed at."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="settings", verbose_name=_("area"))
    key = models.CharField(_("setting"), max_length=60)
    value = models.JSONField(_("value"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.CharField(_("updated by"), max_length=150, blank=True)

    class Meta:
        ordering = ["area_id", "key"]
        verbose_name = _("area setting")
        verbose_name_plural = _("area settings")
        constraints = [models.UniqueConstraint(fields=["area", "key"], name="one_setting_per_area_key")]

    def __str__(self) -> str:
        return f"{self.area_id} {self.key}={self.value}"
