"""The rules a reviewer sees for a case, each with the evidence it was decided on.

Identification (domain.md §1.4, §2): income below the line that applies to the area and the
income year, none of the exclusion findings of the home visit, and a main cause on file.
Exit (§3, §4): income above the line in the latest year and the year before (stable),
两不愁三保障 and safe water all met, and the "三不出" (not identified or fallen back this year,
assistance policies in effect). A failing rule blocks the decision unless overridden with a
written reason (``actions.do_override_rule``).
Monitoring inclusion (§5): income of the latest year within the monitoring range of the
province and year (a household in sudden severe hardship may be above it); once risk types are
chosen (at tagging), a 因安全饮水 risk needs a 饮水安全保障 measure on file for the household, as
the national system's checker requires. That one is a block: the remedy is recording the
measure, not a reviewer's judgement, and tagging has no reviewer.
Risk elimination (§5): income above the range in the latest year and the year before (stable),
两不愁三保障 and safe water met, large unavoidable spending resolved, no monitoring alert still
open (no new risk), and at least one member able to work. That last one is a block, not a
judgement: a household without labour capacity stays monitored under 兜底, so no reviewer may
override it. A 帮扶消除 within the identification month or the month after (LOCAL, a setting)
is flagged: a warning the reviewer overrides with a reason, as the Guizhou platform does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fupin.accounts.display import display_name_for_login
from fupin.cases.area_settings import setting_for
from fupin.cases.models import Case, CaseRiskType, Kind, RuleCheck, Status, Verification
from fupin.core.sources import source_text
from fupin.registry.choices import (
    Cause,
    EliminationWay,
    HouseholdStatus,
    LabourCapacity,
    MonitoringCategory,
    RiskType,
)
from fupin.registry.models import (
    Household,
    HouseholdCondition,
    IncomeRecord,
    Member,
    PovertyLine,
    StatusChange,
    poverty_line_for,
)

LABELS: dict[str, Promise] = {
    "income_below_line": _("Per-capita net income is below the poverty line"),
    "no_public_funds_member": _("No member paid from public funds or serving as village cadre"),
    "no_vehicle": _("No non-productive vehicle"),
    "no_commercial_housing": _("No commercial housing"),
    "no_business": _("Runs no business and employs no long-term labour"),
    "main_cause_recorded": _("A main cause of poverty is recorded"),
    "income_above_line": _("Per-capita net income is above the poverty line"),
    "income_stable": _("Income was above the line the year before too (stable)"),
    "conditions_met": _("Enough food and clothing, education, medical care, housing and water secured"),
    "not_new_this_year": _("Not identified or fallen back into poverty this year"),
    "policies_effective": _("Assistance policies have taken effect"),
    "income_in_monitoring_range": _("Per-capita net income is within the monitoring range"),
    "income_above_threshold": _("Per-capita net income is above the monitoring threshold"),
    "income_stably_above_threshold": _(
        "Income was above the monitoring threshold the year before too (stable)"
    ),
    "spending_resolved": _("Large unavoidable spending is resolved or under control"),
    "no_open_alert": _("No monitoring alert is still open (no new risk)"),
    "labour_capacity": _(
        "At least one member can work (a household without labour capacity stays monitored)"
    ),
    "water_measure_recorded": _(
        "A risk of unsafe drinking water has a safe drinking water measure recorded"
    ),
    "not_hasty_elimination": _(
        "Not eliminated through assistance within the identification month or the month after"
    ),
}

# Rules no reviewer may override: a household where nobody can work stays monitored under 兜底
# (domain.md §5, "Blocks"), whatever else is true of it.
NOT_OVERRIDABLE = frozenset({"labour_capacity", "water_measure_recorded"})

# What each evidence key means, for the page; the API keeps the keys.
EVIDENCE_LABELS: dict[str, Promise] = {
    "income_year": _("income year"),
    "per_capita_net": _("per-capita net income"),
    "line": _("poverty line"),
    "line_scope": _("line applied"),
    "line_income_year": _("line of income year"),
    "line_source": _("source"),
    "verified": _("home visit recorded"),
    "verified_by": _("verified by"),
    "verified_at": _("verified on"),
    "public_funds_member": _("a member is paid from public funds or is a village cadre"),
    "non_productive_vehicle": _("owns a non-productive vehicle"),
    "commercial_housing": _("owns commercial housing"),
    "runs_business": _("runs a business or employs labour long-term"),
    "policies_effective": _("assistance policies have taken effect"),
    "main_cause": _("main cause of poverty"),
    "year": _("year"),
    "shortfalls": _("not secured"),
    "registered_year": _("year registered"),
    "changes_this_year": _("status changes this year"),
    "threshold": _("monitoring threshold"),
    "threshold_scope": _("threshold applied"),
    "threshold_year": _("threshold of year"),
    "threshold_source": _("source"),
    "national_floor": _("national floor"),
    "category": _("monitoring category"),
    "note": _("note"),
    "spending_resolved": _("large unavoidable spending is resolved or under control"),
    "alerts_checked": _("alerts checked"),
    "open_alerts": _("open alerts"),
    "members": _("current members"),
    "members_able": _("members able to work"),
    "risk_types": _("risk types"),
    "water_measures": _("safe drinking water measures"),
    "measures_from": _("measures counted from"),
    "identified_on": _("identified as monitored on"),
    "judged_on": _("judged on"),
    "flag_months": _("months flagged"),
    "way": _("way of elimination"),
}

# Codes of notes a rule leaves in its evidence (the API keeps the code, the page the words).
NOTES: dict[str, Promise] = {
    "sudden_hardship": _("A household in sudden severe hardship does not need income within the range."),
    "no_identification_on_file": _(
        "No completed monitoring case on file, so the time since identification cannot be judged."
    ),
    "way_not_chosen": _("The way is chosen at tagging; judged as an elimination through assistance."),
}

IDENTIFICATION_RULES = (
    "income_below_line",
    "no_public_funds_member",
    "no_vehicle",
    "no_commercial_housing",
    "no_business",
    "main_cause_recorded",
)
EXIT_RULES = (
    "income_above_line",
    "income_stable",
    "conditions_met",
    "not_new_this_year",
    "policies_effective",
)
# water_measure_recorded is judged only once the case has its risk types (at tagging).
MONITORING_RULES = ("income_in_monitoring_range", "water_measure_recorded")
ELIMINATION_RULES = (
    "income_above_threshold",
    "income_stably_above_threshold",
    "conditions_met",
    "spending_resolved",
    "no_open_alert",
    "labour_capacity",
    "not_hasty_elimination",
)
RULES_BY_KIND: dict[str, tuple[str, ...]] = {
    Kind.IDENTIFICATION: IDENTIFICATION_RULES,
    Kind.EXIT: EXIT_RULES,
    Kind.MONITORING: MONITORING_RULES,
    Kind.ELIMINATION: ELIMINATION_RULES,
}
# The alerts app's statuses that still wait for the village (a visit or a decision).
OPEN_ALERT_STATUSES = ("open", "visited")


@dataclass
class RuleResult:
    code: str
    passed: bool
    evidence: dict[str, Any] = field(default_factory=dict)
    override: RuleCheck | None = None

    @property
    def label(self) -> Promise:
        return LABELS[self.code]

    @property
    def evidence_items(self) -> list[tuple[str, Any]]:
        """(label, value) pairs in the reader's language, for the case page."""
        items: list[tuple[str, Any]] = []
        for key, value in self.evidence.items():
            if key == "shortfalls":
                value = (
                    "、".join(str(HouseholdCondition._meta.get_field(v).verbose_name) for v in value) or "—"
                )
            elif key == "main_cause" and value:
                value = Cause(value).label if value in Cause.values else value
            elif key in ("line_scope", "threshold_scope") and value == PovertyLine.NATIONAL:
                value = _("national")
            elif key == "category" and value in MonitoringCategory.values:
                value = MonitoringCategory(value).label
            elif key == "risk_types":
                value = "、".join(str(RiskType(v).label) if v in RiskType.values else v for v in value) or "—"
            elif key == "way" and value in EliminationWay.values:
                value = EliminationWay(value).label
            elif key == "note" and value in NOTES:
                value = NOTES[value]
            elif key in ("line_source", "threshold_source"):
                value = source_text(value)
            elif key == "verified_by":
                value = display_name_for_login(value)
            elif isinstance(value, bool):
                value = _("yes") if value else _("no")
            elif isinstance(value, list):
                value = "、".join(str(v) for v in value) or "—"
            items.append((str(EVIDENCE_LABELS.get(key, key)), value))
        return items

    @property
    def overridable(self) -> bool:
        return self.code not in NOT_OVERRIDABLE

    @property
    def blocking(self) -> bool:
        if self.passed:
            return False
        # An override row of a rule that may not be overridden counts for nothing.
        return not self.overridable or self.override is None or not self.override.overridden


