"""Triage: the home visit, then a monitoring case or a dismissal with its reason. Two people
deciding one alert: exactly one succeeds and the other is told (threads: test_threads.py)."""

from __future__ import annotations

import pytest

from fupin.accounts.models import User
from fupin.alerts import actions
from fupin.alerts.errors import AlreadyHandled
from fupin.alerts.models import Alert, AlertStatus
from fupin.core.errors import FupinError, NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import NEIGHBOUR_VILLAGE, VILLAGE
from tests.alerts.helpers import screened
from tests.conftest import make_household


@pytest.fixture
def alert(personas: dict[str, User]) -> Alert:
    return screened(make_household(VILLAGE))


def test_a_visit_then_a_dismissal_with_its_reason(alert: Alert, personas: dict[str, User]) -> None:
    clerk = personas["village_clerk"]
    visited = actions.do_record_visit(alert, "  入户核实：已出院，医保报销后自付较少 ", actor=clerk)
    assert visited.status == AlertStatus.VISITED and visited.visited_at is not None
    assert visited.visit_notes == "入户核实：已出院，医保报销后自付较少" and visited.handled_by == clerk
    dismissed = actions.do_dismiss_alert(
        visited, "风险已消除，无需纳入监测", actor=personas["first_secretary"]
    )
    fresh = Alert.objects.get(pk=alert.pk)
    assert dismissed.status == fresh.status == AlertStatus.DISMISSED
    assert fresh.dismiss_reason == "风险已消除，无需纳入监测" and fresh.decided_at is not None
    assert list(
        AuditEntry.objects.filter(object_id=str(alert.pk), action__startswith="alerts.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["alerts.record_visit", "alerts.dismiss"]


def test_a_dismissal_without_a_reason_is_refused_and_changes_nothing(
    alert: Alert, personas: dict[str, User]
) -> None:
    for reason in ("", "   "):
        with pytest.raises(FupinError) as refused:
            actions.do_dismiss_alert(alert, reason, actor=personas["village_clerk"])
        assert refused.value.code.name == "DISMISS_REASON_REQUIRED" and refused.value.status == 400
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN
    with pytest.raises(FupinError) as empty_visit:
        actions.do_record_visit(alert, "", actor=personas["village_clerk"])
    assert empty_visit.value.code.name == "NOTES_REQUIRED"


def test_a_second_decision_on_a_stale_page_is_told_it_was_already_decided(
    alert: Alert, personas: dict[str, User]
) -> None:
    # Both read the alert while it was open; the clerk dismisses first.
    seen_by_clerk, seen_by_secretary = Alert.objects.get(pk=alert.pk), Alert.objects.get(pk=alert.pk)
    actions.do_dismiss_alert(seen_by_clerk, "重复预警", actor=personas["village_clerk"])
    with pytest.raises(AlreadyHandled) as late:
        actions.do_dismiss_alert(seen_by_secretary, "数据错误", actor=personas["first_secretary"])
    assert late.value.status == 409 and late.value.code.name == "ALREADY_DECIDED"
    with pytest.raises(AlreadyHandled):
        actions.do_record_visit(seen_by_secretary, "入户", actor=personas["first_secretary"])
    fresh = Alert.objects.get(pk=alert.pk)
    assert fresh.dismiss_reason == "重复预警" and fresh.handled_by == personas["village_clerk"]
    assert AuditEntry.objects.filter(action="alerts.dismiss").count() == 1


def test_a_visit_is_recorded_once(alert: Alert, personas: dict[str, User]) -> None:
    actions.do_record_visit(alert, "第一次入户", actor=personas["village_clerk"])
    with pytest.raises(AlreadyHandled) as again:
        actions.do_record_visit(alert, "第二次入户", actor=personas["first_secretary"])
    assert again.value.code.name == "ALREADY_VISITED"
    assert Alert.objects.get(pk=alert.pk).visit_notes == "第一次入户"


def test_a_monitoring_case_is_started_only_after_the_visit(alert: Alert, personas: dict[str, User]) -> None:
    clerk = personas["village_clerk"]
    with pytest.raises(FupinError) as early:
        actions.do_mark_case_started(alert, None, notes="因病", actor=clerk)
    assert early.value.code.name == "VISIT_FIRST"
    actions.do_record_visit(alert, "住院自付三万元，收入骤减", actor=clerk)
    with pytest.raises(FupinError) as no_reason:
        actions.do_mark_case_started(alert, None, actor=clerk)
    assert no_reason.value.code.name == "DECISION_REQUIRED"
    started = actions.do_mark_case_started(alert, None, notes="突发严重困难，拟纳入监测", actor=clerk)
    assert started.status == AlertStatus.CASE_STARTED and started.case is None
    assert started.decision_notes == "突发严重困难，拟纳入监测" and started.decided_at is not None
    with pytest.raises(AlreadyHandled):
        actions.do_dismiss_alert(started, "改判", actor=clerk)
    entry = AuditEntry.objects.get(action="alerts.start_case")
    assert entry.after["case_id"] is None and entry.after["status"] == "case_started"


def test_a_case_passed_in_must_be_the_alerts_household(alert: Alert, personas: dict[str, User]) -> None:
    from tests.cases.helpers import open_identification

    clerk = personas["village_clerk"]
    actions.do_record_visit(alert, "入户", actor=clerk)
    other_case = open_identification(personas)
    with pytest.raises(FupinError) as wrong:
        actions.do_mark_case_started(alert, other_case, actor=clerk)
    assert wrong.value.code.name == "CASE_OTHER_HOUSEHOLD"
    own_case = open_identification(personas, alert.household)
    linked = actions.do_mark_case_started(alert, own_case, actor=clerk)
    # the case's reason stands in for the notes
    assert linked.case == own_case and linked.decision_notes == own_case.reason


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("township_officer", PermissionDenied),
        ("county_admin", PermissionDenied),
        ("org_dept", PermissionDenied),
        ("cadre", PermissionDenied),
        ("supervisor", PermissionDenied),
        ("dept_provider", PermissionDenied),
        ("neighbour_clerk", NotFound),
        ("outsider", NotFound),
    ],
)
def test_only_the_villages_triagers_visit_and_decide(
    persona: str, error: type[Exception], alert: Alert, personas: dict[str, User]
) -> None:
    actor = personas[persona]
    for act in (
        lambda: actions.do_record_visit(alert, "入户", actor=actor),
        lambda: actions.do_dismiss_alert(alert, "无需监测", actor=actor),
        lambda: actions.do_mark_case_started(alert, None, notes="纳入", actor=actor),
    ):
        with pytest.raises(error):
            act()
    fresh = Alert.objects.get(pk=alert.pk)
    assert fresh.status == AlertStatus.OPEN and fresh.visit_notes == "" and fresh.handled_by is None
    assert not AuditEntry.objects.filter(action__in=["alerts.record_visit", "alerts.dismiss"]).exists()


