"""What an import does not read is said, never dropped: numeric ID, phone and account cells are
refused, every sheet with the template's columns is read and any other is named, columns without
a header (merged away), unknown or repeated are named with their cells, household values on
other rows than the head's are listed, and a household is saved with all its rows or not at all.

The files are written with a real writer (XlsxWriter, with merged cells and typed cells) and read
through the real import, job, error sheet, command and page.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation
from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name

from fupin.core import crypto
from fupin.core.models import Job
from fupin.core.personas import VILLAGE
from fupin.registry import excel, idnumber, importing, tasks
from fupin.registry.errors import RegistryError
from fupin.registry.importing import ImportProblem
from fupin.registry.models import Household, IncomeRecord, Member
from tests.conftest import new_id_number
from tests.registry.excel_helpers import member_row, read_sheet, run_import

HEADERS = list(excel.HEADERS)


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Path) -> None:
    settings.FUPIN_FILES_DIR = tmp_path / "files"


def zh(code: Any, **params: Any) -> str:
    with translation.override("zh-hans"):
        return code.message(**params)


def write_book(
    path: Path,
    sheets: dict[str, list[list[Any]]],
    merges: dict[str, list[tuple[int, int, int, int, str]]] | None = None,
) -> Path:
    """An .xlsx with one sheet per entry; each cell written with its Python type (a float is a
    number cell, a str a text cell), as a clerk's Excel leaves them."""
    book = Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write_number(r, c, value)
        for first_row, first_col, last_row, last_col, text in (merges or {}).get(name, []):
            sheet.merge_range(first_row, first_col, last_row, last_col, text)
    book.close()
    return path


def table(rows: list[dict[str, Any]], headers: list[str] = HEADERS) -> list[list[Any]]:
    return [headers, *([row.get(h) for h in headers] for row in rows)]


def one_person(name: str, **extra: Any) -> dict[str, Any]:
    head = new_id_number(dt.date(1960, 1, 1))
    return member_row(head_id=head, id_number=head, name=name, relation="户主", area=VILLAGE, **extra)


def errors_of(job: Job) -> list[list[Any]]:
    return read_sheet(tasks.error_path(job.pk), excel.ERROR_DETAIL_SHEET)[1:]


def not_read_sheet(job: Job) -> list[list[Any]]:
    return read_sheet(tasks.error_path(job.pk), excel.NOT_READ_SHEET)


def rounded_like_excel(valid: str) -> str:
    """What a number cell gives back of an 18-digit ID number typed into it: Excel keeps 15
    significant digits, and the cell holds the nearest double to that."""
    return str(int(float(valid[:15] + "000")))


def corrupted_but_valid() -> tuple[str, str]:
    """An ID number whose Excel-rounded form still passes every check (about 1 in 11 do)."""
    for _ in range(1000):
        real = new_id_number(dt.date(1985, 7, 9))
        wrong = rounded_like_excel(real)
        try:
            idnumber.normalise(wrong)
        except idnumber.InvalidIdNumber:
            continue
        if wrong != real:
            return real, wrong
    raise AssertionError("no rounded ID number passed the checksum")


# --- item 4: numeric cells in ID, phone and account columns ---------------------------------


def test_numeric_id_phone_and_account_cells_are_refused_not_converted(
    personas: dict[str, Any], tmp_path: Path
) -> None:
    real, wrong = corrupted_but_valid()
    ids = [new_id_number(dt.date(1970, 3, i + 1)) for i in range(4)]
    rows = [
        # The whole ID typed as a number: Excel has already changed it to another valid number.
        member_row(
            head_id=float(wrong), id_number=float(wrong), name="数字号", relation="户主", area=VILLAGE
        ),
        member_row(head_id=ids[0], id_number=ids[0], name="数字电话", relation="户主", area=VILLAGE)
        | {"户联系电话": 13912345678.0},
        member_row(head_id=ids[1], id_number=ids[1], name="数字账号", relation="户主", area=VILLAGE)
        | {"银行账号": 6228480012345678.0},
        member_row(head_id=ids[2], id_number=ids[2], name="成员电话", relation="户主", area=VILLAGE)
        | {"成员联系电话": 13800001111.0},
        member_row(head_id=ids[3], id_number=ids[3], name="文本", relation="户主", area=VILLAGE)
        | {"户联系电话": "13912345678", "银行账号": "6228480012345678"},
    ]
    path = write_book(tmp_path / "numbers.xlsx", {excel.DATA_SHEET: table(rows)})

    job = run_import(path, user=personas["village_clerk"], area_code=VILLAGE)

    assert job.status == Job.Status.DONE, job.message
    reported = {(r[0], r[1]): r[2] for r in errors_of(job)}
    assert reported == {
        (2, "户主身份证号"): "身份证号须以文本格式填写",
        (2, "身份证号"): "身份证号须以文本格式填写",
        (3, "户联系电话"): "电话号码须以文本格式填写",
        (4, "银行账号"): "银行账号须以文本格式填写",
        (5, "成员联系电话"): "电话号码须以文本格式填写",
    }
    assert not Member.objects.filter(id_number_hash__in=[crypto.keyed_hash(wrong), crypto.keyed_hash(real)])
    assert set(Member.objects.values_list("name", flat=True)) == {"文本"}
    assert Household.objects.get().phone_masked == "139****5678"