def rules_of(case: Case) -> tuple[str, ...]:
    return RULES_BY_KIND[case.kind]


# A row of screening's MonitoringLine; typed loosely because the model is looked up by name.
ThresholdRow = Any


def monitoring_threshold_for(area_code: str, year: int) -> tuple[ThresholdRow | None, ThresholdRow | None]:
    """(the threshold row that applies, the national floor row) for income of ``year`` in the
    province of ``area_code``; (None, None) when there is none or the screening app is absent.

    The province's row for that year wins; without one, the province's latest earlier row
    (a year not yet published keeps the last one); never below the national floor, the latest
    national row up to ``year``. That is what screening applies when it raises alerts
    (``screening.queries.threshold_for``), so a case judges a household as the alert did.
    The table belongs to the screening app, which sits above cases: the model is looked up by
    name, so cases never imports an app above it.
    """
    try:
        monitoring_line = apps.get_model("screening", "MonitoringLine")
    except LookupError:
        return None, None
    province = area_code[:2].ljust(12, "0")
    floor: ThresholdRow | None = None
    own: ThresholdRow | None = None
    rows = monitoring_line.objects.filter(scope__in=["national", province], year__lte=year).order_by("year")
    for row in rows:
        if row.scope == "national":
            floor = row
        else:
            own = row
    if own is not None and (floor is None or own.amount >= floor.amount):
        return own, floor
    return floor, floor


