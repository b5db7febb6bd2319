"""Writes to areas: loading the national codes and adding village groups (组)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, transaction

from fupin.areas.errors import AreaError
from fupin.areas.loading import DivisionRow, read_divisions
from fupin.areas.models import Area, Level
from fupin.core import audit
from fupin.core.access import SYSTEM, require
from fupin.core.errors import FupinError

BATCH = 5000
NAME_MAX = 100  # Area.name's max_length: past it PostgreSQL refuses the row, SQLite keeps it


def do_load_areas(
    prefix: str = "",
    *,
    actor: Any = SYSTEM,
    rows: Iterable[DivisionRow] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Insert or rename the division areas whose code starts with ``prefix`` ('' = all China).

    Safe to run again: existing codes are updated in place, groups added by users are kept.
    Returns the number of areas per level.
    """
    require(actor, "areas.load")
    counts = {level.label: 0 for level in Level if level != Level.GROUP}
    batch: list[Area] = []
    with transaction.atomic():
        for row in rows if rows is not None else read_divisions(prefix):
            batch.append(Area(code=row.code, name=row.name, level=row.level, parent_id=row.parent_code))
            counts[Level(row.level).label] += 1
            if len(batch) >= BATCH:
                _upsert(batch)
                if on_progress:
                    on_progress(len(batch))
                batch = []
        if batch:
            _upsert(batch)
            if on_progress:
                on_progress(len(batch))
        audit.record(
            actor,
            "areas.load",
            object_type="areas.area",
            object_id=prefix or "all",
            area_code=prefix,
            after={str(k): v for k, v in counts.items()},
        )
    return {str(k): v for k, v in counts.items()}


def _upsert(batch: list[Area]) -> None:
    Area.objects.bulk_create(
        batch, update_conflicts=True, unique_fields=["code"], update_fields=["name", "level", "parent"]
    )


def do_add_village_group(village: Area, number: str, name: str, *, actor: Any) -> Area:
    """Add a village group (村民小组); its code is the village code plus a 3-digit number."""
    require(actor, "areas.add_group", area_code=village.code)
    if village.level != Level.VILLAGE:
        raise FupinError(AreaError.NOT_A_VILLAGE)
    # Codes must be ASCII digits (the scoping range relies on it): full-width digits fold to
    # ASCII, and \d alone would also let other scripts' digits into a code.
    number = unicodedata.normalize("NFKC", number or "").strip()
    if not re.fullmatch(r"[0-9]{1,3}", number):
        raise FupinError(AreaError.GROUP_NUMBER, field="number")
    name = (name or "").strip()
    if not name:
        raise FupinError(AreaError.NAME_REQUIRED, field="name")
    if len(name) > NAME_MAX:
        raise FupinError(AreaError.NAME_TOO_LONG, field="name", max=NAME_MAX)
    group = Area(code=village.code + number.zfill(3), name=name, level=Level.GROUP, parent=village)
    try:
        with transaction.atomic():
            if Area.objects.filter(code=group.code).exists():
                raise FupinError(AreaError.GROUP_EXISTS, field="number")
            group.save(force_insert=True)
            audit.record(
                actor, "areas.add_group", obj=group, area_code=group.code, after=audit.snapshot(group)
            )
    except IntegrityError:
        raise FupinError(AreaError.GROUP_EXISTS, field="number") from None
    return group
