"""Excel import: every good row stored, every bad row reported with its column and reason,
a second import of the same file changes nothing, and unreadable files are refused at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from fupin.core.models import AuditEntry, Job
from fupin.core.personas import OTHER_TOWNSHIP_VILLAGE, VILLAGE
from fupin.registry import idnumber, tasks
from fupin.registry.errors import RegistryError
from fupin.registry.importing import ImportProblem, ImportRefused, check_file
from fupin.registry.models import Household, IncomeRecord, Member
from tests.conftest import new_id_number
from tests.registry.excel_helpers import member_row, read_sheet, run_import, write_rows

GROUP_LESS_VILLAGE = VILLAGE


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Path) -> None:
    settings.FUPIN_FILES_DIR = tmp_path / "files"


def zh(code: Any, **params: Any) -> str:
    with translation.override("zh-hans"):
        return code.message(**params)


def bad_checksum() -> str:
    good = new_id_number()
    wrong = "0" if good[-1] != "0" else "1"
    return good[:17] + wrong


def mixed_file(path: Path) -> tuple[Path, dict[str, Any]]:
    """Two good households (three members and one) and one bad row of every kind."""
    head_a, spouse_a, child_a = (
        new_id_number(),
        new_id_number(female=True),
        new_id_number(dt.date(2012, 3, 4)),
    )
    head_b = new_id_number(dt.date(1960, 1, 1))
    good = [
        member_row(
            head_id=head_a,
            id_number=head_a,
            name="龙老大",
            relation="户主",
            area=VILLAGE,
            主要致贫原因="因病",
            其他致贫原因="因学、缺资金",
            户联系电话="13912345678",
            是否通生产用电="否",
            收入年度=2023,
            工资性收入=12000,
            生产经营性收入="3000.50",
            低保金=2400,
            生产经营性支出=1000,
        ),
        member_row(
            head_id=head_a,
            id_number=spouse_a,
            name="麻二妹",
            relation="配偶",
            area=VILLAGE,
            健康状况="长期慢性病",
        ),
        member_row(
            head_id=head_a, id_number=child_a, name="龙小三", relation="儿子", area=VILLAGE, 在校生状况="小学"
        ),
        member_row(
            head_id=head_b,
            id_number=head_b,
            name="石四",
            relation="户主",
            area=VILLAGE,
            主要致贫原因="缺劳力",
        ),
    ]
    lone = [new_id_number(dt.date(1970, 1, i + 1)) for i in range(10)]
    future = idnumber.make("433124", timezone.localdate() + dt.timedelta(days=400), 11)
    bad = [
        # (row dict, column, reason)
        (
            member_row(head_id=lone[0], id_number=bad_checksum(), name="甲", relation="户主", area=VILLAGE),
            "身份证号",
            zh(RegistryError.ID_CHECKSUM),
        ),
        (
            member_row(head_id=lone[1], id_number=future, name="乙", relation="户主", area=VILLAGE),
            "身份证号",
            zh(RegistryError.ID_FUTURE),
        ),
        (
            member_row(
                head_id=lone[2], id_number=lone[2], name="丙", relation="户主", area=OTHER_TOWNSHIP_VILLAGE
            ),
            "村/组区划代码",
            zh(ImportProblem.AREA_OUTSIDE),
        ),
        (
            member_row(head_id=lone[3], id_number=lone[3], name="丁", relation="户主", area="433124110999"),
            "村/组区划代码",
            zh(ImportProblem.AREA_UNKNOWN),
        ),
        (
            member_row(
                head_id=lone[4],
                id_number=lone[4],
                name="戊",
                relation="户主",
                area=VILLAGE,
                收入年度=2023,
                工资性收入="12a",
            ),
            "工资性收入",
            zh(RegistryError.BAD_AMOUNT),
        ),
        (
            member_row(
                head_id=lone[5], id_number=lone[5], name="己", relation="户主", area=VILLAGE, 健康状况="很好"
            ),
            "健康状况",
            zh(RegistryError.UNKNOWN_CHOICE, value="很好"),
        ),
        (
            member_row(
                head_id=lone[6],
                id_number=lone[6],
                name="庚",
                relation="户主",
                area=VILLAGE,
                主要致贫原因="因病",
                其他致贫原因="因学、缺资金、缺技术",
            ),
            "其他致贫原因",
            zh(RegistryError.TOO_MANY_CAUSES),
        ),
        (
            member_row(
                head_id=lone[7],
                id_number=lone[7],
                name="辛",
                relation="户主",
                area=VILLAGE,
                主要致贫原因="因病",
                其他致贫原因="因病",
            ),
            "其他致贫原因",
            zh(RegistryError.CAUSE_REPEATED),
        ),
        (
            member_row(head_id=lone[8], id_number=lone[8], name=None, relation="户主", area=VILLAGE),
            "姓名",
            zh(ImportProblem.REQUIRED),
        ),
        (
            # Under another head than the first time, or household A would be refused with it
            # (a household is saved only with all its rows).
            member_row(head_id=lone[9], id_number=child_a, name="龙小三重复", relation="儿子", area=VILLAGE),
            "身份证号",
            zh(ImportProblem.DUPLICATE_ID, row=4),
        ),
    ]
    rows = good + [b[0] for b in bad]
    expected = {len(good) + 2 + i: (column, reason) for i, (_, column, reason) in enumerate(bad)}
    write_rows(path, rows)
    return path, {"expected": expected, "heads": (head_a, head_b), "ids": (head_a, spouse_a, child_a, head_b)}


def test_good_rows_are_stored_and_every_bad_row_is_reported_with_column_and_reason(
    personas: dict[str, Any], tmp_path: Path
) -> None:
    path, info = mixed_file(tmp_path / "mixed.xlsx")
    job = run_import(path, user=personas["village_clerk"], area_code=VILLAGE)

    assert job.status == Job.Status.DONE, job.message
    assert job.result["good"] == 4 and job.result["bad"] == 10
    assert job.result["households_created"] == 2 and job.result["members_created"] == 4
    assert job.total == 14 and job.done == 14
    a = Household.objects.get(members__id_number_hash=Member.objects.get(name="龙老大").id_number_hash)
    assert a.area_id == VILLAGE and a.head_name == "龙老大" and a.main_cause == "illness"
    assert a.other_causes == ["schooling", "funds"] and a.production_power is False
    assert a.phone_masked == "139****5678" and "13912345678" not in a.phone_enc
    assert {m.name for m in a.members.all()} == {"龙老大", "麻二妹", "龙小三"}
    assert (
        Member.objects.get(name="麻二妹").health == "chronic"
        and Member.objects.get(name="麻二妹").gender == "f"
    )
    record = IncomeRecord.objects.get(household=a, year=2023)
    assert record.household_size == 3 and record.total == Decimal("17400.50")
    assert record.per_capita_net == Decimal("5466.83")
    assert not Member.objects.filter(
        name__in=["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "龙小三重复"]
    ).exists()

    errors = read_sheet(tasks.error_path(job.pk), "错误明细")
    assert errors[0] == ["行号", "列", "原因", "工作表"]
    reported = {int(r[0]): (r[1], r[2]) for r in errors[1:]}
    assert reported == info["expected"]
    # The rejected rows come back in the template's columns, ready to correct and import again.
    rejected = read_sheet(tasks.error_path(job.pk), "花名册")
    assert rejected[0][:3] == ["户编号", "户主身份证号*", "村/组区划代码*"]
    assert [int(r[-2]) for r in rejected[1:]] == sorted(info["expected"])


def test_importing_the_same_file_again_changes_nothing(personas: dict[str, Any], tmp_path: Path) -> None:
    path, _ = mixed_file(tmp_path / "mixed.xlsx")
    first = run_import(path, user=personas["village_clerk"], area_code=VILLAGE)
    households = list(Household.objects.order_by("pk").values())
    members = list(Member.objects.order_by("pk").values())
    incomes = list(IncomeRecord.objects.order_by("pk").values())
    audits = AuditEntry.objects.count()

    second = run_import(path, user=personas["village_clerk"], area_code=VILLAGE)

    assert second.status == Job.Status.DONE
    assert second.result["good"] == first.result["good"] and second.result["bad"] == first.result["bad"]
    assert second.result["unchanged"] == 4
    for key in (
        "households_created",
        "households_updated",
        "members_created",
        "members_updated",
        "incomes_written",
    ):
        assert second.result[key] == 0, key
    assert AuditEntry.objects.count() == audits
    assert list(Household.objects.order_by("pk").values()) == households
    assert list(Member.objects.order_by("pk").values()) == members
    assert list(IncomeRecord.objects.order_by("pk").values()) == incomes


def test_one_audit_entry_per_chunk_without_personal_data(personas: dict[str, Any], tmp_path: Path) -> None:
    path, info = mixed_file(tmp_path / "mixed.xlsx")
    before = AuditEntry.objects.count()
    run_import(path, user=personas["village_clerk"], area_code=VILLAGE)
    entries = list(AuditEntry.objects.filter(action="registry.import_households"))
    assert AuditEntry.objects.count() == before + 1 and len(entries) == 1
    entry = entries[0]
    assert entry.actor == personas["village_clerk"] and entry.area_code == VILLAGE
    assert entry.after["members_created"] == 4 and len(entry.after["households_created"]) == 2
    text = str(entry.after)
    assert not any(i in text for i in info["ids"]) and "龙老大" not in text


def test_a_changed_row_updates_only_that_member(personas: dict[str, Any], tmp_path: Path) -> None:
    head = new_id_number()
    rows = [
        member_row(head_id=head, id_number=head, name="吴一", relation="户主", area=VILLAGE, 健康状况="健康")
    ]
    run_import(write_rows(tmp_path / "a.xlsx", rows), user=personas["village_clerk"], area_code=VILLAGE)
    rows[0]["健康状况"] = "患有大病"
    job = run_import(write_rows(tmp_path / "b.xlsx", rows), user=personas["village_clerk"], area_code=VILLAGE)
    assert job.result["members_updated"] == 1 and job.result["members_created"] == 0
    assert Member.objects.get(name="吴一").health == "serious"


def test_a_person_registered_elsewhere_is_refused_without_saying_where(
    personas: dict[str, Any], tmp_path: Path
) -> None:
    from tests.conftest import make_household

    other = make_household(OTHER_TOWNSHIP_VILLAGE, members=1)
    from fupin.core import crypto

    taken = crypto.decrypt(other.members.get().id_number_enc)
    new_head = new_id_number()
    rows = [
        member_row(head_id=new_head, id_number=new_head, name="新户主", relation="户主", area=VILLAGE),
        member_row(head_id=new_head, id_number=taken, name="冒名", relation="儿子", area=VILLAGE),
    ]
    job = run_import(write_rows(tmp_path / "t.xlsx", rows), user=personas["village_clerk"], area_code=VILLAGE)
    errors = read_sheet(tasks.error_path(job.pk), "错误明细")
    assert errors[2][:3] == [3, "身份证号", zh(RegistryError.ID_TAKEN)]
    # The new head is not saved without the member the file gives the household.
    assert errors[1][:3] == [2, "户主身份证号", zh(ImportProblem.HOUSEHOLD_NOT_SAVED, rows="3")]
    assert other.members.count() == 1 and not Member.objects.filter(name="新户主").exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "households.xlsx"
    fake.write_text(f"姓名,身份证号\n张三,{new_id_number()}\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as caught:
        check_file(fake)
    assert caught.value.code is ImportProblem.NOT_A_SPREADSHEET
    with pytest.raises(ImportRefused):
        check_file(fake.with_suffix(".csv"))


def test_a_sheet_without_the_required_columns_is_refused(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "wrong.xlsx", [{"姓名": "张三"}], headers=["姓名", "电话"])
    with pytest.raises(ImportRefused) as caught:
        check_file(path)
    assert caught.value.code is ImportProblem.MISSING_COLUMNS
    assert "身份证号" in caught.value.message and "户主身份证号" in caught.value.message


def test_a_sheet_over_the_row_limit_is_refused_before_any_row_is_read(tmp_path: Path, settings: Any) -> None:
    rows = [
        member_row(head_id=h, id_number=h, name=f"户主{i}", relation="户主", area=VILLAGE)
        for i, h in enumerate(new_id_number(dt.date(1960, 1, 1) + dt.timedelta(days=i)) for i in range(4))
    ]
    path = write_rows(tmp_path / "big.xlsx", rows)
    settings.FUPIN_IMPORT_MAX_ROWS = 4
    assert check_file(path) == 4
    settings.FUPIN_IMPORT_MAX_ROWS = 3
    with pytest.raises(ImportRefused) as caught:
        check_file(path)
    assert caught.value.code is ImportProblem.TOO_MANY_ROWS and caught.value.params == {"rows": 4, "limit": 3}
    settings.FUPIN_IMPORT_MAX_ROWS = 100
    settings.FUPIN_IMPORT_MAX_BYTES = path.stat().st_size - 1
    with pytest.raises(ImportRefused) as caught:
        check_file(path)
    assert caught.value.code is ImportProblem.TOO_LARGE


def test_the_job_reports_progress_and_ends_done(personas: dict[str, Any], tmp_path: Path) -> None:
    heads = [new_id_number(dt.date(1950, 1, 1) + dt.timedelta(days=i)) for i in range(30)]
    rows = [
        member_row(head_id=h, id_number=h, name=f"户主{i}", relation="户主", area=VILLAGE)
        for i, h in enumerate(heads)
    ]
    seen: list[tuple[int, int]] = []
    path = write_rows(tmp_path / "p.xlsx", rows)
    job = Job.objects.create(
        kind=tasks.IMPORT_KIND,
        area_code=VILLAGE,
        created_by=personas["county_admin"],
        params={"path": str(path)},
    )
    job = tasks.run_now(job, tasks.run_import, on_progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 30) and seen[-1] == (30, 30)
    assert job.status == Job.Status.DONE and job.done == 30 and job.total == 30
    assert Household.objects.filter(area_id=VILLAGE).count() == 30


def test_only_editors_may_import_and_only_inside_their_area(personas: dict[str, Any], tmp_path: Path) -> None:
    from fupin.areas.models import Area
    from fupin.core.errors import NotFound, PermissionDenied
    from fupin.registry.importing import do_import_households

    head = new_id_number()
    path = write_rows(
        tmp_path / "x.xlsx",
        [member_row(head_id=head, id_number=head, name="某", relation="户主", area=VILLAGE)],
    )
    with pytest.raises(PermissionDenied):
        do_import_households(path, actor=personas["first_secretary"], area=Area.objects.get(code=VILLAGE))
    with pytest.raises(NotFound):
        do_import_households(path, actor=personas["outsider"], area=Area.objects.get(code=VILLAGE))
    assert not Member.objects.filter(name="某").exists()


def test_the_error_sheet_corrected_imports_only_the_fixed_rows(
    personas: dict[str, Any], tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    path, info = mixed_file(tmp_path / "mixed.xlsx")
    first = run_import(path, user=personas["village_clerk"], area_code=VILLAGE)
    book = load_workbook(tasks.error_path(first.pk))
    sheet = book["花名册"]
    headers = [str(c.value).rstrip("*") for c in sheet[1]]
    name, head = headers.index("姓名"), headers.index("户主身份证号")
    head_a = info["heads"][0]
    for row in sheet.iter_rows(min_row=2):
        if row[name].value is None:
            row[name].value = "壬"  # the row whose name was missing
        if row[name].value == "龙小三重复":
            row[head].value = head_a  # the child put back under its own head
    fixed = tmp_path / "fixed.xlsx"
    book.save(fixed)

    second = run_import(fixed, user=personas["village_clerk"], area_code=VILLAGE)

    # The corrected row is stored; the row that was only a duplicate within the first file now
    # matches the registered child and renames it; the other eight are still wrong.
    assert second.result["rows"] == 10 and second.result["good"] == 2 and second.result["bad"] == 8
    assert Member.objects.filter(name="壬").exists() and Member.objects.filter(name="龙小三重复").exists()


def test_every_import_problem_speaks_chinese() -> None:
    import re

    for code in ImportProblem:
        assert re.search(
            r"[\u4e00-\u9fff]",
            zh(
                code,
                columns="姓名",
                row=2,
                area="433124110226",
                rows=9,
                limit=8,
                sheet="第二页",
                column="E",
                header="文化程度",
                value="是",
            ),
        ), code.name
