"""Raising alerts: one per household, rule and period whatever the channel or the number of
runs; only inside the screened area; due dates from the area's own time limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fupin.accounts.models import User
from fupin.alerts.models import Alert, AlertStatus, Channel
from fupin.alerts.raising import Found, due_dates, record_screening_alerts
from fupin.areas.models import Area
from fupin.cases.area_settings import do_set_area_setting
from fupin.core.errors import FupinError, NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import (
    COUNTY,
    NEIGHBOUR_VILLAGE,
    OTHER_COUNTY,
    OTHER_TOWNSHIP_VILLAGE,
    TOWNSHIP,
    VILLAGE,
)
from tests.alerts.helpers import checked
from tests.api.helpers import a_village_in
from tests.conftest import make_household


def found_for(*households: Any, rule: str = "medical_cost", period: str = "2024-03") -> list[Found]:
    return [Found(h.pk, rule, period, "住院自付 12000 元", {"out_of_pocket": 12000}) for h in households]


def test_a_rerun_of_screening_duplicates_nothing(personas: dict[str, User]) -> None:
    homes = [make_household(VILLAGE) for _ in range(3)]
    admin = personas["county_admin"]
    first = record_screening_alerts(found_for(*homes), area_code=COUNTY, actor=admin)
    again = record_screening_alerts(found_for(*homes), area_code=COUNTY, actor=admin)
    assert first == {"found": 3, "new": 3}
    assert again == {"found": 3, "new": 0}
    assert Alert.objects.count() == 3
    # another period or another rule is a new alert
    record_screening_alerts(found_for(homes[0], period="2024-04"), area_code=COUNTY, actor=admin)
    record_screening_alerts(found_for(homes[0], rule="dibao_edge"), area_code=COUNTY, actor=admin)
    assert Alert.objects.filter(household=homes[0]).count() == 3
    alert = Alert.objects.filter(household=homes[1]).get()
    assert alert.channel == Channel.SCREENING and alert.status == AlertStatus.OPEN
    assert alert.evidence == {"out_of_pocket": 12000} and alert.area_code == VILLAGE
    # one audit entry per run, with its counts
    assert AuditEntry.objects.filter(action="alerts.raise_screening").count() == 4


def test_a_screening_run_raises_nothing_outside_the_screened_area(personas: dict[str, User]) -> None:
    inside = make_household(VILLAGE)
    other_township = make_household(OTHER_TOWNSHIP_VILLAGE)
    other_county = make_household(a_village_in(OTHER_COUNTY).code)
    admin = personas["county_admin"]
    # a township's run: the household of the other township and of the other county stay alone
    totals = record_screening_alerts(
        found_for(inside, other_township, other_county), area_code=TOWNSHIP, actor=admin
    )
    assert totals == {"found": 3, "new": 1}
    assert list(Alert.objects.values_list("household_id", flat=True)) == [inside.pk]
    # a county may not screen another county at all
    with pytest.raises(NotFound):
        record_screening_alerts(found_for(other_county), area_code=OTHER_COUNTY, actor=admin)
    with pytest.raises(PermissionDenied):
        record_screening_alerts(found_for(inside), area_code=VILLAGE, actor=personas["village_clerk"])
    assert Alert.objects.count() == 1


def test_due_dates_follow_the_areas_settings_and_a_villages_own_wins(personas: dict[str, User]) -> None:
    today = timezone.localdate()
    assert due_dates(VILLAGE, today) == (today + dt.timedelta(days=3), today + dt.timedelta(days=15))
    admin = personas["county_admin"]
    do_set_area_setting(Area.objects.get(code=COUNTY), "alert_visit_days", 5, actor=admin)
    do_set_area_setting(Area.objects.get(code=COUNTY), "alert_decision_days", 20, actor=admin)
    do_set_area_setting(Area.objects.get(code=VILLAGE), "alert_visit_days", 2, actor=admin)
    home, neighbour = make_household(VILLAGE), make_household(NEIGHBOUR_VILLAGE)
    record_screening_alerts(found_for(home, neighbour), area_code=COUNTY, actor=admin)
    mine = Alert.objects.get(household=home)
    theirs = Alert.objects.get(household=neighbour)
    assert (mine.visit_due - today).days == 2 and (mine.decision_due - today).days == 20
    assert (theirs.visit_due - today).days == 5 and (theirs.decision_due - today).days == 20
    check = checked(make_household(VILLAGE), personas["village_clerk"])
    assert (check.visit_due - today).days == 2


def test_a_cadre_check_becomes_an_alert_dated_today_once_per_day(personas: dict[str, User]) -> None:
    home = make_household(VILLAGE)
    clerk = personas["village_clerk"]
    alert = checked(home, clerk, "  户主摔伤，无法务工  ")
    assert alert.channel == Channel.CADRE_CHECK and alert.rule == "cadre_check"
    assert alert.period == timezone.localdate().isoformat() and alert.summary == "户主摔伤，无法务工"
    assert alert.evidence["checked_by"] == "village_clerk"
    entry = AuditEntry.objects.get(action="alerts.record_cadre_check")
    assert entry.object_id == str(alert.pk) and entry.area_code == VILLAGE
    with pytest.raises(FupinError) as again:
        checked(home, personas["first_secretary"])
    assert again.value.code.name == "CHECK_EXISTS"
    with pytest.raises(FupinError) as empty:
        checked(make_household(VILLAGE), clerk, "   ")
    assert empty.value.code.name == "SUMMARY_REQUIRED"
    assert Alert.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("township_officer", PermissionDenied),
        ("county_admin", PermissionDenied),
        ("cadre", PermissionDenied),
        ("supervisor", PermissionDenied),
        ("neighbour_clerk", NotFound),
        ("outsider", NotFound),
    ],
)
def test_only_the_villages_own_people_record_a_cadre_check(
    persona: str, error: type[Exception], personas: dict[str, User]
) -> None:
    home = make_household(VILLAGE)
    with pytest.raises(error):
        checked(home, personas[persona])
    assert not Alert.objects.exists() and not AuditEntry.objects.filter(action__startswith="alerts.").exists()
