"""Local values (domain.md's LOCAL rules) that cases, alerts, work teams, visits and mutual-aid
groups read, set per area in ``areas.AreaSetting``.

A value set for an area applies to every area below it unless a nearer one sets its own; with
none set anywhere, the default declared here applies. Keys are declared once, here, so a typo
is an error instead of a silent default.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fupin.accounts.permissions import EDIT_AREA_SETTINGS
from fupin.areas.models import Area, AreaSetting, Level, full_code
from fupin.cases.errors import CaseError
from fupin.core import audit
from fupin.core.access import require_setting_owner
from fupin.core.errors import FupinError


@dataclass(frozen=True)
class Spec:
    default: Any
    kind: str  # "int", "bool" or "fraction"
    label: Promise
    hint: Promise
    minimum: int = 0
    maximum: int = 0
    # Set only on a county (the rule's text says "a county setting"), never above or below it.
    county_only: bool = False


_FRACTION = _("a fraction such as 1/4")

SPECS: dict[str, Spec] = {
    # 5 or 7 days in the local documents (domain.md §1.4); exits at least 7 (§4).
    "notice_days": Spec(7, "int", _("notice period (days)"), _("a whole number of days, 5 to 60"), 5, 60),
    "quorum": Spec("2/3", "fraction", _("review meeting quorum"), _("a fraction such as 2/3")),
    # The votes for must be more than this share of those present.
    "majority": Spec("1/2", "fraction", _("share of votes needed (more than)"), _("a fraction such as 1/2")),
    "exit_requires_township_review": Spec(True, "bool", _("exit needs township review"), _("yes or no")),
    "exit_requires_county_approval": Spec(True, "bool", _("exit needs county approval"), _("yes or no")),
    # Monitoring alerts (domain.md §5): a home visit within 3 days of an alert, identification
    # complete within 15 days of the first clue.
    "alert_visit_days": Spec(
        3, "int", _("days to visit after an alert"), _("a whole number of days, 1 to 30"), 1, 30
    ),
    "alert_decision_days": Spec(
        15,
        "int",
        _("days to complete identification after an alert"),
        _("a whole number of days, 1 to 60"),
        1,
        60,
    ),
    # 帮扶消除 this many calendar months or fewer after the identification month is flagged
    # (LOCAL, the Guizhou platform: the identification month or the month after, domain.md
    # §5): a warning a reviewer overrides with a reason. 0 turns the flag off.
    "elimination_flag_months": Spec(
        2,
        "int",
        _("months from identification in which an elimination through assistance is flagged"),
        _("a whole number of months, 0 to 12"),
        0,
        12,
    ),
    # Work teams and first secretaries (domain.md §7): team size and term are the 2017 central
    # rule (CONFIRMED), so an area may ask for more but never for less; a county that departs
    # from it must say so in the two deviation settings (county only, 0 = none), which the team
    # page then shows. The rest are county practice, so they are settings.
    "team_min_members": Spec(
        3, "int", _("smallest work team (people)"), _("a whole number, 3 (the central rule) to 20"), 3, 20
    ),
    "team_min_term_years": Spec(
        2, "int", _("shortest work-team term (years)"), _("a whole number, 2 (the central rule) to 5"), 2, 5
    ),
    "team_deviation_min_members": Spec(
        0,
        "int",
        _("deviation from the central rule: smallest work team allowed (people)"),
        _("0 for no deviation, or 1 or 2"),
        0,
        2,
        county_only=True,
    ),
    "team_deviation_min_term_years": Spec(
        0,
        "int",
        _("deviation from the central rule: shortest work-team term allowed (years)"),
        _("0 for no deviation, or 1"),
        0,
        1,
        county_only=True,
    ),
    # Recall for too few days in the village (LOCAL): this many finished months in a year below
    # village_days_per_month (after leave) propose recall; 1 means any finished month.
    "attendance_recall_months": Spec(
        1,
        "int",
        _("finished months in a year below the days in the village that propose recall"),
        _("a whole number, 1 to 12"),
        1,
        12,
    ),
    "village_days_per_month": Spec(
        20, "int", _("days in the village each month"), _("a whole number of days, 1 to 31"), 1, 31
    ),
    "leave_township_max_days": Spec(
        3, "int", _("longest leave the township approves (days)"), _("a whole number of days, 1 to 30"), 1, 30
    ),
    "leave_recall_days": Spec(
        30,
        "int",
        _("leave in a year that proposes recall (more than, days)"),
        _("a whole number, 1 to 365"),
        1,
        365,
    ),
    # Unexcused absences at spot checks in a year: from this many no 优秀, from this many at most
    # 基本称职; from absences_recall on, 不称职 and a recall proposal.
    "absences_no_excellent": Spec(
        1, "int", _("unexcused absences that rule out excellent"), _("a whole number, 1 to 20"), 1, 20
    ),
    "absences_basic": Spec(
        2,
        "int",
        _("unexcused absences that cap the grade at basically competent"),
        _("a whole number, 1 to 20"),
        1,
        20,
    ),
    "absences_recall": Spec(
        3,
        "int",
        _("unexcused absences at spot checks that propose recall"),
        _("a whole number, 1 to 20"),
        1,
        20,
    ),
    "excellent_cap_percent": Spec(
        10, "int", _("largest share graded excellent (%)"), _("a whole number, 1 to 100"), 1, 100
    ),
    "half_year_weight_percent": Spec(
        30, "int", _("weight of the half-year score (%)"), _("a whole number, 0 to 100"), 0, 100
    ),
    # Village cadres over this age are flagged to be replaced or trained (seed 001's practice).
    "cadre_max_age": Spec(
        60, "int", _("age over which a village cadre is flagged"), _("a whole number, 40 to 80"), 40, 80
    ),
    # Home visits (走访) and mutual-aid groups (互助五兴, seed 003).
    "visits_per_year": Spec(
        4, "int", _("home visits a year to each paired household"), _("a whole number, 1 to 52"), 1, 52
    ),
    "aid_group_max_households": Spec(
        10, "int", _("most households in a mutual-aid group"), _("a whole number, 2 to 30"), 2, 30
    ),
    "aid_weight_self": Spec(
        10, "int", _("weight of the leader's self-assessment (%)"), _("0 to 100"), 0, 100
    ),
    "aid_weight_peers": Spec(
        20, "int", _("weight of the other groups' assessment (%)"), _("0 to 100"), 0, 100
    ),
    "aid_weight_representatives": Spec(
        30, "int", _("weight of the representatives' assessment (%)"), _("0 to 100"), 0, 100
    ),
    "aid_weight_village": Spec(
        40, "int", _("weight of the village party organisation (%)"), _("0 to 100"), 0, 100
    ),
    # The score a group needs for 5, 4, 3 and 2 stars; below the last, 1 star.
    "aid_stars_5": Spec(90, "int", _("score for five stars"), _("0 to 100"), 0, 100),
    "aid_stars_4": Spec(80, "int", _("score for four stars"), _("0 to 100"), 0, 100),
    "aid_stars_3": Spec(70, "int", _("score for three stars"), _("0 to 100"), 0, 100),
    "aid_stars_2": Spec(60, "int", _("score for two stars"), _("0 to 100"), 0, 100),
    # Statistics (stats app). The multidimensional index reads its weights and cutoff at the
    # province, so every area in it is measured alike; the weights must add up to 1.
    "mpi_weight_income": Spec("1/4", "fraction", _("index weight: income below the line"), _FRACTION),
    "mpi_weight_food": Spec("1/8", "fraction", _("index weight: food"), _FRACTION),
    "mpi_weight_clothing": Spec("1/8", "fraction", _("index weight: clothing"), _FRACTION),
    "mpi_weight_education": Spec("1/6", "fraction", _("index weight: compulsory education"), _FRACTION),
    "mpi_weight_medical": Spec("1/6", "fraction", _("index weight: basic medical care"), _FRACTION),
    "mpi_weight_housing": Spec("1/12", "fraction", _("index weight: safe housing"), _FRACTION),
    "mpi_weight_water": Spec("1/12", "fraction", _("index weight: safe drinking water"), _FRACTION),
    "mpi_cutoff": Spec("1/3", "fraction", _("index cutoff k (poor at this score or more)"), _FRACTION),
    # Income (domain.md §1.3, LOCAL, Chuxiong): business costs as fixed shares of output by kind,
    # for a form or import that gives output by kind without its costs.
    "cost_share_grain": Spec("2/5", "fraction", _("business cost share of output: grain"), _FRACTION),
    "cost_share_tobacco": Spec(
        "9/20", "fraction", _("business cost share of output: flue-cured tobacco"), _FRACTION
    ),
    "cost_share_livestock": Spec(
        "2/5", "fraction", _("business cost share of output: livestock and poultry"), _FRACTION
    ),
    "cost_share_fruit": Spec("3/20", "fraction", _("business cost share of output: forest fruit"), _FRACTION),
    # The month the income year starts in: 1 is the calendar year; 10 is one county's 上年10月1日
    # to 当年9月30日, so income year Y runs from 1 October Y-1 to 30 September Y.
    "income_period_start_month": Spec(
        1,
        "int",
        _("income year starts in month (1: the calendar year; 10: 1 October of the year before)"),
        _("a whole number, 1 to 12"),
        1,
        12,
    ),
    # Public views hide a count below this (and any rate resting on it), so that a family cannot
    # be recognised from a small number.
    "stats_small_cell": Spec(
        10, "int", _("smallest count shown in public views"), _("a whole number, 1 to 100"), 1, 100
    ),
}


def lineage(code: str) -> list[str]:
    """The area's code and its ancestors' codes, nearest first."""
    codes = [code, *(full_code(code[:n]) for n in (12, 9, 6, 4, 2))]
    return list(dict.fromkeys(codes))


def setting_for(area_code: str, key: str) -> Any:
    spec = SPECS[key]
    codes = lineage(area_code)
    found = dict(AreaSetting.objects.filter(area_id__in=codes, key=key).values_list("area_id", "value"))
    for code in codes:
        if code in found:
            return found[code]
    return spec.default


def settings_for(area_code: str) -> dict[str, Any]:
    return {key: setting_for(area_code, key) for key in SPECS}


def fraction(text: str) -> Fraction:
    return Fraction(str(text))


def clean_setting(key: str, raw: Any) -> Any:
    spec = SPECS.get(key)
    if spec is None:
        raise FupinError(CaseError.SETTING_UNKNOWN, field="key", key=key)
    bad = FupinError(CaseError.SETTING_INVALID, field="value", hint=str(spec.hint))
    if spec.kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on", "是"}:
            return True
        if text in {"0", "false", "no", "off", "否", ""}:
            return False
        raise bad
    if spec.kind == "int":
        try:
            number = int(str(raw).strip())
        except ValueError:
            raise bad from None
        if not spec.minimum <= number <= spec.maximum:
            raise bad
        return number
    try:
        value = Fraction(str(raw).strip())
    except (ValueError, ZeroDivisionError):
        raise bad from None
    if not 0 < value <= 1:
        raise bad
    return f"{value.numerator}/{value.denominator}"


def do_set_area_setting(area: Area, key: str, raw: Any, *, actor: Any) -> AreaSetting | None:
    """Set (or, with ``raw`` None, remove so the area inherits again) one local value.

    Only the office that owns the area's values sets it (``core.access.setting_owner``): a
    county bureau for its county and the townships and villages in it, a province or
    prefecture bureau for its own area; a county cannot change what its whole province reads."""
    require_setting_owner(actor, EDIT_AREA_SETTINGS, area_code=area.code)
    value = None if raw is None else clean_setting(key, raw)
    if raw is None and key not in SPECS:
        raise FupinError(CaseError.SETTING_UNKNOWN, field="key", key=key)
    if SPECS[key].county_only and area.level != Level.COUNTY:
        from fupin.teams.errors import GradingError

        raise FupinError(GradingError.DEVIATION_COUNTY_ONLY, field="key")
    with transaction.atomic():
        existing = AreaSetting.objects.select_for_update().filter(area=area, key=key).first()
        before = {"key": key, "value": existing.value} if existing else None
        row: AreaSetting | None
        if raw is None:
            if existing:
                existing.delete()
            row = None
        else:
            row = existing or AreaSetting(area=area, key=key)
            row.value = value
            row.updated_by = getattr(actor, "username", "")
            row.save()
        audit.record(
            actor,
            "areas.set_setting",
            object_type="areas.areasetting",
            object_id=f"{area.code}:{key}",
            area_code=area.code,
            before=before,
            after={"key": key, "value": value} if row else None,
        )
    return row
