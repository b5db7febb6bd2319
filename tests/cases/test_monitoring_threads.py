"""Two taggings of the same monitoring case in two threads on PostgreSQL: the conditional update
lets exactly one through, so the household becomes monitored once, with one set of risk types.

Threads need committed rows, so this test commits; the marker ``restores_seeded_rows`` has
conftest put back the rows migrations seeded (see test_threads.py).
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings

from fupin.accounts.models import User
from fupin.cases import actions
from fupin.cases.models import Case, CaseRiskType, Step
from fupin.core.errors import Conflict
from fupin.registry.models import StatusChange
from tests.cases.helpers import advance_to, open_monitoring

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite serialises writers; test_monitoring_workflows covers the logic with stale instances",
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.restores_seeded_rows
def test_two_concurrent_taggings_in_threads_exactly_one_succeeds(personas: dict[str, User]) -> None:
    case = advance_to(open_monitoring(personas), Step.TAGGING, personas)
    tags = [("edge", ["illness"], "village_clerk"), ("sudden", ["disaster", "accident"], "first_secretary")]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def tag(category: str, risks: list[str], who: str) -> None:
        from django.db import connection as own

        try:
            barrier.wait()
            actions.do_tag_monitoring(
                Case.objects.get(pk=case.pk), category=category, risk_types=risks, actor=personas[who]
            )
            outcomes.append(category)
        except Conflict:
            outcomes.append("conflict")
        finally:
            own.close()

    threads = [threading.Thread(target=tag, args=args) for args in tags]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "conflict" and len(outcomes) == 2
    winner = next(o for o in outcomes if o != "conflict")
    assert Case.objects.get(pk=case.pk).category == winner
    assert StatusChange.objects.filter(household=case.household, to_status="monitored").count() == 1
    expected = next(risks for category, risks, _who in tags if category == winner)
    assert list(CaseRiskType.objects.filter(case=case).values_list("risk", flat=True)) == expected
