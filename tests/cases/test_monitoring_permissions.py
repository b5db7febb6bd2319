"""Every step of monitoring inclusion and risk elimination, tried by every persona: only the
step's role at the step's level inside the case's area may take it; the others are refused
(outside the area: NotFound, like a missing case) and nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.cases import actions
from fupin.cases.models import Case, Step
from fupin.core.errors import Conflict, NotFound, PermissionDenied
from fupin.core.personas import ALL_USERNAMES, VILLAGE
from tests.cases.helpers import (
    MEETING,
    advance_to,
    elimination_candidate,
    monitoring_candidate,
    open_elimination,
    open_monitoring,
)
from tests.cases.test_step_permissions import fingerprint

VILLAGE_ACTORS = {"village_clerk", "first_secretary"}
OUTSIDE = {"outsider", "neighbour_clerk"}

Take = Callable[[Case, Any], Any]
VERIFY: Take = lambda c, a: actions.do_record_verification(c, actor=a)  # noqa: E731
MEET: Take = lambda c, a: actions.do_record_review_meeting(c, actor=a, **MEETING)  # noqa: E731
POST: Take = lambda c, a: actions.do_post_notice(c, starts_on=timezone.localdate(), actor=a)  # noqa: E731
APPROVE: Take = lambda c, a: actions.do_approve_case(c, actor=a)  # noqa: E731

STEPS: list[tuple[str, str, set[str], Take]] = [
    ("monitoring", Step.VERIFICATION, VILLAGE_ACTORS, VERIFY),
    (
        "monitoring",
        Step.AUTHORISATION,
        VILLAGE_ACTORS,
        lambda c, a: actions.do_record_authorisation(c, signed_by="石大哥", signed_on="2024-06-01", actor=a),
    ),
    (
        "monitoring",
        Step.COMPARISON,
        {"township_officer"},
        lambda c, a: actions.do_record_comparison(c, findings="比对无异常", actor=a),
    ),
    ("monitoring", Step.REVIEW, VILLAGE_ACTORS, MEET),
    ("monitoring", Step.FIRST_NOTICE, VILLAGE_ACTORS, POST),
    ("monitoring", Step.TOWNSHIP_REVIEW, {"township_officer"}, APPROVE),
    ("monitoring", Step.COUNTY_APPROVAL, {"county_admin"}, APPROVE),
    (
        "monitoring",
        Step.TAGGING,
        VILLAGE_ACTORS,
        lambda c, a: actions.do_tag_monitoring(c, category="edge", risk_types=["illness"], actor=a),
    ),
    ("elimination", Step.VERIFICATION, VILLAGE_ACTORS, VERIFY),
    ("elimination", Step.REVIEW, VILLAGE_ACTORS, MEET),
    ("elimination", Step.FIRST_NOTICE, VILLAGE_ACTORS, POST),
    ("elimination", Step.TOWNSHIP_REVIEW, {"township_officer"}, APPROVE),
    ("elimination", Step.COUNTY_APPROVAL, {"county_admin"}, APPROVE),
    (
        "elimination",
        Step.TAGGING,
        VILLAGE_ACTORS,
        lambda c, a: actions.do_tag_elimination(c, way="assisted", actor=a),
    ),
]


@pytest.mark.parametrize("username", ALL_USERNAMES)
@pytest.mark.parametrize(("kind", "step", "allowed", "take"), STEPS, ids=[f"{k}-{s}" for k, s, _, _ in STEPS])
def test_each_step_only_by_its_role_at_its_level(
    personas: dict[str, User], username: str, kind: str, step: str, allowed: set[str], take: Take
) -> None:
    opener = open_monitoring if kind == "monitoring" else open_elimination
    case = advance_to(opener(personas), step, personas)
    before = fingerprint(case)
    if username in allowed:
        take(case, personas[username])
        assert fingerprint(case) != before
        return
    expected = NotFound if username in OUTSIDE else PermissionDenied
    # A township officer approving a case that has left the township review is the slower of
    # two deciders (issue 13): told who decided it and when (409), not "no permission".
    lost_race = step == Step.COUNTY_APPROVAL and username == "township_officer"
    with pytest.raises(Conflict if lost_race else expected):
        take(case, personas[username])
    assert fingerprint(case) == before
    for refuse in (
        lambda: actions.do_reject_case(case, reason="不该成功", actor=personas[username]),
        lambda: actions.do_override_rule(case, rule="labour_capacity", reason="x", actor=personas[username]),
    ):
        with pytest.raises(expected):
            refuse()
    assert fingerprint(case) == before


@pytest.mark.parametrize("username", ALL_USERNAMES)
@pytest.mark.parametrize("kind", ["monitoring", "elimination"])
def test_only_village_actors_of_the_village_open_monitoring_cases(
    personas: dict[str, User], username: str, kind: str
) -> None:
    actor = personas[username]

    def open_() -> Case:
        if kind == "monitoring":
            return actions.do_open_monitoring(
                monitoring_candidate(), origin="application", reason="农户自主申报", actor=actor
            )
        return actions.do_open_elimination(elimination_candidate(), reason="风险消除", actor=actor)

    if username in VILLAGE_ACTORS:
        assert open_().kind == kind
        return
    with pytest.raises(NotFound if username in OUTSIDE else PermissionDenied):
        open_()
    assert not Case.objects.exists()


def test_a_township_role_bound_to_a_village_cannot_compare(personas: dict[str, User]) -> None:
    # An account whose role and area disagree (made by hand, not through do_create_user).
    stray = User(username="stray", role="township_officer", area=Area.objects.get(code=VILLAGE))
    case = advance_to(open_monitoring(personas), Step.COMPARISON, personas)
    before = fingerprint(case)
    with pytest.raises(PermissionDenied):
        actions.do_record_comparison(case, findings="比对无异常", actor=stray)
    assert fingerprint(case) == before
