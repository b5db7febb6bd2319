"""Rotating the personal-data key: data written under key A is re-encrypted under B; once A is
removed everything still decrypts, ID numbers stay unique and department feeds still match,
because the keyed hash has a key of its own that does not rotate.
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fupin.areas.models import Area
from fupin.core import crypto
from fupin.core.access import SYSTEM
from fupin.core.actions import RotationStopped, do_rotate_pii_key, encrypted_columns
from fupin.core.errors import FupinError, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import COUNTY, VILLAGE
from fupin.feeds.actions import do_receive_feed
from fupin.feeds.models import FeedRecord
from fupin.registry import actions as registry
from fupin.registry.models import Household, Member
from tests.conftest import make_household

KEY_A, KEY_B, KEY_C = (secrets.token_urlsafe(48) for _ in range(3))


def every_encrypted_value() -> list[str]:
    values = []
    for model, columns in encrypted_columns():
        for row in model._base_manager.values_list(*columns):
            values += [token for token in row if token]
    return values


def death_feed(id_number: str, month: int) -> FeedRecord:
    batch = do_receive_feed(
        "public_security",
        [{"身份证号": id_number, "死亡日期": f"2024-{month:02d}-01"}],
        period=f"2024-{month:02d}",
        actor=SYSTEM,
        area=Area.objects.get(code=COUNTY),
    )
    return FeedRecord.objects.get(batch=batch)


@pytest.fixture
def under_key_a(settings: Any, db: Any, personas: Any) -> list[Household]:
    settings.PII_KEYS, settings.PII_HASH_KEY = [KEY_A], ""
    account = "6217002930101234567"
    homes = [make_household(VILLAGE, phone="13812345678", bank_account=account) for _ in range(3)]
    for home in homes:
        # A member's phone is set directly: the rotation must find every encrypted column.
        Member.objects.filter(household=home, relation="head").update(
            phone_enc=crypto.encrypt("13900001111"), phone_masked=crypto.mask("13900001111", 3, 4)
        )
    return homes


def test_every_known_encrypted_column_is_found() -> None:
    found = {(m._meta.label_lower, c) for m, cols in encrypted_columns() for c in cols}
    assert {
        ("registry.household", "phone_enc"),
        ("registry.household", "bank_account_enc"),
        ("registry.member", "id_number_enc"),
        ("registry.member", "phone_enc"),
        ("alerts.selfreport", "id_number_enc"),
        ("alerts.selfreport", "phone_enc"),
    } <= found


def test_rotate_from_a_to_b_then_remove_a(settings: Any, under_key_a: list[Household]) -> None:
    ids = {m.pk: crypto.decrypt(m.id_number_enc) for m in Member.objects.all()}
    hashes = dict(Member.objects.values_list("pk", "id_number_hash"))
    before = every_encrypted_value()
    assert len(before) == 3 * 2 + len(ids) + 3  # households' phone and account, IDs, heads' phones
    fed = death_feed(ids[min(ids)], 2)
    assert fed.member_id == min(ids)

    # The hash key is saved before the second key is added: derived from A, as it always was.
    hash_key = crypto.hash_key_hex()
    settings.PII_KEYS, settings.PII_HASH_KEY = [KEY_B, KEY_A], hash_key
    assert crypto.keyed_hash(ids[min(ids)]) == hashes[min(ids)]
    out = io.StringIO()
    call_command("pii_key", "rotate", "--batch-size", "2", stdout=out, stderr=io.StringIO())
    assert f"re-encrypted {len(before)}, already under the newest key 0" in out.getvalue()
    assert AuditEntry.objects.filter(action="core.rotate_pii_key").count() == 1

    # Again: nothing left to do.
    again = do_rotate_pii_key(actor=SYSTEM, batch_size=1000)
    assert (again.reencrypted, again.already_current) == (0, len(before))

    settings.PII_KEYS = [KEY_B]  # A thrown away
    for member in Member.objects.all():
        assert crypto.decrypt(member.id_number_enc) == ids[member.pk]
        assert crypto.keyed_hash(ids[member.pk]) == member.id_number_hash == hashes[member.pk]
    household = Household.objects.get(pk=under_key_a[0].pk)
    assert crypto.decrypt(household.bank_account_enc) == "6217002930101234567"
    assert crypto.decrypt(household.phone_enc) == "13812345678"
    assert all(crypto.is_current(token) for token in every_encrypted_value())

    # Uniqueness still holds and a department's feed still finds the person.
    taken = ids[min(ids)]
    with pytest.raises(FupinError):
        registry.do_add_member(
            under_key_a[1], {"name": "冒名", "relation": "other", "id_number": taken}, actor=SYSTEM
        )
    assert death_feed(taken, 3).member_id == min(ids)
    # A check of the whole store after the old key is gone finds nothing wrong.
    assert do_rotate_pii_key(actor=SYSTEM).reencrypted == 0


def test_without_the_saved_hash_key_rotation_stops_before_damage(
    settings: Any, under_key_a: list[Household]
) -> None:
    # B alone and no hash key: the hash would now derive from B and no longer match any feed.
    settings.PII_KEYS, settings.PII_HASH_KEY = [KEY_B, KEY_A], ""
    with pytest.raises(Exception, match="FUPIN_PII_HASH_KEY_FILE"):
        crypto.keyed_hash("x")
    settings.PII_HASH_KEY = "0" * 64  # a wrong one
    members = dict(Member.objects.values_list("pk", "id_number_enc"))
    with pytest.raises(RotationStopped, match="hash"):
        do_rotate_pii_key(actor=SYSTEM)
    # The batch that met the mismatch wrote nothing, and nothing became unreadable.
    assert dict(Member.objects.values_list("pk", "id_number_enc")) == members
    assert all(crypto.decrypt(token) for token in every_encrypted_value())
    assert not AuditEntry.objects.filter(action="core.rotate_pii_key").exists()


def test_a_value_no_key_opens_stops_the_rotation_with_its_row(
    settings: Any, under_key_a: list[Household]
) -> None:
    hash_key = crypto.hash_key_hex()
    settings.PII_KEYS, settings.PII_HASH_KEY = [KEY_B, KEY_C], hash_key  # A is missing
    with pytest.raises(CommandError, match="no configured PII key opens it"):
        call_command("pii_key", "rotate", stdout=io.StringIO(), stderr=io.StringIO())


def test_only_the_operator_rotates(under_key_a: list[Household], personas: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        do_rotate_pii_key(actor=personas["county_admin"])


def test_hash_key_is_written_once_to_a_private_file(settings: Any, under_key_a: Any, tmp_path: Path) -> None:
    out = tmp_path / "hash_key"
    call_command("pii_key", "hash-key", "--out", str(out), stdout=io.StringIO())
    assert out.read_text(encoding="ascii").strip() == crypto.hash_key_hex()
    assert out.stat().st_mode & 0o077 == 0
    with pytest.raises(CommandError, match="exists already"):
        call_command("pii_key", "hash-key", "--out", str(out), stdout=io.StringIO())


def test_new_prints_a_key_long_enough() -> None:
    out = io.StringIO()
    call_command("pii_key", "new", stdout=out)
    assert len(out.getvalue().strip()) >= 32