# --- item 5: sheets -------------------------------------------------------------------------


def test_every_sheet_with_the_template_columns_is_read_and_any_other_is_named(
    personas: dict[str, Any], tmp_path: Path
) -> None:
    first = [one_person("第一页户主")]
    # The second sheet's columns in another order: each sheet is read by its own header.
    shuffled = [*reversed(HEADERS)]
    second = [one_person(f"第二页{i}") for i in range(100)]
    second[50]["健康状况"] = "很好"
    sheets = {
        excel.DATA_SHEET: table(first),
        "第二批": table(second, shuffled),
        "统计": [["村", "户数"], ["十八洞村", 101.0]],
        excel.INSTRUCTIONS_SHEET: [["说明"], ["本表每行是一名家庭成员"]],
        "Sheet3": [],
    }
    path = write_book(tmp_path / "sheets.xlsx", sheets)

    job = run_import(path, user=personas["village_clerk"], area_code=VILLAGE)

    assert job.status == Job.Status.DONE, job.message
    assert Household.objects.filter(area_id=VILLAGE).count() == 100
    assert (
        Member.objects.filter(name="第一页户主").exists() and Member.objects.filter(name="第二页99").exists()
    )
    assert job.result["sheets_read"] == [excel.DATA_SHEET, "第二批"]
    assert job.result["rows"] == 101 and job.result["bad"] == 1
    skipped = [n for n in job.result["not_read"] if n["what"] == "sheet"]
    assert [(n["sheet"], n["cells"]) for n in skipped] == [("统计", 4)]
    assert "户主身份证号" in skipped[0]["reason"] and "统计" in job.message
    # The bad row is found on its own sheet, by its own row number there.
    assert errors_of(job) == [[52, "健康状况", zh(RegistryError.UNKNOWN_CHOICE, value="很好"), "第二批"]]
    rejected = read_sheet(tasks.error_path(job.pk), excel.DATA_SHEET)
    assert rejected[0][-3:] == list(excel.ERROR_COLUMNS) and rejected[1][-3:-1] == ["第二批", 52]
    assert ["工作表", "统计", "", "", skipped[0]["reason"], 4] in not_read_sheet(job)


def test_a_file_without_any_sheet_of_the_template_is_refused_naming_what_is_missing(tmp_path: Path) -> None:
    path = write_book(tmp_path / "other.xlsx", {"统计": [["姓名", "电话"], ["张三", "139"]]})
    with pytest.raises(importing.ImportRefused) as caught:
        importing.check_file(path)
    assert caught.value.code is ImportProblem.MISSING_COLUMNS and "户主身份证号" in caught.value.message


def test_the_same_person_on_two_sheets_is_a_duplicate_named_with_its_sheet(
    personas: dict[str, Any], tmp_path: Path
) -> None:
    row = one_person("重复")
    path = write_book(tmp_path / "twice.xlsx", {excel.DATA_SHEET: table([row]), "副本": table([row])})
    job = run_import(path, user=personas["village_clerk"], area_code=VILLAGE)
    # Both rows name the same head: one household, listing one person twice, so not saved.
    assert not Member.objects.filter(name="重复").exists()
    assert errors_of(job) == [
        [2, "户主身份证号", zh(ImportProblem.HOUSEHOLD_NOT_SAVED, rows="副本!2"), excel.DATA_SHEET],
        [2, "身份证号", zh(ImportProblem.DUPLICATE_ID_SHEET, sheet=excel.DATA_SHEET, row=2), "副本"],
    ]


# --- item 5: columns and cells --------------------------------------------------------------


