"""Limit/offset pagination with the project's page size and a ceiling, so one request cannot
ask for a whole province of households at once, and a bounded offset."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500
# Both databases bind OFFSET as a signed 64-bit integer, so an unbounded one was a 500; no
# list holds anywhere near this many rows.
MAX_OFFSET = 2**31 - 1


class LimitOffset(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            settings.FUPIN_PAGE_SIZE,
            ge=1,
            le=MAX_LIMIT,
            description=f"How many items to return (1 to {MAX_LIMIT}).",
        )
        offset: int = Field(
            0, ge=0, le=MAX_OFFSET, description=f"How many items to skip from the start (0 to {MAX_OFFSET})."
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="How many items match in total, across all pages.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
