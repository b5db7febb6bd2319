"""Roster export (花名册): masked by default, unmasked only for the roles that see personal data
and audited, never outside the user's area; an unmasked roster imports back as a no-op; and the
command line's template, import and export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from fupin.areas.models import Area
from fupin.cli import COMMANDS
from fupin.cli import main as fupin_main
from fupin.core import crypto
from fupin.core.errors import NotFound, PermissionDenied
from fupin.core.models import AuditEntry, Job
from fupin.core.personas import COUNTY, OTHER_TOWNSHIP_VILLAGE, VILLAGE
from fupin.registry import excel
from fupin.registry.actions import do_add_member, do_record_income, do_update_household
from fupin.registry.exporting import export_households, write_template
from fupin.registry.models import Household, IncomeRecord, Member
from tests.conftest import make_household, new_id_number
from tests.registry.excel_helpers import all_cells, read_sheet, run_import

PII_ROLES = {"county_admin", "township_officer", "village_clerk"}


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Path) -> None:
    settings.FUPIN_FILES_DIR = tmp_path / "files"


@pytest.fixture
def village(personas: dict[str, Any]) -> list[Household]:
    from fupin.core.access import SYSTEM

    first = make_household(VILLAGE, members=3, head_name="龙大")
    do_update_household(
        first,
        {"other_causes": ["schooling"], "phone": "13800001111", "bank_account": "6228480012345678"},
        actor=SYSTEM,
    )
    do_add_member(
        first,
        {"name": "龙幺", "relation": "grandchild", "id_number": new_id_number(), "phone": "13900002222"},
        actor=SYSTEM,
    )
    do_record_income(
        first, 2023, {"wage": "15000", "transfer_dibao": "2400.50", "business_costs": "300"}, actor=SYSTEM
    )
    second = make_household(VILLAGE, members=1, head_name="石二", status="poor")
    make_household(OTHER_TOWNSHIP_VILLAGE, members=2, head_name="外村")
    return [first, second]


def plain_ids(households: list[Household]) -> list[str]:
    return [crypto.decrypt(m.id_number_enc) for h in households for m in h.members.all()]


def test_the_export_is_masked_by_default(
    personas: dict[str, Any], village: list[Household], tmp_path: Path
) -> None:
    out = tmp_path / "roster.xlsx"
    audits = AuditEntry.objects.count()
    rows = export_households(out, user=personas["village_clerk"], area=Area.objects.get(code=VILLAGE))
    assert rows == 5
    cells = all_cells(out)
    assert not any(i in cell for i in plain_ids(village) for cell in cells)
    assert "13800001111" not in "".join(cells) and "6228480012345678" not in "".join(cells)
    sheet = read_sheet(out)
    assert sheet[0] == [f"{c.header}*" if c.required else c.header for c in excel.COLUMNS]
    assert AuditEntry.objects.count() == audits  # masked export needs no audit entry


def test_a_reader_without_personal_data_rights_gets_a_masked_export_only(
    personas: dict[str, Any], village: list[Household], tmp_path: Path
) -> None:
    area = Area.objects.get(code=VILLAGE)
    assert export_households(tmp_path / "m.xlsx", user=personas["first_secretary"], area=area) == 5
    for persona in ("first_secretary", "cadre", "org_dept", "supervisor"):
        with pytest.raises(PermissionDenied):
            export_households(tmp_path / "u.xlsx", user=personas[persona], area=area, unmasked=True)
    assert not AuditEntry.objects.filter(action="registry.export_unmasked").exists()


@pytest.mark.parametrize("persona", sorted(PII_ROLES))
def test_an_unmasked_export_is_allowed_to_pii_roles_and_audited(
    persona: str, personas: dict[str, Any], village: list[Household], tmp_path: Path
) -> None:
    out = tmp_path / "u.xlsx"
    area = Area.objects.get(code=VILLAGE)
    rows = export_households(out, user=personas[persona], area=area, unmasked=True, status="poor")
    assert rows == 1
    entry = AuditEntry.objects.get(action="registry.export_unmasked")
    assert entry.actor == personas[persona] and entry.area_code == VILLAGE
    assert entry.after == {"filter": {"area": VILLAGE, "q": "", "status": "poor", "cause": ""}, "rows": 1}
    assert crypto.decrypt(village[1].members.get().id_number_enc) in all_cells(out)


def test_an_export_outside_the_users_area_is_impossible(
    personas: dict[str, Any], village: list[Household], tmp_path: Path
) -> None:
    with pytest.raises(NotFound):
        export_households(tmp_path / "x.xlsx", user=personas["outsider"], area=Area.objects.get(code=VILLAGE))
    with pytest.raises(NotFound):
        export_households(
            tmp_path / "x.xlsx",
            user=personas["village_clerk"],
            area=Area.objects.get(code=OTHER_TOWNSHIP_VILLAGE),
        )
    # The county admin sees the whole county, the clerk only her village.
    assert (
        export_households(
            tmp_path / "c.xlsx", user=personas["county_admin"], area=Area.objects.get(code=COUNTY)
        )
        == 7
    )
    assert export_households(tmp_path / "v.xlsx", user=personas["village_clerk"]) == 5


def test_an_unmasked_export_imports_back_without_changing_anything(
    personas: dict[str, Any], village: list[Household], tmp_path: Path
) -> None:
    out = tmp_path / "roundtrip.xlsx"
    export_households(out, user=personas["village_clerk"], area=Area.objects.get(code=VILLAGE), unmasked=True)
    households = list(Household.objects.order_by("pk").values())
    members = list(Member.objects.order_by("pk").values())
    incomes = list(IncomeRecord.objects.order_by("pk").values())
    audits = AuditEntry.objects.count()

    job = run_import(out, user=personas["village_clerk"], area_code=VILLAGE)

    assert job.status == Job.Status.DONE and job.result["bad"] == 0, job.message
    assert job.result["unchanged"] == 5 and job.result["members_updated"] == 0
    assert job.result["households_updated"] == 0 and job.result["incomes_written"] == 0
    assert AuditEntry.objects.count() == audits
    assert list(Household.objects.order_by("pk").values()) == households
    assert list(Member.objects.order_by("pk").values()) == members
    assert list(IncomeRecord.objects.order_by("pk").values()) == incomes


def test_the_template_has_chinese_headers_drop_downs_and_instructions(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "t.xlsx"
    write_template(out)
    book = load_workbook(out)
    assert book.sheetnames == [excel.DATA_SHEET, excel.INSTRUCTIONS_SHEET, excel.LISTS_SHEET]
    sheet = book[excel.DATA_SHEET]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["户编号", "户主身份证号*", "村/组区划代码*"]
    coded = [i for i, c in enumerate(excel.COLUMNS, start=1) if c.kind in ("choice", "causes", "bool")]
    validated = {
        str(rng).split(":")[0].rstrip("0123456789")
        for dv in sheet.data_validations.dataValidation
        for rng in dv.sqref.ranges
    }
    from openpyxl.utils import get_column_letter

    assert {get_column_letter(i) for i in coded} <= validated
    lists = [[c.value for c in col] for col in book[excel.LISTS_SHEET].iter_cols()]
    assert any("因病" in col for col in lists) and any("户主" in col for col in lists)
    instructions = [row[0].value for row in book[excel.INSTRUCTIONS_SHEET].iter_rows()]
    assert all(c.header in instructions for c in excel.COLUMNS)


def fupin(*args: str) -> None:
    """Run ``fupin ARGS`` as the command line maps it, without closing the test's connection
    (run_from_argv closes every connection when it ends, which PostgreSQL tests cannot have)."""
    name, *rest = args
    call_command(COMMANDS[name][0], *rest)


def test_the_command_line_writes_the_template_imports_and_exports(
    personas: dict[str, Any], village: list[Household], tmp_path: Path, capsys: Any
) -> None:
    template = tmp_path / "template.xlsx"
    fupin("template", "households", str(template))
    assert read_sheet(template)[0][1] == "户主身份证号*"

    out = tmp_path / "out.xlsx"
    fupin("export", "households", str(out), "--area", VILLAGE, "--unmasked")
    assert "rows=5" in capsys.readouterr().out
    assert AuditEntry.objects.filter(action="registry.export_unmasked", actor_name="system").count() == 1

    fupin("import", "households", str(out), "--area", "433124", "--quiet")
    printed = capsys.readouterr().out
    assert "rows=5 good=5 bad=0" in printed and "unchanged=5" in printed

    masked = tmp_path / "masked.xlsx"
    fupin("export", "households", str(masked), "--area", "433124")
    assert not any(i in cell for i in plain_ids(village) for cell in all_cells(masked))

    with pytest.raises(CommandError):
        fupin("import", "households", str(tmp_path / "missing.xlsx"), "--area", "433124")
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"not a spreadsheet")
    with pytest.raises(CommandError, match=r"spreadsheet|电子表格"):
        fupin("import", "households", str(fake), "--area", "433124")


def test_the_commands_are_listed_in_the_fupin_help(capsys: Any) -> None:
    assert fupin_main(["--help"]) == 0
    printed = capsys.readouterr().out
    assert all(f"  {name} " in printed for name in ("import", "export", "template"))
