"""The documented schema of every department feed (部门数据接口规范), declared once.

Each source lists its columns: the Chinese header a department writes in its file, the English
key an API client sends (also accepted as a header), whether the value is required (for which
kinds of event), and the ``FeedRecord`` field it fills. The upload reader, the API, the schema
page, the CSV templates and docs/feeds.md all read these declarations, so they cannot drift
apart.

Coded values are stored as short English codes (``FeedRecord.code``) that screening rules read;
departments write them as they appear in their own systems (低保, C级, 二级), and the Chinese
forms below are all accepted.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fupin.feeds.models import EventKind, Source

# What a column holds, and so how its cells are checked.
ID, KIND, DATE, YEAR, AMOUNT, CHOICE, TEXT = "id", "kind", "date", "year", "amount", "choice", "text"
TEXT_MAX = 100


@dataclass(frozen=True)
class Choice:
    code: str  # stored in the record
    label: str  # as written in a department's file
    aliases: tuple[str, ...] = ()  # other spellings seen in departments' exports


@dataclass(frozen=True)
class Column:
    key: str  # the API's field name; also accepted as a header
    label: str  # the Chinese header of the upload
    type: str  # ID, KIND, DATE, YEAR, AMOUNT, CHOICE or TEXT
    target: str  # the FeedRecord field it fills ("" for the ID number, which is hashed)
    help: str | Promise
    # The event kinds this value must be given for; empty: optional for every kind.
    required_for: frozenset[str] = frozenset()
    choices: tuple[Choice, ...] = ()
    aliases: tuple[str, ...] = ()  # other headers seen in departments' exports

    def required(self, kind: str) -> bool:
        return kind in self.required_for

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.label, self.key, *self.aliases)

    def choice_map(self) -> dict[str, str]:
        """Every accepted spelling (folded as ``fold`` does) to its code."""
        out: dict[str, str] = {}
        for choice in self.choices:
            for text in (choice.code, choice.label, *choice.aliases):
                out[fold(text)] = choice.code
        return out


@dataclass(frozen=True)
class SourceSchema:
    source: Source
    title: str  # the department as departments call it
    kinds: tuple[EventKind, ...]
    columns: tuple[Column, ...]
    note: str | Promise = ""
    kind_column: Column | None = field(default=None)

    def __post_init__(self) -> None:
        # One kind needs no column to say which; several need one, and it comes first after
        # the ID number so a department sees it.
        kinds = [c for c in self.columns if c.type == KIND]
        assert (len(self.kinds) > 1) == bool(kinds), self.source
        object.__setattr__(self, "kind_column", kinds[0] if kinds else None)

    @property
    def label(self) -> str:
        return str(self.source.label)

    def required_keys(self) -> list[str]:
        """Columns every file of this source must have: the ID number, the kind where there are
        several, and what every kind needs. A column only some kinds need may be left out of a
        file that has none of those kinds; its rows are checked one by one."""
        every = {k.value for k in self.kinds}
        return [c.key for c in self.columns if c.type in (ID, KIND) or c.required_for >= every]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def fold(text: str) -> str:
    """One spelling for comparing headers and codes: full-width folded, blanks dropped, a
    trailing * (the template's mark for required columns) removed, Latin letters lowercased."""
    value = unicodedata.normalize("NFKC", text or "").strip().rstrip("*").strip()
    return "".join(value.split()).lower()


def _all(*kinds: EventKind) -> frozenset[str]:
    return frozenset(k.value for k in kinds)


# Every source sends the person's ID number; it is hashed on arrival and never stored.
ID_COLUMN = Column(
    "id_number",
    "身份证号",
    ID,
    "",
    _("Resident ID number (18 characters). Hashed on arrival; the number itself is never stored."),
    aliases=("公民身份号码", "身份证号码", "证件号码"),
)


def _year_column() -> Column:
    return Column(
        "year",
        "年度",
        YEAR,
        "year",
        _("The year the row is about; if left empty, the year of the date, else of the batch's period."),
        aliases=("年份",),
    )


MEDICAL = SourceSchema(
    Source.MEDICAL,
    "医保局",
    (EventKind.HOSPITAL_STAY, EventKind.YEARLY_OUT_OF_POCKET),
    (
        ID_COLUMN,
        Column(
            "kind",
            "类型",
            KIND,
            "kind",
            _("What the row reports: one hospital stay, or a person's out-of-pocket total for a year."),
            required_for=_all(EventKind.HOSPITAL_STAY, EventKind.YEARLY_OUT_OF_POCKET),
            choices=(
                Choice(EventKind.HOSPITAL_STAY.value, "住院", ("住院结算",)),
                Choice(EventKind.YEARLY_OUT_OF_POCKET.value, "年度自付", ("年度累计", "全年自付")),
            ),
            aliases=("记录类型",),
        ),
        Column(
            "date",
            "结算日期",
            DATE,
            "event_date",
            _("Settlement (discharge) date of the stay."),
            required_for=_all(EventKind.HOSPITAL_STAY),
            aliases=("出院日期",),
        ),
        Column(
            "out_of_pocket",
            "三重保障后自付金额",
            AMOUNT,
            "amount",
            _(
                "Yuan the person paid after basic insurance, serious-illness insurance and medical "
                "assistance (the three layers)."
            ),
            required_for=_all(EventKind.HOSPITAL_STAY, EventKind.YEARLY_OUT_OF_POCKET),
            aliases=("个人自付金额", "自付金额", "政策范围外自付"),
        ),
        _year_column(),
    ),
    _("Monthly: every settled stay; yearly: each insured person's total out of pocket."),
)

CIVIL_AFFAIRS = SourceSchema(
    Source.CIVIL_AFFAIRS,
    "民政局",
    (EventKind.ASSISTANCE_STATUS,),
    (
        ID_COLUMN,
        Column(
            "status",
            "救助类别",
            CHOICE,
            "code",
            _("The assistance the person receives."),
            required_for=_all(EventKind.ASSISTANCE_STATUS),
            choices=(
                Choice("dibao", "低保", ("最低生活保障", "农村低保")),
                Choice("tekun", "特困", ("特困供养", "特困人员")),
                Choice("marginal", "低保边缘", ("低保边缘家庭", "低边")),
            ),
            aliases=("救助类型", "保障类别"),
        ),
        Column(
            "date",
            "认定日期",
            DATE,
            "event_date",
            _("When the status was granted."),
            aliases=("起始日期", "审批日期"),
        ),
        Column(
            "monthly_amount",
            "月救助金额",
            AMOUNT,
            "amount",
            _("Yuan paid per month, if any."),
            aliases=("月保障金额",),
        ),
        _year_column(),
    ),
    _("Everyone holding the status in the period, one row per person."),
)

EDUCATION = SourceSchema(
    Source.EDUCATION,
    "教育局",
    (EventKind.DROPOUT, EventKind.STUDENT_AID),
    (
        ID_COLUMN,
        Column(
            "kind",
            "类型",
            KIND,
            "kind",
            _("What the row reports: a pupil who left school, or aid paid to a student."),
            required_for=_all(EventKind.DROPOUT, EventKind.STUDENT_AID),
            choices=(
                Choice(EventKind.DROPOUT.value, "辍学", ("失学", "失学辍学")),
                Choice(EventKind.STUDENT_AID.value, "资助", ("学生资助",)),
            ),
            aliases=("记录类型",),
        ),
        Column(
            "stage",
            "学段",
            CHOICE,
            "code",
            _("School stage."),
            choices=(
                Choice("preschool", "学前", ("学前教育", "幼儿园")),
                Choice("primary", "小学"),
                Choice("junior", "初中"),
                Choice("senior", "高中", ("普通高中",)),
                Choice("vocational", "中职", ("中等职业",)),
                Choice("college", "高职", ("专科",)),
                Choice("university", "本科"),
                Choice("postgraduate", "研究生"),
            ),
        ),
        Column(
            "date",
            "日期",
            DATE,
            "event_date",
            _("When the pupil left school, or when the aid was paid."),
            required_for=_all(EventKind.DROPOUT),
            aliases=("辍学日期", "发放日期"),
        ),
        Column(
            "amount",
            "资助金额",
            AMOUNT,
            "amount",
            _("Yuan of aid paid."),
            required_for=_all(EventKind.STUDENT_AID),
        ),
        Column(
            "programme",
            "资助项目",
            TEXT,
            "detail",
            _("The aid programme, e.g. 国家助学金 (at most 100 characters)."),
        ),
        _year_column(),
    ),
)

HOUSING = SourceSchema(
    Source.HOUSING,
    "住建局",
    (EventKind.HOUSE_RATING,),
    (
        ID_COLUMN,
        Column(
            "rating",
            "鉴定等级",
            CHOICE,
            "code",
            _("House safety rating: A and B are safe, C and D are dangerous houses."),
            required_for=_all(EventKind.HOUSE_RATING),
            choices=(
                Choice("A", "A", ("A级",)),
                Choice("B", "B", ("B级",)),
                Choice("C", "C", ("C级",)),
                Choice("D", "D", ("D级",)),
            ),
            aliases=("安全等级", "房屋安全等级"),
        ),
        Column(
            "date",
            "鉴定日期",
            DATE,
            "event_date",
            _("When the house was assessed."),
            aliases=("评定日期",),
        ),
        _year_column(),
    ),
    _("The owner's ID number: the rating belongs to the owner's household."),
)

DISABILITY = SourceSchema(
    Source.DISABILITY,
    "残联",
    (EventKind.DISABILITY_CERTIFICATE,),
    (
        ID_COLUMN,
        Column(
            "grade",
            "残疾等级",
            CHOICE,
            "code",
            _("Grade on the certificate, 1 (most severe) to 4."),
            required_for=_all(EventKind.DISABILITY_CERTIFICATE),
            choices=(
                Choice("1", "一级", ("1级",)),
                Choice("2", "二级", ("2级",)),
                Choice("3", "三级", ("3级",)),
                Choice("4", "四级", ("4级",)),
            ),
        ),
        Column(
            "category",
            "残疾类别",
            CHOICE,
            "detail",
            _("Kind of disability."),
            choices=(
                Choice("visual", "视力", ("视力残疾",)),
                Choice("hearing", "听力", ("听力残疾",)),
                Choice("speech", "言语", ("言语残疾",)),
                Choice("physical", "肢体", ("肢体残疾",)),
                Choice("intellectual", "智力", ("智力残疾",)),
                Choice("mental", "精神", ("精神残疾",)),
                Choice("multiple", "多重", ("多重残疾",)),
            ),
            aliases=("残疾类型",),
        ),
        Column(
            "date",
            "发证日期",
            DATE,
            "event_date",
            _("When the certificate was issued."),
            aliases=("办证日期",),
        ),
        _year_column(),
    ),
    _("Every valid certificate (第二代残疾人证), one row per person."),
)

HUMAN_RESOURCES = SourceSchema(
    Source.HUMAN_RESOURCES,
    "人社局",
    (EventKind.UNEMPLOYMENT, EventKind.PENSION),
    (
        ID_COLUMN,
        Column(
            "kind",
            "类型",
            KIND,
            "kind",
            _("What the row reports: registered unemployment, or a pension being paid."),
            required_for=_all(EventKind.UNEMPLOYMENT, EventKind.PENSION),
            choices=(
                Choice(EventKind.UNEMPLOYMENT.value, "失业", ("失业登记",)),
                Choice(EventKind.PENSION.value, "养老金", ("养老保险待遇", "养老")),
            ),
            aliases=("记录类型",),
        ),
        Column(
            "date",
            "日期",
            DATE,
            "event_date",
            _("Date of the unemployment registration, or when the pension was first paid."),
            required_for=_all(EventKind.UNEMPLOYMENT),
            aliases=("登记日期", "发放日期"),
        ),
        Column(
            "monthly_amount",
            "月金额",
            AMOUNT,
            "amount",
            _("Yuan per month: the pension, or the unemployment benefit if one is paid."),
            required_for=_all(EventKind.PENSION),
            aliases=("月领取金额", "月发放金额"),
        ),
        _year_column(),
    ),
)

EMERGENCY = SourceSchema(
    Source.EMERGENCY,
    "应急管理局",
    (EventKind.DISASTER_LOSS,),
    (
        ID_COLUMN,
        Column(
            "disaster",
            "灾害类型",
            CHOICE,
            "code",
            _("The kind of disaster."),
            required_for=_all(EventKind.DISASTER_LOSS),
            choices=(
                Choice("flood", "洪涝", ("洪水", "暴雨")),
                Choice("drought", "干旱", ("旱灾",)),
                Choice("typhoon", "台风"),
                Choice("hail", "风雹", ("冰雹", "大风")),
                Choice("frost", "低温冷冻", ("冰冻", "雪灾", "低温雨雪冰冻")),
                Choice("earthquake", "地震"),
                Choice("geological", "地质灾害", ("滑坡", "泥石流", "崩塌")),
                Choice("fire", "火灾", ("森林火灾", "森林草原火灾")),
                Choice("other", "其他"),
            ),
            aliases=("灾种",),
        ),
        Column(
            "date",
            "受灾日期",
            DATE,
            "event_date",
            _("When the disaster struck the household."),
            required_for=_all(EventKind.DISASTER_LOSS),
            aliases=("灾害日期",),
        ),
        Column(
            "loss",
            "直接经济损失",
            AMOUNT,
            "amount",
            _("The household's direct economic loss in yuan."),
            required_for=_all(EventKind.DISASTER_LOSS),
            aliases=("损失金额", "经济损失"),
        ),
        _year_column(),
    ),
    _("The head's (or any member's) ID number: the loss belongs to the household."),
)

PUBLIC_SECURITY = SourceSchema(
    Source.PUBLIC_SECURITY,
    "公安局",
    (EventKind.DEATH,),
    (
        ID_COLUMN,
        Column(
            "date",
            "死亡日期",
            DATE,
            "event_date",
            _("Date of death, as registered."),
            required_for=_all(EventKind.DEATH),
            aliases=("注销日期",),
        ),
        _year_column(),
    ),
    _("Deaths registered in the household register (户籍注销) in the period."),
)

SCHEMAS: dict[str, SourceSchema] = {
    s.source.value: s
    for s in (
        MEDICAL,
        CIVIL_AFFAIRS,
        EDUCATION,
        HOUSING,
        DISABILITY,
        HUMAN_RESOURCES,
        EMERGENCY,
        PUBLIC_SECURITY,
    )
}
assert set(SCHEMAS) == set(Source.values)


def schema_for(source: str) -> SourceSchema | None:
    return SCHEMAS.get(source)
