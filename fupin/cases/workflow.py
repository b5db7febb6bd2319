"""The paths the four workflows take, and who acts at each step (role AND the area level).

Identification (domain.md §1.4): application or nomination → home verification → democratic
review → first notice → township review → second notice → county approval → announcement.
Exit (§4): democratic review → verification → household consent → village notice → township
review and county approval where the area's settings ask for them → announcement.
Monitoring inclusion (§5, the nine steps after the alert): home visit → the household's signed
authorisation (承诺授权) → data comparison → democratic review → one village notice (held
once) → township review → county approval → entry and tagging (the household becomes
monitored, with its category and risk types).
Risk elimination (§5): home check → democratic review → village notice → township review →
county approval → tagging (the household becomes risk-eliminated, with the way).
"""

from __future__ import annotations

from typing import Any

from fupin.accounts.permissions import ACT_VILLAGE_STEP, APPROVE_COUNTY, REVIEW_TOWNSHIP
from fupin.areas.models import Level
from fupin.cases.models import Case, Kind, Status, Step
from fupin.core.access import SYSTEM, covers

IDENTIFICATION_PATH = [
    Step.VERIFICATION,
    Step.REVIEW,
    Step.FIRST_NOTICE,
    Step.TOWNSHIP_REVIEW,
    Step.SECOND_NOTICE,
    Step.COUNTY_APPROVAL,
    Step.ANNOUNCEMENT,
    Step.DONE,
]
MONITORING_PATH = [
    Step.VERIFICATION,
    Step.AUTHORISATION,
    Step.COMPARISON,
    Step.REVIEW,
    Step.FIRST_NOTICE,
    Step.TOWNSHIP_REVIEW,
    Step.COUNTY_APPROVAL,
    Step.TAGGING,
    Step.DONE,
]
ELIMINATION_PATH = [
    Step.VERIFICATION,
    Step.REVIEW,
    Step.FIRST_NOTICE,
    Step.TOWNSHIP_REVIEW,
    Step.COUNTY_APPROVAL,
    Step.TAGGING,
    Step.DONE,
]
FIXED_PATHS: dict[str, list[str]] = {
    Kind.IDENTIFICATION: IDENTIFICATION_PATH,
    Kind.MONITORING: MONITORING_PATH,
    Kind.ELIMINATION: ELIMINATION_PATH,
}
# The kinds of 防止返贫监测 (domain.md §5): their notice is held once and runs at least
# MONITORING_NOTICE_MIN_DAYS, whatever a local setting says (a national rule, not a local one).
MONITORING_KINDS = (Kind.MONITORING, Kind.ELIMINATION)
MONITORING_NOTICE_MIN_DAYS = 5

# The permission and the level of area a user must hold to act at a step.
STEP_ACTORS: dict[str, tuple[str, int]] = {
    Step.VERIFICATION: (ACT_VILLAGE_STEP, Level.VILLAGE),
    Step.REVIEW: (ACT_VILLAGE_STEP, Level.VILLAGE),
    Step.CONSENT: (ACT_VILLAGE_STEP, Level.VILLAGE),
    Step.FIRST_NOTICE: (ACT_VILLAGE_STEP, Level.VILLAGE),
    Step.SECOND_NOTICE: (ACT_VILLAGE_STEP, Level.VILLAGE),
    Step.TOWNSHIP_REVIEW: (REVIEW_TOWNSHIP, Level.TOWNSHIP),
    Step.COUNTY_APPROVAL: (APPROVE_COUNTY, Level.COUNTY),
    Step.ANNOUNCEMENT: (ACT_VILLAGE_STEP, Level.VILLAGE),
    Step.AUTHORISATION: (ACT_VILLAGE_STEP, Level.VILLAGE),
    # 信息比对: the township has the household's data compared across departments (the
    # county's departments answer it; LOCAL practice gives it 5 days) and records the findings.
    Step.COMPARISON: (REVIEW_TOWNSHIP, Level.TOWNSHIP),
    # 系统录入/标注: the village information clerk enters the approved result in the system.
    Step.TAGGING: (ACT_VILLAGE_STEP, Level.VILLAGE),
}

NOTICE_ROUND = {Step.FIRST_NOTICE: 1, Step.SECOND_NOTICE: 2}
REVIEW_STEPS = (Step.TOWNSHIP_REVIEW, Step.COUNTY_APPROVAL)


def path_of(case: Case) -> list[str]:
    if case.kind in FIXED_PATHS:
        return list(FIXED_PATHS[case.kind])
    path: list[str] = [Step.REVIEW, Step.VERIFICATION, Step.CONSENT, Step.FIRST_NOTICE]
    if case.needs_township_review:
        path.append(Step.TOWNSHIP_REVIEW)
    if case.needs_county_approval:
        path.append(Step.COUNTY_APPROVAL)
    return [*path, Step.ANNOUNCEMENT, Step.DONE]


def next_step(case: Case, step: str) -> str:
    path = path_of(case)
    return path[path.index(step) + 1]


def decides(case: Case, step: str) -> bool:
    """Whether the rules must hold (or be overridden) to pass this step: at the reviews, or at
    an exit's announcement when the area asks for no review above the village."""
    if step in REVIEW_STEPS:
        return True
    return step == Step.ANNOUNCEMENT and not any(s in REVIEW_STEPS for s in path_of(case))


def at_level(actor: Any, level: int) -> bool:
    if actor is SYSTEM:
        return True
    area = getattr(actor, "area", None)
    return area is not None and area.level == level


def may_act(actor: Any, case: Case) -> bool:
    """Whether ``actor`` may take the case's current step (for showing the form)."""
    if case.status != Status.OPEN or case.step not in STEP_ACTORS:
        return False
    perm, level = STEP_ACTORS[case.step]
    return bool(
        getattr(actor, "is_authenticated", False)
        and actor.can(perm)
        and at_level(actor, level)
        and covers(actor, case.area_code)
    )
