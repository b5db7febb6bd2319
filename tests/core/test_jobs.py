"""Jobs: long work as rows, claimed once, with progress a page can read while it runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fupin.accounts.models import User
from fupin.core import jobs
from fupin.core.access import SYSTEM
from fupin.core.models import Job

KIND = "test.count"
FAILING = "test.fail"


@pytest.fixture
def runners() -> Iterator[dict[str, Any]]:
    calls: dict[str, Any] = {"runs": 0, "seen_done": [], "seen_status": []}

    @jobs.register(KIND)
    def count(job: Job) -> dict[str, Any]:
        calls["runs"] += 1
        total = int(job.params.get("total", 3))
        for done in range(1, total + 1):
            jobs.progress(job, done, total, f"第{done}步")
            # What a polling page would read now, from the database rather than this object.
            row = Job.objects.get(pk=job.pk)
            calls["seen_done"].append((row.done, row.total, row.message, row.percent))
            calls["seen_status"].append(row.status)
        return {"counted": total}

    @jobs.register(FAILING)
    def fail(job: Job) -> dict[str, Any]:
        calls["runs"] += 1
        jobs.progress(job, 1, 2)
        raise ValueError("the spreadsheet has no header row")

    yield calls
    jobs._RUNNERS.pop(KIND, None)
    jobs._RUNNERS.pop(FAILING, None)


def test_a_job_created_without_start_waits_in_the_queue(runners: dict[str, Any], db: Any) -> None:
    job = jobs.create_job(KIND, actor=SYSTEM, area_code="433124", params={"total": 2}, start=False)
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.created_by, job.area_code) == (
        "queued",
        0,
        0,
        None,
        "433124",
    )
    assert job.params == {"total": 2}
    assert runners["runs"] == 0


def test_the_creating_user_is_kept(runners: dict[str, Any], personas: dict[str, User]) -> None:
    job = jobs.create_job(KIND, actor=personas["county_admin"], start=False)
    assert Job.objects.get(pk=job.pk).created_by == personas["county_admin"]


def test_an_unknown_kind_creates_no_job(db: Any) -> None:
    with pytest.raises(KeyError):
        jobs.create_job("test.nobody_runs_this", actor=SYSTEM, start=False)
    assert not Job.objects.exists()


def test_run_job_runs_it_to_done_with_its_result(runners: dict[str, Any], db: Any) -> None:
    job = jobs.create_job(KIND, actor=SYSTEM, params={"total": 3}, start=False)
    finished = jobs.run_job(job.pk)
    assert (finished.status, finished.result, finished.done, finished.total) == ("done", {"counted": 3}, 3, 3)
    assert finished.started_at is not None and finished.finished_at is not None
    assert finished.started_at <= finished.finished_at
    assert finished.percent == 100


def test_a_job_is_claimed_once_and_a_second_run_does_nothing(runners: dict[str, Any], db: Any) -> None:
    job = jobs.create_job(KIND, actor=SYSTEM, start=False)
    first = jobs.run_job(job.pk)
    second = jobs.run_job(job.pk)
    assert runners["runs"] == 1
    assert (second.status, second.finished_at, second.result) == ("done", first.finished_at, first.result)
    assert jobs.claim(job.pk) is False


def test_progress_is_visible_in_the_database_while_the_job_runs(runners: dict[str, Any], db: Any) -> None:
    job = jobs.create_job(KIND, actor=SYSTEM, params={"total": 4}, start=False)
    jobs.run_job(job.pk)
    assert runners["seen_done"] == [
        (1, 4, "第1步", 25),
        (2, 4, "第2步", 50),
        (3, 4, "第3步", 75),
        (4, 4, "第4步", 100),
    ]
    assert set(runners["seen_status"]) == {"running"}


def test_a_failing_runner_marks_the_job_failed_with_its_message(runners: dict[str, Any], db: Any) -> None:
    job = jobs.create_job(FAILING, actor=SYSTEM, start=False)
    failed = jobs.run_job(job.pk)
    assert (failed.status, failed.message) == ("failed", "the spreadsheet has no header row")
    assert failed.finished_at is not None
    assert failed.done == 1
    assert failed.percent == 50
    assert jobs.run_job(job.pk).status == "failed"
    assert runners["runs"] == 1


def test_a_long_failure_message_is_cut_to_the_column(db: Any) -> None:
    @jobs.register("test.long_failure")
    def fail(job: Job) -> dict[str, Any]:
        raise RuntimeError("x" * 1000)

    try:
        job = jobs.create_job("test.long_failure", actor=SYSTEM, start=False)
        assert jobs.run_job(job.pk).message == "x" * 300
    finally:
        jobs._RUNNERS.pop("test.long_failure", None)


def test_run_queued_runs_waiting_jobs_oldest_first_up_to_a_limit(runners: dict[str, Any], db: Any) -> None:
    created = [jobs.create_job(KIND, actor=SYSTEM, params={"total": 1}, start=False) for _ in range(3)]
    assert jobs.run_queued(limit=2) == 2
    statuses = [Job.objects.get(pk=j.pk).status for j in created]
    assert statuses == ["done", "done", "queued"]
    assert jobs.run_queued() == 1
    assert jobs.run_queued() == 0


def test_starting_a_job_waits_for_the_commit(
    runners: dict[str, Any], db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.create_job(KIND, actor=SYSTEM, start=True)
    assert len(callbacks) == 1
    assert Job.objects.get(pk=job.pk).status == "queued"
