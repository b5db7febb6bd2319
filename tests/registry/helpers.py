"""Small helpers shared by the registry tests (plain functions; fixtures live in tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from fupin.core.errors import FupinError, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES
from fupin.registry import idnumber
from fupin.registry.models import Household, HouseholdCondition, IncomeRecord, Member, StatusChange

ALL_PERSONAS = ALL_USERNAMES
# Roles holding registry.edit / registry.view_pii whose area contains 十八洞村.
EDITORS = {"county_admin", "township_officer", "village_clerk"}
# Whose area does not contain 十八洞村: they must get NotFound, never PermissionDenied.
OUTSIDE = {"outsider", "neighbour_clerk"}


def error_codes(exc: FupinError) -> list[str]:
    """The codes a caller sees, in order: all of them for a ValidationFailed."""
    if isinstance(exc, ValidationFailed):
        return [e.code.name for e in exc.errors]
    return [exc.code.name]


def error_fields(exc: FupinError) -> list[str | None]:
    if isinstance(exc, ValidationFailed):
        return [e.field for e in exc.errors]
    return [exc.field]


def registry_fingerprint() -> dict[str, Any]:
    """Every registry row and the audit log size, to show a refused call changed nothing.

    The entry that records an ID number refused as already registered is left out: that
    refusal is audited on purpose (issue 13 item 6, tests/registry/test_duplicates.py)."""
    return {
        "audit": AuditEntry.objects.exclude(action="registry.refuse_taken_id").count(),
        "households": list(Household.objects.order_by("pk").values()),
        "members": list(Member.objects.order_by("pk").values()),
        "incomes": list(IncomeRecord.objects.order_by("pk").values()),
        "conditions": list(HouseholdCondition.objects.order_by("pk").values()),
        "status": list(StatusChange.objects.order_by("pk").values()),
    }


def id_number_ending_in_x(born: dt.date = dt.date(1975, 3, 8), *, female: bool = False) -> str:
    """A valid number whose check character is X (about one in eleven are)."""
    for seq in range(1000):
        if seq % 2 == (0 if female else 1):
            number = idnumber.make("433124", born, seq)
            if number.endswith("X"):
                return number
    raise AssertionError("no sequence number gives X for this date")


def stored_values() -> list[tuple[str, str, str]]:
    """(table, column, text) for every non-null value of every row of every table."""
    out: list[tuple[str, str, str]] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            # Table names come from the database's own catalogue, not from input.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [col[0] for col in cursor.description]
            for row in cursor.fetchall():
                out.extend((table, col, str(value)) for col, value in zip(columns, row, strict=True))
    return out
