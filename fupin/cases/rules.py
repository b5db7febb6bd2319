"""The rules a reviewer sees for a case, each with the evidence it was decided on.

Identification (domain.md §1.4, §2): income below the line that applies to the area and the
income year, none of the exclusion findings of the home visit, and a main cause on file.
Exit (§3, §4): income above the line in the latest year and the year before (stable),
两不愁三保障 and safe water all met, and the "三不出" (not identified or fallen back this year,
assistance policies in effect). A failing rule blocks the decision unless overridden with a
written reason (``actions.do_override_rule``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fupin.cases.models import Case, Kind, RuleCheck, Verification
from fupin.registry.choices import Cause, HouseholdStatus
from fupin.registry.models import (
    HouseholdCondition,
    IncomeRecord,
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
}

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
            elif key == "line_scope" and value == PovertyLine.NATIONAL:
                value = _("national")
            elif isinstance(value, bool):
                value = _("yes") if value else _("no")
            elif isinstance(value, list):
                value = "、".join(str(v) for v in value) or "—"
            items.append((str(EVIDENCE_LABELS.get(key, key)), value))
        return items

    @property
    def blocking(self) -> bool:
        return not self.passed and (self.override is None or not self.override.overridden)


def rules_of(case: Case) -> tuple[str, ...]:
    return IDENTIFICATION_RULES if case.kind == Kind.IDENTIFICATION else EXIT_RULES


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


def evaluate(case: Case) -> list[RuleResult]:
    """Every rule of the case's kind, decided now from the registry and the case's findings."""
    household = case.household
    incomes = list(
        IncomeRecord.objects.filter(household=household, year__lte=case.year).order_by("-year")[:2]
    )
    latest = incomes[0] if incomes else None
    verification = _verification(case)
    results: list[RuleResult] = []
    if case.kind == Kind.IDENTIFICATION:
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
            RuleResult(
                "main_cause_recorded", bool(household.main_cause), {"main_cause": household.main_cause}
            )
        )
    else:
        line, evidence = _line_evidence(case.area_code, latest)
        results.append(
            RuleResult(
                "income_above_line",
                bool(line and latest and latest.per_capita_net > line.nominal_line),
                evidence,
            )
        )
        # Stability: the year before the latest must be on file and above its own line too.
        before = incomes[1] if len(incomes) > 1 and latest and incomes[1].year == latest.year - 1 else None
        line_before, evidence = _line_evidence(case.area_code, before)
        results.append(
            RuleResult(
                "income_stable",
                bool(line_before and before and before.per_capita_net > line_before.nominal_line),
                evidence,
            )
        )
        condition = (
            HouseholdCondition.objects.filter(household=household, year__lte=case.year)
            .order_by("-year")
            .first()
        )
        if condition is None:
            results.append(RuleResult("conditions_met", False, {"year": None}))
        else:
            results.append(
                RuleResult(
                    "conditions_met",
                    condition.all_met and condition.year >= case.year - 1,
                    {"year": condition.year, "shortfalls": condition.shortfalls},
                )
            )
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
    overrides = {r.rule: r for r in RuleCheck.objects.filter(case=case).select_related("overridden_by")}
    for result in results:
        result.override = overrides.get(result.code)
    return results
