"""The household file's spreadsheet columns (户籍花名册), declared once for the template, the import
and the export.

One row per member. The household's own columns (area, causes, living conditions, income) are
repeated on every member's row so a sorted or filtered sheet still reads; the import takes them
from the head's row (与户主关系 = 户主) and ignores them on the other rows. Members are grouped
into a household by 户主身份证号 (the head's ID number, on every row); 户编号 is filled in by the
export and, when given, matches an existing household even if its head has changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import models
from django.utils import translation

from fupin.core.xlsx import Figure
from fupin.registry import choices as c

DATA_SHEET = "花名册"
INSTRUCTIONS_SHEET = "说明"
LISTS_SHEET = "代码表"
# The error sheet of an import: its rejected rows (in DATA_SHEET, with ERROR_COLUMNS after the
# template's) can be corrected and imported again, so the import knows all of these by name.
ERROR_DETAIL_SHEET = "错误明细"
NOT_READ_SHEET = "未读取"
ERROR_COLUMNS = ("原工作表", "原行号", "错误说明")
# Sheets of our own files that never hold households: skipped without a word.
AUXILIARY_SHEETS = frozenset({INSTRUCTIONS_SHEET, LISTS_SHEET, ERROR_DETAIL_SHEET, NOT_READ_SHEET})
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    header: str  # the Chinese header, the column's identity in a file
    target: str  # key | household | member | income
    field: str  # the field name in HOUSEHOLD_FIELDS / MEMBER_FIELDS / income.INPUT_FIELDS
    kind: str  # text, id, area, choice, causes, bool, decimal, amount, int, year, phone, account
    choices: type[models.TextChoices] | None = None
    required: bool = False
    note: str = ""
    width: int = 12


def _col(header: str, target: str, field: str, kind: str, note: str = "", **kw: Any) -> Column:
    return Column(header, target, field, kind, note=note, **kw)


COLUMNS: tuple[Column, ...] = (
    _col(
        "户编号",
        "key",
        "number",
        "text",
        "系统分配的户编号；新户留空，导出的文件已填好，用于匹配已登记的户。",
        width=20,
    ),
    _col(
        "户主身份证号",
        "key",
        "head_id",
        "id",
        "本户户主的18位身份证号；同一户的每一行都填同一个号码，用于把成员归为一户。",
        required=True,
        width=22,
    ),
    _col(
        "村/组区划代码",
        "household",
        "area",
        "area",
        "12位村级或15位村民小组区划代码，须在导入的地区内。",
        required=True,
        width=17,
    ),
    _col("识别标准", "household", "standard", "choice", choices=c.Standard),
    _col("贫困户属性", "household", "household_type", "choice", choices=c.HouseholdType, width=16),
    _col(
        "主要致贫原因",
        "household",
        "main_cause",
        "choice",
        "只能选一项；已是贫困户或监测户的必须填写。",
        choices=c.Cause,
    ),
    _col(
        "其他致贫原因",
        "household",
        "other_causes",
        "causes",
        "最多两项，用顿号“、”或逗号分隔，不得与主要致贫原因相同，也不得重复。填写了主要致贫原因时，本列留空表示没有其他原因。",
        choices=c.Cause,
        width=18,
    ),
    _col("户联系电话", "household", "phone", "phone", "11位手机号或带区号的固定电话。", width=14),
    _col("开户银行", "household", "bank_name", "text"),
    _col("银行账号", "household", "bank_account", "account", "只填数字，请设为文本格式。", width=22),
    _col("计划生育户", "household", "family_planning", "bool"),
    _col("军烈属", "household", "military_family", "bool"),
    _col("耕地面积（亩）", "household", "cultivated_land_mu", "decimal"),
    _col("有效灌溉面积（亩）", "household", "irrigated_land_mu", "decimal"),
    _col("林地面积（亩）", "household", "forest_land_mu", "decimal"),
    _col("退耕还林面积（亩）", "household", "returned_farmland_mu", "decimal"),
    _col("林果面积（亩）", "household", "orchard_mu", "decimal"),
    _col("牧草地面积（亩）", "household", "pasture_mu", "decimal"),
    _col("水面面积（亩）", "household", "water_surface_mu", "decimal"),
    _col("是否加入合作社", "household", "in_cooperative", "bool"),
    _col("是否通生产用电", "household", "production_power", "bool"),
    _col("是否通生活用电", "household", "living_power", "bool"),
    _col("距村主干路（公里）", "household", "road_distance_km", "decimal"),
    _col("入户路类型", "household", "road_type", "choice", choices=c.RoadType),
    _col("住房面积（平方米）", "household", "housing_area_m2", "decimal"),
    _col("住房结构", "household", "housing_structure", "choice", choices=c.HousingStructure),
    _col("建房年份", "household", "housing_built_year", "year", "四位年份，如 2016。"),
    _col("是否危房", "household", "dangerous_house", "bool"),
    _col("饮水是否困难", "household", "water_difficult", "bool"),
    _col("饮水是否安全", "household", "water_safe", "bool"),
    _col("主要燃料类型", "household", "fuel_type", "choice", choices=c.FuelType),
    _col("有无卫生厕所", "household", "sanitary_toilet", "bool"),
    _col("姓名", "member", "name", "text", required=True, width=10),
    _col(
        "身份证号",
        "member",
        "id_number",
        "id",
        "18位居民身份证号，末位可为X；请设为文本格式，以免变成科学计数。",
        required=True,
        width=22,
    ),
    _col(
        "与户主关系",
        "member",
        "relation",
        "choice",
        "每户有且只有一名“户主”；也可填 儿子、女儿、父亲、母亲 等常用说法。",
        choices=c.Relation,
        required=True,
    ),
    _col(
        "性别",
        "member",
        "gender",
        "choice",
        "可留空，由身份证号推出；填写时须与身份证号一致。",
        choices=c.Gender,
        width=6,
    ),
    _col("民族", "member", "ethnicity", "text", "如 苗族、汉族。", width=8),
    _col("文化程度", "member", "education", "choice", choices=c.Education),
    _col("政治面貌", "member", "political_status", "choice", choices=c.PoliticalStatus),
    _col("在校生状况", "member", "school_status", "choice", choices=c.SchoolStatus),
    _col("健康状况", "member", "health", "choice", choices=c.Health),
    _col("劳动能力", "member", "labour_capacity", "choice", choices=c.LabourCapacity),
    _col("务工状况", "member", "migrant_work", "choice", choices=c.MigrantWork, width=16),
    _col("务工时间（月）", "member", "work_months", "int", "0 至 12 的整数。"),
    _col("参加城乡居民医保", "member", "medical_insurance", "bool"),
    _col("参加大病保险", "member", "serious_illness_insurance", "bool"),
    _col("参加城乡居民养老保险", "member", "pension_insurance", "bool"),
    _col("是否低保人口", "member", "dibao", "bool"),
    _col("成员联系电话", "member", "phone", "phone", width=14),
    _col("收入年度", "income", "year", "year", "收入所属年度，如 2023；填了任一收入金额就必须填写。"),
    _col("工资性收入", "income", "wage", "amount"),
    _col("生产经营性收入", "income", "business", "amount"),
    _col("财产性收入", "income", "property", "amount"),
    _col("计划生育金", "income", "transfer_family_planning", "amount"),
    _col("低保金", "income", "transfer_dibao", "amount"),
    _col("特困供养金", "income", "transfer_tekun", "amount"),
    _col("养老保险金", "income", "transfer_pension", "amount"),
    _col("生态补偿金", "income", "transfer_eco", "amount"),
    _col("其他转移性收入", "income", "transfer_other", "amount"),
    _col("生产经营性支出", "income", "business_costs", "amount"),
)

HEADERS: tuple[str, ...] = tuple(col.header for col in COLUMNS)
REQUIRED_HEADERS: tuple[str, ...] = tuple(col.header for col in COLUMNS if col.required)
BY_TARGET_FIELD: dict[tuple[str, str], Column] = {(col.target, col.field): col for col in COLUMNS}
assert len(set(HEADERS)) == len(HEADERS), "headers must be unique"

# Words people type for a coded value besides its label (the label says 之子, a clerk types 儿子).
ALIASES: dict[str, dict[str, str]] = {
    "relation": {
        "本人": "head",
        "儿子": "son",
        "女儿": "daughter",
        "儿媳": "daughter_in_law",
        "女婿": "son_in_law",
        "孙子": "grandchild",
        "孙女": "grandchild",
        "父亲": "parent",
        "母亲": "parent",
        "兄弟": "sibling",
        "姐妹": "sibling",
    },
    "main_cause": {"其他": "other"},
}

KIND_NOTES = {
    "text": "文字。",
    "id": "18位身份证号。",
    "area": "区划代码。",
    "choice": "从下拉列表中选择。",
    "causes": "从致贫原因中选，多项用“、”分隔。",
    "bool": "填“是”或“否”。",
    "decimal": "数字，最多两位小数。",
    "amount": "金额（元），不能为负，最多两位小数。",
    "int": "整数。",
    "year": "四位年份。",
    "phone": "电话号码。",
    "account": "数字。",
}

GENERAL_NOTES = (
    "一、本表每行是一名家庭成员。同一户的成员各占一行，户的信息（区划、致贫原因、生产生活条件、收入）"
    "以户主所在行（与户主关系填“户主”）为准，其他成员行可重复填写或留空。",
    "二、同一户的每一行都填写相同的“户主身份证号”；系统据此把成员归为一户。已登记的户填写“户编号”时按户编号匹配。",
    "三、每户一年的收入填在户主行：收入年度加各项收入金额，家庭总收入和人均纯收入由系统计算（人口为本户现有成员数）。",
    "四、成员按身份证号匹配：已登记的成员更新，未登记的新增。空白单元格表示“不修改”；导入不会删除成员。",
    "五、同一文件可重复导入：没有变化的行不会改写，也不会重复记入操作日志。",
    "六、一户的各行全部正确才保存：有错误的行不保存，同户的其他行也不保存；其他户照常保存。导入结束后可下载"
    "错误表：表中是未保存的原行，附工作表、行号、列名和原因，改正后可只导入这些行。",
    "七、身份证号、电话、银行账号须设为文本格式后再填写：以数字格式填写的会被拒收，因为表格软件只保留15位有效数字。"
    "带 * 的列为必填列。",
    "八、文件中每个带有本模板必填列的工作表都会导入；其他工作表、模板以外的列、没有列名的列（如合并了列名单元格）"
    "不会读取，导入结果和错误表的“未读取”页会逐一列出。",
)


def chinese(label: Any) -> str:
    """A coded value's label as the file shows it (Chinese, whatever the page's language)."""
    with translation.override("zh-hans"):
        return str(label)


def choice_labels(choices: type[models.TextChoices]) -> list[str]:
    with translation.override("zh-hans"):
        return [str(label) for label in choices.labels]


@cache
def _labels(choices: type[models.TextChoices]) -> dict[str, str]:
    """Code -> Chinese label; cached because an export asks for it on every cell."""
    return dict(zip(choices.values, choice_labels(choices), strict=True))


def cell_text(value: Any) -> str:
    """A cell as text: numbers typed into a text column come back from calamine as floats."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return str(value).strip()


def display(column: Column, value: Any) -> Any:
    """A stored value as written into a file: labels for codes, 是/否, numbers as numbers."""
    if value is None or value == "":
        return None
    if column.kind == "choice":
        assert column.choices is not None
        return _labels(column.choices).get(value, value)
    if column.kind == "causes":
        assert column.choices is not None
        labels = _labels(column.choices)
        return "、".join(labels[v] for v in value if v in labels) or None
    if column.kind == "bool":
        return YES if value else NO
    if column.kind in ("decimal", "amount") and isinstance(value, Decimal):
        # Written with the two places the form keeps and a format showing them, so a sheet
        # reads 1,234.50 and never a float's tail; zero stays a falsy 0, which the roster leaves
        # empty as before.
        return Figure(value, 2) if value else 0
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
