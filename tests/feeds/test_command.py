"""`fupin feed SOURCE FILE --period P --area CODE`: the operator's way to receive a feed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fupin.accounts.models import User
from fupin.cli import COMMANDS
from fupin.core.models import AuditEntry
from fupin.core.personas import COUNTY
from fupin.feeds.models import FeedBatch
from fupin.registry.models import Household
from tests.conftest import new_id_number
from tests.feeds.helpers import stored_text, write_xlsx


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("feed", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_receives_a_file_and_prints_its_match_report(
    personas: dict[str, User], home: Household, ids: list[str], tmp_path: Path
) -> None:
    stranger = new_id_number()
    rows = [
        {"身份证号": ids[0], "鉴定等级": "D级", "鉴定日期": "2024-01-05"},
        {"身份证号": stranger, "鉴定等级": "C"},
        {"身份证号": ids[1], "鉴定等级": "E"},
    ]
    path = write_xlsx(tmp_path / "住建.xlsx", rows)
    output = run("housing", str(path), "--period", "2024", "--area", "433124", "--quiet")
    batch = FeedBatch.objects.get()
    assert f"batch={batch.pk} status=done rows=3 matched=1 unmatched=1 invalid=1 repeated=0" in output
    assert "row 4 鉴定等级: " in output and "unmatched rows: 3" in output
    assert (batch.area_code, batch.uploaded_by, batch.filename) == (COUNTY, None, "住建.xlsx")
    assert AuditEntry.objects.filter(action="feeds.receive_feed", actor_name="system").exists()
    # The operator's own file is left where it was; nothing of its numbers is kept.
    assert path.exists()
    assert stranger not in stored_text() and ids[0] not in stored_text()
    again = run("housing", str(path), "--period", "2024", "--area", "433124", "--quiet")
    assert "status=duplicate" in again and f"already received as batch {batch.pk}" in again


def test_the_command_refuses_what_it_cannot_take(personas: dict[str, User], tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("姓名\n张三\n", encoding="utf-8")
    with pytest.raises(CommandError, match="身份证号"):
        run("public_security", str(path), "--period", "2024", "--area", "433124")
    with pytest.raises(CommandError, match="no such file"):
        run("public_security", str(tmp_path / "none.csv"), "--period", "2024", "--area", "433124")
    with pytest.raises(CommandError, match="unknown area"):
        run("public_security", str(path), "--period", "2024", "--area", "999999")
    with pytest.raises(CommandError):
        run("public_security", str(path), "--period", "1999", "--area", "433124")
    assert not FeedBatch.objects.exists()


def test_the_fupin_command_lists_feed() -> None:
    assert COMMANDS["feed"][0] == "feed"
