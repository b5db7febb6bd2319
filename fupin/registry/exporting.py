"""Spreadsheets out of the household file: the blank template, the roster (花名册) and the error
sheet of an import. All use the columns of ``registry.excel``, so an unmasked roster or a
corrected error sheet can be imported again as it is."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.db.models import Q
from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from fupin.accounts.permissions import EXPORT_UNMASKED, VIEW_REGISTRY
from fupin.areas.models import Area
from fupin.areas.queries import within
from fupin.core import audit, crypto
from fupin.core.access import SYSTEM, require
from fupin.core.xlsx import as_typed, open_book, write_cells
from fupin.registry import choices as c
from fupin.registry import excel
from fupin.registry.importing import BadRow, NotRead
from fupin.registry.models import Household, IncomeRecord, Member
from fupin.registry.queries import search_households

BATCH = 1000
REQUIRED_FILL = "#FCE4D6"
# Columns whose digits must stay text, so 18-digit numbers are not turned into 4.33124E+17.
TEXT_KINDS = ("id", "area", "account", "phone", "text")
# Columns filled on every row of a household; the rest only on the head's row, which is the
# only row an import reads them from (excel.py), and which halves what a roster has to write.
HOUSEHOLD_ONLY = frozenset(
    i for i, col in enumerate(excel.COLUMNS) if col.target in ("household", "income") and col.field != "area"
)


def _header(col: excel.Column) -> str:
    return f"{col.header}*" if col.required else col.header


def _data_sheet(book: Workbook) -> tuple[Worksheet, Any]:
    sheet = book.add_worksheet(excel.DATA_SHEET)
    bold = book.add_format({"bold": True})
    required = book.add_format({"bold": True, "bg_color": REQUIRED_FILL})
    text = book.add_format({"num_format": "@"})
    for index, col in enumerate(excel.COLUMNS):
        sheet.set_column(index, index, col.width, text if col.kind in TEXT_KINDS else None)
        sheet.write_string(0, index, _header(col), required if col.required else bold)
    sheet.freeze_panes(1, 0)
    return sheet, bold


# --- the template ----------------------------------------------------------------------------


def write_template(path: Path | IO[bytes]) -> None:
    """The blank template: headers, drop-downs for every coded column, and the 说明 sheet."""
    book = open_book(path, row_by_row=False)  # the lists sheet is written column by column
    sheet, bold = _data_sheet(book)
    _write_instructions(book, bold)
    lists = book.add_worksheet(excel.LISTS_SHEET)
    lists.hide()
    list_column = -1
    ranges: dict[str, str] = {}
    for index, col in enumerate(excel.COLUMNS):
        values: list[str] | None = None
        if col.kind in ("choice", "causes"):
            assert col.choices is not None
            values = excel.choice_labels(col.choices)
        elif col.kind == "bool":
            values = [excel.YES, excel.NO]
        if values is None:
            continue
        key = ",".join(values)
        if key not in ranges:
            list_column += 1
            lists.write_string(0, list_column, col.header)
            for row, value in enumerate(values, start=1):
                lists.write_string(row, list_column, value)
            letter = xl_col_to_name(list_column)
            ranges[key] = f"='{excel.LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        validation: dict[str, Any] = {"validate": "list", "source": ranges[key], "ignore_blank": True}
        if col.kind == "causes":
            # Up to two causes go in one cell ("因学、缺资金"): offer the list, accept typing.
            validation["show_error"] = False
        else:
            validation.update(error_title=col.header, error_message="请从下拉列表中选择。")
        sheet.data_validation(1, index, 10000, index, validation)
    book.close()


def _write_instructions(book: Workbook, bold: Any) -> None:
    sheet = book.add_worksheet(excel.INSTRUCTIONS_SHEET)
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet.write_string(0, 0, "户籍花名册导入说明", book.add_format({"bold": True, "font_size": 14}))
    row = 1
    for line in excel.GENERAL_NOTES:
        sheet.write_string(row, 0, line, wrap)
        row += 1
    row += 1
    for col, title in enumerate(["列名", "是否必填", "填在哪一行", "格式或取值", "说明"]):
        sheet.write_string(row, col, title, bold)
    where = {"key": "每一行", "household": "户主行", "member": "每一行", "income": "户主行"}
    for col in excel.COLUMNS:
        row += 1
        if col.kind in ("choice", "causes"):
            assert col.choices is not None
            values = "、".join(excel.choice_labels(col.choices))
        else:
            values = excel.KIND_NOTES[col.kind]
        where_text = "每一行" if col.field == "area" else where[col.target]
        for index, value in enumerate(
            [col.header, "必填" if col.required else "", where_text, values, col.note]
        ):
            if value:
                sheet.write_string(row, index, value, wrap)
    for index, width in enumerate((20, 9, 11, 60, 60)):
        sheet.set_column(index, index, width)


# --- the roster --------------------------------------------------------------------------------


def export_households(
    path: Path | IO[bytes],
    *,
    user: Any,
    area: Area | None = None,
    q: str = "",
    status: str = "",
    cause: str = "",
    unmasked: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the roster of ``area`` (default: the user's) as filtered like the household list;
    returns the number of member rows. Personal data is masked unless ``unmasked``, which needs
    EXPORT_UNMASKED and leaves one audit entry with the filter and the row count.
    ``progress(households_done, households_total)`` is called after each batch."""
    require(user, VIEW_REGISTRY)
    scope = area or user.area
    require(user, VIEW_REGISTRY, area_code=scope.code)
    if unmasked:
        require(user, EXPORT_UNMASKED, area_code=scope.code)
    if user is SYSTEM:
        # The operator at the command line has no home area: the named one is the scope.
        households = Household.objects.filter(within(scope, "area_id"))
        if q:
            households = households.filter(Q(head_name__contains=q) | Q(number__startswith=q))
        if status:
            households = households.filter(status=status)
        if cause:
            households = households.filter(main_cause=cause)
    else:
        households = search_households(user, area=scope, q=q, status=status, cause=cause)
    households = households.order_by("area_id", "number")
    total = households.count() if progress else 0
    book = open_book(path)
    sheet, _bold = _data_sheet(book)
    count = 0
    for done, rows in _batches(households, unmasked=unmasked):
        for head_row, row in rows:
            count += 1
            write_cells(sheet, count, row, frozenset() if head_row else HOUSEHOLD_ONLY)
        if progress:
            progress(done, total)
    book.close()
    if unmasked:
        with transaction.atomic():
            audit.record(
                user,
                "registry.export_unmasked",
                object_type="registry.household",
                area_code=scope.code,
                after={
                    "filter": {"area": scope.code, "q": q, "status": status, "cause": cause},
                    "rows": count,
                },
            )
    return count