def _threshold_evidence(area_code: str, record: IncomeRecord | None) -> tuple[Decimal | None, dict[str, Any]]:
    """(the threshold amount or None, the evidence: income, threshold and which row)."""
    if record is None:
        return None, {"income_year": None, "per_capita_net": None}
    row, floor = monitoring_threshold_for(area_code, record.year)
    evidence: dict[str, Any] = {"income_year": record.year, "per_capita_net": str(record.per_capita_net)}
    if row is None:
        evidence["threshold"] = None
        return None, evidence
    evidence |= {
        "threshold": str(row.amount),
        "threshold_scope": row.scope,
        "threshold_year": row.year,
        "threshold_source": row.source,
    }
    if floor is not None and floor is not row:
        evidence["national_floor"] = str(floor.amount)
    return row.amount, evidence


def former_poor(household: Household) -> bool:
    """Whether the household counts as a 脱贫户 (exited) rather than a 一般农户 (ordinary) for
    the monitoring category: exited now, or risk-eliminated after having once been registered
    (the registry keeps its registration and exit years)."""
    if household.status == HouseholdStatus.EXITED:
        return True
    return household.status == HouseholdStatus.RISK_ELIMINATED and bool(
        household.registered_year or household.exit_year
    )


def _line_evidence(area_code: str, record: IncomeRecord | None) -> tuple[PovertyLine | None, dict[str, Any]]:
    if record is None:
        return None, {"income_year": None, "per_capita_net": None}
    line = poverty_line_for(area_code, record.year)
    evidence: dict[str, Any] = {"income_year": record.year, "per_capita_net": str(record.per_capita_net)}
    if line is not None:
        evidence |= {
            "line": str(line.nominal_line),
            "line_scope": line.scope,
            "line_income_year": line.income_year,
            "line_source": line.source,
        }
    else:
        evidence["line"] = None
    return line, evidence


def _verification(case: Case) -> Verification | None:
    return Verification.objects.filter(case=case).select_related("verified_by").first()


def _flag(verification: Verification | None, name: str, *, bad_when: bool) -> tuple[bool, dict[str, Any]]:
    if verification is None:
        return False, {"verified": False}
    value = getattr(verification, name)
    return value != bad_when, {
        "verified": True,
        name: value,
        "verified_by": getattr(verification.verified_by, "username", ""),
        "verified_at": verification.verified_at.date().isoformat(),
    }


def _conditions_rule(case: Case, household: Household) -> RuleResult:
    condition = (
        HouseholdCondition.objects.filter(household=household, year__lte=case.year).order_by("-year").first()
    )
    if condition is None:
        return RuleResult("conditions_met", False, {"year": None})
    return RuleResult(
        "conditions_met",
        condition.all_met and condition.year >= case.year - 1,
        {"year": condition.year, "shortfalls": condition.shortfalls},
    )


def _year_before(incomes: list[IncomeRecord]) -> IncomeRecord | None:
    """The record of the year right before the latest, if it is on file."""
    if len(incomes) > 1 and incomes[1].year == incomes[0].year - 1:
        return incomes[1]
    return None


