"""Operator actions on the installation itself (not on any area's data)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction

from fupin.core import audit, crypto
from fupin.core.access import SYSTEM
from fupin.core.errors import PermissionDenied

# Encrypted columns are named ``<what>_enc``; ``<what>_hash`` beside one is its keyed hash.
ENCRYPTED_SUFFIX, HASH_SUFFIX = "_enc", "_hash"

Progress = Callable[[str, int, int], None]  # (table, rows done, rows in the table)


def encrypted_columns() -> list[tuple[type[models.Model], list[str]]]:
    """Every model with encrypted columns, found by name so a new column is never left out."""
    found = []
    for model in apps.get_models():
        names = [f.attname for f in model._meta.concrete_fields if f.attname.endswith(ENCRYPTED_SUFFIX)]
        if names:
            found.append((model, names))
    return found


class RotationStopped(Exception):
    """A stored value no configured key opens, or whose hash the hash key does not reproduce."""


@dataclass
class Rotation:
    reencrypted: int = 0
    already_current: int = 0
    tables: dict[str, int] = field(default_factory=dict)  # label -> values re-encrypted


def do_rotate_pii_key(*, actor: Any, batch_size: int = 1000, progress: Progress | None = None) -> Rotation:
    """Re-encrypt every encrypted value with the newest PII key, a batch per transaction.

    Idempotent: a value already under the newest key is left as it is, so a second run (or a
    run after an interrupted one) writes only what is left. Every value is also checked against
    its keyed hash where it has one, so a wrong hash key stops the rotation before the old key
    is thrown away, instead of silently breaking uniqueness and feed matching.
    """
    if actor is not SYSTEM:
        raise PermissionDenied()
    result = Rotation()
    for model, columns in encrypted_columns():
        label = model._meta.label_lower
        names = {f.attname for f in model._meta.concrete_fields}
        hashed = {
            c: c.removesuffix(ENCRYPTED_SUFFIX) + HASH_SUFFIX
            for c in columns
            if c.removesuffix(ENCRYPTED_SUFFIX) + HASH_SUFFIX in names
        }
        rows = model._base_manager.all()
        total, done, last_pk = rows.count(), 0, None
        changed_here = 0
        if progress and total:
            progress(label, 0, total)
        while True:
            with transaction.atomic():
                # Locked while read and rewritten, so a user's edit in between is not overwritten
                # with the old value (SQLite's IMMEDIATE transactions lock the file anyway).
                batch = rows.select_for_update().order_by("pk")
                if last_pk is not None:
                    batch = batch.filter(pk__gt=last_pk)
                values = list(batch.values("pk", *columns, *hashed.values())[:batch_size])
                if not values:
                    break
                updates: dict[str, list[models.Model]] = {column: [] for column in columns}
                for row in values:
                    for column in columns:
                        token = row[column]
                        if not token:
                            continue
                        try:
                            plain = crypto.decrypt(token)
                        except ValueError as exc:
                            raise RotationStopped(
                                f"{label} {row['pk']} {column}: no configured PII key opens it"
                            ) from exc
                        if column in hashed and crypto.keyed_hash(plain) != row[hashed[column]]:
                            raise RotationStopped(
                                f"{label} {row['pk']} {column}: its stored hash differs from the hash key's;"
                                " check FUPIN_PII_HASH_KEY before removing any old key"
                            )
                        if crypto.is_current(token):
                            result.already_current += 1
                        else:
                            updates[column].append(model(pk=row["pk"], **{column: crypto.encrypt(plain)}))
                for column, objs in updates.items():
                    if objs:
                        model._base_manager.bulk_update(objs, [column])
                        changed_here += len(objs)
                last_pk = values[-1]["pk"]
                done += len(values)
            if progress:
                progress(label, done, total)
        result.reencrypted += changed_here
        result.tables[label] = changed_here
    with transaction.atomic():
        audit.record(
            actor,
            "core.rotate_pii_key",
            object_type="pii_key",
            after={
                "reencrypted": result.reencrypted,
                "already_current": result.already_current,
                "tables": result.tables,
            },
        )
    return result
