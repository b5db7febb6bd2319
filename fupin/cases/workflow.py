"""The paths the two workflows take, and who acts at each step (role AND the area level).

Identification (domain.md §1.4): application or nomination → home verification → democratic
review → first notice → township review → second notice → county approval → announcement.
Exit (§4): democratic review → verification → household consent → village notice → township
review and county approval where the area's settings ask for them → announcement.
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
}

NOTICE_ROUND = {Step.FIRST_NOTICE: 1, Step.SECOND_NOTICE: 2}
REVIEW_STEPS = (Step.TOWNSHIP_REVIEW, Step.COUNTY_APPROVAL)


def path_of(case: Case) -> list[str]:
    if case.kind == Kind.IDENTIFICATION:
        return list(IDENTIFICATION_PATH)
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
