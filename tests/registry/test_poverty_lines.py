"""The poverty line table (扶贫标准, domain.md §2): who sets which line, what is refused, the page,
the command, and that a provincial line really changes what the identification rule decides."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.utils import timezone, translation

from fupin.accounts.actions import do_create_user
from fupin.accounts.models import User
from fupin.accounts.permissions import EDIT_POVERTY_LINES
from fupin.areas.actions import do_load_areas
from fupin.areas.loading import DivisionRow
from fupin.areas.models import Area
from fupin.cases import rules
from fupin.cases.rules import RuleResult
from fupin.cli import COMMANDS
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, PermissionDenied, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, VILLAGE
from fupin.registry import actions as registry
from fupin.registry.errors import RegistryError
from fupin.registry.models import PovertyLine, poverty_line_for
from fupin.registry.poverty_lines import do_set_poverty_line, poverty_lines_for_reader
from tests.cases.helpers import open_identification
from tests.conftest import make_household

HUNAN = "430000000000"
GUIZHOU = "520000000000"
# The seeded national lines (migration 0002): the table is never empty.
NATIONAL_ROWS = 9


def _set(actor: Any, **overrides: Any) -> PovertyLine:
    values: dict[str, Any] = {"income_year": 2018, "nominal_line": "3535", "source": "湘扶发〔2018〕1号"}
    return do_set_poverty_line(actor, **(values | overrides))


def _guizhou_admin() -> User:
    """The province bureau of another province: 贵州省 (with 凯里市, 黔东南州 below it)."""
    do_load_areas(
        rows=[
            DivisionRow(GUIZHOU, "贵州省", 1, None),
            DivisionRow("522600000000", "黔东南苗族侗族自治州", 2, GUIZHOU),
            DivisionRow("522601000000", "凯里市", 3, "522600000000"),
        ]
    )
    return do_create_user("guizhou_admin", role="regional_admin", area=Area.objects.get(code=GUIZHOU))


# --- the action -----------------------------------------------------------------------------


@pytest.mark.parametrize("username", [*ALL_USERNAMES, "prefecture_admin", "regional_admin"])
def test_only_the_province_bureau_sets_its_provinces_line(personas: dict[str, User], username: str) -> None:
    user = personas[username]
    if username == "regional_admin":
        row = _set(user)
        assert (row.scope, row.income_year, row.nominal_line) == (HUNAN, 2018, Decimal("3535.00"))
        return
    # Issue 13 item 2: a county bureau set the line every county of its province reads. The
    # prefecture's bureau holds the permission but the line is not its level's.
    with pytest.raises(PermissionDenied):
        _set(user)
    assert user.can(EDIT_POVERTY_LINES) == (username == "prefecture_admin")
    assert not PovertyLine.objects.exclude(scope=PovertyLine.NATIONAL).exists()
    assert not AuditEntry.objects.filter(action="registry.set_poverty_line").exists()


def test_the_province_bureau_cannot_choose_the_scope(personas: dict[str, User]) -> None:
    admin = personas["regional_admin"]
    _guizhou_admin()
    before = list(PovertyLine.objects.values_list("scope", "income_year", "nominal_line"))
    with pytest.raises(PermissionDenied):
        _set(admin, national=True)
    with pytest.raises(PermissionDenied):
        _set(admin, province="52")
    with pytest.raises(PermissionDenied):
        _set(admin, province="43")  # even its own: the scope comes from the account alone
    assert list(PovertyLine.objects.values_list("scope", "income_year", "nominal_line")) == before


def test_each_province_writes_and_reads_its_own_line(personas: dict[str, User]) -> None:
    guizhou = _guizhou_admin()
    _set(guizhou, nominal_line="3535", source="贵州 2018 退出标准")
    _set(personas["regional_admin"], nominal_line="3400")
    assert poverty_line_for("522601000000", 2018).nominal_line == Decimal("3535")
    assert poverty_line_for(VILLAGE, 2018).nominal_line == Decimal("3400")
    hunan_view = {(r.scope, r.income_year) for r in poverty_lines_for_reader(personas["supervisor"])}
    assert (HUNAN, 2018) in hunan_view and (GUIZHOU, 2018) not in hunan_view
    assert len(hunan_view) == NATIONAL_ROWS + 1
    guizhou_view = {(r.scope, r.income_year) for r in poverty_lines_for_reader(guizhou)}
    assert (GUIZHOU, 2018) in guizhou_view and (HUNAN, 2018) not in guizhou_view


def test_only_the_command_line_sets_the_national_line(personas: dict[str, User]) -> None:
    row = _set(SYSTEM, income_year=2021, nominal_line="4100", national=True, source="test")
    assert row.scope == PovertyLine.NATIONAL and row.nominal_line == Decimal("4100")
    assert poverty_line_for(VILLAGE, 2022).income_year == 2021
    assert _set(SYSTEM, province="43").scope == HUNAN
    assert _set(SYSTEM, province="430000000000", income_year=2019).scope == HUNAN
    with pytest.raises(FupinError) as neither:
        _set(SYSTEM)
    assert neither.value.code == RegistryError.LINE_SCOPE
    with pytest.raises(FupinError) as both:
        _set(SYSTEM, national=True, province="43")
    assert both.value.code == RegistryError.LINE_SCOPE
    for code in ("4331", "433124000000", "99", "x", ""):
        with pytest.raises(FupinError) as bad:
            _set(SYSTEM, province=code)
        assert bad.value.code == RegistryError.NOT_A_PROVINCE


def test_correcting_a_line_updates_the_row_and_audits_before_and_after(personas: dict[str, User]) -> None:
    admin = personas["regional_admin"]
    first = _set(admin)
    second = _set(admin, nominal_line="3600.5", work_year="2019", source="更正")
    assert second.pk == first.pk and PovertyLine.objects.filter(scope=HUNAN).count() == 1
    second.refresh_from_db()
    assert (second.nominal_line, second.work_year, second.source) == (Decimal("3600.50"), 2019, "更正")
    created, corrected = AuditEntry.objects.filter(action="registry.set_poverty_line").order_by("id")
    assert created.before is None and created.after["nominal_line"] == "3535.00"
    assert created.actor_id == admin.pk and created.area_code == HUNAN
    assert corrected.before["nominal_line"] == "3535.00" and corrected.after["nominal_line"] == "3600.50"
    assert corrected.after["work_year"] == 2019 and corrected.object_id == str(first.pk)
    _set(SYSTEM, national=True, income_year=2018, nominal_line="2995", source="NBS")
    national = AuditEntry.objects.filter(action="registry.set_poverty_line").order_by("id").last()
    assert national.actor_name == "system" and national.area_code == ""
    assert national.before["source"].startswith("UNCONFIRMED") and national.after["source"] == "NBS"


NEXT_YEAR = timezone.localdate().year + 1


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"income_year": 1999}, "income_year", RegistryError.BAD_YEAR),
        ({"income_year": NEXT_YEAR + 1}, "income_year", RegistryError.BAD_YEAR),
        ({"income_year": "2018.5"}, "income_year", RegistryError.BAD_YEAR),
        ({"income_year": "二〇一八"}, "income_year", RegistryError.BAD_YEAR),
        ({"income_year": ""}, "income_year", RegistryError.BAD_YEAR),
        ({"nominal_line": "0"}, "nominal_line", RegistryError.LINE_NOT_POSITIVE),
        ({"nominal_line": "-3535"}, "nominal_line", RegistryError.LINE_NOT_POSITIVE),
        ({"nominal_line": "3535.123"}, "nominal_line", RegistryError.BAD_AMOUNT),
        ({"nominal_line": "100000"}, "nominal_line", RegistryError.TOO_LARGE),
        ({"nominal_line": "three thousand"}, "nominal_line", RegistryError.BAD_AMOUNT),
        ({"nominal_line": "NaN"}, "nominal_line", RegistryError.BAD_AMOUNT),
        ({"nominal_line": ""}, "nominal_line", RegistryError.BAD_AMOUNT),
        ({"source": "  "}, "source", RegistryError.SOURCE_REQUIRED),
        ({"source": "文" * 301}, "source", RegistryError.TOO_LONG),
        ({"work_year": "1990"}, "work_year", RegistryError.BAD_YEAR),
    ],
)
def test_bad_input_is_refused_with_its_field_and_stores_nothing(
    personas: dict[str, User], overrides: dict[str, Any], field: str, code: RegistryError
) -> None:
    before = PovertyLine.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        _set(personas["regional_admin"], **overrides)
    assert [(e.field, e.code) for e in caught.value.errors] == [(field, code)]
    assert caught.value.errors[0].message  # a sentence, not a code
    assert PovertyLine.objects.count() == before
    assert not AuditEntry.objects.filter(action="registry.set_poverty_line").exists()


def test_the_edges_of_the_allowed_range_are_accepted(personas: dict[str, User]) -> None:
    admin = personas["regional_admin"]
    assert _set(admin, income_year=2000, nominal_line="0.01").nominal_line == Decimal("0.01")
    assert _set(admin, income_year=NEXT_YEAR, nominal_line="99999.99").income_year == NEXT_YEAR
    long = _set(admin, income_year=2017, nominal_line="3,335", source="x" * 300)
    assert long.nominal_line == Decimal("3335")


def test_every_problem_is_reported_at_once(personas: dict[str, User]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _set(personas["regional_admin"], income_year="x", nominal_line="0", source="")
    assert {e.field for e in caught.value.errors} == {"income_year", "nominal_line", "source"}


@pytest.mark.parametrize("username", ALL_USERNAMES)
def test_readers_see_national_and_own_province_lines(personas: dict[str, User], username: str) -> None:
    _set(SYSTEM, province="43")
    user = personas[username]
    if username == "dept_provider":  # departments see nothing of the registry
        with pytest.raises(PermissionDenied):
            poverty_lines_for_reader(user)
        return
    scopes = [r.scope for r in poverty_lines_for_reader(user)]
    assert scopes.count(PovertyLine.NATIONAL) == NATIONAL_ROWS and scopes.count(HUNAN) == 1


# --- the page -------------------------------------------------------------------------------

URL = "/settings/poverty-lines/"
FORM = {"income_year": "2018", "nominal_line": "3535", "work_year": "2019", "source": "湘扶发〔2018〕1号"}


@pytest.mark.parametrize("username", [*ALL_USERNAMES, "prefecture_admin", "regional_admin"])
def test_the_page_for_every_persona(client_for: Any, username: str) -> None:
    client = client_for(username)
    response = client.get(URL)
    if username == "dept_provider":
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        body = response.content.decode()
        assert "2855" in body and "湖南省" in body  # a national line, and the reader's province
        has_form = 'name="nominal_line"' in body
        assert has_form == (username == "regional_admin")
    posted = client.post(URL, FORM)
    if username == "regional_admin":
        assert posted.status_code == 302
        assert PovertyLine.objects.get(scope=HUNAN, income_year=2018).work_year == 2019
    else:
        assert posted.status_code == 403
        assert not PovertyLine.objects.filter(scope=HUNAN).exists()


def test_the_page_shows_the_saved_line_and_which_line_applies(client_for: Any) -> None:
    client = client_for("regional_admin")
    client.post(URL, FORM)
    body = client.get(URL).content.decode()
    assert "3535.00" in body and "湘扶发〔2018〕1号" in body
    # 2019 has no provincial line: the national one of that year applies, and says so.
    assert "3218.00 <small>(" in body
    edit = client.get(URL, {"year": "2018"}).content.decode()
    assert 'value="3535.00"' in edit and 'value="2019"' in edit


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nominal_line", "0", RegistryError.LINE_NOT_POSITIVE),
        ("nominal_line", "12.345", RegistryError.BAD_AMOUNT),
        ("income_year", "1999", RegistryError.BAD_YEAR),
        ("source", "", RegistryError.SOURCE_REQUIRED),
    ],
)
def test_bad_input_on_the_page_answers_400_and_stores_nothing(
    client_for: Any, field: str, value: str, message: RegistryError
) -> None:
    client = client_for("regional_admin")
    response = client.post(f"{URL}?lang=en", FORM | {field: value})
    assert response.status_code == 400
    body = response.content.decode()
    with translation.override("en"):
        expected = RegistryError(message).message(first=2000, last=NEXT_YEAR)
    assert expected.replace("'", "&#x27;") in body
    assert 'aria-invalid="true"' in body
    assert not PovertyLine.objects.filter(scope=HUNAN).exists()
    assert not AuditEntry.objects.filter(action="registry.set_poverty_line").exists()


def test_the_case_settings_page_links_to_the_lines(client_for: Any) -> None:
    body = client_for("county_admin").get("/settings/cases/").content.decode()
    assert f'href="{URL}"' in body


# --- the command ----------------------------------------------------------------------------


def test_the_command_sets_and_prints(db: Any) -> None:
    assert COMMANDS["poverty-line"][0] == "poverty_line" and "poverty_line" in get_commands()
    out = io.StringIO()
    call_command("poverty_line", "set", "2018", "3535", "--source", "湘扶发", "--province", "43", stdout=out)
    assert "430000000000" in out.getvalue() and "3535" in out.getvalue()
    call_command("poverty_line", "set", "2021", "4100", "--source", "NBS", "--national", stdout=io.StringIO())
    assert poverty_line_for(VILLAGE, 2021).nominal_line == Decimal("4100")
    assert AuditEntry.objects.filter(action="registry.set_poverty_line", actor_name="system").count() == 2
    table = io.StringIO()
    call_command("poverty_line", stdout=table)
    lines = table.getvalue().splitlines()
    assert lines[0].split()[:3] == ["scope", "year", "line"]
    assert any("national" in line and "2021" in line and "4100.00" in line for line in lines)
    assert any("湖南省" in line and "2018" in line and "3535.00" in line for line in lines)
    assert len(lines) == 1 + NATIONAL_ROWS + 2


def test_the_command_refuses_bad_input(db: Any) -> None:
    before = PovertyLine.objects.count()
    with pytest.raises(CommandError, match="nominal_line"):
        call_command("poverty_line", "set", "2018", "-5", "--source", "x", "--national")
    with pytest.raises(CommandError):
        call_command("poverty_line", "set", "2018", "3535", "--source", "x", "--province", "4331")
    with pytest.raises(CommandError):  # a scope is required
        call_command("poverty_line", "set", "2018", "3535", "--source", "x")
    assert PovertyLine.objects.count() == before


# --- why it matters -------------------------------------------------------------------------


def _income_rule(case: Any) -> RuleResult:
    return next(r for r in rules.evaluate(case) if r.code == "income_below_line")


def test_a_hunan_line_changes_the_identification_verdict(personas: dict[str, User]) -> None:
    """Income above the national line but below Hunan's: poor only once Hunan's line is on file."""
    year = timezone.localdate().year - 1
    household = make_household(VILLAGE)
    # 13,500 yuan for three people: 4,500 each, above the latest national line (4,000).
    registry.do_record_income(household, year, {"wage": Decimal("13500")}, actor=SYSTEM)
    case = open_identification(personas, household)
    before = _income_rule(case)
    assert not before.passed and before.evidence["line_scope"] == PovertyLine.NATIONAL
    _set(personas["regional_admin"], income_year=year, nominal_line="5000", source="湖南省 test")
    after = _income_rule(case)
    assert after.passed
    assert after.evidence["line_scope"] == HUNAN and after.evidence["line"] == "5000.00"
    # Lowered again below the income, the verdict follows the table back.
    _set(personas["regional_admin"], income_year=year, nominal_line="4400", source="更正")
    assert not _income_rule(case).passed
