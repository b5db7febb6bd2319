"""Leave by level (domain.md §7): up to the village's limit (default 3 days) the township party
committee approves, longer leave only the county organisation department; a refusal gives its
reason; no overlapping leave; one decision, even with two deciders; and approving leave that
takes the year over the recall limit proposes recall."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from fupin.accounts.actions import do_create_user
from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.core.errors import FupinError, NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, COUNTY, TOWNSHIP, VILLAGE
from fupin.teams.actions import TeamConflict, do_cancel_leave, do_decide_leave, do_request_leave
from fupin.teams.errors import TeamError
from fupin.teams.models import LeaveRequest, LeaveStatus, RecallProposal, TeamMember, WorkTeam
from fupin.teams.queries import access_leave_by_id, access_own_leave_by_id, leave_queue
from tests.teams.conftest import approved_leave, set_area_setting

OUTSIDE = {"outsider", "neighbour_clerk"}
APPROVERS = {"org_dept", "township_officer"}


def ask(user: User, first: str, last: str, reason: str = "家中有事") -> LeaveRequest:
    return do_request_leave(user, first, last, reason)


@pytest.fixture
def me(personas: dict[str, User], secretary: TeamMember) -> User:
    return personas["first_secretary"]


def test_the_length_decides_who_approves(me: User) -> None:
    short = ask(me, "2025-07-01", "2025-07-03")
    long = ask(me, "2025-07-10", "2025-07-13")
    assert (short.days, short.approver_level, short.status) == (3, 4, LeaveStatus.PENDING)
    assert (long.days, long.approver_level) == (4, 3)
    assert ask(me, "2025-08-01", "2025-08-01").days == 1
    entry = AuditEntry.objects.filter(action="teams.request_leave").first()
    assert entry is not None and entry.actor == me and entry.area_code == VILLAGE


def test_the_township_limit_is_a_local_setting(me: User) -> None:
    set_area_setting(TOWNSHIP, "leave_township_max_days", 5)
    assert ask(me, "2025-07-01", "2025-07-05").approver_level == 4
    assert ask(me, "2025-07-10", "2025-07-15").approver_level == 3
    set_area_setting(COUNTY, "leave_township_max_days", 1)  # the township's own value is nearer
    assert ask(me, "2025-08-01", "2025-08-04").approver_level == 4


def test_the_township_approves_short_leave_and_not_long(personas: dict[str, User], me: User) -> None:
    short = ask(me, "2025-07-01", "2025-07-03")
    long = ask(me, "2025-07-10", "2025-07-13")
    township, org = personas["township_officer"], personas["org_dept"]
    with pytest.raises(FupinError) as refused:
        do_decide_leave(township, long, True)
    assert refused.value.code == TeamError.LEAVE_WRONG_LEVEL
    assert "县委组织部" in refused.value.message
    with translation.override("en"):
        assert (
            refused.value.message
            == "This leave lasts 4 days; it is approved by the county organisation department."
        )
    with pytest.raises(FupinError) as not_org:
        do_decide_leave(org, short, True)
    assert not_org.value.code == TeamError.LEAVE_WRONG_LEVEL and "乡镇党委" in not_org.value.message
    assert set(LeaveRequest.objects.values_list("status", flat=True)) == {LeaveStatus.PENDING}
    approved = do_decide_leave(township, short, True)
    assert (approved.status, approved.decided_by) == (LeaveStatus.APPROVED, township) and approved.decided_at
    long_done = do_decide_leave(org, long, True, "同意")
    assert (long_done.status, long_done.decided_by, long_done.decision_note) == (
        LeaveStatus.APPROVED,
        org,
        "同意",
    )
    assert AuditEntry.objects.filter(action="teams.approve_leave").count() == 2


@pytest.mark.parametrize("persona", ALL_USERNAMES)
@pytest.mark.parametrize("days", [3, 4])
def test_deciding_needs_the_role_the_area_and_the_level(
    persona: str, days: int, personas: dict[str, User], me: User
) -> None:
    leave = ask(me, "2025-07-01", f"2025-07-0{days}")
    user = personas[persona]
    deciders = {3: "township_officer", 4: "org_dept"}  # by days
    if persona == deciders[days]:
        assert do_decide_leave(user, leave, False, "工作需要").status == LeaveStatus.REFUSED
        return
    if persona in OUTSIDE:
        expected: type[Exception] = NotFound
    elif persona in APPROVERS:
        expected = FupinError  # the other level: told who decides
    else:
        expected = PermissionDenied
    with pytest.raises(expected) as caught:
        do_decide_leave(user, leave, True)
    if persona in APPROVERS:
        assert caught.value.code == TeamError.LEAVE_WRONG_LEVEL  # type: ignore[attr-defined]
    assert LeaveRequest.objects.get(pk=leave.pk).status == LeaveStatus.PENDING
    assert not AuditEntry.objects.filter(action__in=["teams.approve_leave", "teams.refuse_leave"]).exists()


def test_a_refusal_needs_its_reason(personas: dict[str, User], me: User) -> None:
    leave = ask(me, "2025-07-01", "2025-07-02")
    township = personas["township_officer"]
    for note in ("", "   "):
        with pytest.raises(FupinError) as caught:
            do_decide_leave(township, leave, False, note)
        assert (caught.value.code, caught.value.field) == (TeamError.LEAVE_REFUSAL_NOTE_REQUIRED, "note")
    assert LeaveRequest.objects.get().status == LeaveStatus.PENDING
    refused = do_decide_leave(township, leave, False, "防汛期间不批假")
    assert (refused.status, refused.decision_note) == (LeaveStatus.REFUSED, "防汛期间不批假")
    entry = AuditEntry.objects.get(action="teams.refuse_leave")
    assert entry.after == {"status": "refused", "decision_note": "防汛期间不批假"}


def test_a_request_is_decided_once(personas: dict[str, User], me: User) -> None:
    leave = ask(me, "2025-07-01", "2025-07-02")
    stale = LeaveRequest.objects.get(pk=leave.pk)
    do_decide_leave(personas["township_officer"], leave, True)
    with pytest.raises(TeamConflict) as caught:
        do_decide_leave(personas["township_officer"], stale, False, "不同意")
    assert caught.value.code == TeamError.LEAVE_DECIDED and caught.value.status == 409
    assert LeaveRequest.objects.get().status == LeaveStatus.APPROVED


@pytest.mark.parametrize(
    ("first", "last", "code", "field"),
    [
        ("2025-07-05", "2025-07-04", "LEAVE_DAYS_ORDER", "last_day"),
        ("2025-07-01", "2026-07-03", "LEAVE_TOO_LONG", "last_day"),
        ("2025-07-40", "2025-07-41", "BAD_DATE", "first_day"),
        ("2025-07-01", "", "BAD_DATE", "last_day"),
    ],
)
def test_bad_dates_are_refused(me: User, first: str, last: str, code: str, field: str) -> None:
    with pytest.raises(FupinError) as caught:
        ask(me, first, last)
    assert (caught.value.code.name, caught.value.field) == (code, field)
    assert not LeaveRequest.objects.exists()


def test_a_reason_is_required(me: User) -> None:
    with pytest.raises(FupinError) as caught:
        ask(me, "2025-07-01", "2025-07-01", " ")
    assert caught.value.code == TeamError.LEAVE_REASON_REQUIRED
    assert not LeaveRequest.objects.exists()


def test_no_overlap_with_pending_or_approved_leave(personas: dict[str, User], me: User) -> None:
    pending = ask(me, "2025-07-01", "2025-07-03")
    for first, last in (
        ("2025-06-30", "2025-07-01"),
        ("2025-07-03", "2025-07-05"),
        ("2025-07-02", "2025-07-02"),
    ):
        with pytest.raises(FupinError) as caught:
            ask(me, first, last)
        assert caught.value.code == TeamError.LEAVE_OVERLAP
        assert "2025-07-01" in caught.value.message and "2025-07-03" in caught.value.message
    ask(me, "2025-07-04", "2025-07-04")  # the day after: no overlap
    do_decide_leave(personas["township_officer"], pending, True)
    with pytest.raises(FupinError):
        ask(me, "2025-07-02", "2025-07-02")
    assert LeaveRequest.objects.count() == 2


def test_refused_and_cancelled_leave_does_not_block(personas: dict[str, User], me: User) -> None:
    refused = ask(me, "2025-07-01", "2025-07-03")
    do_decide_leave(personas["township_officer"], refused, False, "人手不足")
    cancelled = ask(me, "2025-07-01", "2025-07-02")
    do_cancel_leave(me, cancelled)
    again = ask(me, "2025-07-01", "2025-07-03")
    assert again.status == LeaveStatus.PENDING and LeaveRequest.objects.count() == 3


def test_another_members_leave_does_not_block(personas: dict[str, User], me: User, team: WorkTeam) -> None:
    colleague = team.members.exclude(user=me).first()
    assert colleague is not None
    approved_leave(colleague, dt.date(2025, 7, 1), dt.date(2025, 7, 3))
    assert ask(me, "2025-07-01", "2025-07-03").member.user == me


def test_only_the_requester_cancels_and_only_while_pending(personas: dict[str, User], me: User) -> None:
    leave = ask(me, "2025-07-01", "2025-07-02")
    with pytest.raises(PermissionDenied):
        do_cancel_leave(personas["township_officer"], leave)
    with pytest.raises(NotFound):
        do_cancel_leave(personas["neighbour_clerk"], leave)
    with pytest.raises(NotFound):
        access_own_leave_by_id(me, leave.pk + 1000)
    assert access_own_leave_by_id(me, leave.pk) == leave
    done = do_cancel_leave(me, leave)
    assert done.status == LeaveStatus.CANCELLED
    assert AuditEntry.objects.get(action="teams.cancel_leave").actor == me
    with pytest.raises(TeamConflict) as caught:
        do_cancel_leave(me, leave)
    assert caught.value.code == TeamError.LEAVE_NOT_PENDING
    # and a cancelled request cannot be decided
    with pytest.raises(TeamConflict):
        do_decide_leave(personas["township_officer"], leave, True)


def test_another_member_cannot_cancel_my_leave(personas: dict[str, User], me: User, team: WorkTeam) -> None:
    leave = ask(me, "2025-07-01", "2025-07-02")
    other = LeaveRequest.objects.get(pk=leave.pk)
    # a second work-team login on the same team
    colleague_login = do_create_user("wu_member", role="first_secretary", area=Area.objects.get(code=VILLAGE))
    colleague = team.members.exclude(user=me).first()
    assert colleague is not None
    colleague.user = colleague_login
    colleague.save()
    with pytest.raises(PermissionDenied):
        do_cancel_leave(colleague_login, other)
    with pytest.raises(NotFound):
        access_own_leave_by_id(colleague_login, leave.pk)
    assert LeaveRequest.objects.get().status == LeaveStatus.PENDING


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_requesting_needs_the_work_team_role(persona: str, personas: dict[str, User], team: WorkTeam) -> None:
    if persona == "first_secretary":
        assert ask(personas[persona], "2025-07-01", "2025-07-01").pk
        return
    with pytest.raises(PermissionDenied):
        ask(personas[persona], "2025-07-01", "2025-07-01")
    assert not LeaveRequest.objects.exists()


def test_not_a_member_requests_nothing(personas: dict[str, User], db: Any) -> None:
    with pytest.raises(FupinError) as caught:
        ask(personas["first_secretary"], "2025-07-01", "2025-07-01")
    assert caught.value.code == TeamError.NOT_A_TEAM_MEMBER


def test_each_level_sees_only_its_own_queue(
    personas: dict[str, User], me: User, far_team: WorkTeam, neighbour_team: WorkTeam
) -> None:
    short = ask(me, "2025-07-01", "2025-07-03")
    long = ask(me, "2025-07-10", "2025-07-20")
    far_member = far_team.members.first()
    neighbour_member = neighbour_team.members.first()
    assert far_member is not None and neighbour_member is not None
    far_short = LeaveRequest.objects.create(
        member=far_member,
        area_id=far_member.area_id,
        first_day=dt.date(2025, 7, 1),
        last_day=dt.date(2025, 7, 1),
        days=1,
        reason="病假",
        approver_level=4,
    )
    neighbour_short = LeaveRequest.objects.create(
        member=neighbour_member,
        area_id=neighbour_member.area_id,
        first_day=dt.date(2025, 7, 1),
        last_day=dt.date(2025, 7, 2),
        days=2,
        reason="病假",
        approver_level=4,
    )
    township, org = personas["township_officer"], personas["org_dept"]
    assert set(leave_queue(township)) == {short, neighbour_short}
    assert set(leave_queue(org)) == {long}
    with pytest.raises(NotFound):
        access_leave_by_id(township, far_short.pk)
    assert access_leave_by_id(org, far_short.pk) == far_short
    do_decide_leave(township, short, True)
    assert set(leave_queue(township)) == {neighbour_short}
    assert set(leave_queue(township, pending_only=False)) == {short}
    with pytest.raises(PermissionDenied):
        leave_queue(personas["county_admin"])


# --- recall --------------------------------------------------------------------------------


def test_approving_leave_over_the_yearly_limit_proposes_recall(
    personas: dict[str, User], me: User, secretary: TeamMember
) -> None:
    approved_leave(secretary, dt.date(2025, 3, 1), dt.date(2025, 3, 28))  # 28 days already
    org, township = personas["org_dept"], personas["township_officer"]
    two = ask(me, "2025-05-05", "2025-05-06")
    do_decide_leave(township, two, True)  # 30 days: at the limit, not over it
    assert not RecallProposal.objects.exists()
    one = ask(me, "2025-06-02", "2025-06-02")
    do_decide_leave(township, one, True)  # 31 > 30
    proposal = RecallProposal.objects.get()
    assert (proposal.member, proposal.year, proposal.trigger) == (secretary, 2025, "leave")
    assert proposal.evidence["leave_days"] == 31
    # idempotent: more leave adds no second proposal
    more = ask(me, "2025-09-01", "2025-09-05")
    do_decide_leave(org, more, True)
    assert RecallProposal.objects.count() == 1


def test_a_refused_or_pending_request_does_not_count(
    personas: dict[str, User], me: User, secretary: TeamMember
) -> None:
    long = ask(me, "2025-03-01", "2025-04-10")  # 41 days
    assert not RecallProposal.objects.exists()
    do_decide_leave(personas["org_dept"], long, False, "时间过长")
    assert not RecallProposal.objects.exists()


def test_the_recall_limit_is_a_local_setting(
    personas: dict[str, User], me: User, secretary: TeamMember
) -> None:
    set_area_setting(VILLAGE, "leave_recall_days", 5)
    leave = ask(me, "2025-07-01", "2025-07-06")
    do_decide_leave(personas["org_dept"], leave, True)
    assert RecallProposal.objects.get().evidence == {"leave_days": 6, "limit": 5}


def test_leave_across_new_year_counts_in_each_year(
    personas: dict[str, User], me: User, secretary: TeamMember
) -> None:
    set_area_setting(VILLAGE, "leave_recall_days", 3)
    leave = ask(me, "2025-12-28", "2026-01-05")  # 4 days in 2025, 5 in 2026
    do_decide_leave(personas["org_dept"], leave, True)
    assert sorted(RecallProposal.objects.values_list("year", flat=True)) == [2025, 2026]
