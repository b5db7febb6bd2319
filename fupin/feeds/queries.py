"""Reads of feed batches, scoped: a department's provider sees the batches it sent itself, the
county bureau and supervisors every batch sent for an area inside theirs. What anyone sees of a
batch is its match report (counts, row numbers, reasons), never the people it matched."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from fupin.accounts.permissions import SEND_FEEDS, VIEW_FEED_REPORTS
from fupin.areas.queries import within
from fupin.core.errors import NotFound, PermissionDenied
from fupin.feeds.errors import message_of
from fupin.feeds.models import FeedBatch
from fupin.feeds.schemas import schema_for


def may_see_feeds(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.can(SEND_FEEDS) or user.can(VIEW_FEED_REPORTS)
    )


def batches_for(user: Any) -> QuerySet[FeedBatch]:
    """The batches ``user`` may read, newest first; PermissionDenied for a role that reads none."""
    if not may_see_feeds(user):
        raise PermissionDenied()
    scope = Q(pk__in=[])
    if user.can(VIEW_FEED_REPORTS):
        scope |= within(user.area, "area_code")
    if user.can(SEND_FEEDS):
        # Only its own: two departments of one county do not see each other's batches.
        scope |= Q(uploaded_by=user) & within(user.area, "area_code")
    return FeedBatch.objects.filter(scope).select_related("uploaded_by")


def access_batch_by_id(user: Any, batch_id: Any) -> FeedBatch:
    """The batch, or NotFound alike for a missing one and one the user may not read."""
    try:
        pk = int(batch_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    batch = batches_for(user).filter(pk=pk).first()
    if batch is None:
        raise NotFound()
    return batch


def visible_original(user: Any, batch: FeedBatch) -> FeedBatch | None:
    """The batch a duplicate repeats, if the user may read it (else the report only says the
    content was received before, not by whom)."""
    if batch.duplicate_of_id is None:
        return None
    return batches_for(user).filter(pk=batch.duplicate_of_id).first()


def invalid_rows(batch: FeedBatch) -> list[dict[str, Any]]:
    """The report's invalid rows with each reason written in the current language."""
    schema = schema_for(batch.source)
    labels = {c.key: c.label for c in schema.columns} if schema else {}
    return [
        {
            "row": entry["row"],
            "problems": [
                {
                    "column": p["column"],
                    "label": labels.get(p["column"], p["column"]),
                    "code": p["code"],
                    "message": message_of(p["code"], p.get("params")),
                }
                for p in entry["problems"]
            ],
        }
        for entry in batch.report.get("invalid", [])
    ]


def refusal(batch: FeedBatch) -> str:
    """Why a refused batch was refused, in the current language ("" if it was not)."""
    refused = batch.report.get("refused")
    return message_of(refused["code"], refused.get("params")) if refused else ""
