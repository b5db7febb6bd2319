"""The exit assessment as a workbook: the figures, each gate, and the remaining poor households.

Headers are Chinese whatever the reader's language: the sheet goes to the provincial check.
Only what the page shows is written — household number, head's name, village, size, cause —
never an ID number, phone or bank account.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import translation

from fupin.assessment import rules
from fupin.assessment.queries import Report
from fupin.core.xlsx import Figure, open_book, write_cells

OUTCOME_ZH = {rules.Outcome.PASS: "达标", rules.Outcome.FAIL: "未达标", rules.Outcome.UNKNOWN: "无法判断"}
GATE_ZH = {
    "incidence": "建档立卡贫困发生率",
    "wrong_exit": "错退率",
    "missed_poor": "漏评率",
    "approval": "群众认可度",
}
DENOMINATOR_ZH = {"agricultural_registered": "农业户籍人口", "rural_resident": "农村常住人口"}

SUMMARY_HEADERS = ["指标", "分子", "分母", "比率", "标准", "结论"]
POOR_HEADERS = ["户编号", "户主姓名", "所在村(组)", "区划代码", "家庭人口", "主要致贫原因", "识别年度"]


class _Sheet:
    """Appends rows one after another, as the figures are read out."""

    def __init__(self, book: Any, name: str) -> None:
        self.sheet = book.add_worksheet(name)
        self.bold = book.add_format({"bold": True})
        self.row = 0

    def append(self, values: list[Any]) -> None:
        write_cells(self.sheet, self.row, values)
        self.row += 1

    def append_bold(self, values: list[Any]) -> None:
        for col, value in enumerate(values):
            self.sheet.write_string(self.row, col, value, self.bold)
        self.row += 1

    def widths(self, widths: tuple[int, ...]) -> None:
        for col, width in enumerate(widths):
            self.sheet.set_column(col, col, width)


def _rate(value: Any) -> Any:
    """A rate (in percent) as a number cell showing the page's two places, e.g. 0.70%."""
    return "—" if value is None else Figure(value / 100, places=2, percent=True)


def assessment_workbook(report: Report, households: Any) -> bytes:
    """The report's figures on one sheet, the remaining-poor list on another, as .xlsx bytes."""
    # Choice labels (the cause of poverty) in Chinese too, whatever language the page was in.
    with translation.override("zh-hans"):
        return _workbook(report, households)


def _workbook(report: Report, households: Any) -> bytes:
    out = io.BytesIO()
    book = open_book(out)
    sheet = _Sheet(book, "评估结果")
    kind = DENOMINATOR_ZH[report.thresholds.denominator_kind]
    sheet.append(["地区", report.area.name])
    sheet.append(["区划代码", report.area.code])
    sheet.append(["年度", report.year])
    sheet.append(["分母口径", kind])
    sheet.append(["分母", report.denominator if report.denominator is not None else "未录入"])
    sheet.append(["分母来源", report.population.source if report.population else "未录入"])
    sheet.append(["未脱贫户数", report.poor_households])
    sheet.append(["未脱贫人口", report.poor_people])
    sheet.append(["总体结论", OUTCOME_ZH[report.outcome]])
    sheet.append([])
    sheet.append_bold(SUMMARY_HEADERS)
    for gate in report.gates:
        sheet.append(
            [
                GATE_ZH[gate.key],
                gate.part if gate.part is not None else "未录入",
                gate.whole if gate.whole is not None else "未录入",
                _rate(gate.rate),
                gate.comparison,
                OUTCOME_ZH[gate.outcome],
            ]
        )
    if report.fallback_people is not None:
        sheet.append([])
        sheet.append(
            [
                "参考(非正式分母):建档立卡系统内人口",
                report.poor_people,
                report.fallback_people,
                _rate(rules.percent(report.poor_people, report.fallback_people)),
                "",
                "仅供参考,不作判断",
            ]
        )
    if report.comprehensive is not None:
        sheet.append([])
        sheet.append(
            [
                "综合贫困发生率(口径未确认:未脱贫+抽样错退+抽样漏评,未外推)",
                "",
                report.denominator,
                _rate(report.comprehensive),
                "",
                "仅供参考,不作判断",
            ]
        )
    sheet.widths((36, 14, 14, 14, 14, 14))

    roster = _Sheet(book, "未脱贫户")
    roster.append_bold(POOR_HEADERS)
    for h in households:
        roster.append(
            [
                h.number,
                h.head_name,
                h.area.name,
                h.area_id,
                h.size,
                h.get_main_cause_display() if h.main_cause else "",
                h.registered_year or "",
            ]
        )
    roster.widths((22, 12, 16, 16, 10, 16, 10))
    book.close()
    return out.getvalue()
