"""The demo county: deterministic, valid, consistent with the registry's rules, and quick to build.

Small builds (a few hundred households) keep the file fast; the same code builds 80,000.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter, defaultdict
from typing import Any

import pytest
from django.core.management import call_command

from fupin.accounts.models import User
from fupin.areas.models import Area, Level
from fupin.core import crypto
from fupin.core.access import SYSTEM
from fupin.core.errors import PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import OUTSIDERS, PERSONAS
from fupin.demo import economy, population
from fupin.demo.actions import ACTION, DemoError, current_demo, do_build_demo
from fupin.demo.management.commands.demo import DEMO_PASSWORD
from fupin.demo.people import REFERENCE
from fupin.registry import idnumber, income
from fupin.registry.choices import Cause, HouseholdStatus, Relation, SchoolStatus
from fupin.registry.models import Household, HouseholdCondition, IncomeRecord, Member, StatusChange
from tests.conftest import make_household

SIZE = 300
SEED = 11
S = HouseholdStatus


def people() -> list[tuple[str, str, str]]:
    """Everyone in the demo as (household number, name, ID hash), in a stable order."""
    return list(
        Member.objects.order_by("household__number", "id").values_list(
            "household__number", "name", "id_number_hash"
        )
    )


@pytest.fixture
def built(db: Any) -> dict[str, Any]:
    return do_build_demo(SIZE, SEED)


def test_the_same_seed_builds_the_same_people_and_another_seed_does_not(built: dict[str, Any]) -> None:
    first = people()
    assert len(first) == built["members"] > SIZE

    again = do_build_demo(SIZE, SEED)
    assert again["households_deleted"] == SIZE
    assert people() == first
    assert Household.objects.count() == SIZE

    do_build_demo(SIZE, SEED + 1)
    other = people()
    assert [name for _, name, _ in other] != [name for _, name, _ in first]
    assert {h for _, _, h in other} != {h for _, _, h in first}


def test_the_plan_depends_on_the_seed_only() -> None:
    villages = [population.Village(f"433124110{n:03d}", f"村{n}") for n in range(201, 206)]

    def names(seed: int) -> list[str]:
        return [m.name for plan in population.generate(villages, 40, seed) for m in plan.members]

    assert names(3) == names(3)
    assert names(3) != names(4)


def test_id_numbers_skip_those_taken_and_carry_the_gender_in_the_sequence() -> None:
    born = dt.date(1980, 5, 17)
    taken = {idnumber.make("433124", born, 1)}
    ids = population.IdAllocator(taken=taken.__contains__)
    men = [ids.allocate(born, "m") for _ in range(3)]
    women = [ids.allocate(born, "f") for _ in range(2)]
    assert [n[14:17] for n in men] == ["003", "005", "007"]
    assert [n[14:17] for n in women] == ["002", "004"]
    assert {idnumber.gender(n) for n in men} == {"m"} and {idnumber.gender(n) for n in women} == {"f"}


def test_every_id_number_is_valid_unique_of_the_county_and_matches_gender_and_birth(
    built: dict[str, Any],
) -> None:
    members = list(Member.objects.all())
    numbers = [crypto.decrypt(m.id_number_enc) for m in members]
    assert len(set(numbers)) == len(numbers)
    assert len({m.id_number_hash for m in members}) == len(members)
    for member, number in zip(members, numbers, strict=True):
        assert idnumber.normalise(number) == number
        assert number.startswith("433124")
        assert idnumber.gender(number) == member.gender  # odd sequence for men
        assert idnumber.birth_date(number) == member.birth_date
        assert member.id_number_hash == crypto.keyed_hash(number)
        assert member.id_number_masked == idnumber.masked(number)
        assert number not in member.id_number_enc


def test_phones_are_encrypted_and_masked(built: dict[str, Any]) -> None:
    households = list(Household.objects.exclude(phone_enc=""))
    assert len(households) > SIZE * 0.8
    for household in households:
        phone = crypto.decrypt(household.phone_enc)
        assert re.fullmatch(r"1\d{10}", phone)
        assert household.phone_masked == crypto.mask(phone, 3, 4)
    assert Member.objects.exclude(phone_enc="").filter(phone_masked="").count() == 0


def test_households_follow_the_numbering_and_the_area_rules(built: dict[str, Any]) -> None:
    for household in Household.objects.select_related("area"):
        assert re.fullmatch(r"433124\d{10}", household.number)
        assert household.number[:12] == household.area_id[:12]
        assert household.area.level in (Level.VILLAGE, Level.GROUP)
    by_village: dict[str, list[int]] = defaultdict(list)
    for number in Household.objects.values_list("number", flat=True):
        by_village[number[:12]].append(int(number[12:]))
    for sequences in by_village.values():
        assert sorted(sequences) == list(range(1, len(sequences) + 1))


def test_shibadong_has_its_groups_and_households_live_in_them(built: dict[str, Any]) -> None:
    groups = Area.objects.filter(level=Level.GROUP, parent_id=population.SHIBADONG)
    assert [g.name for g in groups.order_by("code")] == ["一组", "二组", "三组", "四组", "五组", "六组"]
    assert all(len(g.code) == 15 for g in groups)
    shibadong = Household.objects.filter(number__startswith=population.SHIBADONG)
    assert shibadong.count() >= 1
    assert not shibadong.filter(area_id=population.SHIBADONG).exists()


def test_members_are_plausible_for_their_age_and_relation(built: dict[str, Any]) -> None:
    households: dict[int, list[Member]] = defaultdict(list)
    for member in Member.objects.all():
        households[member.household_id].append(member)
    for members in households.values():
        assert 1 <= len(members) <= 8
        heads = [m for m in members if m.relation == Relation.HEAD]
        assert len(heads) == 1
        head = heads[0]
        head_age = REFERENCE.year - head.birth_date.year
        assert 25 <= head_age <= 86
        for m in members:
            age = REFERENCE.year - m.birth_date.year
            if m.relation == Relation.SPOUSE:
                assert m.gender != head.gender
            if m.relation in (Relation.SON, Relation.DAUGHTER):
                assert head_age - age >= 15
                assert m.gender == ("m" if m.relation == Relation.SON else "f")
            if m.relation == Relation.GRANDCHILD:
                assert head_age - age >= 35
            if m.school_status == SchoolStatus.PRIMARY:
                assert 6 <= age <= 11
            if age < 16:
                assert m.labour_capacity == "none"
            if m.migrant_work != "none":
                assert m.labour_capacity in ("ordinary", "skilled") and 1 <= m.work_months <= 12
    ethnicities = Counter(Member.objects.values_list("ethnicity", flat=True))
    assert ethnicities.most_common(1)[0][0] == "苗族"
    sizes = [len(m) for m in households.values()]
    assert 3.2 <= sum(sizes) / len(sizes) <= 4.1


def test_incomes_satisfy_the_formula_for_every_year(built: dict[str, Any]) -> None:
    born: dict[int, list[int]] = defaultdict(list)
    for household_id, birth in Member.objects.values_list("household_id", "birth_date"):
        born[household_id].append(birth.year)
    rows = list(IncomeRecord.objects.all())
    assert len(rows) == SIZE * len(economy.INCOME_YEARS)
    for row in rows:
        amounts = {name: getattr(row, name) for name in income.INPUT_FIELDS}
        assert all(value >= 0 for value in amounts.values())
        expected = income.compute(amounts, row.household_size)
        assert (row.transfer, row.total, row.per_capita_net) == (
            expected.transfer,
            expected.total,
            expected.per_capita_net,
        )
        assert row.household_size == max(1, sum(1 for year in born[row.household_id] if year <= row.year))


def test_registered_households_have_one_main_cause_and_at_most_two_others(built: dict[str, Any]) -> None:
    registered = Household.objects.exclude(registered_year=None)
    assert registered.exists()
    for household in registered:
        assert household.main_cause in Cause.values
        assert len(household.other_causes) <= 2
        assert len(set(household.other_causes)) == len(household.other_causes)
        assert household.main_cause not in household.other_causes
        assert set(household.other_causes) <= set(Cause.values)
        assert household.standard == "national" and household.household_type
    never = Household.objects.filter(registered_year=None, status=S.NONE)
    assert not never.exclude(main_cause="").exists()


def test_status_shares_and_years_follow_the_county_story(db: Any) -> None:
    do_build_demo(2000, SEED)
    total = Household.objects.count()
    share = {s: Household.objects.filter(status=s).count() / total for s in S.values}
    registered = Household.objects.exclude(registered_year=None)
    assert 0.25 <= registered.count() / total <= 0.36
    assert share[S.POOR] < 0.01
    assert 0.2 <= share[S.EXITED] <= 0.33
    assert 0.01 <= share[S.MONITORED] <= 0.045
    assert set(registered.values_list("registered_year", flat=True)) <= {2014, 2015, 2016}
    exits = set(registered.exclude(exit_year=None).values_list("exit_year", flat=True))
    assert exits <= set(range(2015, 2021))
    for reg, out in registered.exclude(exit_year=None).values_list("registered_year", "exit_year"):
        assert out > reg

    # Poor while registered and below the line; above it from the exit year on.
    pcs = {
        (h, y): pc for h, y, pc in IncomeRecord.objects.values_list("household_id", "year", "per_capita_net")
    }
    for household in registered:
        end = household.exit_year or 2025
        for year in range(household.registered_year - 1, end):
            assert pcs[household.pk, year] < economy.line(year)
        for year in range(end, 2025):
            assert pcs[household.pk, year] > economy.line(year)
    # Two conditions per registered household at least; all met in the exit year.
    for household in registered.exclude(exit_year=None)[:200]:
        check = HouseholdCondition.objects.get(household=household, year=household.exit_year)
        assert check.all_met
    shibadong = Household.objects.filter(number__startswith=population.SHIBADONG)
    assert shibadong.count() == round(225 * 2000 / 80_000)


def test_status_history_leads_to_the_current_status(built: dict[str, Any]) -> None:
    history: dict[int, list[StatusChange]] = defaultdict(list)
    for change in StatusChange.objects.order_by("household_id", "id"):
        history[change.household_id].append(change)
    assert len(history) > 0
    for household in Household.objects.all():
        changes = history.get(household.pk, [])
        status = S.NONE
        last_year = 0
        for change in changes:
            assert change.from_status == status
            assert change.year >= last_year
            status, last_year = change.to_status, change.year
            if change.to_status == S.POOR:
                assert change.year == household.registered_year
            if change.to_status == S.EXITED:
                assert change.year == household.exit_year
            if change.to_status == S.MONITORED:
                assert change.year >= 2021
        assert status == household.status
        assert (household.registered_year is not None) == any(c.to_status == S.POOR for c in changes)


def test_one_audit_entry_records_the_whole_build(db: Any) -> None:
    before = AuditEntry.objects.count()
    counts = do_build_demo(120, SEED)
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.get(action=ACTION)
    assert entry.actor_name == "system"
    assert entry.after["households"] == 120 == counts["households"]
    assert entry.after["members"] == Member.objects.count()
    assert entry.after["incomes"] == IncomeRecord.objects.count()
    assert entry.after["status_changes"] == StatusChange.objects.count()
    text = str(entry.after)
    for number in (crypto.decrypt(e) for e in Member.objects.values_list("id_number_enc", flat=True)):
        assert number not in text
    demo = current_demo()
    assert demo is not None and demo.intact and (demo.seed, demo.households) == (SEED, 120)


def test_a_rebuild_keeps_households_users_added(db: Any) -> None:
    own = make_household(population.SHIBADONG, head_name="龙真人")
    do_build_demo(100, SEED)
    do_build_demo(100, SEED, actor=SYSTEM)
    assert Household.objects.filter(pk=own.pk).exists()
    assert Household.objects.count() == 101
    # The demo numbers its 十八洞村 households after the one already there.
    numbers = sorted(
        Household.objects.filter(number__startswith=population.SHIBADONG).values_list("number", flat=True)
    )
    assert numbers[0] == own.number


def test_only_the_operator_builds_a_demo_and_only_in_range(personas: dict[str, User]) -> None:
    with pytest.raises(PermissionDenied):
        do_build_demo(10, SEED, actor=personas["county_admin"])
    with pytest.raises(DemoError):
        do_build_demo(0, SEED)


def test_the_command_builds_reuses_and_prints_the_logins(db: Any) -> None:
    out = io.StringIO()
    call_command("demo", "--no-serve", "--households", "50", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "built 50 households" in text
    for persona in [*PERSONAS, *OUTSIDERS]:
        assert persona.username in text and persona.description in text
        assert User.objects.get(username=persona.username).check_password(DEMO_PASSWORD)
    # Nothing is served with --no-serve, so no address is offered that would refuse connections.
    assert DEMO_PASSWORD in text and "http://" not in text and "URL" not in text
    assert not re.search(r"\d{17}[\dX]", text)
    assert Household.objects.count() == 50

    again = io.StringIO()
    call_command("demo", "--no-serve", "--households", "50", stdout=again, stderr=io.StringIO())
    assert "reusing" in again.getvalue()
    assert AuditEntry.objects.filter(action=ACTION).count() == 1

    call_command(
        "demo", "--no-serve", "--households", "50", "--rebuild", stdout=io.StringIO(), stderr=io.StringIO()
    )
    assert AuditEntry.objects.filter(action=ACTION).count() == 2
    assert Household.objects.count() == 50


def test_the_address_is_printed_only_when_serving() -> None:
    from django.core.management.base import OutputWrapper

    from fupin.demo.management.commands.demo import Command

    command = Command()
    for port, expected in ((8123, True), (None, False)):
        out = io.StringIO()
        command.stdout = OutputWrapper(out)
        command._print_logins(0, port)
        assert ("http://127.0.0.1:8123/" in out.getvalue()) is expected
        assert DEMO_PASSWORD in out.getvalue()


def test_demo_help_lists_the_database_option() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    fupin = Path(sys.executable).with_name("fupin")
    done = subprocess.run(  # noqa: S603 (our own fupin command, fixed arguments)
        [str(fupin), "demo", "--help"], capture_output=True, text=True, timeout=120, env=dict(os.environ)
    )
    assert done.returncode == 0, done.stderr
    assert "--db URL" in done.stdout and "--no-serve" in done.stdout


def test_the_demo_command_without_the_wrapper_refuses_a_database_it_cannot_use(db: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="FUPIN_DATABASE_URL"):
        call_command("demo", "--no-serve", "--db", "sqlite:////tmp/elsewhere.sqlite3", stdout=io.StringIO())
