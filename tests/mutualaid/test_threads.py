"""Two clerks at once, in threads on PostgreSQL: the size limit holds when two households are
added to a group's last place together (the group's row is the lock), and one household added
to two groups together ends in one group, the other clerk told why (the partial unique index).

Threads need committed rows, so these tests commit; the marker ``restores_seeded_rows`` has
conftest reload the session's areas afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings

from fupin.areas.models import Area
from fupin.cases.area_settings import do_set_area_setting
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError
from fupin.core.personas import VILLAGE
from fupin.mutualaid import actions
from fupin.mutualaid.models import AidGroup, GroupHousehold
from tests.conftest import make_household
from tests.mutualaid.conftest import make_group

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite serialises writers; test_actions covers the rules",
)


def at_once(calls: list[Callable[[], Any]]) -> list[str]:
    outcomes: list[str] = []
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> None:
        from django.db import connection as own

        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except FupinError as exc:
            outcomes.append(exc.code.name)
        finally:
            own.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.restores_seeded_rows
def test_two_households_for_the_last_place_one_is_refused(personas: dict[str, Any]) -> None:
    do_set_area_setting(Area.objects.get(code=VILLAGE), "aid_group_max_households", 2, actor=SYSTEM)
    group = make_group()
    actions.do_add_household(SYSTEM, group, make_household(VILLAGE, head_name="先到"))
    homes = [make_household(VILLAGE, head_name=f"同时{i}") for i in range(2)]
    clerks = [personas["village_clerk"], personas["first_secretary"]]
    outcomes = at_once(
        [
            lambda i=i: actions.do_add_household(clerks[i], AidGroup.objects.get(pk=group.pk), homes[i])
            for i in range(2)
        ]
    )
    assert sorted(outcomes) == ["GROUP_FULL", "ok"]
    assert GroupHousehold.objects.filter(group=group, left_on__isnull=True).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.restores_seeded_rows
def test_one_household_into_two_groups_at_once_ends_in_one(personas: dict[str, Any]) -> None:
    groups = [make_group(), make_group(name="竹子寨第二互助组", leader="龙拔二")]
    home = make_household(VILLAGE)
    clerks = [personas["village_clerk"], personas["township_officer"]]
    outcomes = at_once([lambda i=i: actions.do_add_household(clerks[i], groups[i], home) for i in range(2)])
    assert sorted(outcomes) == ["HOUSEHOLD_IN_GROUP", "ok"]
    assert GroupHousehold.objects.filter(household=home, left_on__isnull=True).count() == 1
