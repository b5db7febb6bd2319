"""Two people at once, in two threads on PostgreSQL: of two dismissals exactly one succeeds and
the other is told; a burst of self-reports cannot slip past the rate limit together.

Threads need committed rows, so these tests commit; Django then empties every table after
each, and the marker ``restores_seeded_rows`` has conftest reload the session's areas and the
poverty lines a migration seeded.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.conf import settings

from fupin.accounts.models import User
from fupin.alerts import actions
from fupin.alerts.errors import AlreadyHandled, RateLimited
from fupin.alerts.models import Alert, AlertStatus, SelfReport
from fupin.core.models import AuditEntry
from fupin.core.personas import VILLAGE
from tests.alerts.helpers import screened
from tests.conftest import make_household, new_id_number

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite serialises writers; test_triage covers the logic with stale instances",
)


def at_once(calls: list[Callable[[], Any]], expected: tuple[type[Exception], ...]) -> list[str]:
    """Run the calls in threads released together; each outcome is "ok" or the error's name."""
    outcomes: list[str] = []
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> None:
        from django.db import connection as own

        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except expected as exc:
            outcomes.append(type(exc).__name__)
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
def test_two_concurrent_dismissals_exactly_one_succeeds(personas: dict[str, User]) -> None:
    alert = screened(make_household(VILLAGE))
    seen = [Alert.objects.get(pk=alert.pk), Alert.objects.get(pk=alert.pk)]
    outcomes = at_once(
        [
            lambda: actions.do_dismiss_alert(seen[0], "重复预警", actor=personas["village_clerk"]),
            lambda: actions.do_dismiss_alert(seen[1], "数据错误", actor=personas["first_secretary"]),
        ],
        (AlreadyHandled,),
    )
    assert sorted(outcomes) == ["AlreadyHandled", "ok"]
    fresh = Alert.objects.get(pk=alert.pk)
    assert fresh.status == AlertStatus.DISMISSED and fresh.dismiss_reason in {"重复预警", "数据错误"}
    assert AuditEntry.objects.filter(action="alerts.dismiss").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.restores_seeded_rows
def test_a_burst_of_reports_from_one_address_stops_at_the_limit(db: Any) -> None:
    limit = 5  # the default per address and hour
    calls = [
        partial(
            actions.do_receive_self_report,
            name="龙秀英",
            id_number=new_id_number(dt.date(1970 + i, 1, 1)),
            phone="13912345678",
            village_code=VILLAGE,
            what_happened="治病",
            client_address="10.8.8.8",
        )
        for i in range(limit + 3)
    ]
    outcomes = at_once(calls, (RateLimited,))
    assert sorted(outcomes) == ["RateLimited"] * 3 + ["ok"] * limit
    assert SelfReport.objects.count() == limit == Alert.objects.count()