def _identification(
    case: Case, incomes: list[IncomeRecord], verification: Verification | None
) -> list[RuleResult]:
    household = case.household
    latest = incomes[0] if incomes else None
    results: list[RuleResult] = []
    line, evidence = _line_evidence(case.area_code, latest)
    passed = bool(line and latest and latest.per_capita_net < line.nominal_line)
    results.append(RuleResult("income_below_line", passed, evidence))
    for code, name in (
        ("no_public_funds_member", "public_funds_member"),
        ("no_vehicle", "non_productive_vehicle"),
        ("no_commercial_housing", "commercial_housing"),
        ("no_business", "runs_business"),
    ):
        ok, evidence = _flag(verification, name, bad_when=True)
        results.append(RuleResult(code, ok, evidence))
    results.append(
        RuleResult("main_cause_recorded", bool(household.main_cause), {"main_cause": household.main_cause})
    )
    return results


def _exit(case: Case, incomes: list[IncomeRecord], verification: Verification | None) -> list[RuleResult]:
    household = case.household
    latest = incomes[0] if incomes else None
    results: list[RuleResult] = []
    line, evidence = _line_evidence(case.area_code, latest)
    results.append(
        RuleResult(
            "income_above_line", bool(line and latest and latest.per_capita_net > line.nominal_line), evidence
        )
    )
    # Stability: the year before the latest must be on file and above its own line too.
    before = _year_before(incomes)
    line_before, evidence = _line_evidence(case.area_code, before)
    results.append(
        RuleResult(
            "income_stable",
            bool(line_before and before and before.per_capita_net > line_before.nominal_line),
            evidence,
        )
    )
    results.append(_conditions_rule(case, household))
    fell_this_year = list(
        StatusChange.objects.filter(
            household=household,
            year=case.year,
            to_status__in=[HouseholdStatus.POOR, HouseholdStatus.MONITORED],
        ).values_list("from_status", "to_status")
    )
    results.append(
        RuleResult(
            "not_new_this_year",
            household.registered_year != case.year and not fell_this_year,
            {
                "registered_year": household.registered_year,
                "changes_this_year": [f"{a}→{b}" for a, b in fell_this_year],
            },
        )
    )
    ok, evidence = _flag(verification, "policies_effective", bad_when=False)
    results.append(RuleResult("policies_effective", ok, evidence))
    return results


def _water_measure(case: Case, risks: list[str]) -> RuleResult:
    """因安全饮水 needs a 饮水安全保障 measure (domain.md §5, the national system's checker): one
    of the kind "water" dated in the case's work year or later, since an older one answered an
    earlier problem. Measures belong to the assistance app, above cases: looked up by name."""
    evidence: dict[str, Any] = {"risk_types": risks}
    if RiskType.WATER not in risks:
        return RuleResult("water_measure_recorded", True, evidence)
    since = dt.date(case.year, 1, 1)
    try:
        measure_model = apps.get_model("assistance", "Measure")
    except LookupError:
        return RuleResult("water_measure_recorded", False, evidence | {"water_measures": []})
    found = [
        f"#{pk} {day.isoformat()} {text}"
        for pk, day, text in measure_model.objects.filter(
            household_id=case.household_id, kind="water", day__gte=since
        )
        .order_by("day", "pk")
        .values_list("pk", "day", "description")
    ]
    evidence |= {"water_measures": found, "measures_from": since.isoformat()}
    return RuleResult("water_measure_recorded", bool(found), evidence)


def _monitoring(case: Case, incomes: list[IncomeRecord]) -> list[RuleResult]:
    latest = incomes[0] if incomes else None
    threshold, evidence = _threshold_evidence(case.area_code, latest)
    # 以下 includes the amount itself: income equal to the threshold is within the range.
    in_range = bool(threshold is not None and latest and latest.per_capita_net <= threshold)
    if case.category:
        evidence["category"] = case.category
    sudden = case.category == MonitoringCategory.SUDDEN
    if sudden and not in_range:
        # 突发严重困难户: income above the range, but a sudden event makes living seriously hard.
        evidence["note"] = "sudden_hardship"
    results = [RuleResult("income_in_monitoring_range", in_range or sudden, evidence)]
    # Risk types are chosen at tagging; before that there is nothing to judge (nor to show).
    risks = list(CaseRiskType.objects.filter(case_id=case.pk).values_list("risk", flat=True))
    if risks:
        results.append(_water_measure(case, risks))
    return results