def _batches(households: Any, *, unmasked: bool) -> Iterator[tuple[int, list[tuple[bool, list[Any]]]]]:
    """(households done so far, that batch's rows) per batch of households."""
    batch: list[Household] = []
    done = 0
    for household in households.iterator(chunk_size=BATCH):
        batch.append(household)
        if len(batch) >= BATCH:
            done += len(batch)
            yield done, list(_batch_rows(batch, unmasked=unmasked))
            batch = []
    if batch:
        yield done + len(batch), list(_batch_rows(batch, unmasked=unmasked))


def _batch_rows(batch: list[Household], *, unmasked: bool) -> Iterator[tuple[bool, list[Any]]]:
    if not batch:
        return
    ids = [h.pk for h in batch]
    members: dict[int, list[Member]] = {}
    for member in Member.objects.filter(household_id__in=ids, left_on=None).order_by("household_id", "id"):
        members.setdefault(member.household_id, []).append(member)
    latest: dict[int, IncomeRecord] = {}
    for record in IncomeRecord.objects.filter(household_id__in=ids).order_by("household_id", "-year"):
        latest.setdefault(record.household_id, record)

    def secret(token: str, masked: str) -> str:
        if not token:
            return ""
        return crypto.decrypt(token) if unmasked else masked

    for household in batch:
        people = sorted(members.get(household.pk, []), key=lambda m: m.relation != c.Relation.HEAD)
        head = people[0] if people and people[0].relation == c.Relation.HEAD else None
        head_id = secret(head.id_number_enc, head.id_number_masked) if head else ""
        record = latest.get(household.pk)
        shared: list[Any] = []
        for col in excel.COLUMNS:
            if col.target == "key":
                value: Any = household.number if col.field == "number" else head_id
            elif col.target == "household":
                if col.field == "area":
                    value = household.area_id
                elif col.field == "phone":
                    value = secret(household.phone_enc, household.phone_masked)
                elif col.field == "bank_account":
                    value = secret(household.bank_account_enc, household.bank_account_masked)
                else:
                    value = excel.display(col, getattr(household, col.field))
            elif col.target == "income":
                value = excel.display(col, getattr(record, col.field)) if record else None
            else:
                value = None  # filled per member below
            shared.append(value or None)
        for position, member in enumerate(people):
            row = list(shared)
            for index, col in enumerate(excel.COLUMNS):
                if col.target != "member":
                    continue
                if col.field == "id_number":
                    value = secret(member.id_number_enc, member.id_number_masked)
                elif col.field == "phone":
                    value = secret(member.phone_enc, member.phone_masked)
                else:
                    value = excel.display(col, getattr(member, col.field))
                row[index] = value if value not in ("", None) else None
            yield position == 0, row