def test_a_report_without_household_is_linked_once_the_household_is_registered(
    personas: dict[str, User], client_for: object
) -> None:
    from tests.alerts.test_self_report import report

    clerk = personas["village_clerk"]
    receipt = report()
    alert = Alert.objects.get(pk=receipt.alert_id)
    assert alert.household is None and alert.area_code == VILLAGE
    actions.do_record_visit(alert, "入户核实，尚未建档", actor=clerk)
    with pytest.raises(FupinError) as unlinked:
        actions.do_mark_case_started(alert, None, notes="纳入", actor=clerk)
    assert unlinked.value.code.name == "NO_HOUSEHOLD"
    with pytest.raises(NotFound):  # a household of another village is not the clerk's to link
        actions.do_link_household(alert, make_household(NEIGHBOUR_VILLAGE), actor=clerk)
    with pytest.raises(PermissionDenied):
        actions.do_link_household(alert, make_household(VILLAGE), actor=personas["township_officer"])
    household = make_household(VILLAGE, head_name="龙秀英")
    linked = actions.do_link_household(alert, household, actor=clerk)
    assert linked.household == household and linked.area_code == household.area_id
    with pytest.raises(FupinError) as twice:
        actions.do_link_household(alert, make_household(VILLAGE), actor=clerk)
    assert twice.value.code.name == "HAS_HOUSEHOLD"
    assert actions.do_mark_case_started(linked, None, notes="纳入监测", actor=clerk).status == "case_started"
