"""Enums as the API documents them, each under a name of its own.

django-ninja keeps one OpenAPI component per class name, and two models call their choices
``Status`` (a case's and a feed batch's): the document then described one with the other's
values. The API declares its own copy of such choices under a distinct name; the values are the
models' own, so nothing is translated between them.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models

from fupin.cases.models import Status as _CaseStatus
from fupin.feeds.models import FeedBatch


def api_enum(name: str, choices: type[models.TextChoices]) -> type[StrEnum]:
    return StrEnum(name, {member.name: member.value for member in choices})  # type: ignore[return-value]


CaseStatus = api_enum("CaseStatus", _CaseStatus)
FeedBatchStatus = api_enum("FeedBatchStatus", FeedBatch.Status)