def _open_alerts(household: Household) -> tuple[bool, dict[str, Any]]:
    """No alert for the household still waiting for a visit or a decision. The alerts app sits
    above cases, so its model is looked up by name; without it installed there is nothing open."""
    try:
        alert_model = apps.get_model("alerts", "Alert")
    except LookupError:
        return True, {"alerts_checked": False}
    found = [
        f"#{pk} {rule} {period}"
        for pk, rule, period in alert_model.objects.filter(
            household=household, status__in=OPEN_ALERT_STATUSES
        ).values_list("pk", "rule", "period")
    ]
    return not found, {"alerts_checked": True, "open_alerts": found}


def _labour(household: Household) -> tuple[bool, dict[str, Any]]:
    able = (LabourCapacity.ORDINARY, LabourCapacity.SKILLED)
    capacities = list(
        Member.objects.filter(household=household, left_on=None).values_list("labour_capacity", flat=True)
    )
    count = sum(1 for value in capacities if value in able)
    return count > 0, {"members": len(capacities), "members_able": count}


def _months_between(earlier: dt.date, later: dt.date) -> int:
    """Calendar months from ``earlier``'s month to ``later``'s: 0 in the same month, 1 the next."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _hasty_elimination(case: Case) -> RuleResult:
    """帮扶消除 within the identification month or the month after is flagged (domain.md §5,
    LOCAL, from the Guizhou platform; the months are the ``elimination_flag_months`` setting).
    Identification is the completion of the household's latest monitoring case; the elimination
    is judged on the day the rule is checked (the reviews; tagging comes after them, so a rule
    passed there cannot fail later). Until tagging the way is open, so it is judged as
    assistance; a natural elimination is never flagged."""
    months = int(setting_for(case.area_code, "elimination_flag_months"))
    today = timezone.localdate()
    evidence: dict[str, Any] = {"flag_months": months, "judged_on": today.isoformat()}
    if case.elimination_way:
        evidence["way"] = case.elimination_way
    else:
        evidence["note"] = "way_not_chosen"
    if case.elimination_way == EliminationWay.NATURAL or months == 0:
        return RuleResult("not_hasty_elimination", True, evidence)
    closed_at = (
        Case.objects.filter(
            household_id=case.household_id,
            kind=Kind.MONITORING,
            status=Status.COMPLETED,
            closed_at__isnull=False,
        )
        .order_by("-closed_at")
        .values_list("closed_at", flat=True)
        .first()
    )
    if closed_at is None:
        # A household monitored before this system (imported) has no dated identification here.
        evidence["note"] = "no_identification_on_file"
        return RuleResult("not_hasty_elimination", True, evidence)
    identified = timezone.localdate(closed_at)
    evidence["identified_on"] = identified.isoformat()
    return RuleResult("not_hasty_elimination", _months_between(identified, today) >= months, evidence)


def _elimination(
    case: Case, incomes: list[IncomeRecord], verification: Verification | None
) -> list[RuleResult]:
    household = case.household
    latest = incomes[0] if incomes else None
    threshold, evidence = _threshold_evidence(case.area_code, latest)
    results = [
        RuleResult(
            "income_above_threshold",
            bool(threshold is not None and latest and latest.per_capita_net > threshold),
            evidence,
        )
    ]
    before = _year_before(incomes)
    threshold_before, evidence = _threshold_evidence(case.area_code, before)
    results.append(
        RuleResult(
            "income_stably_above_threshold",
            bool(threshold_before is not None and before and before.per_capita_net > threshold_before),
            evidence,
        )
    )
    results.append(_conditions_rule(case, household))
    ok, evidence = _flag(verification, "spending_resolved", bad_when=False)
    results.append(RuleResult("spending_resolved", ok, evidence))
    ok, evidence = _open_alerts(household)
    results.append(RuleResult("no_open_alert", ok, evidence))
    ok, evidence = _labour(household)
    results.append(RuleResult("labour_capacity", ok, evidence))
    results.append(_hasty_elimination(case))
    return results


def evaluate(case: Case) -> list[RuleResult]:
    """Every rule of the case's kind, decided now from the registry and the case's findings."""
    incomes = list(
        IncomeRecord.objects.filter(household=case.household, year__lte=case.year).order_by("-year")[:2]
    )
    verification = _verification(case)
    if case.kind == Kind.IDENTIFICATION:
        results = _identification(case, incomes, verification)
    elif case.kind == Kind.EXIT:
        results = _exit(case, incomes, verification)
    elif case.kind == Kind.MONITORING:
        results = _monitoring(case, incomes)
    else:
        results = _elimination(case, incomes, verification)
    overrides = {r.rule: r for r in RuleCheck.objects.filter(case=case).select_related("overridden_by")}
    for result in results:
        result.override = overrides.get(result.code)
    return results
