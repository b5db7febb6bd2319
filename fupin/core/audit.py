"""The audit log: every action writes one entry in the same transaction as its change."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import models

from fupin.core import stale
from fupin.core.models import AuditEntry

# Field-name endings that hold secrets or derived secrets; never copied into the log.
_SECRET_SUFFIXES = ("_enc", "_hash", "password")


def snapshot(obj: models.Model | None, *, extra: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The object's concrete field values as JSON-safe data, without secret fields."""
    if obj is None:
        return None
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        name = field.attname
        if name.endswith(_SECRET_SUFFIXES):
            continue
        data[name] = _jsonable(getattr(obj, name))
    if extra:
        data.update(extra)
    return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def record(
    actor: Any,
    action: str,
    *,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    area_code: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id if object_id is not None else obj.pk
    user = actor if getattr(actor, "pk", None) else None
    stale.after_action(action, area_code, after)
    return AuditEntry.objects.create(
        actor=user,
        actor_name=getattr(actor, "username", "") or str(actor or "system"),
        action=action,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        area_code=area_code,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )


def changed(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """Only the keys whose values differ, as {key: [old, new]}: what a reader wants to see."""
    before = before or {}
    after = after or {}
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}
