"""一日一签到: one check-in per person per local day, an optional place that must make sense,
only by an active member whose team works inside their own area — and two taps at once still
give one row (threads on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import transaction

from fupin.accounts.models import User
from fupin.core.errors import FupinError, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, TOWNSHIP, VILLAGE
from fupin.teams.actions import TeamConflict, do_check_in
from fupin.teams.errors import TeamError
from fupin.teams.models import CheckIn, TeamMember, WorkTeam
from fupin.teams.queries import month_attendance, todays_check_in
from tests.teams.conftest import set_area_setting

LOCAL = ZoneInfo(settings.TIME_ZONE)
UTC = dt.UTC


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=LOCAL)


def code_of(call: Callable[[], Any]) -> str:
    with pytest.raises(FupinError) as caught:
        call()
    return caught.value.code.name


def test_a_member_checks_in_once_a_day(personas: dict[str, User], secretary: TeamMember) -> None:
    me = personas["first_secretary"]
    first = do_check_in(me, now=at(2025, 5, 6, 8, 15))
    assert (first.member, first.day, first.area_id) == (secretary, dt.date(2025, 5, 6), VILLAGE)
    assert first.latitude is None and first.longitude is None
    entry = AuditEntry.objects.get(action="teams.check_in")
    assert entry.actor == me and entry.area_code == VILLAGE and entry.object_id == str(first.pk)
    with pytest.raises(TeamConflict) as again:
        do_check_in(me, now=at(2025, 5, 6, 17, 40))
    assert again.value.code == TeamError.ALREADY_CHECKED_IN and again.value.status == 409
    assert CheckIn.objects.count() == 1 and AuditEntry.objects.filter(action="teams.check_in").count() == 1
    # the next day is a new day
    do_check_in(me, now=at(2025, 5, 7, 7, 5))
    assert list(CheckIn.objects.order_by("day").values_list("day", flat=True)) == [
        dt.date(2025, 5, 6),
        dt.date(2025, 5, 7),
    ]


def test_the_day_is_the_local_date_not_utc(personas: dict[str, User], secretary: TeamMember) -> None:
    me = personas["first_secretary"]
    # 23:50 in 花垣 on 6 May is 15:50 UTC; ten minutes later it is 7 May locally, 16:00 UTC.
    late = do_check_in(me, now=dt.datetime(2025, 5, 6, 15, 50, tzinfo=UTC))
    early = do_check_in(me, now=dt.datetime(2025, 5, 6, 16, 0, tzinfo=UTC))
    assert (late.day, early.day) == (dt.date(2025, 5, 6), dt.date(2025, 5, 7))
    # and two check-ins on the same UTC date but different local days were both allowed
    assert CheckIn.objects.count() == 2


def test_today_and_the_months_attendance_against_the_local_requirement(
    personas: dict[str, User], secretary: TeamMember
) -> None:
    me = personas["first_secretary"]
    for day in (3, 4, 5):
        do_check_in(me, now=at(2025, 6, day, 9))
    do_check_in(me, now=at(2025, 5, 30, 9))  # last month: not counted
    june = month_attendance(secretary, dt.date(2025, 6, 20))
    assert (june.month, june.days, june.required, june.short, june.met) == (
        dt.date(2025, 6, 1),
        3,
        20,
        17,
        False,
    )
    # on the 20th, 11 days are left (today included) for 17 missing: the month is lost
    assert (june.days_left, june.behind) == (11, True)
    early = month_attendance(secretary, dt.date(2025, 6, 5))  # checked in today already
    assert (early.days_left, early.short, early.behind) == (25, 17, False)
    assert todays_check_in(secretary, dt.date(2025, 6, 4)) is not None
    assert todays_check_in(secretary, dt.date(2025, 6, 6)) is None
    set_area_setting(TOWNSHIP, "village_days_per_month", 3)
    met = month_attendance(secretary, dt.date(2025, 6, 20))
    assert (met.required, met.short, met.met, met.behind) == (3, 0, True, False)


def test_a_location_is_kept_when_both_coordinates_make_sense(
    personas: dict[str, User], secretary: TeamMember
) -> None:
    row = do_check_in(
        personas["first_secretary"], latitude="28.3741234", longitude=109.5311, now=at(2025, 5, 6, 9)
    )
    row.refresh_from_db()
    assert (row.latitude, row.longitude) == (Decimal("28.374123"), Decimal("109.531100"))


@pytest.mark.parametrize(
    ("latitude", "longitude", "code", "field"),
    [
        ("28.37", None, "LOCATION_INCOMPLETE", "longitude"),
        ("", "109.53", "LOCATION_INCOMPLETE", "latitude"),
        ("90.5", "109.53", "LATITUDE_INVALID", "latitude"),
        ("-91", "109.53", "LATITUDE_INVALID", "latitude"),
        ("28.37", "180.01", "LONGITUDE_INVALID", "longitude"),
        ("28.37", "-181", "LONGITUDE_INVALID", "longitude"),
        ("north", "109.53", "LATITUDE_INVALID", "latitude"),
        ("NaN", "109.53", "LATITUDE_INVALID", "latitude"),
        ("28.37", "Infinity", "LONGITUDE_INVALID", "longitude"),
    ],
)
def test_a_location_out_of_range_or_half_given_is_refused(
    personas: dict[str, User], secretary: TeamMember, latitude: Any, longitude: Any, code: str, field: str
) -> None:
    with pytest.raises(FupinError) as caught:
        do_check_in(personas["first_secretary"], latitude=latitude, longitude=longitude)
    assert (caught.value.code.name, caught.value.field) == (code, field)
    assert not CheckIn.objects.exists()


def test_the_edges_of_the_ranges_are_allowed(personas: dict[str, User], secretary: TeamMember) -> None:
    me = personas["first_secretary"]
    do_check_in(me, latitude=-90, longitude=180, now=at(2025, 5, 6, 9))
    do_check_in(me, latitude="90", longitude="-180", now=at(2025, 5, 7, 9))
    assert CheckIn.objects.count() == 2


def test_without_an_active_membership_there_is_no_check_in(personas: dict[str, User], team: WorkTeam) -> None:
    me = personas["first_secretary"]
    member = team.members.get(user=me)
    member.left_on = dt.date(2025, 4, 1)
    member.save()
    assert code_of(lambda: do_check_in(me)) == "NOT_A_TEAM_MEMBER"
    member.left_on = None
    member.recalled = True
    member.save()
    assert code_of(lambda: do_check_in(me)) == "NOT_A_TEAM_MEMBER"
    member.recalled = False
    member.save()
    team.ended_on = dt.date(2025, 4, 1)
    team.save()
    assert code_of(lambda: do_check_in(me)) == "NOT_A_TEAM_MEMBER"
    assert not CheckIn.objects.exists()


def test_a_first_secretary_on_no_team_is_told_so(personas: dict[str, User], db: Any) -> None:
    with pytest.raises(FupinError) as caught:
        do_check_in(personas["first_secretary"])
    assert caught.value.code == TeamError.NOT_A_TEAM_MEMBER and caught.value.status == 400


def test_a_member_of_another_villages_team_cannot_check_in_from_their_account(
    personas: dict[str, User], neighbour_team: WorkTeam
) -> None:
    # The roster puts the 十八洞村 first secretary's login on 丙池村's team: login and roster
    # disagree on where the person works, so the check-in is refused, naming the village.
    me = personas["first_secretary"]
    member = neighbour_team.members.get(name="田书记")
    member.user = me
    member.save()
    with pytest.raises(FupinError) as caught:
        do_check_in(me)
    assert caught.value.code == TeamError.TEAM_OUTSIDE_AREA and "丙池村" in caught.value.message
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_only_the_work_team_role_checks_in(persona: str, personas: dict[str, User], team: WorkTeam) -> None:
    user = personas[persona]
    if persona == "first_secretary":
        assert do_check_in(user).member.user == user
        return
    # Every other role lacks teams.check_in: even on a team's roster, the login may not sign.
    member = team.members.exclude(user=personas["first_secretary"]).first()
    assert member is not None
    member.user = user
    member.save()
    with pytest.raises(PermissionDenied):
        do_check_in(user)
    assert not CheckIn.objects.exists()


def test_a_refusal_inside_an_outer_transaction_leaves_it_usable(
    personas: dict[str, User], secretary: TeamMember
) -> None:
    me = personas["first_secretary"]
    with transaction.atomic():
        do_check_in(me, now=at(2025, 5, 6, 8))
        with pytest.raises(TeamConflict):
            do_check_in(me, now=at(2025, 5, 6, 8, 1))
        # the transaction is still usable after the refusal
        assert CheckIn.objects.filter(member=secretary).count() == 1


# --- two taps at once ------------------------------------------------------------------------


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite serialises writers; the unique constraint is exercised on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.restores_seeded_rows
def test_two_check_ins_at_once_give_one_row_and_one_clear_refusal(
    personas: dict[str, User], secretary: TeamMember
) -> None:
    me = personas["first_secretary"]
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def tap() -> None:
        from django.db import connection as own

        try:
            barrier.wait()
            do_check_in(me, latitude="28.37", longitude="109.53")
            outcomes.append("ok")
        except TeamConflict as exc:
            outcomes.append(exc.code.name)
        finally:
            own.close()

    threads = [threading.Thread(target=tap) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ALREADY_CHECKED_IN"] * 3 + ["ok"]
    assert CheckIn.objects.filter(member=secretary).count() == 1
    assert AuditEntry.objects.filter(action="teams.check_in").count() == 1
