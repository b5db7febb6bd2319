"""Every step, tried by every persona: only the step's role at the step's level inside the
case's area may take it; the others are refused (outside the area: NotFound, like a missing
case) and nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.cases import actions
from fupin.cases.models import Case, CaseStep, Step
from fupin.core.errors import Conflict, NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, TOWNSHIP
from tests.cases.helpers import MEETING, advance_to, open_exit, open_identification

VILLAGE_ACTORS = {"village_clerk", "first_secretary"}
OUTSIDE = {"outsider", "neighbour_clerk"}

# (workflow, step, the personas who may take it, how to take it)
Take = Callable[[Case, Any], Any]
STEPS: list[tuple[str, str, set[str], Take]] = [
    (
        "identification",
        Step.VERIFICATION,
        VILLAGE_ACTORS,
        lambda c, a: actions.do_record_verification(c, actor=a),
    ),
    (
        "identification",
        Step.REVIEW,
        VILLAGE_ACTORS,
        lambda c, a: actions.do_record_review_meeting(c, actor=a, **MEETING),
    ),
    (
        "identification",
        Step.FIRST_NOTICE,
        VILLAGE_ACTORS,
        lambda c, a: actions.do_post_notice(c, starts_on=timezone.localdate(), actor=a),
    ),
    (
        "identification",
        Step.TOWNSHIP_REVIEW,
        {"township_officer"},
        lambda c, a: actions.do_approve_case(c, actor=a),
    ),
    (
        "identification",
        Step.COUNTY_APPROVAL,
        {"county_admin"},
        lambda c, a: actions.do_approve_case(c, actor=a),
    ),
    (
        "identification",
        Step.ANNOUNCEMENT,
        VILLAGE_ACTORS,
        lambda c, a: actions.do_announce_case(c, announced_on=timezone.localdate(), actor=a),
    ),
    (
        "exit",
        Step.REVIEW,
        VILLAGE_ACTORS,
        lambda c, a: actions.do_record_review_meeting(c, actor=a, **MEETING),
    ),
    (
        "exit",
        Step.CONSENT,
        VILLAGE_ACTORS,
        lambda c, a: actions.do_record_consent(c, consent_name="石大哥", consent_on="2024-01-01", actor=a),
    ),
    ("exit", Step.TOWNSHIP_REVIEW, {"township_officer"}, lambda c, a: actions.do_approve_case(c, actor=a)),
    ("exit", Step.COUNTY_APPROVAL, {"county_admin"}, lambda c, a: actions.do_approve_case(c, actor=a)),
    (
        "exit",
        Step.ANNOUNCEMENT,
        VILLAGE_ACTORS,
        lambda c, a: actions.do_announce_case(c, announced_on=timezone.localdate(), actor=a),
    ),
]


def fingerprint(case: Case) -> tuple[Any, ...]:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.step,
        fresh.household.status,
        CaseStep.objects.filter(case=case).count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("username", ALL_USERNAMES)
@pytest.mark.parametrize(("kind", "step", "allowed", "take"), STEPS, ids=[f"{k}-{s}" for k, s, _, _ in STEPS])
def test_each_step_only_by_its_role_at_its_level(
    personas: dict[str, User], username: str, kind: str, step: str, allowed: set[str], take: Take
) -> None:
    opener = open_identification if kind == "identification" else open_exit
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
        lambda: actions.do_record_objection(case, raised_by="某", content="某", actor=personas[username]),
    ):
        with pytest.raises(expected):
            refuse()
    assert fingerprint(case) == before


@pytest.mark.parametrize("username", ALL_USERNAMES)
def test_only_village_actors_of_the_village_open_cases(personas: dict[str, User], username: str) -> None:
    from tests.cases.helpers import candidate

    household = candidate()
    if username in VILLAGE_ACTORS:
        assert open_identification_by(personas[username], household).pk
        return
    with pytest.raises(NotFound if username in OUTSIDE else PermissionDenied):
        open_identification_by(personas[username], household)
    assert not Case.objects.exists()


def open_identification_by(actor: User, household: Any) -> Case:
    return actions.do_open_identification(household, origin="nomination", reason="村委会提名", actor=actor)


def test_the_right_role_on_the_wrong_level_is_refused(personas: dict[str, User]) -> None:
    # An account whose role and area disagree (made by hand, not through do_create_user).
    stray_clerk = User(username="stray", role="village_clerk", area=Area.objects.get(code=TOWNSHIP))
    case = open_identification(personas)
    before = fingerprint(case)
    with pytest.raises(PermissionDenied):
        actions.do_record_verification(case, actor=stray_clerk)
    assert fingerprint(case) == before
