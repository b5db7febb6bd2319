"""The audit log's building blocks: what a snapshot keeps, who an entry names, what changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fupin.accounts.models import User
from fupin.core import audit
from fupin.core.access import SYSTEM
from fupin.core.personas import VILLAGE
from fupin.registry.models import Household, Member


def test_a_snapshot_leaves_out_ciphertext_hashes_and_passwords(household: Household) -> None:
    member = household.members.first()
    assert member is not None
    data = audit.snapshot(member)
    assert data is not None
    assert not [k for k in data if k.endswith(("_enc", "_hash"))]
    assert data["id_number_masked"] == member.id_number_masked
    assert data["birth_date"] == member.birth_date.isoformat()


def test_a_user_snapshot_has_no_password(personas: dict[str, User]) -> None:
    data = audit.snapshot(personas["county_admin"])
    assert data is not None
    assert "password" not in data
    assert data["username"] == "county_admin"


def test_a_snapshot_is_json_ready_and_takes_extra_keys(household: Household) -> None:
    household.road_distance_km = Decimal("1.50")
    data = audit.snapshot(household, extra={"members": 3})
    assert data is not None
    assert data["road_distance_km"] == "1.50"
    assert isinstance(data["created_at"], str)
    assert data["members"] == 3
    assert audit.snapshot(None) is None


def test_an_entry_names_a_user_actor_and_the_operator_by_name(
    personas: dict[str, User], household: Household
) -> None:
    by_user = audit.record(personas["village_clerk"], "test.touch", obj=household, area_code=VILLAGE)
    by_system = audit.record(SYSTEM, "test.touch", object_type="thing", object_id=7)
    assert (by_user.actor, by_user.actor_name, by_user.object_type, by_user.object_id) == (
        personas["village_clerk"],
        "village_clerk",
        "registry.household",
        str(household.pk),
    )
    assert (by_system.actor, by_system.actor_name, by_system.object_id, by_system.area_code) == (
        None,
        "system",
        "7",
        "",
    )


def test_an_entry_converts_dates_and_decimals_in_before_and_after(db: Any) -> None:
    entry = audit.record(
        SYSTEM,
        "test.values",
        object_type="thing",
        before={"on": dt.date(2024, 1, 2), "amount": Decimal("3.10"), "list": [dt.date(2024, 1, 3)]},
        after={"at": dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.UTC)},
    )
    entry.refresh_from_db()
    assert entry.before == {"on": "2024-01-02", "amount": "3.10", "list": ["2024-01-03"]}
    assert entry.after == {"at": "2024-01-02T03:04:00+00:00"}


def test_changed_lists_only_the_keys_whose_values_differ() -> None:
    before = {"a": 1, "b": "x", "c": None}
    after = {"a": 1, "b": "y", "d": 4}
    # "c" is None before and absent after: no difference a reader would care about.
    assert audit.changed(before, after) == {"b": ["x", "y"], "d": [None, 4]}
    assert audit.changed(None, {"a": 1}) == {"a": [None, 1]}
    assert audit.changed({"a": 1}, {"a": 1}) == {}


def test_member_snapshots_keep_the_masked_id_only(household: Household) -> None:
    for member in Member.objects.filter(household=household):
        data = audit.snapshot(member)
        assert data is not None
        assert "*" in data["id_number_masked"]
