"""API of department feeds (部门数据报送): send a batch of rows, list the batches one may read,
read one batch's match report.

Thin like the rest: the rows go to ``feeds.actions.do_receive_feed`` (which checks the role,
hashes the ID numbers and matches them), reads go through ``feeds.queries`` (a provider sees
only its own batches; the county bureau and supervisors every batch of their area; anything
else answers 404 like a batch that does not exist). A report carries counts, row numbers and
reasons, never a person.
"""

# No ``from __future__ import annotations``: ninja's pagination reads the view's parameter
# types at import time and cannot resolve them as strings.
import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from fupin.accounts.models import User
from fupin.accounts.permissions import SEND_FEEDS
from fupin.api.enums import FeedBatchStatus
from fupin.api.pagination import LimitOffset
from fupin.api.schemas import ErrorOut
from fupin.core.access import require
from fupin.feeds.actions import do_receive_feed
from fupin.feeds.errors import FeedError, FeedRefused
from fupin.feeds.models import FeedBatch, Source
from fupin.feeds.queries import access_batch_by_id, batches_for, invalid_rows, refusal, visible_original

router = Router(tags=["feeds"])

# One request's rows; a larger feed is sent in parts or uploaded as a file. Also keeps the body
# under Django's 2.5 MB request limit.
API_MAX_ROWS = 5000

BatchId = Annotated[int, Path(description="The batch's id.")]
# A plain string, checked by the action (400 UNKNOWN_SOURCE): an enum here would lose its
# description in the OpenAPI document.
SourcePath = Annotated[
    str,
    Path(description="The sending department: " + ", ".join(Source.values) + " (see /feeds/schema/)."),
]
READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, **READ_ERRORS}


def _caller(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


# --- schemas -------------------------------------------------------------------------------


class FeedIn(Schema):
    period: str = Field(description="The year (2024) or month (2024-03) the rows are about.")
    name: str = Field("", description="A label for the batch, such as the export it came from.")
    rows: list[dict[str, Any]] = Field(
        description=(
            f"One object per row (at most {API_MAX_ROWS}), keyed by the source's column keys, e.g. "
            '{"id_number": "…", "kind": "hospital_stay", "date": "2024-03-05", "out_of_pocket": 8200}. '
            "Unknown keys are ignored. Row numbers in the report count these objects from 1."
        )
    )


class ProblemOut(Schema):
    column: str = Field(description="The column's key.")
    label: str = Field(description="The column's Chinese header.")
    code: str = Field(description="Stable reason code, e.g. ID_CHECKSUM, REQUIRED, NOT_ALLOWED.")
    message: str = Field(description="The reason in the request's language.")


class InvalidRowOut(Schema):
    row: int = Field(description="The row's number: its line in the file, or its place in `rows` from 1.")
    problems: list[ProblemOut]


class BatchItem(Schema):
    id: int
    source: Source = Field(description="The sending department.")
    period: str = Field(description="The year or month the rows are about.")
    area_code: str = Field(description="The area the batch was sent for; rows are matched inside it.")
    name: str = Field(description="The file name or label the sender gave.")
    status: FeedBatchStatus = Field(
        description="received (being read), done, duplicate (content received before: nothing "
        "counted), refused (not readable: nothing stored)."
    )
    sent_by: str | None = Field(description="The sender's user name; null when sent at the command line.")
    sent_at: dt.datetime
    rows_total: int = Field(description="Rows in the batch.")
    rows_matched: int = Field(description="Stored, and the person is registered in the area.")
    rows_unmatched: int = Field(description="Stored, but no person registered in the area has the ID number.")
    rows_invalid: int = Field(description="Not stored: see `invalid` for the reasons.")
    rows_repeated: int = Field(
        description="Already received (earlier batch or earlier row): not counted again."
    )


class BatchOut(BatchItem):
    refused: str = Field(description="Why a refused batch was refused; empty otherwise.")
    duplicate_of: int | None = Field(
        description="For a duplicate: the earlier batch with the same content, if the caller may read it."
    )
    invalid: list[InvalidRowOut] = Field(description="Every invalid row (up to 10,000) with its reasons.")
    unmatched: list[int] = Field(description="Numbers of the rows matching no registered person.")
    repeated: list[int] = Field(description="Numbers of the rows already received.")


def _item(batch: FeedBatch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "source": batch.source,
        "period": batch.period,
        "area_code": batch.area_code,
        "name": batch.filename,
        "status": batch.status,
        "sent_by": batch.uploaded_by.username if batch.uploaded_by else None,
        "sent_at": batch.uploaded_at,
        "rows_total": batch.rows_total,
        "rows_matched": batch.rows_matched,
        "rows_unmatched": batch.rows_unmatched,
        "rows_invalid": batch.rows_invalid,
        "rows_repeated": batch.rows_repeated,
    }


def describe(user: Any, batch: FeedBatch) -> dict[str, Any]:
    original = visible_original(user, batch)
    return {
        **_item(batch),
        "refused": refusal(batch),
        "duplicate_of": original.pk if original else None,
        "invalid": invalid_rows(batch),
        "unmatched": batch.report.get("unmatched", []),
        "repeated": batch.report.get("repeated", []),
    }


# --- endpoints -----------------------------------------------------------------------------


class BatchFilters(Schema):
    source: Source | None = Field(None, description="Only batches of this department.")
    period: str | None = Field(None, description="Only batches about this period (2024 or 2024-03).")


@router.get("/feeds", response={200: list[BatchItem], **READ_ERRORS}, summary="List feed batches")
@paginate(LimitOffset)
def list_batches(request: HttpRequest, filters: Query[BatchFilters]) -> Any:
    """The batches the caller may read, newest first: a department's provider its own, the
    county bureau and supervisors every batch sent for their area."""
    qs = batches_for(_caller(request))
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.period:
        qs = qs.filter(period=filters.period)
    return [_item(b) for b in qs]


# The numeric path first: /feeds/{source} would otherwise claim /feeds/12.
# Under batches/, not beside /feeds/{source}: one path pattern for both sent a batch id that
# was not a number to the upload route, which answered 405 instead of a validation error.
@router.get(
    "/feeds/batches/{batch_id}", response={200: BatchOut, **READ_ERRORS}, summary="One batch's report"
)
def get_batch(request: HttpRequest, batch_id: BatchId) -> dict[str, Any]:
    """The batch's match report: counts, the invalid rows with their reasons, and the numbers
    of the rows that matched no registered person or were already received."""
    user = _caller(request)
    return describe(user, access_batch_by_id(user, batch_id))


@router.post("/feeds/{source}", response={201: BatchOut, **WRITE_ERRORS}, summary="Send a feed batch")
def send_batch(request: HttpRequest, source: SourcePath, payload: FeedIn) -> Status[dict[str, Any]]:
    """A department's rows for one period, stored as one batch of the caller's area and
    answered with its match report. ID numbers are hashed on arrival and not kept. Sending
    the same rows again is recognised: the batch comes back as `duplicate` and nothing is
    counted twice. Rows with problems are reported and not stored; the others are."""
    user = _caller(request)
    require(user, SEND_FEEDS)  # a role that may not send hears so before anything about its rows
    if len(payload.rows) > API_MAX_ROWS:
        raise FeedRefused(FeedError.TOO_MANY_ROWS, field="rows", rows=len(payload.rows), limit=API_MAX_ROWS)
    batch = do_receive_feed(source, payload.rows, period=payload.period, actor=user, filename=payload.name)
    return Status(201, describe(user, batch))
