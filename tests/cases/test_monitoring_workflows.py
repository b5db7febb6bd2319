"""Monitoring inclusion (纳入监测) and risk elimination (风险消除) step by step, each step by its
proper persona; the household's status through none/exited → monitored → eliminated and back;
the village notice held once for at least five days; rejection; two acts at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fupin.accounts.models import User
from fupin.areas.models import Area, AreaSetting
from fupin.cases import actions
from fupin.cases.area_settings import do_set_area_setting
from fupin.cases.models import Attachment, Case, CaseRiskType, CaseStep, Kind, Notice, Status, Step
from fupin.cases.workflow import path_of
from fupin.core.access import SYSTEM
from fupin.core.errors import Conflict, FupinError, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.core.personas import COUNTY, VILLAGE
from fupin.registry import actions as registry
from fupin.registry.models import Household, IncomeRecord, StatusChange
from tests.cases.helpers import (
    MEETING,
    advance_to,
    age_notice,
    candidate,
    elimination_candidate,
    exit_candidate,
    good_income,
    monitoring_candidate,
    open_elimination,
    open_monitoring,
    poor_income,
)
from tests.conftest import make_household


def _reload(household: Household) -> Household:
    return Household.objects.get(pk=household.pk)


def test_a_monitoring_inclusion_walks_its_nine_steps_and_tags_the_household(
    personas: dict[str, User],
) -> None:
    p = personas
    household = monitoring_candidate()
    case = open_monitoring(p, household)
    assert (case.kind, case.status, case.step, case.origin) == (
        Kind.MONITORING,
        Status.OPEN,
        Step.VERIFICATION,
        "cadre_check",
    )
    assert path_of(case) == [
        "verification",
        "authorisation",
        "comparison",
        "review",
        "notice1",
        "township",
        "county",
        "tagging",
        "done",
    ]

    case = actions.do_record_verification(case, actor=p["first_secretary"], remarks="入户核查，意外致残")
    assert case.step == Step.AUTHORISATION

    case = actions.do_record_authorisation(
        case, signed_by="石大哥", signed_on="2024-06-01", remarks="已签字按手印", actor=p["village_clerk"]
    )
    assert (case.step, case.authorised_name, case.authorised_on) == (
        Step.COMPARISON,
        "石大哥",
        dt.date(2024, 6, 1),
    )

    case = actions.do_record_comparison(
        case, findings="无车辆、无商品房", category="edge", actor=p["township_officer"]
    )
    assert (case.step, case.comparison_findings, case.category) == (Step.REVIEW, "无车辆、无商品房", "edge")

    case = actions.do_record_review_meeting(case, actor=p["village_clerk"], **MEETING)
    assert case.step == Step.FIRST_NOTICE
    notice = actions.do_post_notice(case, starts_on=timezone.localdate(), actor=p["village_clerk"])
    assert notice.ends_on - notice.starts_on == dt.timedelta(days=7)  # the default notice_days
    age_notice(case)
    case = actions.do_close_notice(case, actor=p["village_clerk"])
    assert case.step == Step.TOWNSHIP_REVIEW  # held once: no second notice

    case = actions.do_approve_case(case, actor=p["township_officer"])
    assert case.step == Step.COUNTY_APPROVAL
    case = actions.do_approve_case(case, actor=p["county_admin"])
    assert case.step == Step.TAGGING
    assert _reload(household).status == "none"  # not yet: the status changes at tagging

    case = actions.do_tag_monitoring(
        case, category="edge", risk_types=["accident", "illness"], remarks="已录入", actor=p["village_clerk"]
    )
    assert (case.status, case.step, case.category) == (Status.COMPLETED, Step.DONE, "edge")
    assert case.closed_at is not None
    assert list(CaseRiskType.objects.filter(case=case).values_list("position", "risk")) == [
        (1, "accident"),
        (2, "illness"),
    ]
    household = _reload(household)
    assert household.status == "monitored"
    change = StatusChange.objects.get(household=household)
    assert (change.from_status, change.to_status, change.actor, change.year) == (
        "none",
        "monitored",
        p["village_clerk"],
        case.year,
    )
    timeline = list(CaseStep.objects.filter(case=case).values_list("step", "decision"))
    assert timeline[0] == ("verification", "started") and timeline[-1] == ("tagging", "done")
    assert ("authorisation", "done") in timeline and ("comparison", "done") in timeline
    logged = set(AuditEntry.objects.filter(object_id=str(case.pk)).values_list("action", flat=True))
    assert {
        "cases.open_monitoring",
        "cases.record_verification",
        "cases.record_authorisation",
        "cases.record_comparison",
        "cases.approve",
        "cases.tag_monitoring",
    } <= logged
    assert Notice.objects.filter(case=case).count() == 1


def test_a_risk_elimination_walks_every_step_and_tags_the_household_eliminated(
    personas: dict[str, User],
) -> None:
    p = personas
    household = elimination_candidate()
    case = open_elimination(p, household)
    assert path_of(case) == ["verification", "review", "notice1", "township", "county", "tagging", "done"]
    case = actions.do_record_verification(case, spending_resolved=True, actor=p["village_clerk"])
    assert case.step == Step.REVIEW and case.verification.spending_resolved
    case = actions.do_record_review_meeting(case, actor=p["first_secretary"], **MEETING)
    notice = actions.do_post_notice(case, starts_on=timezone.localdate(), actor=p["first_secretary"])
    assert (notice.ends_on - notice.starts_on).days == 7  # the elimination notice: 7 days by default
    age_notice(case)
    case = actions.do_close_notice(case, actor=p["first_secretary"])
    case = actions.do_approve_case(case, actor=p["township_officer"])
    case = actions.do_approve_case(case, actor=p["county_admin"])
    assert case.step == Step.TAGGING and _reload(household).status == "monitored"
    with pytest.raises(ValidationFailed) as no_way:
        actions.do_tag_elimination(case, way="", actor=p["village_clerk"])
    assert no_way.value.errors[0].code.name == "WAY_REQUIRED"
    case = actions.do_tag_elimination(case, way="natural", actor=p["first_secretary"])
    assert (case.status, case.elimination_way) == (Status.COMPLETED, "natural")
    assert _reload(household).status == "eliminated"
    change = StatusChange.objects.filter(household=household).latest("id")
    assert (change.from_status, change.to_status, change.actor) == (
        "monitored",
        "eliminated",
        p["first_secretary"],
    )
    assert AuditEntry.objects.filter(action="cases.tag_elimination", object_id=str(case.pk)).exists()


def _income(household: Household, year: int, *, poor: bool) -> None:
    IncomeRecord.objects.filter(household=household, year=year).delete()
    (poor_income if poor else good_income)(household, year)


def test_statuses_run_none_to_monitored_to_eliminated_and_back_to_monitored(
    personas: dict[str, User],
) -> None:
    p = personas
    year = timezone.localdate().year
    household = monitoring_candidate()
    case = advance_to(open_monitoring(p, household), Step.DONE, p)
    assert case.category == "edge" and _reload(household).status == "monitored"
    # Identified three months back: a 帮扶消除 in the identification month or the next is flagged.
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=95))

    # Assistance works: two good years and every condition met, so the risk is eliminated.
    _income(household, year - 2, poor=False)
    _income(household, year - 1, poor=False)
    registry.do_record_conditions(
        household, year, {name: True for name in registry.CONDITION_FIELDS}, actor=SYSTEM
    )
    elimination = advance_to(open_elimination(p, _reload(household)), Step.DONE, p)
    assert elimination.elimination_way == "assisted" and _reload(household).status == "eliminated"

    # Falling again (返贫致贫风险 once more): a risk-eliminated household may be monitored again,
    # and one never registered poor is still an edge household, not an unstable exited one.
    _income(household, year - 1, poor=True)
    again = advance_to(open_monitoring(p, _reload(household)), Step.TAGGING, p)
    with pytest.raises(ValidationFailed) as wrong:
        actions.do_tag_monitoring(
            again, category="unstable", risk_types=["illness"], actor=p["village_clerk"]
        )
    assert wrong.value.errors[0].code.name == "CATEGORY_NEEDS_EXITED"
    done = actions.do_tag_monitoring(again, category="edge", risk_types=["illness"], actor=p["village_clerk"])
    assert done.status == Status.COMPLETED and _reload(household).status == "monitored"
    assert list(StatusChange.objects.filter(household=household).values_list("from_status", "to_status")) == [
        ("none", "monitored"),
        ("monitored", "eliminated"),
        ("eliminated", "monitored"),
    ]


def test_a_formerly_poor_household_whose_risk_was_eliminated_is_unstable_when_it_falls_again(
    personas: dict[str, User],
) -> None:
    p = personas
    household = monitoring_candidate(status="exited")
    household = registry.do_change_status(household, "monitored", year=2022, reason="test", actor=SYSTEM)
    household = registry.do_change_status(household, "eliminated", year=2023, reason="test", actor=SYSTEM)
    case = advance_to(open_monitoring(p, household), Step.TAGGING, p)
    with pytest.raises(ValidationFailed) as wrong:
        actions.do_tag_monitoring(case, category="edge", risk_types=["illness"], actor=p["village_clerk"])
    assert wrong.value.errors[0].code.name == "CATEGORY_NEEDS_ORDINARY"
    case = actions.do_tag_monitoring(
        case, category="unstable", risk_types=["illness"], actor=p["village_clerk"]
    )
    assert case.category == "unstable"


def test_an_exited_household_is_monitored_as_unstable(personas: dict[str, User]) -> None:
    p = personas
    household = monitoring_candidate(status="exited")
    case = advance_to(open_monitoring(p, household, origin="screening"), Step.TAGGING, p)
    with pytest.raises(ValidationFailed) as wrong:
        actions.do_tag_monitoring(case, category="edge", risk_types=["illness"], actor=p["village_clerk"])
    assert wrong.value.errors[0].code.name == "CATEGORY_NEEDS_ORDINARY"
    case = actions.do_tag_monitoring(
        case, category="unstable", risk_types=["employment"], actor=p["village_clerk"]
    )
    assert case.category == "unstable" and _reload(household).status == "monitored"


@pytest.mark.parametrize("status", ["poor", "monitored"])
def test_monitoring_is_refused_for_a_poor_or_already_monitored_household(
    personas: dict[str, User], status: str
) -> None:
    household = monitoring_candidate(status=status)
    with pytest.raises(FupinError) as refused:
        open_monitoring(personas, household)
    assert refused.value.code.name == "MONITORING_NEEDS_STATUS"
    assert not Case.objects.exists()


@pytest.mark.parametrize("status", ["none", "poor", "exited", "eliminated"])
def test_elimination_is_only_for_a_monitored_household(personas: dict[str, User], status: str) -> None:
    household = make_household(status=status)
    with pytest.raises(FupinError) as refused:
        open_elimination(personas, household)
    assert refused.value.code.name == "ELIMINATION_NEEDS_MONITORED"
    assert not Case.objects.exists()


def test_a_monitoring_case_needs_one_of_its_origins(personas: dict[str, User]) -> None:
    household = monitoring_candidate()
    for bad in ("nomination", "", "hotline"):
        with pytest.raises(FupinError) as refused:
            actions.do_open_monitoring(household, origin=bad, reason="x", actor=personas["village_clerk"])
        assert refused.value.code.name == "BAD_MONITORING_ORIGIN"
    assert open_monitoring(personas, household, origin="application").origin == "application"


def test_one_open_case_per_household_across_kinds(personas: dict[str, User]) -> None:
    case = open_monitoring(personas)
    with pytest.raises(FupinError) as refused:
        actions.do_open_identification(
            case.household, origin="application", reason="x", actor=personas["village_clerk"]
        )
    assert refused.value.code.name == "OPEN_CASE_EXISTS"


def test_the_authorisation_needs_who_and_when_and_keeps_the_scan(
    personas: dict[str, User], tmp_path: object, settings: object
) -> None:
    settings.FUPIN_FILES_DIR = tmp_path  # type: ignore[attr-defined]
    p = personas
    case = advance_to(open_monitoring(p), Step.AUTHORISATION, p)
    for bad in ({"signed_by": "", "signed_on": "2024-01-01"}, {"signed_by": "石大哥", "signed_on": ""}):
        with pytest.raises(ValidationFailed) as refused:
            actions.do_record_authorisation(case, actor=p["village_clerk"], **bad)
        assert refused.value.errors[0].code.name == "AUTHORISATION_REQUIRED"
    with pytest.raises(FupinError) as future:
        actions.do_record_authorisation(
            case,
            signed_by="石大哥",
            signed_on=timezone.localdate() + dt.timedelta(days=1),
            actor=p["village_clerk"],
        )
    assert future.value.code.name == "DATE_IN_FUTURE"
    assert Case.objects.get(pk=case.pk).step == Step.AUTHORISATION
    scan = SimpleUploadedFile("授权书.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    case = actions.do_record_authorisation(
        case, signed_by="石大哥", signed_on="2024-06-01", upload=scan, actor=p["first_secretary"]
    )
    attachment = Attachment.objects.get(case=case)
    assert (attachment.step, attachment.name, attachment.uploaded_by) == (
        "authorisation",
        "授权书.pdf",
        p["first_secretary"],
    )
    assert attachment.file.read() == b"%PDF-1.4 signed"


def test_the_data_comparison_needs_findings_and_a_fitting_category(personas: dict[str, User]) -> None:
    p = personas
    case = advance_to(open_monitoring(p), Step.COMPARISON, p)
    with pytest.raises(ValidationFailed) as empty:
        actions.do_record_comparison(case, findings="  ", actor=p["township_officer"])
    assert empty.value.errors[0].code.name == "FINDINGS_REQUIRED"
    with pytest.raises(FupinError) as unfit:
        actions.do_record_comparison(
            case, findings="比对无异常", category="unstable", actor=p["township_officer"]
        )
    assert unfit.value.code.name == "CATEGORY_NEEDS_EXITED"
    with pytest.raises(FupinError) as unknown:
        actions.do_record_comparison(
            case, findings="比对无异常", category="poorest", actor=p["township_officer"]
        )
    assert unknown.value.code.name == "CATEGORY_REQUIRED"
    assert Case.objects.get(pk=case.pk).step == Step.COMPARISON
    case = actions.do_record_comparison(case, findings="比对无异常", actor=p["township_officer"])
    assert case.step == Step.REVIEW and case.category == ""  # a proposal is optional


def test_the_monitoring_notice_runs_five_days_even_where_a_setting_says_less(
    personas: dict[str, User],
) -> None:
    p = personas
    # The settings page refuses less than 5; a row written some other way must not shorten it.
    AreaSetting.objects.create(area=Area.objects.get(code=VILLAGE), key="notice_days", value=3)
    case = advance_to(open_monitoring(p), Step.FIRST_NOTICE, p)
    notice = actions.do_post_notice(case, starts_on=timezone.localdate(), actor=p["village_clerk"])
    assert (notice.ends_on - notice.starts_on).days == 5
    # An identification in the same village follows the setting as it is (its rule is local).
    other = advance_to(
        actions.do_open_identification(
            candidate(), origin="application", reason="x", actor=p["village_clerk"]
        ),
        Step.FIRST_NOTICE,
        p,
    )
    assert (
        actions.do_post_notice(other, starts_on=timezone.localdate(), actor=p["village_clerk"]).ends_on
        - timezone.localdate()
    ).days == 3


def test_a_five_day_notice_closes_on_day_five_and_not_before(personas: dict[str, User]) -> None:
    p = personas
    do_set_area_setting(Area.objects.get(code=COUNTY), "notice_days", 5, actor=p["county_admin"])
    case = advance_to(open_monitoring(p), Step.FIRST_NOTICE, p)
    notice = actions.do_post_notice(case, starts_on=timezone.localdate(), actor=p["village_clerk"])
    assert notice.ends_on == notice.starts_on + dt.timedelta(days=5)
    # Posted four days ago: the fifth day is today, still on the wall.
    start = timezone.localdate() - dt.timedelta(days=4)
    Notice.objects.filter(pk=notice.pk).update(starts_on=start, ends_on=start + dt.timedelta(days=5))
    with pytest.raises(FupinError) as early:
        actions.do_close_notice(case, actor=p["village_clerk"])
    assert early.value.code.name == "NOTICE_NOT_OVER"
    assert Case.objects.get(pk=case.pk).step == Step.FIRST_NOTICE
    # Posted five days ago: five whole days have passed, it may close today.
    start = timezone.localdate() - dt.timedelta(days=5)
    Notice.objects.filter(pk=notice.pk).update(starts_on=start, ends_on=start + dt.timedelta(days=5))
    assert actions.do_close_notice(case, actor=p["village_clerk"]).step == Step.TOWNSHIP_REVIEW


def test_a_rejected_monitoring_case_changes_no_status_and_frees_the_household(
    personas: dict[str, User],
) -> None:
    p = personas
    case = advance_to(open_monitoring(p), Step.COUNTY_APPROVAL, p)
    case = actions.do_reject_case(case, reason="信息比对发现家庭有商品房", actor=p["county_admin"])
    assert (case.status, case.rejection_reason, case.category) == (
        Status.REJECTED,
        "信息比对发现家庭有商品房",
        "",
    )
    assert _reload(case.household).status == "none"
    assert not StatusChange.objects.filter(household=case.household).exists()
    assert not CaseRiskType.objects.exists()
    with pytest.raises(FupinError) as closed:
        actions.do_tag_monitoring(case, category="edge", risk_types=["illness"], actor=p["village_clerk"])
    assert closed.value.code.name == "CASE_CLOSED"
    assert open_monitoring(p, case.household).status == Status.OPEN


def test_a_rejected_elimination_leaves_the_household_monitored(personas: dict[str, User]) -> None:
    p = personas
    case = advance_to(open_elimination(p), Step.TAGGING, p)
    case = actions.do_reject_case(case, reason="新发现因病风险", actor=p["village_clerk"])
    assert case.status == Status.REJECTED and case.elimination_way == ""
    assert _reload(case.household).status == "monitored"


def test_a_review_meeting_that_votes_no_ends_the_monitoring_case(personas: dict[str, User]) -> None:
    p = personas
    case = advance_to(open_monitoring(p), Step.REVIEW, p)
    case = actions.do_record_review_meeting(
        case,
        actor=p["village_clerk"],
        **{**MEETING, "votes_for": 10, "votes_against": 14, "votes_abstain": 0},
    )
    assert case.status == Status.REJECTED and _reload(case.household).status == "none"


def test_steps_of_one_kind_are_refused_on_another(personas: dict[str, User]) -> None:
    p = personas
    exit_case = advance_to(
        actions.do_open_exit(exit_candidate(), reason="x", actor=p["village_clerk"]), Step.ANNOUNCEMENT, p
    )
    with pytest.raises(FupinError) as refused:
        actions.do_tag_monitoring(
            exit_case, category="edge", risk_types=["illness"], actor=p["village_clerk"]
        )
    assert refused.value.code.name == "WRONG_STEP"
    monitoring = advance_to(open_monitoring(p), Step.TAGGING, p)
    with pytest.raises(FupinError) as also:
        actions.do_tag_elimination(monitoring, way="natural", actor=p["village_clerk"])
    assert also.value.code.name == "WRONG_STEP"
    with pytest.raises(FupinError) as announce:
        actions.do_announce_case(monitoring, announced_on=timezone.localdate(), actor=p["village_clerk"])
    assert announce.value.code.name == "WRONG_STEP"


def test_two_stale_taggings_exactly_one_succeeds(personas: dict[str, User]) -> None:
    p = personas
    case = advance_to(open_monitoring(p), Step.TAGGING, p)
    first, second = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    actions.do_tag_monitoring(first, category="edge", risk_types=["illness"], actor=p["village_clerk"])
    with pytest.raises(Conflict):
        actions.do_tag_monitoring(
            second, category="sudden", risk_types=["disaster"], actor=p["first_secretary"]
        )
    assert StatusChange.objects.filter(household=case.household).count() == 1
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.category == "edge"
    assert list(CaseRiskType.objects.filter(case=case).values_list("risk", flat=True)) == ["illness"]


def test_two_stale_county_approvals_of_an_elimination_exactly_one_succeeds(personas: dict[str, User]) -> None:
    p = personas
    case = advance_to(open_elimination(p), Step.COUNTY_APPROVAL, p)
    first, second = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    actions.do_approve_case(first, actor=p["county_admin"])
    with pytest.raises(Conflict):
        actions.do_approve_case(second, actor=p["county_admin"])
    assert Case.objects.get(pk=case.pk).step == Step.TAGGING
    assert CaseStep.objects.filter(case=case, step="county", decision="approved").count() == 1


def test_an_approval_racing_a_rejection_of_a_monitoring_case_one_wins(personas: dict[str, User]) -> None:
    p = personas
    case = advance_to(open_monitoring(p), Step.TOWNSHIP_REVIEW, p)
    stale = Case.objects.get(pk=case.pk)
    actions.do_reject_case(case, reason="材料不全", actor=p["township_officer"])
    with pytest.raises(Conflict):
        actions.do_approve_case(stale, actor=p["township_officer"])
    assert Case.objects.get(pk=case.pk).status == Status.REJECTED