def test_merged_unknown_and_repeated_columns_are_named_with_their_cells(
    personas: dict[str, Any], client_for: Any, tmp_path: Path
) -> None:
    # The clerk's sheet: 文化程度 moved right of 健康状况 and its header cell merged into it.
    headers = [h for h in HEADERS if h != "文化程度"]
    at = headers.index("健康状况") + 1
    headers.insert(at, "")
    headers += ["备注", "姓名", ""]
    people = [one_person(f"成员{i}", 健康状况="健康") for i in range(5)]
    rows = [[*(p.get(h) if h else None for h in headers)] for p in people]
    for row in rows:
        row[at] = "小学"  # the lost 文化程度
        row[-3] = "贫困户"  # 备注
        row[-2] = "别名"  # a second 姓名
    merges = {excel.DATA_SHEET: [(0, at - 1, 0, at, "健康状况")]}
    path = write_book(tmp_path / "merged.xlsx", {excel.DATA_SHEET: [headers, *rows]}, merges)

    out = io.StringIO()
    call_command("import_households", "households", str(path), "--area", VILLAGE, "--quiet", stdout=out)

    job = Job.objects.get(kind=tasks.IMPORT_KIND)
    assert job.result["good"] == 5 and job.result["bad"] == 0
    assert set(Member.objects.values_list("education", flat=True)) == {""}
    assert set(Member.objects.values_list("name", flat=True)) == {f"成员{i}" for i in range(5)}
    columns = {n["where"]: n for n in job.result["not_read"]}
    merged, unknown, repeated = (
        xl_col_to_name(at),
        xl_col_to_name(len(headers) - 3),
        xl_col_to_name(len(headers) - 2),
    )
    assert set(columns) == {merged, unknown, repeated}  # the blank last column held nothing
    health_letter = xl_col_to_name(at - 1)
    assert columns[merged]["reason"] == zh(
        ImportProblem.HEADER_MERGED, column=health_letter, header="健康状况"
    )
    assert columns[unknown]["header"] == "备注" and columns[unknown]["reason"] == zh(
        ImportProblem.UNKNOWN_COLUMN
    )
    assert columns[repeated]["reason"] == zh(
        ImportProblem.HEADER_TWICE, column=xl_col_to_name(headers.index("姓名"))
    )
    assert {n["cells"] for n in columns.values()} == {5}
    # Said by the command, the job's message, the error sheet and the page.
    text = out.getvalue()
    assert (
        f"not read: {excel.DATA_SHEET}!{merged} (5): " in text
        and f"{excel.DATA_SHEET}!{unknown} 备注 (5)" in text
    )
    assert f"{excel.DATA_SHEET}!{merged}" in job.message and "备注" in job.message
    listed = not_read_sheet(job)
    assert ["列", excel.DATA_SHEET, merged, "", columns[merged]["reason"], 5] in listed
    page = client_for("county_admin").get(f"/households/import/{job.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert columns[merged]["reason"] in body and "备注" in body and "下载未读取内容清单" in body


def test_household_values_on_another_row_are_listed_where_they_differ_from_the_heads(
    personas: dict[str, Any], tmp_path: Path
) -> None:
    head = new_id_number(dt.date(1960, 2, 2))
    spouse, child = new_id_number(dt.date(1962, 3, 3), female=True), new_id_number(dt.date(2010, 4, 4))
    rows = [
        member_row(head_id=head, id_number=head, name="户主甲", relation="户主", area=VILLAGE)
        | {"耕地面积（亩）": 2.0, "收入年度": 2023.0, "工资性收入": 9000.0},
        # Repeating the head's values, as the template allows: nothing lost.
        member_row(head_id=head, id_number=spouse, name="配偶乙", relation="配偶", area=VILLAGE)
        | {"耕地面积（亩）": 2.0},
        # Other values: not read, and said.
        member_row(head_id=head, id_number=child, name="子丙", relation="儿子", area=VILLAGE)
        | {"耕地面积（亩）": 5.0, "工资性收入": 100.0, "是否危房": "是"},
    ]
    path = write_book(tmp_path / "cells.xlsx", {excel.DATA_SHEET: table(rows)})

    job = run_import(path, user=personas["village_clerk"], area_code=VILLAGE)

    household = Household.objects.get()
    assert household.cultivated_land_mu == Decimal("2.00") and household.dangerous_house is False
    assert IncomeRecord.objects.get(household=household).wage == Decimal("9000.00")
    letter = {h: xl_col_to_name(HEADERS.index(h)) for h in ("耕地面积（亩）", "工资性收入", "是否危房")}
    cells = {(c["where"], c["reason"]) for c in job.result["cells_not_read_sample"]}
    assert cells == {
        (f"{letter['耕地面积（亩）']}4", zh(ImportProblem.CELL_NOT_HEAD, value="2")),
        (f"{letter['工资性收入']}4", zh(ImportProblem.CELL_NOT_HEAD, value="9000")),
        (f"{letter['是否危房']}4", zh(ImportProblem.CELL_HEAD_BLANK)),
    }
    assert job.result["cells_not_read"] == 3 and "3 个单元格未读取" in job.message
    assert {r[2] for r in not_read_sheet(job)[1:]} == {f"{v}4" for v in letter.values()}


# --- item 5: a household whole or not at all ------------------------------------------------


def test_a_household_is_saved_with_all_its_rows_or_not_at_all(
    personas: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks, so households are spread over several writes as in a large file.
    monkeypatch.setattr(importing, "CHUNK", 2)
    broken, whole = new_id_number(dt.date(1961, 1, 1)), new_id_number(dt.date(1962, 1, 1))
    fillers = [one_person(f"邻居{i}") for i in range(6)]
    rows = [
        member_row(head_id=broken, id_number=broken, name="残户主", relation="户主", area=VILLAGE)
        | {"收入年度": 2023.0, "工资性收入": 6000.0},
        member_row(head_id=whole, id_number=whole, name="全户主", relation="户主", area=VILLAGE)
        | {"收入年度": 2023.0, "工资性收入": 6000.0},
        *fillers,
        # The two households' last rows come after the neighbours (the file was sorted by name).
        member_row(
            head_id=broken, id_number=new_id_number(female=True), name="残配偶", relation="配偶", area=VILLAGE
        ),
        member_row(
            head_id=whole, id_number=new_id_number(female=True), name="全配偶", relation="配偶", area=VILLAGE
        ),
        member_row(
            head_id=broken,
            id_number=new_id_number(),
            name="残儿子",
            relation="儿子",
            area=VILLAGE,
            健康状况="很好",
        ),
    ]
    path = write_book(tmp_path / "whole.xlsx", {excel.DATA_SHEET: table(rows)})

    job = run_import(path, user=personas["village_clerk"], area_code=VILLAGE)

    assert not Member.objects.filter(name__startswith="残").exists()
    saved = Household.objects.get(members__name="全户主")
    assert set(saved.members.values_list("name", flat=True)) == {"全户主", "全配偶"}
    # Its income is divided by both members, though the spouse's row came after six others.
    assert IncomeRecord.objects.get(household=saved).household_size == 2
    assert Household.objects.count() == 7 and job.result["households_refused"] == 1
    not_saved = zh(ImportProblem.HOUSEHOLD_NOT_SAVED, rows="12")
    assert errors_of(job) == [
        [2, "户主身份证号", not_saved, excel.DATA_SHEET],
        [10, "户主身份证号", not_saved, excel.DATA_SHEET],
        [12, "健康状况", zh(RegistryError.UNKNOWN_CHOICE, value="很好"), excel.DATA_SHEET],
    ]
    assert "1 户未保存" in job.message


def test_a_household_refused_while_writing_takes_its_other_rows_with_it(
    personas: dict[str, Any], tmp_path: Path
) -> None:
    from tests.conftest import make_household

    registered = make_household(VILLAGE, members=1)
    taken = crypto.decrypt(registered.members.get().id_number_enc)
    head = new_id_number()
    rows = [
        member_row(head_id=head, id_number=head, name="新户主", relation="户主", area=VILLAGE),
        member_row(head_id=head, id_number=new_id_number(), name="新成员", relation="儿子", area=VILLAGE),
        member_row(head_id=head, id_number=taken, name="已登记", relation="女儿", area=VILLAGE),
    ]
    job = run_import(
        write_book(tmp_path / "taken.xlsx", {excel.DATA_SHEET: table(rows)}),
        user=personas["village_clerk"],
        area_code=VILLAGE,
    )
    assert not Member.objects.filter(name__in=["新户主", "新成员", "已登记"]).exists()
    assert [r[:2] for r in errors_of(job)] == [[2, "户主身份证号"], [3, "户主身份证号"], [4, "身份证号"]]
    assert errors_of(job)[0][2] == zh(ImportProblem.HOUSEHOLD_NOT_SAVED, rows="4")


# --- item 5: an amount out of range ---------------------------------------------------------


def test_an_income_of_1e12_is_out_of_range_with_the_range_not_a_format_error(
    personas: dict[str, Any], tmp_path: Path
) -> None:
    rows = [
        one_person("万亿", 收入年度=2023.0, 工资性收入=1e12),
        one_person("文本万亿", 收入年度=2023.0, 财产性收入="1e12"),
        one_person("格式错", 收入年度=2023.0, 财产性收入="12a"),
    ]
    job = run_import(
        write_book(tmp_path / "big.xlsx", {excel.DATA_SHEET: table(rows)}),
        user=personas["village_clerk"],
        area_code=VILLAGE,
    )
    out_of_range = zh(RegistryError.AMOUNT_RANGE, minimum="0", maximum="99,999,999.99")
    assert "99,999,999.99" in out_of_range
    assert errors_of(job) == [
        [2, "工资性收入", out_of_range, excel.DATA_SHEET],
        [3, "财产性收入", out_of_range, excel.DATA_SHEET],
        [4, "财产性收入", zh(RegistryError.BAD_AMOUNT), excel.DATA_SHEET],
    ]
