"""An end racing a status change, in two threads on PostgreSQL: the end reads the household's
status under the household row's lock, so it waits for the change and sees its result — a
household that has just become monitored again keeps its helper.

Threads need committed rows, so this test commits; the marker ``restores_seeded_rows`` has
conftest reload the session's areas afterwards.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction

from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError
from fupin.core.personas import VILLAGE
from fupin.pairing import actions
from fupin.pairing.models import Pairing
from fupin.registry import actions as registry
from fupin.registry.models import Household
from tests.conftest import make_household
from tests.pairing.conftest import pair_cadre

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite serialises writers; test_actions covers the lock's rule",
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.restores_seeded_rows
def test_an_end_waits_for_a_status_change_and_sees_its_result(personas: dict[str, Any]) -> None:
    home = make_household(VILLAGE, status="exited")
    pairing = pair_cadre(home)
    changed = threading.Event()
    outcome: list[str] = []

    def change() -> None:
        from django.db import connection as own

        try:
            with transaction.atomic():
                seen = Household.objects.get(pk=home.pk)
                registry.do_change_status(seen, "monitored", year=2025, reason="因病返贫风险", actor=SYSTEM)
                changed.set()
                time.sleep(0.6)  # the end in the other thread now waits on the household's row
        finally:
            own.close()

    def end() -> None:
        from django.db import connection as own

        try:
            changed.wait(5)
            actions.do_end_pairing(personas["village_clerk"], Pairing.objects.get(pk=pairing.pk), "调整帮扶")
            outcome.append("ok")
        except FupinError as exc:
            outcome.append(exc.code.name)
        finally:
            own.close()

    threads = [threading.Thread(target=change), threading.Thread(target=end)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcome == ["LOCKED"]
    assert Pairing.objects.get(pk=pairing.pk).ended_on is None
    assert Household.objects.get(pk=home.pk).status == "monitored"