# --- the error sheet of an import -----------------------------------------------------------


def write_error_file(
    path: Path,
    bad_rows: list[BadRow],
    positions: dict[str, dict[str, int]],
    not_read: list[NotRead] | None = None,
) -> None:
    """The rejected rows in the template's columns (so they can be corrected and imported
    again), each with its sheet, row number and reasons; one line per problem on a second
    sheet; and on a third what the import did not read (sheets, columns, cells)."""
    book = open_book(path)
    rows, bold = _data_sheet(book)
    extra = len(excel.COLUMNS)
    for offset, header in enumerate(excel.ERROR_COLUMNS):
        rows.write_string(0, extra + offset, header, bold)
    rows.set_column(extra + len(excel.ERROR_COLUMNS) - 1, extra + len(excel.ERROR_COLUMNS) - 1, 60)
    for number, bad in enumerate(bad_rows, start=1):
        sheet_positions = positions.get(bad.sheet, {})
        values = [
            bad.values[sheet_positions[h]]
            if h in sheet_positions and sheet_positions[h] < len(bad.values)
            else None
            for h in excel.HEADERS
        ]
        # A fraction as typed (333.3333333333333 refused for its places) keeps every digit with a
        # format that shows them; whole numbers, an ID typed as a number among them, stay as read.
        values = [
            as_typed(v) if isinstance(v, float) and math.isfinite(v) and not v.is_integer() else v
            for v in values
        ]
        reasons = "；".join(f"{p.header}：{p.reason}" for p in bad.problems)
        write_cells(rows, number, [*values, bad.sheet, bad.row, reasons])
    detail = book.add_worksheet(excel.ERROR_DETAIL_SHEET)
    write_cells(detail, 0, ["行号", "列", "原因", "工作表"])
    number = 0
    for bad in bad_rows:
        for problem in bad.problems:
            number += 1
            write_cells(detail, number, [bad.row, problem.header, problem.reason, bad.sheet])
    unread = book.add_worksheet(excel.NOT_READ_SHEET)
    unread.set_column(4, 4, 60)
    write_cells(unread, 0, ["类别", "工作表", "位置", "列名", "原因", "单元格数"])
    kinds = {"sheet": "工作表", "column": "列", "cell": "单元格"}
    for number, item in enumerate(not_read or [], start=1):
        write_cells(
            unread,
            number,
            [kinds[item.what], item.sheet, item.where, item.header, item.reason, item.cells],
        )
    book.close()
