"""Two approvals in two threads on PostgreSQL: the conditional update lets exactly one through.

Threads need committed rows, so this test commits; Django then empties every table after it,
including the session's areas and the poverty lines a migration seeded. The marker
``restores_seeded_rows`` has conftest put them back after that, so the tests that run later
(the browser test) still find them.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings

from fupin.accounts.models import User
from fupin.cases import actions
from fupin.cases.models import Case, Step
from fupin.core.errors import Conflict
from fupin.registry.models import StatusChange
from tests.cases.helpers import advance_to, open_identification

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite serialises writers; test_concurrency_and_rules covers the logic with stale instances",
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.restores_seeded_rows
def test_two_concurrent_approvals_in_threads_exactly_one_succeeds(personas: dict[str, User]) -> None:
    case = advance_to(open_identification(personas), Step.COUNTY_APPROVAL, personas)
    stale = [Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def approve(copy: Case) -> None:
        from django.db import connection as own

        try:
            barrier.wait()
            actions.do_approve_case(copy, actor=personas["county_admin"])
            outcomes.append("ok")
        except Conflict as exc:
            # The loser hears who won and when (issue 13), not a bare "changed first".
            outcomes.append("conflict" if exc.code.name == "ALREADY_DECIDED" else exc.code.name)
        finally:
            own.close()

    threads = [threading.Thread(target=approve, args=(c,)) for c in stale]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert StatusChange.objects.filter(household=case.household, to_status="poor").count() == 1
