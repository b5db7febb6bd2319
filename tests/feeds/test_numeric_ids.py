"""A department's spreadsheet with the ID number typed as a number is refused row by row: the
cell keeps 15 significant digits, so the number read is another person's, or nobody's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fupin.accounts.models import User
from fupin.feeds.errors import FeedError
from fupin.feeds.models import FeedBatch
from fupin.registry.models import Household
from tests.conftest import new_id_number
from tests.feeds.helpers import send_file, write_xlsx


def test_a_numeric_id_cell_is_refused_and_a_text_one_is_read(
    personas: dict[str, User], home: Household, ids: list[str], tmp_path: Path
) -> None:
    typed = next(n for n in (new_id_number() for _ in range(50)) if n[-1] != "X")
    rows: list[dict[str, Any]] = [
        {"身份证号": float(typed), "类型": "住院", "结算日期": "2024-03-05", "三重保障后自付金额": "100"},
        {"身份证号": ids[1], "类型": "住院", "结算日期": "2024-03-05", "三重保障后自付金额": "100"},
    ]
    batch = send_file(write_xlsx(tmp_path / "m.xlsx", rows), "medical", user=personas["dept_provider"])
    assert batch.status == FeedBatch.Status.DONE
    assert (batch.rows_matched, batch.rows_invalid) == (1, 1), batch.report
    invalid = batch.report["invalid"]
    assert [(e["row"], [(p["column"], p["code"]) for p in e["problems"]]) for e in invalid] == [
        (2, [("id_number", FeedError.ID_NOT_TEXT.name)])
    ]
