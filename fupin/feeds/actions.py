"""Receiving department feeds (部门数据报送): every write of the feeds app.

A batch is checked row by row first (outside any transaction, so an upload's progress shows);
then one transaction decides whether its content was received before, matches the good rows to
registered members, stores them and writes the audit entry. A batch is stored whole or not at
all. Matching looks only inside the batch's area: a county office learns nothing about people
registered in another county, and its rows about them count as unmatched.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction

from fupin.accounts.permissions import SEND_FEEDS
from fupin.areas.models import Area
from fupin.areas.queries import within
from fupin.core import audit
from fupin.core.access import require
from fupin.core.errors import FupinError
from fupin.core.jobs import create_job
from fupin.feeds import ingest
from fupin.feeds.departments import require_department
from fupin.feeds.errors import FeedError, FeedRefused
from fupin.feeds.models import FeedBatch, FeedRecord
from fupin.feeds.schemas import SourceSchema, schema_for
from fupin.registry.models import Member

FEED_JOB = "feeds.receive_feed"
MATCH_CHUNK = 500  # hashes per query: well under SQLite's parameter limit
STORE_CHUNK = 1000
PROGRESS_EVERY = 1000
# Invalid rows listed in a report; the counts stay exact. A file with more is the wrong file.
MAX_LISTED_INVALID = 10_000

Progress = Callable[[int, int], None]


def source_schema(source: str) -> SourceSchema:
    schema = schema_for(source)
    if schema is None:
        raise FeedRefused(FeedError.UNKNOWN_SOURCE, field="source")
    return schema


def _safe_name(filename: str) -> str:
    # The name is the department's to choose; a number in it that looks like an ID is not kept.
    return re.sub(r"[0-9Xx]{15,}", "…", Path(filename or "").name)[:200]


def summary(batch: FeedBatch) -> dict[str, Any]:
    return {
        "source": batch.source,
        "period": batch.period,
        "filename": batch.filename,
        "status": batch.status,
        "rows_total": batch.rows_total,
        "rows_matched": batch.rows_matched,
        "rows_unmatched": batch.rows_unmatched,
        "rows_invalid": batch.rows_invalid,
        "rows_repeated": batch.rows_repeated,
        "duplicate_of": batch.duplicate_of_id,
    }


def _pending() -> str:
    # Until its rows are read a batch has no content hash; a unique placeholder keeps the
    # one-batch-per-content constraint satisfied meanwhile.
    return f"pending:{uuid.uuid4().hex}"


# --- receiving rows --------------------------------------------------------------------------


def do_receive_feed(
    source: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    period: str,
    actor: Any,
    area: Area | None = None,
    filename: str = "",
) -> FeedBatch:
    """Rows sent at once (the API): checked, matched and stored as one batch of ``area``
    (default: the sender's own). Returns the batch with its match report."""
    area = area or getattr(actor, "area", None)
    if area is None:
        raise ValueError("a feed is received for an area")
    require(actor, SEND_FEEDS, area_code=area.code)
    schema = source_schema(source)
    require_department(actor, schema.source.value, area_code=area.code, channel="api")
    period = ingest.clean_period(period)
    parser = ingest.Parser(schema, period)
    listed = [(number, parser.keyed(values)) for number, values in enumerate(rows, start=1)]
    if not listed:
        raise FeedRefused(FeedError.NO_ROWS)
    # One transaction around the batch and its rows: a request that fails leaves nothing.
    with transaction.atomic():
        batch = FeedBatch.objects.create(
            source=schema.source.value,
            area_code=area.code,
            period=period,
            filename=_safe_name(filename),
            content_hash=_pending(),
            rows_total=len(listed),
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        return _receive(batch, parser, listed, actor=actor, total=len(listed))


def do_upload_feed(
    source: str,
    path: Path,
    *,
    period: str,
    actor: Any,
    area: Area,
    filename: str = "",
    delete_file: bool = True,
    start: bool = True,
) -> FeedBatch:
    """A file (upload page, command line): refused at once if it cannot be read, otherwise a
    batch waiting for its job, which reads the rows (``feeds.tasks``). With ``delete_file``
    the file, which holds raw ID numbers, is deleted when the job is done with it."""
    require(actor, SEND_FEEDS, area_code=area.code)
    schema = source_schema(source)
    require_department(actor, schema.source.value, area_code=area.code, channel="file")
    period = ingest.clean_period(period)
    total = ingest.check_file(path, schema)
    with transaction.atomic():
        batch = FeedBatch.objects.create(
            source=schema.source.value,
            area_code=area.code,
            period=period,
            filename=_safe_name(filename or path.name),
            content_hash=_pending(),
            rows_total=total,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        # No area on the job: the generic job page shows jobs in a reader's area, and another
        # department's provider in the same county must not see this one's counts there.
        batch.job = create_job(
            FEED_JOB,
            actor=actor,
            params={"batch": batch.pk, "path": str(path), "delete_file": delete_file},
            start=start,
        )
        batch.save(update_fields=["job"])
        audit.record(actor, "feeds.upload_feed", obj=batch, area_code=area.code, after=summary(batch))
    return batch


def do_process_upload(
    batch: FeedBatch, path: Path, *, actor: Any, on_progress: Progress | None = None
) -> FeedBatch:
    """Read an uploaded batch's file and store it (the job's work). A batch no longer waiting
    is returned as it is, so running the job twice does nothing twice."""
    if batch.status != FeedBatch.Status.RECEIVED:
        return batch
    require(actor, SEND_FEEDS, area_code=batch.area_code)
    schema = source_schema(batch.source)
    try:
        feed = ingest.read_feed(path, schema)
        parser = ingest.Parser(schema, batch.period)
        return _receive(batch, parser, feed.rows, actor=actor, total=feed.total, on_progress=on_progress)
    except FeedRefused as exc:
        return _refuse(batch, exc, actor=actor)


def do_fail_feed(batch: FeedBatch, *, actor: Any) -> FeedBatch:
    """The job broke off (the process, the database): the batch is refused, nothing of it was
    stored, and the department is told to send it again."""
    return _refuse(batch, FupinError(FeedError.FAILED), actor=actor)


def _refuse(batch: FeedBatch, exc: FupinError, *, actor: Any) -> FeedBatch:
    with transaction.atomic():
        changed = FeedBatch.objects.filter(pk=batch.pk, status=FeedBatch.Status.RECEIVED).update(
            status=FeedBatch.Status.REFUSED,
            report={"refused": {"code": exc.code.name, "params": exc.params}},
        )
        batch.refresh_from_db()
        if changed:
            audit.record(
                actor, "feeds.refuse_feed", obj=batch, area_code=batch.area_code, after=summary(batch)
            )
    return batch


def _check(
    parser: ingest.Parser,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    total: int,
    on_progress: Progress | None,
) -> tuple[list[ingest.Row], list[ingest.Invalid], list[int], list[str]]:
    """Every row checked: the good ones (first of each), the invalid ones, the rows repeating
    an earlier row of the same batch, and every row's fingerprint for the content hash."""
    good: list[ingest.Row] = []
    invalid: list[ingest.Invalid] = []
    repeated: list[int] = []
    fingerprints: list[str] = []
    seen: set[str] = set()
    done = 0
    for number, values in rows:
        parsed = parser.parse(number, values)
        fingerprints.append(parsed.fingerprint)
        if isinstance(parsed, ingest.Invalid):
            invalid.append(parsed)
        elif parsed.fingerprint in seen:
            repeated.append(number)
        else:
            seen.add(parsed.fingerprint)
            good.append(parsed)
        done += 1
        if on_progress and done % PROGRESS_EVERY == 0:
            on_progress(done, max(total, done))
    if on_progress:
        on_progress(done, max(total, done))
    return good, invalid, repeated, fingerprints


def _receive(
    batch: FeedBatch,
    parser: ingest.Parser,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    actor: Any,
    total: int,
    on_progress: Progress | None = None,
) -> FeedBatch:
    good, invalid, repeated, fingerprints = _check(parser, rows, total, on_progress)
    digest = ingest.content_hash(batch.source, batch.period, fingerprints)
    counts = {"rows_total": len(fingerprints), "rows_invalid": len(invalid)}
    report: dict[str, Any] = {
        "invalid": [
            {"row": bad.row, "problems": [p.as_dict() for p in bad.problems]}
            for bad in invalid[:MAX_LISTED_INVALID]
        ],
        "invalid_listed": min(len(invalid), MAX_LISTED_INVALID),
    }
    # A batch racing another with overlapping rows meets the unique constraints; the second
    # attempt sees what the other stored and counts those rows as repeated.
    for attempt in range(2):
        try:
            return _store(batch, good, repeated, digest, counts, report, actor=actor)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _match(area_code: str, hashes: list[str]) -> dict[str, tuple[int, int, str]]:
    """person hash -> (member, household, household's area) for members inside the area."""
    area = Area.objects.get(code=area_code)
    found: dict[str, tuple[int, int, str]] = {}
    for start in range(0, len(hashes), MATCH_CHUNK):
        chunk = hashes[start : start + MATCH_CHUNK]
        for digest, member, household, code in Member.objects.filter(
            within(area, "household__area_id"), id_number_hash__in=chunk
        ).values_list("id_number_hash", "pk", "household_id", "household__area_id"):
            found[digest] = (member, household, code)
    return found


def _already_stored(source: str, fingerprints: list[str]) -> set[str]:
    stored: set[str] = set()
    for start in range(0, len(fingerprints), MATCH_CHUNK):
        chunk = fingerprints[start : start + MATCH_CHUNK]
        stored.update(
            FeedRecord.objects.filter(source=source, fingerprint__in=chunk).values_list(
                "fingerprint", flat=True
            )
        )
    return stored


def _store(
    batch: FeedBatch,
    good: list[ingest.Row],
    repeated_in_file: list[int],
    digest: str,
    counts: dict[str, int],
    report: dict[str, Any],
    *,
    actor: Any,
) -> FeedBatch:
    Status = FeedBatch.Status
    with transaction.atomic():
        original = (
            FeedBatch.objects.filter(source=batch.source, content_hash=digest)
            .exclude(status__in=[Status.DUPLICATE, Status.REFUSED])
            .exclude(pk=batch.pk)
            .first()
        )
        if original is not None:
            # The same content again: kept as a record of the sending, nothing counted.
            claimed = FeedBatch.objects.filter(pk=batch.pk, status=Status.RECEIVED).update(
                status=Status.DUPLICATE,
                content_hash=digest,
                duplicate_of=original,
                report={},
                rows_total=counts["rows_total"],
            )
            batch.refresh_from_db()
            if claimed:
                audit.record(
                    actor, "feeds.receive_feed", obj=batch, area_code=batch.area_code, after=summary(batch)
                )
            return batch
        claimed = FeedBatch.objects.filter(pk=batch.pk, status=Status.RECEIVED).update(
            status=Status.DONE, content_hash=digest
        )
        if not claimed:  # another run of the same job finished it first
            batch.refresh_from_db()
            return batch
        stored = _already_stored(batch.source, [r.fingerprint for r in good])
        fresh = [r for r in good if r.fingerprint not in stored]
        repeated = sorted(repeated_in_file + [r.row for r in good if r.fingerprint in stored])
        matches = _match(batch.area_code, sorted({r.person_hash for r in fresh}))
        unmatched: list[int] = []
        records: list[FeedRecord] = []
        for r in fresh:
            member, household, area_code = matches.get(r.person_hash, (None, None, batch.area_code))
            if member is None:
                unmatched.append(r.row)
            records.append(
                FeedRecord(
                    batch=batch,
                    source=batch.source,
                    kind=r.kind,
                    person_hash=r.person_hash,
                    member_id=member,
                    household_id=household,
                    area_code=area_code,
                    year=r.year,
                    event_date=r.event_date,
                    amount=r.amount,
                    code=r.code,
                    detail=r.detail,
                    fingerprint=r.fingerprint,
                )
            )
        FeedRecord.objects.bulk_create(records, batch_size=STORE_CHUNK)
        FeedBatch.objects.filter(pk=batch.pk).update(
            rows_matched=len(records) - len(unmatched),
            rows_unmatched=len(unmatched),
            rows_repeated=len(repeated),
            report={**report, "unmatched": unmatched, "repeated": repeated},
            **counts,
        )
        batch.refresh_from_db()
        audit.record(actor, "feeds.receive_feed", obj=batch, area_code=batch.area_code, after=summary(batch))
    return batch
