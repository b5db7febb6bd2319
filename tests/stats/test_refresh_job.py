"""A county administrator asks for a full refresh from the statistics page: a job, run by the
worker, with progress by year; nobody else may, and nobody outside the county."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from fupin.core.jobs import run_job
from fupin.core.models import AuditEntry, Job
from fupin.core.personas import ALL_USERNAMES, COUNTY, VILLAGE
from fupin.stats.models import Snapshot
from tests.conftest import make_household

URL = f"/stats/{COUNTY}/refresh/"


def test_county_admin_starts_a_refresh_that_the_worker_runs(client_for: Any) -> None:
    make_household(VILLAGE, members=2, status="poor")
    response = client_for("county_admin").post(URL)
    job = Job.objects.get(kind="stats.refresh")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert AuditEntry.objects.filter(action="stats.start_refresh", area_code=COUNTY).exists()
    job = run_job(job.pk)
    assert job.status == Job.Status.DONE, job.message
    assert job.done == job.total == len(job.result["years"]) >= 1
    assert Snapshot.objects.get(area_id=VILLAGE, year=job.result["years"][-1]).values["poor_households"] == 1
    assert client_for("county_admin").get(f"/jobs/{job.pk}/").status_code == 200


@pytest.mark.parametrize("username", [u for u in ALL_USERNAMES if u != "county_admin"])
def test_nobody_else_may_start_one(client_for: Any, username: str) -> None:
    response = client_for(username).post(URL)
    # Without the statistics a user is refused first; with them, a user below the county (or
    # in another) does not see it at all; within it, only the refresh itself is refused.
    outside = username in {
        "outsider",
        "township_officer",
        "village_clerk",
        "first_secretary",
        "neighbour_clerk",
    }
    assert response.status_code == (404 if outside else 403)
    assert not Job.objects.exists()


def test_a_get_starts_nothing(client_for: Any) -> None:
    assert client_for("county_admin").get(URL).status_code == 405
    assert not Job.objects.exists()


def test_the_command_refreshes_everything_and_the_marked(db: Any) -> None:
    household = make_household(VILLAGE, members=2, status="poor")
    call_command("stats", "refresh", "--area", "433124", verbosity=0)
    assert Snapshot.objects.filter(area_id=VILLAGE).count() >= 1
    from fupin.core.access import SYSTEM
    from fupin.registry.actions import do_change_status

    do_change_status(household, "exited", year=2026, reason="脱贫", actor=SYSTEM)
    call_command("stats", "refresh", "--marked", verbosity=0)
    assert Snapshot.objects.get(area_id=VILLAGE, year=2026).values["exited_households"] == 1
