"""Recall (召回): proposed by the system when a rule trips — leave over the yearly limit, a
不称职 grade, repeated unexcused absence at spot checks — once per member, year and trigger;
decided once, with a reason, by the organisation department of the member's area."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fupin.core.errors import FupinError, NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import COUNTY, VILLAGE
from fupin.teams.errors import GradingError
from fupin.teams.grading import (
    AlreadyDecided,
    check_recall_triggers,
    do_decide_recall,
    do_grade,
    do_record_spot_check,
)
from fupin.teams.models import CheckIn, Grade, RecallProposal, RecallStatus, RecallTrigger, TeamMember
from tests.teams.conftest import approved_leave, set_area_setting

YEAR = 2025


def leave_days(member: TeamMember, total: int, start: dt.date = dt.date(YEAR, 4, 1)) -> None:
    """``total`` approved leave days in pieces of at most 10."""
    day = start
    while total > 0:
        piece = min(10, total)
        approved_leave(member, day, day + dt.timedelta(days=piece - 1))
        day += dt.timedelta(days=piece + 5)
        total -= piece


# --- triggers ------------------------------------------------------------------------------


def test_36_days_of_leave_propose_recall(secretary: TeamMember) -> None:
    leave_days(secretary, 36)
    [proposal] = check_recall_triggers(secretary, YEAR)
    assert proposal.trigger == RecallTrigger.LEAVE and proposal.status == RecallStatus.PROPOSED
    assert proposal.evidence == {"leave_days": 36, "limit": 30}
    assert proposal.area_id == VILLAGE and proposal.year == YEAR
    entry = AuditEntry.objects.get(action="teams.propose_recall")
    assert entry.actor is None and entry.actor_name == "system" and entry.object_id == str(proposal.pk)


def test_30_days_do_not_and_31_do(secretary: TeamMember) -> None:
    leave_days(secretary, 30)
    assert check_recall_triggers(secretary, YEAR) == []
    assert not RecallProposal.objects.exists()
    approved_leave(secretary, dt.date(YEAR, 11, 3), dt.date(YEAR, 11, 3))
    assert [p.trigger for p in check_recall_triggers(secretary, YEAR)] == [RecallTrigger.LEAVE]


def test_only_the_days_inside_the_year_count(secretary: TeamMember) -> None:
    leave_days(secretary, 25, start=dt.date(YEAR, 3, 1))
    approved_leave(secretary, dt.date(YEAR, 12, 25), dt.date(YEAR + 1, 1, 10))  # 7 in 2025, 10 in 2026
    assert check_recall_triggers(secretary, YEAR)[0].evidence["leave_days"] == 32
    assert check_recall_triggers(secretary, YEAR + 1) == []


def test_the_leave_limit_is_a_setting(secretary: TeamMember) -> None:
    set_area_setting(COUNTY, "leave_recall_days", 40)
    leave_days(secretary, 36)
    assert check_recall_triggers(secretary, YEAR) == []


def test_triggers_are_idempotent(secretary: TeamMember) -> None:
    leave_days(secretary, 36)
    assert len(check_recall_triggers(secretary, YEAR)) == 1
    assert check_recall_triggers(secretary, YEAR) == []
    leave_days(secretary, 10, start=dt.date(YEAR, 10, 1))  # still over: still one proposal
    assert check_recall_triggers(secretary, YEAR) == []
    assert RecallProposal.objects.count() == 1
    assert AuditEntry.objects.filter(action="teams.propose_recall").count() == 1


def test_an_unfit_grade_proposes_recall(personas: dict[str, Any], secretary: TeamMember) -> None:
    do_grade(personas["org_dept"], secretary, YEAR, "55", "58", Grade.UNFIT, "长期不在岗")
    proposal = RecallProposal.objects.get()
    assert proposal.trigger == RecallTrigger.UNFIT
    assert proposal.evidence == {"grade": "unfit", "total": "57.10"}
    # Grading again (unfit or not) adds none.
    do_grade(personas["org_dept"], secretary, YEAR, "50", "50", Grade.UNFIT, "")
    do_grade(personas["org_dept"], secretary, YEAR, "70", "70", Grade.BASIC, "")
    assert RecallProposal.objects.count() == 1


def test_a_passing_grade_proposes_nothing(personas: dict[str, Any], secretary: TeamMember) -> None:
    do_grade(personas["org_dept"], secretary, YEAR, "65", "65", Grade.BASIC, "")
    assert not RecallProposal.objects.exists()


def test_absences_at_spot_checks_propose_recall(personas: dict[str, Any], secretary: TeamMember) -> None:
    org = personas["org_dept"]
    do_record_spot_check(org, secretary, dt.date(YEAR, 5, 1), False, False, "")
    do_record_spot_check(org, secretary, dt.date(YEAR, 5, 2), False, True, "病假")  # excused
    do_record_spot_check(org, secretary, dt.date(YEAR, 5, 3), False, False, "")
    assert not RecallProposal.objects.exists()
    do_record_spot_check(org, secretary, dt.date(YEAR, 5, 4), False, False, "")
    proposal = RecallProposal.objects.get()
    assert proposal.trigger == RecallTrigger.ABSENCE and proposal.evidence == {"absences": 3, "limit": 3}
    do_record_spot_check(org, secretary, dt.date(YEAR, 5, 5), False, False, "")
    assert RecallProposal.objects.count() == 1


def test_each_trigger_has_its_own_proposal(personas: dict[str, Any], secretary: TeamMember) -> None:
    set_area_setting(COUNTY, "absences_recall", 1)
    # One day in the village in May: every finished month from then on is below the minimum.
    CheckIn.objects.create(
        member=secretary, area_id=secretary.area_id, day=dt.date(YEAR, 5, 2), at=timezone.now()
    )
    leave_days(secretary, 31)
    do_record_spot_check(personas["org_dept"], secretary, dt.date(YEAR, 5, 1), False, False, "")
    do_grade(personas["org_dept"], secretary, YEAR, "40", "40", Grade.UNFIT, "")
    assert set(RecallProposal.objects.values_list("trigger", flat=True)) == set(RecallTrigger.values)


def test_a_recalled_member_gets_no_new_proposal(secretary: TeamMember) -> None:
    secretary.recalled = True
    secretary.left_on = dt.date(YEAR, 9, 1)
    secretary.save()
    leave_days(secretary, 36)
    assert check_recall_triggers(secretary, YEAR) == []


def test_triggers_run_inside_a_callers_transaction(secretary: TeamMember) -> None:
    from django.db import transaction

    leave_days(secretary, 36)
    with transaction.atomic():
        check_recall_triggers(secretary, YEAR)
        check_recall_triggers(secretary, YEAR)
    assert RecallProposal.objects.count() == 1


# --- deciding ------------------------------------------------------------------------------


@pytest.fixture
def proposal(secretary: TeamMember) -> RecallProposal:
    leave_days(secretary, 36)
    return check_recall_triggers(secretary, YEAR)[0]


def test_recalling_ends_the_membership(personas: dict[str, Any], proposal: RecallProposal) -> None:
    decided = do_decide_recall(personas["org_dept"], proposal, True, "请假超过规定天数")
    assert decided.status == RecallStatus.RECALLED and decided.decided_by == personas["org_dept"]
    assert decided.reason == "请假超过规定天数" and decided.decided_at is not None
    member = TeamMember.objects.get(pk=proposal.member_id)
    assert member.recalled and member.left_on == timezone.localdate()
    actions = list(AuditEntry.objects.filter(action__in=["teams.decide_recall", "teams.recall_member"]))
    assert {a.action for a in actions} == {"teams.decide_recall", "teams.recall_member"}


def test_keeping_on_leaves_the_member(personas: dict[str, Any], proposal: RecallProposal) -> None:
    decided = do_decide_recall(personas["org_dept"], proposal, False, "请假为治病，已补足")
    assert decided.status == RecallStatus.KEPT
    member = TeamMember.objects.get(pk=proposal.member_id)
    assert not member.recalled and member.left_on is None


def test_recall_settles_the_members_other_open_proposals(
    personas: dict[str, Any], secretary: TeamMember, proposal: RecallProposal
) -> None:
    do_grade(personas["org_dept"], secretary, YEAR, "40", "40", Grade.UNFIT, "")
    other = RecallProposal.objects.get(trigger=RecallTrigger.UNFIT)
    do_decide_recall(personas["org_dept"], proposal, True, "召回")
    other.refresh_from_db()
    assert other.status == RecallStatus.RECALLED and other.reason == "召回"


def test_a_proposal_is_decided_only_once(personas: dict[str, Any], proposal: RecallProposal) -> None:
    do_decide_recall(personas["org_dept"], proposal, False, "保留")
    with pytest.raises(AlreadyDecided) as exc:
        do_decide_recall(personas["org_dept"], proposal, True, "改为召回")
    assert exc.value.code == GradingError.ALREADY_DECIDED and exc.value.status == 409
    proposal.refresh_from_db()
    assert proposal.status == RecallStatus.KEPT and proposal.reason == "保留"
    assert not TeamMember.objects.get(pk=proposal.member_id).recalled


def test_the_reason_is_required(personas: dict[str, Any], proposal: RecallProposal) -> None:
    with pytest.raises(FupinError) as exc:
        do_decide_recall(personas["org_dept"], proposal, True, "   ")
    assert exc.value.code == GradingError.REASON_REQUIRED
    proposal.refresh_from_db()
    assert proposal.status == RecallStatus.PROPOSED


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("township_officer", PermissionDenied),
        ("county_admin", PermissionDenied),
        ("village_clerk", PermissionDenied),
        ("first_secretary", PermissionDenied),
        ("supervisor", PermissionDenied),
        ("outsider", NotFound),
        ("neighbour_clerk", NotFound),
    ],
)
def test_only_the_organisation_department_of_the_area_decides(
    personas: dict[str, Any], proposal: RecallProposal, persona: str, error: type[Exception]
) -> None:
    audits = AuditEntry.objects.count()
    with pytest.raises(error):
        do_decide_recall(personas[persona], proposal, True, "召回")
    proposal.refresh_from_db()
    assert proposal.status == RecallStatus.PROPOSED and proposal.decided_by is None
    assert not TeamMember.objects.get(pk=proposal.member_id).recalled
    assert AuditEntry.objects.count() == audits
