"""Two people at once, in threads on PostgreSQL: two identical linkages posted together make one
linkage and one clear refusal; two ratings of one organisation and year make one rating, and
the second's audit entry starts from the first's result.

Threads need committed rows, so these tests commit; Django then empties every table after
each, and the marker ``restores_seeded_rows`` has conftest reload the session's seeded rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings

from fupin.accounts.models import User
from fupin.core.errors import FupinError
from fupin.core.models import AuditEntry
from fupin.core.personas import VILLAGE
from fupin.party import actions
from fupin.party.models import Linkage, Rating
from tests.party.conftest import build_world

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite serialises writers; the rules are covered without threads",
)


def at_once(calls: list[Callable[[], Any]]) -> list[str]:
    """Run the calls in threads released together; each outcome is "ok" or the error's code."""
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
def test_two_identical_linkages_at_once_make_one(personas: dict[str, User]) -> None:
    world = build_world(VILLAGE)
    first, second = world["branch"], world["coop"]
    outcomes = at_once(
        [
            lambda: actions.do_create_linkage(
                first, second, {"kind": "industry"}, actor=personas["org_dept"]
            ),
            lambda: actions.do_create_linkage(
                second, first, {"kind": "industry"}, actor=personas["township_officer"]
            ),
        ]
    )
    assert sorted(outcomes) == ["LINK_EXISTS", "ok"]
    assert Linkage.objects.filter(kind="industry").count() == 1
    assert AuditEntry.objects.filter(action="party.create_linkage").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.restores_seeded_rows
def test_two_ratings_at_once_make_one_rating_and_two_audited_changes(personas: dict[str, User]) -> None:
    world = build_world(VILLAGE)
    dept = personas["org_dept"]
    outcomes = at_once(
        [
            lambda: actions.do_rate_organisation(
                world["branch"], {"year": 2024, "stars": 2, "rating_class": "lagging"}, actor=dept
            ),
            lambda: actions.do_rate_organisation(
                world["branch"], {"year": 2024, "stars": 4, "rating_class": "advanced"}, actor=dept
            ),
        ]
    )
    assert outcomes == ["ok", "ok"]
    rating = Rating.objects.get(organisation=world["branch"], year=2024)
    entries = list(AuditEntry.objects.filter(action="party.rate").order_by("pk"))
    assert len(entries) == 2 and entries[0].before is None
    # the second rater's "before" is exactly what the first left, and the row holds the second's
    assert entries[1].before is not None and entries[1].before["stars"] == entries[0].after["stars"]
    assert rating.stars == entries[1].after["stars"]
