"""Receiving feed files: every source's schema, the row checks, matching, re-sent batches, and
the promise that raw ID numbers are kept nowhere. Real files, real database, nothing mocked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.core.errors import NotFound, PermissionDenied
from fupin.core.jobs import run_job
from fupin.core.models import AuditEntry, Job
from fupin.core.personas import COUNTY, OTHER_COUNTY, VILLAGE
from fupin.feeds import tasks
from fupin.feeds.actions import do_upload_feed
from fupin.feeds.errors import FeedError, FeedRefused
from fupin.feeds.ingest import clean_period
from fupin.feeds.models import EventKind, FeedBatch, FeedRecord
from fupin.feeds.queries import invalid_rows
from fupin.feeds.schemas import SCHEMAS
from fupin.registry.errors import RegistryError
from fupin.registry.models import Household
from tests.api.helpers import a_village_in
from tests.conftest import make_household, new_id_number
from tests.feeds.helpers import GOOD, send_file, stored_text, write_csv, write_xlsx

KINDS = {
    "medical": ["hospital_stay", "yearly_oop"],
    "civil_affairs": ["assistance"] * 3,
    "education": ["dropout", "student_aid"],
    "housing": ["house_rating"] * 2,
    "disability": ["disability"],
    "human_resources": ["unemployment", "pension"],
    "emergency": ["disaster_loss"],
    "public_security": ["death"],
}


def problems(batch: FeedBatch) -> dict[int, list[tuple[str, str]]]:
    """row -> [(column key, reason code)]"""
    return {
        entry["row"]: [(p["column"], p["code"]) for p in entry["problems"]]
        for entry in batch.report["invalid"]
    }


@pytest.mark.parametrize("source", sorted(SCHEMAS))
def test_every_sources_schema_reads_a_good_file(
    source: str, personas: dict[str, User], home: Household, ids: list[str], tmp_path: Path
) -> None:
    rows = [{"身份证号": ids[0], **row} for row in GOOD[source]]
    batch = send_file(write_csv(tmp_path / f"{source}.csv", rows), source, user=personas["dept_provider"])
    assert batch.status == FeedBatch.Status.DONE
    assert (batch.rows_total, batch.rows_matched, batch.rows_unmatched, batch.rows_invalid) == (
        len(rows),
        len(rows),
        0,
        0,
    )
    records = list(FeedRecord.objects.filter(batch=batch).order_by("pk"))
    assert [r.kind for r in records] == KINDS[source]
    head = home.members.get(relation="head")
    assert {(r.member_id, r.household_id, r.area_code, r.source) for r in records} == {
        (head.pk, home.pk, VILLAGE, source)
    }


def test_values_are_stored_in_the_shape_screening_reads(
    personas: dict[str, User], home: Household, ids: list[str], tmp_path: Path
) -> None:
    provider = personas["dept_provider"]

    def send(source: str) -> list[FeedRecord]:
        rows = [{"身份证号": ids[0], **row} for row in GOOD[source]]
        batch = send_file(
            write_csv(tmp_path / f"{source}.csv", rows), source, user=provider, period="2024-03"
        )
        return list(FeedRecord.objects.filter(batch=batch).order_by("pk"))

    stay, yearly = send("medical")
    assert (stay.event_date, stay.amount, stay.year) == (dt.date(2024, 3, 5), Decimal("8200.50"), 2024)
    assert (yearly.event_date, yearly.amount, yearly.year) == (None, Decimal("12000.00"), 2023)
    dibao, tekun, marginal = send("civil_affairs")
    assert [dibao.code, tekun.code, marginal.code] == ["dibao", "tekun", "marginal"]
    # A status holds in the period it is reported for, whenever it was granted.
    assert (dibao.event_date, dibao.year, dibao.amount) == (dt.date(2021, 6, 1), 2024, Decimal("350.00"))
    dropout, aid = send("education")
    assert (dropout.code, dropout.event_date, dropout.year) == ("junior", dt.date(2024, 2, 20), 2024)
    assert (aid.code, aid.amount, aid.detail) == ("senior", Decimal("2500.00"), "国家助学金")
    assert [r.code for r in send("housing")] == ["C", "D"]
    (certificate,) = send("disability")
    assert (certificate.code, certificate.detail, certificate.year) == ("2", "physical", 2024)
    unemployed, pension = send("human_resources")
    assert (unemployed.event_date, pension.amount) == (dt.date(2024, 1, 10), Decimal("180.00"))
    (flood,) = send("emergency")
    assert (flood.code, flood.amount, flood.year) == ("flood", Decimal("30000.00"), 2024)
    (death,) = send("public_security")
    assert (death.kind, death.event_date) == (EventKind.DEATH, dt.date(2024, 2, 1))


def test_each_kind_of_bad_row_is_reported_with_its_reason_and_nothing_of_it_is_stored(
    personas: dict[str, User], home: Household, ids: list[str], tmp_path: Path
) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    wrong_check = ids[1][:17] + ("0" if ids[1][17] != "0" else "1")
    stay = {"类型": "住院", "结算日期": "2024-03-05", "三重保障后自付金额": "100"}
    rows = [
        {**stay, "身份证号": wrong_check},  # 2
        {**stay, "身份证号": ""},  # 3
        {**stay, "身份证号": "12345"},  # 4
        {**stay, "身份证号": ids[0], "结算日期": ""},  # 5
        {**stay, "身份证号": ids[0], "结算日期": "2024-13-01"},  # 6
        {**stay, "身份证号": ids[0], "结算日期": tomorrow},  # 7
        {**stay, "身份证号": ids[0], "三重保障后自付金额": "很多"},  # 8
        {**stay, "身份证号": ids[0], "三重保障后自付金额": "-5"},  # 9
        {**stay, "身份证号": ids[0], "类型": "门诊"},  # 10
        {**stay, "身份证号": ids[0], "类型": "年度自付", "年度": "1999"},  # 11
        {**stay, "身份证号": ids[0], "三重保障后自付金额": "1.234"},  # 12
        {**stay, "身份证号": "433124" + "20991231" + "0010"},  # 13: born in the future
        {**stay, "身份证号": ids[0]},  # 14: the one good row
    ]
    batch = send_file(write_csv(tmp_path / "bad.csv", rows), "medical", user=personas["dept_provider"])
    assert problems(batch) == {
        2: [("id_number", "ID_CHECKSUM")],
        3: [("id_number", "REQUIRED")],
        4: [("id_number", "ID_FORMAT")],
        5: [("date", "REQUIRED")],
        6: [("date", "BAD_DATE")],
        7: [("date", "DATE_FUTURE")],
        8: [("out_of_pocket", "BAD_AMOUNT")],
        9: [("out_of_pocket", "NEGATIVE_AMOUNT")],
        10: [("kind", "NOT_ALLOWED")],
        11: [("year", "BAD_YEAR")],
        12: [("out_of_pocket", "BAD_AMOUNT")],
        13: [("id_number", "ID_FUTURE")],
    }
    assert (batch.rows_total, batch.rows_invalid, batch.rows_matched) == (13, 12, 1)
    assert FeedRecord.objects.filter(batch=batch).count() == 1
    # Reasons are written in the reader's language, in Chinese for the departments; an ID
    # number's reasons are the household file's own.
    with translation.override("zh-hans"):
        shown = {e["row"]: e["problems"][0] for e in invalid_rows(batch)}
        assert shown[2]["message"] == RegistryError.ID_CHECKSUM.message()
        assert shown[2]["label"] == "身份证号"
        assert shown[10]["message"] == FeedError.NOT_ALLOWED.message(allowed="住院、年度自付")
        assert "1999" not in shown[11]["message"] and "2000" in shown[11]["message"]


def test_a_row_is_checked_against_every_rule_of_its_source(
    personas: dict[str, User], home: Household, ids: list[str], tmp_path: Path
) -> None:
    provider = personas["dept_provider"]
    civil = send_file(
        write_csv(tmp_path / "c.csv", [{"身份证号": ids[0], "救助类别": "五保"}, {"身份证号": ids[1]}]),
        "civil_affairs",
        user=provider,
    )
    assert problems(civil) == {2: [("status", "NOT_ALLOWED")], 3: [("status", "REQUIRED")]}
    education = send_file(
        write_csv(
            tmp_path / "e.csv",
            [
                {"身份证号": ids[0], "类型": "资助", "资助金额": "100", "资助项目": "资助" + ids[1]},
                {"身份证号": ids[0], "类型": "资助", "资助金额": "100", "资助项目": "长" * 101},
                {"身份证号": ids[0], "类型": "资助"},
                {"身份证号": ids[0], "类型": "辍学", "学段": "大学"},
            ],
        ),
        "education",
        user=provider,
    )
    assert problems(education) == {
        2: [("programme", "TEXT_HAS_ID")],
        3: [("programme", "TOO_LONG")],
        4: [("amount", "REQUIRED")],
        5: [("stage", "NOT_ALLOWED"), ("date", "REQUIRED")],
    }
    # Free text holding an ID number is refused, so no raw number is kept through it.
    assert ids[1] not in stored_text()


def test_unmatched_rows_are_counted_listed_by_row_and_no_raw_number_is_kept(
    personas: dict[str, User], home: Household, ids: list[str], tmp_path: Path
) -> None:
    far = make_household(a_village_in(OTHER_COUNTY).code, head_name="向远")
    from fupin.core import crypto

    far_id = crypto.decrypt(far.members.first().id_number_enc)
    strangers = [new_id_number(dt.date(1970, 1, 2)), new_id_number(dt.date(1990, 3, 4), female=True)]
    death = {"死亡日期": "2024-02-01"}
    rows = [
        {"身份证号": ids[0], **death},
        {"身份证号": strangers[0], **death},
        {"身份证号": strangers[1].lower(), **death},
        # Registered, but in another county: matching stays inside the sender's area.
        {"身份证号": far_id, **death},
        {"身份证号": ids[1], **death},
    ]
    path = write_csv(tmp_path / "deaths.csv", rows)
    batch = send_file(path, "public_security", user=personas["dept_provider"])
    assert (batch.rows_matched, batch.rows_unmatched, batch.rows_invalid) == (2, 3, 0)
    assert batch.report["unmatched"] == [3, 4, 5]
    unmatched = FeedRecord.objects.filter(batch=batch, member=None)
    assert unmatched.count() == 3 and set(unmatched.values_list("area_code", flat=True)) == {COUNTY}
    # The keyed hash is what is kept, the same one the household file keeps: a later
    # registration can still be matched to these rows.
    assert set(unmatched.values_list("person_hash", flat=True)) >= {crypto.keyed_hash(strangers[0])}
    text = stored_text()
    for raw in [*ids, *strangers, far_id, strangers[1].lower()]:
        assert raw not in text
    # The uploaded file held the raw numbers; it is gone once read.
    assert not path.exists() and not list(tasks.upload_dir().iterdir())


def test_the_same_batch_sent_again_is_recognised_and_nothing_is_counted_twice(
    personas: dict[str, User], home: Household, ids: list[str], tmp_path: Path
) -> None:
    provider = personas["dept_provider"]
    rows = [
        {"身份证号": ids[0], "鉴定等级": "C", "鉴定日期": "2023-11-02"},
        {"身份证号": new_id_number(), "鉴定等级": "D"},
        {"身份证号": ids[1], "鉴定等级": "Z"},
    ]
    first = send_file(write_csv(tmp_path / "a.csv", rows), "housing", user=provider)
    records = FeedRecord.objects.count()
    # The same rows in another order, another encoding, another file name.
    again = send_file(
        write_csv(tmp_path / "b.csv", [rows[2], rows[0], rows[1]], encoding="gb18030"),
        "housing",
        user=provider,
    )
    assert again.status == FeedBatch.Status.DUPLICATE and again.duplicate_of_id == first.pk
    assert (again.rows_matched, again.rows_unmatched, again.rows_invalid, again.rows_repeated) == (0, 0, 0, 0)
    assert FeedRecord.objects.count() == records and not again.records.exists()
    entry = AuditEntry.objects.filter(action="feeds.receive_feed", object_id=str(again.pk)).get()
    assert entry.after["status"] == "duplicate"
    # Another period is another batch, but rows already on file are not stored twice either.
    later = send_file(write_csv(tmp_path / "c.csv", rows), "housing", user=provider, period="2024-04")
    assert later.status == FeedBatch.Status.DONE
    assert (later.rows_repeated, later.rows_matched, later.rows_unmatched, later.rows_invalid) == (2, 0, 0, 1)
    assert later.report["repeated"] == [2, 3]
    assert FeedRecord.objects.count() == records


def test_a_row_repeated_within_one_file_is_stored_once(
    personas: dict[str, User], home: Household, ids: list[str], tmp_path: Path
) -> None:
    loss = {"身份证号": ids[0], "灾害类型": "洪涝", "受灾日期": "2024-06-20", "直接经济损失": "30000"}
    batch = send_file(
        write_csv(
            tmp_path / "e.csv", [loss, {**loss, "直接经济损失": "30,000.00"}, {**loss, "灾害类型": "干旱"}]
        ),
        "emergency",
        user=personas["dept_provider"],
    )
    assert (batch.rows_matched, batch.rows_repeated, batch.report["repeated"]) == (2, 1, [3])
    assert batch.records.count() == 2


@pytest.mark.parametrize("form", ["utf-8", "utf-8-sig", "gb18030", "xlsx"])
def test_csv_in_each_encoding_and_excel_are_read_alike(
    form: str, personas: dict[str, User], home: Household, ids: list[str], tmp_path: Path
) -> None:
    if form == "xlsx":
        rows: list[dict[str, Any]] = [
            {
                "身份证号": ids[0],
                "类型": "住院",
                "结算日期": dt.date(2024, 3, 5),
                "三重保障后自付金额": 8200.5,
            },
            {"身份证号": ids[1], "类型": "年度自付", "三重保障后自付金额": 0.1 + 0.2, "年度": 2023},
        ]
        path = write_xlsx(tmp_path / "m.xlsx", rows)
    else:
        rows = [
            {"身份证号": ids[0], "类型": "住院", "结算日期": "2024-03-05", "三重保障后自付金额": "8200.5"},
            {"身份证号": ids[1], "类型": "年度自付", "三重保障后自付金额": "0.30", "年度": "2023"},
        ]
        path = write_csv(tmp_path / "m.csv", rows, encoding=form)
        if form == "gb18030":
            with pytest.raises(UnicodeDecodeError):
                path.read_bytes().decode("utf-8")
    batch = send_file(path, "medical", user=personas["dept_provider"])
    assert (batch.rows_matched, batch.rows_invalid) == (2, 0), batch.report
    assert list(batch.records.order_by("pk").values_list("kind", "event_date", "amount", "year")) == [
        ("hospital_stay", dt.date(2024, 3, 5), Decimal("8200.50"), 2024),
        ("yearly_oop", None, Decimal("0.30"), 2023),
    ]


def test_a_title_line_above_the_header_and_english_headers_are_understood(
    personas: dict[str, User], home: Household, ids: list[str], tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "t.csv",
        [{"ID_Number": ids[0], "date": "2024-02-01", "姓名": "张三丰"}, {"ID_Number": "bad"}],
        headers=["姓名", "ID_Number", "date"],
        title="2024年2月死亡注销人员名单",
    )
    batch = send_file(path, "public_security", user=personas["dept_provider"])
    # The header is line 2, so the rows are lines 3 and 4 of the file.
    assert batch.rows_matched == 1 and problems(batch) == {
        4: [("id_number", "ID_FORMAT"), ("date", "REQUIRED")]
    }
    # The name column is not read: nothing of it is kept.
    assert "张三丰" not in stored_text()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("m.csv", f"身份证号,类型\n{new_id_number()},住院\n", "MISSING_COLUMNS"),
        ("m.csv", "身份证号,类型,三重保障后自付金额\n", "NO_ROWS"),
        ("m.csv", "", "EMPTY"),
        ("m.xlsx", "身份证号,类型\n", "NOT_READABLE"),
        ("m.txt", "身份证号,类型\n", "NOT_READABLE"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole_and_nothing_is_kept(
    name: str, content: str, code: str, personas: dict[str, User], tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FeedRefused) as refused:
        do_upload_feed(
            "medical",
            path,
            period="2024",
            actor=personas["dept_provider"],
            area=Area.objects.get(code=COUNTY),
        )
    assert refused.value.code.name == code
    assert not FeedBatch.objects.exists() and not Job.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="feeds").exists()
    if code == "MISSING_COLUMNS":
        with translation.override("zh-hans"):
            assert "三重保障后自付金额" in refused.value.message


def test_a_file_over_the_row_limit_is_refused(
    personas: dict[str, User], settings: Any, tmp_path: Path
) -> None:
    settings.FUPIN_IMPORT_MAX_ROWS = 2
    rows = [{"身份证号": new_id_number(), "死亡日期": "2024-01-01"} for _ in range(3)]
    with pytest.raises(FeedRefused) as refused:
        do_upload_feed(
            "public_security",
            write_csv(tmp_path / "d.csv", rows),
            period="2024",
            actor=personas["dept_provider"],
            area=Area.objects.get(code=COUNTY),
        )
    assert refused.value.code == FeedError.TOO_MANY_ROWS and not FeedBatch.objects.exists()


def test_the_period_is_a_year_or_a_month_up_to_now() -> None:
    assert clean_period("2024") == "2024"
    assert clean_period("2024-3") == "2024-03"
    assert clean_period(" 2024年3月 ") == "2024-03"
    assert clean_period("2024/12") == "2024-12"
    today = timezone.localdate()
    assert clean_period(f"{today:%Y-%m}") == f"{today:%Y-%m}"
    next_month = (today.replace(day=28) + dt.timedelta(days=5)).strftime("%Y-%m")
    for bad in ["", "24", "2024-13", "2024-00", "1999", str(today.year + 1), next_month, "2024-03-05"]:
        with pytest.raises(FeedRefused):
            clean_period(bad)


@pytest.mark.parametrize(
    ("persona", "area_code", "error"),
    [
        ("county_admin", COUNTY, PermissionDenied),
        ("supervisor", COUNTY, PermissionDenied),
        ("village_clerk", VILLAGE, PermissionDenied),
        ("dept_provider", OTHER_COUNTY, NotFound),
    ],
)
def test_only_a_provider_sends_and_only_for_its_own_area(
    persona: str, area_code: str, error: type[Exception], personas: dict[str, User], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "d.csv", [{"身份证号": new_id_number(), "死亡日期": "2024-01-01"}])
    with pytest.raises(error):
        do_upload_feed(
            "public_security",
            path,
            period="2024",
            actor=personas[persona],
            area=Area.objects.get(code=area_code),
        )
    assert (
        not FeedBatch.objects.exists() and not AuditEntry.objects.filter(action__startswith="feeds").exists()
    )


def test_the_job_run_twice_stores_nothing_twice(
    personas: dict[str, User], home: Household, ids: list[str], tmp_path: Path
) -> None:
    rows = [{"身份证号": ids[0], "死亡日期": "2024-01-01"}]
    batch = send_file(write_csv(tmp_path / "d.csv", rows), "public_security", user=personas["dept_provider"])
    assert batch.job is not None
    again = tasks.run_feed(batch.job)
    assert again["batch"] == batch.pk and again["status"] == "done"
    assert FeedRecord.objects.count() == 1
    assert AuditEntry.objects.filter(action="feeds.receive_feed").count() == 1


def test_a_batch_whose_file_is_gone_is_refused_and_can_be_sent_again(
    personas: dict[str, User], home: Household, ids: list[str], tmp_path: Path
) -> None:
    provider = personas["dept_provider"]
    rows = [{"身份证号": ids[0], "死亡日期": "2024-01-01"}]
    path = write_csv(tmp_path / "d.csv", rows)
    batch = do_upload_feed(
        "public_security", path, period="2024", actor=provider, area=provider.area, start=False
    )
    path.unlink()
    assert batch.job_id is not None
    run_job(batch.job_id)
    batch.refresh_from_db()
    assert batch.status == FeedBatch.Status.REFUSED and batch.report["refused"]["code"] == "NOT_READABLE"
    resent = send_file(write_csv(tmp_path / "d.csv", rows), "public_security", user=provider, period="2024")
    assert resent.status == FeedBatch.Status.DONE and resent.rows_matched == 1


def test_every_batch_leaves_audit_entries_without_personal_data(
    personas: dict[str, User], home: Household, ids: list[str], tmp_path: Path
) -> None:
    rows = [{"身份证号": ids[0], "死亡日期": "2024-01-01"}]
    batch = send_file(write_csv(tmp_path / "d.csv", rows), "public_security", user=personas["dept_provider"])
    actions = list(
        AuditEntry.objects.filter(object_type="feeds.feedbatch", object_id=str(batch.pk))
        .order_by("pk")
        .values_list("action", "actor_id", "area_code")
    )
    assert actions == [
        ("feeds.upload_feed", personas["dept_provider"].pk, COUNTY),
        ("feeds.receive_feed", personas["dept_provider"].pk, COUNTY),
    ]
    assert AuditEntry.objects.get(action="feeds.receive_feed").after["rows_matched"] == 1
