"""The slower of two people triaging one alert is told who acted first and when (issue 13, item
8's last point, for alerts as for cases): "已由 NAME 于 TIME 处理（…）", by full name, never by
login, on the page and in the API, for the home visit, a dismissal and a started case."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from fupin.accounts.models import User
from fupin.alerts import actions
from fupin.alerts.errors import AlreadyHandled
from fupin.alerts.models import Alert
from fupin.core.models import AuditEntry
from fupin.core.personas import FULL_NAMES, VILLAGE
from tests.alerts.helpers import screened
from tests.api.helpers import Api
from tests.conftest import make_household

# When the first step was taken: the message must give this time, not the loser's.
FIRST_AT = dt.datetime(2026, 3, 5, 9, 30, tzinfo=dt.UTC)


def first_step_at(alert: Alert, action: str) -> str:
    AuditEntry.objects.filter(object_id=str(alert.pk), action=action).update(at=FIRST_AT)
    return timezone.localtime(FIRST_AT).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def alert(personas: dict[str, User]) -> Alert:
    return screened(make_household(VILLAGE))


def test_a_second_visit_dismissal_or_case_names_the_first_person_and_time(
    alert: Alert, personas: dict[str, User]
) -> None:
    clerk, secretary = personas["village_clerk"], personas["first_secretary"]
    actions.do_record_visit(alert, "入户核实", actor=clerk)
    at = first_step_at(alert, "alerts.record_visit")
    with pytest.raises(AlreadyHandled) as visited:
        actions.do_record_visit(alert, "再次入户", actor=secretary)
    assert visited.value.status == 409 and visited.value.code.name == "ALREADY_VISITED"
    assert visited.value.message == f"已由 {FULL_NAMES['village_clerk']} 于 {at} 处理（已入户核查）。"
    assert (visited.value.decided_by, visited.value.decided_at) == (FULL_NAMES["village_clerk"], at)

    actions.do_mark_case_started(alert, None, notes="因病，纳入监测", actor=secretary)
    at = first_step_at(alert, "alerts.start_case")
    for late in (
        lambda: actions.do_dismiss_alert(alert, "重复", actor=clerk),
        lambda: actions.do_mark_case_started(alert, None, notes="纳入", actor=clerk),
        lambda: actions.do_record_visit(alert, "入户", actor=clerk),
    ):
        with pytest.raises(AlreadyHandled) as decided:
            late()
        assert decided.value.code.name == "ALREADY_DECIDED"
        message = decided.value.message
        assert message.startswith(f"已由 {FULL_NAMES['first_secretary']} 于 {at} 处理（"), message
        assert message.endswith("处理（已启动监测识别）。"), message
        assert "first_secretary" not in message and "village_clerk" not in message


def test_the_page_says_who_dismissed_first(alert: Alert, personas: dict[str, User], client_for: Any) -> None:
    seen = client_for("first_secretary")
    assert seen.get(f"/alerts/{alert.pk}/").status_code == 200
    actions.do_dismiss_alert(alert, "数据错误", actor=personas["village_clerk"])
    at = first_step_at(alert, "alerts.dismiss")
    late = seen.post(f"/alerts/{alert.pk}/act/", {"action": "dismiss", "reason": "重复预警"})
    assert late.status_code == 409
    page = re.sub(r"\s+", " ", late.content.decode())
    assert f"已由 {FULL_NAMES['village_clerk']} 于 {at} 处理（已关闭）。" in page
    assert "village_clerk" not in page.split("<main", 1)[-1]
    assert Alert.objects.get(pk=alert.pk).dismiss_reason == "数据错误"


def test_the_api_says_who_decided_first(
    alert: Alert, personas: dict[str, User], api_as: Callable[[str], Api]
) -> None:
    assert api_as("first_secretary").post(f"/alerts/{alert.pk}/visit", {"notes": "入户"}).status_code == 200
    at_visit = first_step_at(alert, "alerts.record_visit")
    again = api_as("village_clerk").post(f"/alerts/{alert.pk}/visit", {"notes": "再次"})
    assert again.status_code == 409 and again.json()["code"] == "ALREADY_VISITED"
    assert (
        again.json()["message"] == f"已由 {FULL_NAMES['first_secretary']} 于 {at_visit} 处理（已入户核查）。"
    )
    dismissed = api_as("first_secretary").post(f"/alerts/{alert.pk}/dismiss", {"reason": "无风险"})
    assert dismissed.status_code == 200
    at = first_step_at(alert, "alerts.dismiss")
    late = api_as("village_clerk").post(f"/alerts/{alert.pk}/start-case", {"notes": "纳入"})
    assert late.status_code == 409 and late.json()["code"] == "ALREADY_DECIDED"
    assert late.json()["message"] == f"已由 {FULL_NAMES['first_secretary']} 于 {at} 处理（已关闭）。"
