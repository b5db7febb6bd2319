"""Both workflows step by step, each step by its proper persona, and what each step leaves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.cases import actions
from fupin.cases.area_settings import do_set_area_setting
from fupin.cases.models import Case, CaseStep, Kind, Notice, ReviewMeeting, Status, Step, Verification
from fupin.cases.workflow import path_of
from fupin.core.errors import FupinError, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.core.personas import COUNTY, VILLAGE
from fupin.registry.models import Household, StatusChange
from tests.cases.helpers import (
    MEETING,
    advance_to,
    age_notice,
    candidate,
    exit_candidate,
    open_exit,
    open_identification,
)


def _reload(household: Household) -> Household:
    return Household.objects.get(pk=household.pk)


def test_an_identification_walks_every_step_and_registers_the_household(personas: dict[str, User]) -> None:
    p = personas
    household = candidate()
    case = open_identification(p, household)
    assert (case.kind, case.status, case.step) == (Kind.IDENTIFICATION, Status.OPEN, Step.VERIFICATION)

    case = actions.do_record_verification(case, actor=p["first_secretary"], remarks="入户核实，情况属实")
    assert case.step == Step.REVIEW
    assert Verification.objects.get(case=case).verified_by == p["first_secretary"]

    case = actions.do_record_review_meeting(case, actor=p["village_clerk"], **MEETING)
    assert case.step == Step.FIRST_NOTICE
    meeting = ReviewMeeting.objects.get(case=case)
    assert (meeting.representatives_present, meeting.votes_for, meeting.passed) == (24, 20, True)

    notice = actions.do_post_notice(case, starts_on=timezone.localdate(), actor=p["village_clerk"])
    assert notice.ends_on == timezone.localdate() + dt.timedelta(days=7)  # the default notice_days
    age_notice(case)
    case = actions.do_close_notice(case, actor=p["village_clerk"])
    assert case.step == Step.TOWNSHIP_REVIEW

    case = actions.do_approve_case(case, actor=p["township_officer"], remarks="审核通过")
    assert case.step == Step.SECOND_NOTICE

    actions.do_post_notice(case, starts_on=timezone.localdate(), actor=p["first_secretary"])
    age_notice(case)
    case = actions.do_close_notice(case, actor=p["first_secretary"])
    assert case.step == Step.COUNTY_APPROVAL
    assert _reload(household).status == "none"

    case = actions.do_approve_case(case, actor=p["county_admin"])
    assert case.step == Step.ANNOUNCEMENT
    household = _reload(household)
    assert household.status == "poor" and household.registered_year == case.year
    change = StatusChange.objects.get(household=household, to_status="poor")
    assert change.actor == p["county_admin"] and change.reason == "因病致贫，农户申请"

    case = actions.do_announce_case(case, announced_on=timezone.localdate(), actor=p["village_clerk"])
    assert (case.status, case.step) == (Status.COMPLETED, Step.DONE)
    assert case.closed_at is not None and case.announced_on == timezone.localdate()

    timeline = list(CaseStep.objects.filter(case=case).values_list("step", "decision"))
    assert timeline[0] == ("verification", "started")
    assert ("county", "approved") in timeline and timeline[-1] == ("announcement", "done")
    assert Notice.objects.filter(case=case).count() == 2
    actions_logged = set(AuditEntry.objects.filter(object_id=str(case.pk)).values_list("action", flat=True))
    assert {
        "cases.open_identification",
        "cases.record_verification",
        "cases.approve",
        "cases.announce",
    } <= actions_logged


def test_an_exit_walks_every_step_and_exits_the_household_at_the_announcement(
    personas: dict[str, User],
) -> None:
    p = personas
    household = exit_candidate()
    case = open_exit(p, household)
    assert path_of(case) == [
        "review",
        "verification",
        "consent",
        "notice1",
        "township",
        "county",
        "announcement",
        "done",
    ]
    assert case.step == Step.REVIEW
    case = actions.do_record_review_meeting(case, actor=p["first_secretary"], **MEETING)
    assert case.step == Step.VERIFICATION
    case = actions.do_record_verification(case, actor=p["village_clerk"], policies_effective=True)
    assert case.step == Step.CONSENT
    with pytest.raises(ValidationFailed):
        actions.do_record_consent(case, consent_name="", consent_on="", actor=p["village_clerk"])
    case = actions.do_record_consent(
        case, consent_name="石大哥", consent_on="2024-05-01", actor=p["village_clerk"]
    )
    assert (case.step, case.consent_name, case.consent_on) == (
        Step.FIRST_NOTICE,
        "石大哥",
        dt.date(2024, 5, 1),
    )
    case = advance_to(case, Step.TOWNSHIP_REVIEW, p)
    case = actions.do_approve_case(case, actor=p["township_officer"])
    assert case.step == Step.COUNTY_APPROVAL
    case = actions.do_approve_case(case, actor=p["county_admin"])
    assert case.step == Step.ANNOUNCEMENT and _reload(household).status == "poor"
    case = actions.do_announce_case(case, announced_on=timezone.localdate(), actor=p["village_clerk"])
    assert case.status == Status.COMPLETED
    household = _reload(household)
    assert household.status == "exited" and household.exit_year == case.year
    assert StatusChange.objects.get(household=household, to_status="exited").actor == p["village_clerk"]


def test_an_exit_skips_the_reviews_the_area_does_not_ask_for(personas: dict[str, User]) -> None:
    p = personas
    county = Area.objects.get(code=COUNTY)
    do_set_area_setting(county, "exit_requires_township_review", False, actor=p["county_admin"])
    do_set_area_setting(county, "exit_requires_county_approval", "否", actor=p["county_admin"])
    case = open_exit(p)
    assert path_of(case) == ["review", "verification", "consent", "notice1", "announcement", "done"]
    case = advance_to(case, Step.ANNOUNCEMENT, p)
    case = actions.do_announce_case(case, announced_on=timezone.localdate(), actor=p["first_secretary"])
    assert _reload(case.household).status == "exited"


def test_the_exit_path_is_fixed_when_the_case_opens(personas: dict[str, User]) -> None:
    p = personas
    case = open_exit(p)
    do_set_area_setting(
        Area.objects.get(code=COUNTY), "exit_requires_county_approval", False, actor=p["county_admin"]
    )
    assert Step.COUNTY_APPROVAL in path_of(Case.objects.get(pk=case.pk))


def test_a_notice_cannot_close_before_its_period_ends(personas: dict[str, User]) -> None:
    p = personas
    case = advance_to(open_identification(p), Step.FIRST_NOTICE, p)
    notice = actions.do_post_notice(case, starts_on=timezone.localdate(), actor=p["village_clerk"])
    # Posted six days ago: one day of the seven still to run.
    start = timezone.localdate() - dt.timedelta(days=6)
    Notice.objects.filter(pk=notice.pk).update(starts_on=start, ends_on=start + dt.timedelta(days=7))
    with pytest.raises(FupinError) as refused:
        actions.do_close_notice(case, actor=p["village_clerk"])
    assert refused.value.code.name == "NOTICE_NOT_OVER"
    assert Case.objects.get(pk=case.pk).step == Step.FIRST_NOTICE
    Notice.objects.filter(pk=notice.pk).update(
        starts_on=start - dt.timedelta(days=1), ends_on=timezone.localdate()
    )
    assert actions.do_close_notice(case, actor=p["village_clerk"]).step == Step.TOWNSHIP_REVIEW


def test_the_notice_period_comes_from_the_nearest_area_setting(personas: dict[str, User]) -> None:
    p = personas
    do_set_area_setting(Area.objects.get(code=COUNTY), "notice_days", 5, actor=p["county_admin"])
    do_set_area_setting(Area.objects.get(code=VILLAGE), "notice_days", "10", actor=p["county_admin"])
    case = advance_to(open_identification(p), Step.FIRST_NOTICE, p)
    notice = actions.do_post_notice(case, starts_on=timezone.localdate(), actor=p["village_clerk"])
    assert (notice.ends_on - notice.starts_on).days == 10


def test_a_notice_cannot_be_backdated_before_the_case_reached_it(personas: dict[str, User]) -> None:
    p = personas
    case = advance_to(open_identification(p), Step.FIRST_NOTICE, p)
    with pytest.raises(FupinError) as refused:
        actions.do_post_notice(
            case, starts_on=timezone.localdate() - dt.timedelta(days=3), actor=p["village_clerk"]
        )
    assert refused.value.code.name == "NOTICE_START_INVALID"
    assert not Notice.objects.filter(case=case).exists()


def test_an_objection_blocks_the_notice_until_it_is_answered(personas: dict[str, User]) -> None:
    p = personas
    case = advance_to(open_identification(p), Step.FIRST_NOTICE, p)
    with pytest.raises(FupinError) as early:
        actions.do_record_objection(case, raised_by="龙三", content="他家有车", actor=p["village_clerk"])
    assert early.value.code.name == "NOTICE_NOT_POSTED"
    actions.do_post_notice(case, starts_on=timezone.localdate(), actor=p["village_clerk"])
    objection = actions.do_record_objection(
        case, raised_by="龙三", content="他家有车", actor=p["village_clerk"]
    )
    age_notice(case)
    with pytest.raises(FupinError) as blocked:
        actions.do_close_notice(case, actor=p["village_clerk"])
    assert blocked.value.code.name == "OBJECTIONS_OPEN"
    assert Case.objects.get(pk=case.pk).step == Step.FIRST_NOTICE
    with pytest.raises(FupinError):
        actions.do_answer_objection(objection, answer="", actor=p["village_clerk"])
    answered = actions.do_answer_objection(objection, answer="经核实为农用三轮车", actor=p["first_secretary"])
    assert answered.answered_by == p["first_secretary"] and answered.answered_at is not None
    with pytest.raises(FupinError) as twice:
        actions.do_answer_objection(objection, answer="再答", actor=p["village_clerk"])
    assert twice.value.code.name == "ALREADY_ANSWERED"
    assert actions.do_close_notice(case, actor=p["village_clerk"]).step == Step.TOWNSHIP_REVIEW


def test_a_meeting_without_quorum_cannot_decide(personas: dict[str, User]) -> None:
    p = personas
    case = advance_to(open_identification(p), Step.REVIEW, p)
    thin = {**MEETING, "representatives_present": 19, "votes_for": 15}  # 19 of 30 < 2/3
    with pytest.raises(ValidationFailed) as refused:
        actions.do_record_review_meeting(case, actor=p["village_clerk"], **thin)
    assert refused.value.errors[0].code.name == "QUORUM_NOT_MET"
    assert not ReviewMeeting.objects.filter(case=case).exists()
    assert (
        actions.do_record_review_meeting(
            case, actor=p["village_clerk"], **{**thin, "representatives_present": 20}
        ).step
        == Step.FIRST_NOTICE
    )


def test_impossible_votes_are_refused(personas: dict[str, User]) -> None:
    p = personas
    case = advance_to(open_identification(p), Step.REVIEW, p)
    for bad in ({"representatives_present": 31}, {"votes_for": 23, "votes_against": 2}, {"votes_for": -1}):
        with pytest.raises(ValidationFailed):
            actions.do_record_review_meeting(case, actor=p["village_clerk"], **{**MEETING, **bad})
    assert Case.objects.get(pk=case.pk).step == Step.REVIEW


def test_a_meeting_that_votes_no_ends_the_case_with_the_vote_as_reason(personas: dict[str, User]) -> None:
    p = personas
    case = advance_to(open_identification(p), Step.REVIEW, p)
    case = actions.do_record_review_meeting(
        case,
        actor=p["village_clerk"],
        **{**MEETING, "votes_for": 12, "votes_against": 12, "votes_abstain": 0},
    )
    assert case.status == Status.REJECTED and "12" in case.rejection_reason
    assert _reload(case.household).status == "none"


def test_a_rejected_case_keeps_its_reason_and_changes_no_status(personas: dict[str, User]) -> None:
    p = personas
    case = advance_to(open_identification(p), Step.COUNTY_APPROVAL, p)
    with pytest.raises(FupinError) as no_reason:
        actions.do_reject_case(case, reason="  ", actor=p["county_admin"])
    assert no_reason.value.code.name == "REASON_REQUIRED"
    case = actions.do_reject_case(case, reason="抽查发现家庭有商品房", actor=p["county_admin"])
    assert (case.status, case.rejection_reason) == (Status.REJECTED, "抽查发现家庭有商品房")
    assert _reload(case.household).status == "none"
    assert not StatusChange.objects.filter(household=case.household).exists()
    with pytest.raises(FupinError) as closed:
        actions.do_approve_case(case, actor=p["county_admin"])
    # Who closed it and when (issue 13): the approver could have acted at that step.
    assert closed.value.code.name == "ALREADY_DECIDED" and closed.value.status == 409
    # A rejected case frees the household for a new one.
    assert open_identification(p, case.household).status == Status.OPEN


def test_one_open_case_per_household(personas: dict[str, User]) -> None:
    p = personas
    case = open_identification(p)
    with pytest.raises(FupinError) as refused:
        open_identification(p, case.household)
    assert refused.value.code.name == "OPEN_CASE_EXISTS"


def test_identification_is_for_ordinary_households_and_exit_for_registered_ones(
    personas: dict[str, User],
) -> None:
    p = personas
    poor = exit_candidate()
    ordinary = candidate()
    with pytest.raises(FupinError) as wrong:
        open_identification(p, poor)
    assert wrong.value.code.name == "IDENTIFY_NEEDS_ORDINARY"
    with pytest.raises(FupinError) as also_wrong:
        open_exit(p, ordinary)
    assert also_wrong.value.code.name == "EXIT_NEEDS_POOR"
    assert not Case.objects.exists()


def test_a_step_taken_out_of_order_is_refused(personas: dict[str, User]) -> None:
    p = personas
    case = open_identification(p)
    with pytest.raises(FupinError) as refused:
        actions.do_record_review_meeting(case, actor=p["village_clerk"], **MEETING)
    assert refused.value.code.name == "WRONG_STEP"
    with pytest.raises(FupinError):
        actions.do_close_notice(case, actor=p["village_clerk"])
