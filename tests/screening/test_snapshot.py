"""The snapshot: no ID number (nor its hash) in any file, only the screened area and year,
streamed in row groups; rows that arrived before registration are matched by hash; and a
re-run raises nothing twice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from fupin.alerts.models import Alert
from fupin.areas.models import Area
from fupin.core import crypto
from fupin.core.personas import COUNTY, OTHER_COUNTY
from fupin.registry.models import Member
from fupin.screening import snapshot as snapshot_module
from fupin.screening.snapshot import write_snapshot
from tests.conftest import make_household
from tests.screening.helpers import YEAR, feed, flagged, head, income, screen
from tests.screening.world import BUILDERS


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FUPIN_SNAPSHOT_DIR", str(tmp_path))
    monkeypatch.setenv("FUPIN_KEEP_SNAPSHOTS", "1")
    return tmp_path


def test_the_files_hold_no_id_number_and_no_hash_of_one(db: Any, kept: Path) -> None:
    for build in BUILDERS.values():
        build()
    run = screen()
    files = [p for p in kept.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"households.parquet", "members.parquet", "feeds.parquet"}
    content = b"".join(p.read_bytes() for p in files)
    members = list(Member.objects.all())
    assert len(members) > 40
    for m in members:
        raw = crypto.decrypt(m.id_number_enc)
        assert raw.encode() not in content
        assert raw[-8:].encode() not in content
        assert m.id_number_hash.encode() not in content
        assert m.name.encode() not in content
    assert run.snapshot_rows["members"] == len(members)


def test_by_default_a_run_leaves_no_files_behind(
    db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FUPIN_SNAPSHOT_DIR", str(tmp_path))
    BUILDERS["dropout"]()
    screen()
    assert list(tmp_path.iterdir()) == []


def test_only_the_area_and_the_year_are_written(db: Any, tmp_path: Path) -> None:
    inside = make_household()
    feed(inside, "dropout")
    feed(inside, "dropout", year=YEAR - 1)
    outside = make_household(
        Area.objects.filter(code__startswith=OTHER_COUNTY[:6], level=5).values_list("code", flat=True)[0]
    )
    feed(outside, "dropout")
    snap = write_snapshot(tmp_path, Area.objects.get(code=COUNTY), YEAR)
    households = pq.read_table(tmp_path / "households.parquet").to_pylist()
    assert [h["household_id"] for h in households] == [inside.pk]
    assert households[0]["county_code"] == COUNTY and households[0]["province_code"] == "430000000000"
    feeds = pq.read_table(tmp_path / "feeds.parquet").to_pylist()
    assert [(f["household_id"], f["year"]) for f in feeds] == [(inside.pk, YEAR)]
    assert snap.rows == {
        "rule_params": 9,
        "lines": 1,
        "run_info": 1,
        "households": 1,
        "members": 3,
        "feeds": 1,
    }


def test_incomes_and_amounts_are_whole_fen(db: Any, tmp_path: Path) -> None:
    household = make_household(members=1)
    income(household, YEAR, "1234.56")
    income(household, YEAR - 1, "0.07")
    feed(household, "hospital_stay", amount="6000.01", event_date=dt.date(YEAR, 3, 9))
    write_snapshot(tmp_path, Area.objects.get(code=COUNTY), YEAR)
    row = pq.read_table(tmp_path / "households.parquet").to_pylist()[0]
    assert (row["income_fen"], row["income_prev_fen"]) == (123456, 7)
    stay = pq.read_table(tmp_path / "feeds.parquet").to_pylist()[0]
    assert (stay["amount_fen"], stay["month"], stay["event_date"]) == (
        600001,
        f"{YEAR}-03",
        dt.date(YEAR, 3, 9),
    )


def test_rows_are_streamed_in_row_groups(db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot_module, "ROW_GROUP", 4)
    for _ in range(5):
        make_household()
    write_snapshot(tmp_path, Area.objects.get(code=COUNTY), YEAR)
    members = pq.ParquetFile(tmp_path / "members.parquet")
    assert members.metadata.num_rows == 15
    assert members.metadata.num_row_groups == 4


def test_a_row_that_arrived_before_registration_is_matched_by_its_hash(db: Any) -> None:
    household = make_household()
    person = head(household)
    # As the feeds app keeps a row about someone not registered yet: hash only, no household.
    feed(None, "dropout", person_hash=person.id_number_hash)
    # A row sent by another county's office stays unmatched, as the feeds app would keep it.
    other = make_household()
    row = feed(None, "dropout", person_hash=head(other).id_number_hash)
    row.area_code = OTHER_COUNTY
    row.save()
    screen()
    assert flagged("dropout") == {household.pk}


def test_a_rerun_raises_nothing_twice(db: Any) -> None:
    expected = {rule: build() for rule, build in BUILDERS.items()}
    first = screen()
    count = Alert.objects.count()
    assert count == sum(len(e) for e in expected.values()) == first.new_alerts
    second = screen()
    assert second.found == first.found
    assert second.new_alerts == 0
    assert Alert.objects.count() == count
