"""The screening rules (部门筛查预警规则): each one SQL text, run unchanged by DuckDB and by Spark.

A rule reads the snapshot's tables by name and returns one row per household and period it
flags: ``household_id``, ``rule``, ``period``, then the evidence the reviewer reads. What a
county may change is a rule's parameters (``rule_params``) and the yearly thresholds
(``lines``), never its text, so both engines always run the same definition.

The tables (written by ``screening.snapshot``; one screening year Y per snapshot):

- ``households``: household_id BIGINT, area_code, county_code, province_code, status STRING,
  income_fen / income_prev_fen BIGINT (per-capita net income of Y and of Y-1, in fen; NULL if
  not recorded)
- ``members``: member_id, household_id BIGINT, birth_date DATE, health, labour_capacity STRING,
  left_on DATE (NULL while the member lives in the household)
- ``feeds``: household_id, member_id BIGINT, source, kind STRING, year INT, event_date DATE,
  month STRING ("2024-03", NULL without a date), amount_fen BIGINT, code STRING. Only rows of
  year Y that are matched to a household in the screened area.
- ``rule_params``: county_code, rule STRING, enabled BOOLEAN, one DOUBLE column per parameter
  name (NULL where the rule has no such parameter)
- ``lines``: province_code STRING, year INT, threshold DOUBLE (yuan; the monitoring range)
- ``run_info``: year INT, period STRING (one row)

Writing rules in the common subset of the two dialects (each trap was met while writing these):

- Money is whole fen in BIGINT. Sums of integers are exact in any order; sums of doubles are
  not, and the two engines add in different orders, so a total near a threshold could flag on
  one engine and not the other. Parameters stay in yuan and are scaled in the comparison.
- Never ``CAST(double AS INT)`` to truncate: DuckDB rounds (2.7 → 3), Spark truncates. Use
  ``FLOOR`` first.
- DuckDB's ``SUM(BIGINT)`` is a 128-bit HUGEINT, Spark's a BIGINT: cast sums to BIGINT.
- No engine-only functions (``date_diff``, ``strftime``, ``months_between``...): an age is
  compared as yyyymmdd integers built from ``year``/``month``/``dayofmonth``.
- Spark 4 runs in ANSI mode: compare like with like, no implicit string/number casts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# Statuses treated as already supported by policy (脱贫户, and the registered poor and monitored
# households): the medical rule's lower threshold applies to them (domain.md §5, "> 6000 元 for
# monitored households, > 10000 元 for other rural residents").
SUPPORTED_STATUSES = ("poor", "exited", "monitored")


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    unit: str
    default: Decimal
    minimum: Decimal
    maximum: Decimal
    description: str
    whole: bool = False  # ages and the like: whole numbers only


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    description: str
    sql: str
    params: tuple[Param, ...] = ()
    # Builds the alert's one-line summary from its evidence (money already in yuan).
    summary: Callable[[str, dict[str, Any]], str] = field(default=lambda period, e: "")
    # A cross-parameter check: returns False when the values do not make sense together.
    consistent: Callable[[dict[str, Decimal]], bool] = field(default=lambda values: True)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def defaults(self) -> dict[str, Decimal]:
        return {p.name: p.default for p in self.params}


def _yuan(value: Any) -> str:
    return "—" if value is None else f"{value:,}"


def _pct(value: Any) -> str:
    number = Decimal(str(value)).normalize()
    return f"{number:f}"


INCOME_BELOW_LINE = Rule(
    key="income_below_line",
    label="收入低于监测范围",
    description=(
        "尚未纳入监测、也不是在册贫困户的家庭，最近一年（本年，没有则上年）家庭人均纯收入低于"
        "本省当年的防返贫监测范围（全国底线与本省标准取高者）。"
    ),
    sql="""
SELECT h.household_id,
       'income_below_line' AS rule,
       r.period AS period,
       CASE WHEN h.income_fen IS NULL THEN r.year - 1 ELSE r.year END AS income_year,
       COALESCE(h.income_fen, h.income_prev_fen) AS income_fen,
       l.threshold AS threshold
FROM households h
JOIN rule_params p ON p.county_code = h.county_code AND p.rule = 'income_below_line' AND p.enabled
JOIN lines l ON l.province_code = h.province_code
CROSS JOIN run_info r
WHERE h.status NOT IN ('poor', 'monitored')
  AND COALESCE(h.income_fen, h.income_prev_fen) < l.threshold * 100
""",
    summary=lambda period, e: (
        f"{e['income_year']}年家庭人均纯收入 {_yuan(e['income'])} 元，"
        f"低于{period}年监测范围 {_yuan(e['threshold'])} 元"
    ),
)

HOSPITAL_STAY = Rule(
    key="hospital_stay",
    label="大额住院自付",
    description=(
        "医保报送的一次住院经基本医保、大病保险、医疗救助三重保障后个人自付超过限额："
        "脱贫户、在册贫困户和监测户用较低限额，其他农户用较高限额。按住院月份预警。"
    ),
    params=(
        Param(
            "amount_supported",
            "脱贫户和监测户限额",
            "元",
            Decimal("6000"),
            Decimal("500"),
            Decimal("200000"),
            "脱贫户、在册贫困户、监测户一次住院自付超过此数即预警",
        ),
        Param(
            "amount_other",
            "其他农户限额",
            "元",
            Decimal("10000"),
            Decimal("500"),
            Decimal("200000"),
            "其他农户一次住院自付超过此数即预警",
        ),
    ),
    sql="""
WITH stays AS (
  SELECT f.household_id,
         COALESCE(f.month, r.period) AS period,
         f.amount_fen,
         CASE WHEN h.status IN ('poor', 'exited', 'monitored') THEN p.amount_supported
              ELSE p.amount_other END AS threshold
  FROM feeds f
  JOIN households h ON h.household_id = f.household_id
  JOIN rule_params p ON p.county_code = h.county_code AND p.rule = 'hospital_stay' AND p.enabled
  CROSS JOIN run_info r
  WHERE f.kind = 'hospital_stay' AND f.amount_fen IS NOT NULL
)
SELECT household_id,
       'hospital_stay' AS rule,
       period,
       MAX(amount_fen) AS amount_fen,
       COUNT(*) AS stays,
       MAX(threshold) AS threshold
FROM stays
WHERE amount_fen > threshold * 100
GROUP BY household_id, period
""",
    summary=lambda period, e: (
        f"{period} 一次住院个人自付 {_yuan(e['amount'])} 元，超过 {_yuan(e['threshold'])} 元"
        + (f"（当月共 {e['stays']} 次超限）" if e["stays"] > 1 else "")
    ),
)

YEARLY_MEDICAL = Rule(
    key="yearly_medical",
    label="年度医疗自付过高",
    description="医保报送的家庭全年医疗费用个人自付合计超过上年农村居民人均可支配收入的一定比例。",
    params=(
        Param(
            "share_pct",
            "占上年收入比例",
            "%",
            Decimal("50"),
            Decimal("1"),
            Decimal("500"),
            "全年自付合计超过上年农村居民人均可支配收入的这个百分比即预警",
        ),
        Param(
            "rural_income",
            "上年农村居民人均可支配收入",
            "元",
            # NBS, 2023 statistical communiqué: 21,691 yuan nationally. A province enters its
            # own figure each year (Qinghai 2020: 12,342, hence its 6,171 line in domain.md §5).
            Decimal("21691"),
            Decimal("1000"),
            Decimal("200000"),
            "每年按本省统计公报填写；默认为全国2023年数 21691 元",
        ),
    ),
    sql="""
WITH spent AS (
  SELECT household_id, CAST(SUM(amount_fen) AS BIGINT) AS amount_fen, COUNT(*) AS records
  FROM feeds
  WHERE kind = 'yearly_oop' AND amount_fen IS NOT NULL
  GROUP BY household_id
)
SELECT s.household_id,
       'yearly_medical' AS rule,
       r.period AS period,
       s.amount_fen,
       s.records,
       p.share_pct,
       p.rural_income
FROM spent s
JOIN households h ON h.household_id = s.household_id
JOIN rule_params p ON p.county_code = h.county_code AND p.rule = 'yearly_medical' AND p.enabled
CROSS JOIN run_info r
WHERE s.amount_fen > p.share_pct * p.rural_income
""",
    summary=lambda period, e: (
        f"{period}年家庭医疗个人自付合计 {_yuan(e['amount'])} 元，超过上年农村居民人均可支配收入 "
        f"{_yuan(e['rural_income'])} 元的 {_pct(e['share_pct'])}%"
    ),
)

DROPOUT = Rule(
    key="dropout",
    label="义务教育辍学",
    description="教育部门报送家庭成员当年辍学。",
    sql="""
SELECT f.household_id,
       'dropout' AS rule,
       r.period AS period,
       COUNT(*) AS records
FROM feeds f
JOIN households h ON h.household_id = f.household_id
JOIN rule_params p ON p.county_code = h.county_code AND p.rule = 'dropout' AND p.enabled
CROSS JOIN run_info r
WHERE f.kind = 'dropout'
GROUP BY f.household_id, r.period
""",
    summary=lambda period, e: f"{period}年教育部门报告家庭成员辍学（{e['records']} 条记录）",
)

HOUSE_UNSAFE = Rule(
    key="house_unsafe",
    label="住房鉴定为C级或D级",
    description="住建部门报送的农房安全性鉴定为C级（局部危房）或D级（整栋危房）。",
    sql="""
SELECT f.household_id,
       'house_unsafe' AS rule,
       r.period AS period,
       MAX(UPPER(TRIM(f.code))) AS rating
FROM feeds f
JOIN households h ON h.household_id = f.household_id
JOIN rule_params p ON p.county_code = h.county_code AND p.rule = 'house_unsafe' AND p.enabled
CROSS JOIN run_info r
WHERE f.kind = 'house_rating' AND UPPER(TRIM(f.code)) IN ('C', 'D')
GROUP BY f.household_id, r.period
""",
    summary=lambda period, e: f"{period}年住房安全性鉴定为 {e['rating']} 级",
)

NEW_DISABILITY = Rule(
    key="new_disability",
    label="新增残疾",
    description="残联报送家庭成员当年办理残疾证，而户籍档案中此人尚未登记为残疾。",
    sql="""
SELECT f.household_id,
       'new_disability' AS rule,
       r.period AS period,
       COUNT(*) AS records,
       MIN(NULLIF(TRIM(f.code), '')) AS grade
FROM feeds f
JOIN households h ON h.household_id = f.household_id
JOIN rule_params p ON p.county_code = h.county_code AND p.rule = 'new_disability' AND p.enabled
LEFT JOIN members m ON m.member_id = f.member_id
CROSS JOIN run_info r
WHERE f.kind = 'disability' AND (m.health IS NULL OR m.health <> 'disabled')
GROUP BY f.household_id, r.period
""",
    summary=lambda period, e: (
        f"{period}年家庭成员新办残疾证" + (f"（{e['grade']}级）" if e.get("grade") else "")
    ),
)

WORKING_AGE_DEATH = Rule(
    key="working_age_death",
    label="劳动年龄成员死亡",
    description="公安（户籍）报送家庭成员死亡，死亡时处于劳动年龄，且死亡前仍在本户。",
    params=(
        Param(
            "min_age",
            "劳动年龄下限",
            "周岁",
            Decimal("16"),
            Decimal("14"),
            Decimal("40"),
            "死亡时年满此岁数",
            whole=True,
        ),
        Param(
            "max_age",
            "劳动年龄上限",
            "周岁",
            Decimal("60"),
            Decimal("30"),
            Decimal("75"),
            "死亡时未满此岁数",
            whole=True,
        ),
    ),
    sql="""
WITH deaths AS (
  SELECT f.household_id,
         COALESCE(year(f.event_date) * 10000 + month(f.event_date) * 100 + dayofmonth(f.event_date),
                  f.year * 10000 + 701)
           - (year(m.birth_date) * 10000 + month(m.birth_date) * 100 + dayofmonth(m.birth_date)) AS age_ymd,
         p.min_age,
         p.max_age
  FROM feeds f
  JOIN members m ON m.member_id = f.member_id
  JOIN households h ON h.household_id = f.household_id
  JOIN rule_params p ON p.county_code = h.county_code AND p.rule = 'working_age_death' AND p.enabled
  WHERE f.kind = 'death'
    AND (m.left_on IS NULL OR f.event_date IS NULL OR m.left_on >= f.event_date)
)
SELECT d.household_id,
       'working_age_death' AS rule,
       r.period AS period,
       COUNT(*) AS deaths,
       MIN(CAST(FLOOR(d.age_ymd / 10000) AS INT)) AS age
FROM deaths d
CROSS JOIN run_info r
WHERE d.age_ymd >= d.min_age * 10000 AND d.age_ymd < d.max_age * 10000
GROUP BY d.household_id, r.period
""",
    summary=lambda period, e: (
        f"{period}年劳动年龄家庭成员死亡（{e['age']} 岁）"
        + (f"，共 {e['deaths']} 人" if e["deaths"] > 1 else "")
    ),
    consistent=lambda v: v["min_age"] < v["max_age"],
)

DISASTER_LOSS = Rule(
    key="disaster_loss",
    label="受灾损失",
    description="应急部门报送家庭当年因灾损失合计超过限额。",
    params=(
        Param(
            "min_loss",
            "损失限额",
            "元",
            # domain.md gives no figure; about a quarter of a four-person household's income
            # at the monitoring range.
            Decimal("10000"),
            Decimal("0"),
            Decimal("10000000"),
            "全年因灾损失合计超过此数即预警",
        ),
    ),
    sql="""
WITH losses AS (
  SELECT household_id, CAST(SUM(amount_fen) AS BIGINT) AS amount_fen, COUNT(*) AS records
  FROM feeds
  WHERE kind = 'disaster_loss' AND amount_fen IS NOT NULL
  GROUP BY household_id
)
SELECT s.household_id,
       'disaster_loss' AS rule,
       r.period AS period,
       s.amount_fen,
       s.records,
       p.min_loss AS threshold
FROM losses s
JOIN households h ON h.household_id = s.household_id
JOIN rule_params p ON p.county_code = h.county_code AND p.rule = 'disaster_loss' AND p.enabled
CROSS JOIN run_info r
WHERE s.amount_fen > p.min_loss * 100
""",
    summary=lambda period, e: (
        f"{period}年因灾损失合计 {_yuan(e['amount'])} 元，超过 {_yuan(e['threshold'])} 元"
    ),
)

INCOME_DROP = Rule(
    key="income_drop",
    label="收入大幅下降",
    description="家庭人均纯收入比上年下降超过设定比例（两年都有收入记录时）。",
    params=(
        Param(
            "share_pct",
            "下降比例",
            "%",
            # domain.md gives no figure ("a sharp income fall"); 30% is a reviewable default.
            Decimal("30"),
            Decimal("1"),
            Decimal("99"),
            "人均纯收入比上年下降超过这个百分比即预警",
        ),
    ),
    sql="""
SELECT h.household_id,
       'income_drop' AS rule,
       r.period AS period,
       h.income_fen,
       h.income_prev_fen,
       p.share_pct
FROM households h
JOIN rule_params p ON p.county_code = h.county_code AND p.rule = 'income_drop' AND p.enabled
CROSS JOIN run_info r
WHERE h.income_fen IS NOT NULL AND h.income_prev_fen > 0
  AND (h.income_prev_fen - h.income_fen) * 100 > p.share_pct * h.income_prev_fen
""",
    summary=lambda period, e: (
        f"{period}年家庭人均纯收入 {_yuan(e['income'])} 元，比上年 {_yuan(e['income_prev'])} 元"
        f"下降超过 {_pct(e['share_pct'])}%"
    ),
)

RULES: tuple[Rule, ...] = (
    INCOME_BELOW_LINE,
    HOSPITAL_STAY,
    YEARLY_MEDICAL,
    DROPOUT,
    HOUSE_UNSAFE,
    NEW_DISABILITY,
    WORKING_AGE_DEATH,
    DISASTER_LOSS,
    INCOME_DROP,
)
BY_KEY: dict[str, Rule] = {rule.key: rule for rule in RULES}

# What each evidence column means on an alert's page (Chinese, like the rules' labels). A key is
# named per rule where its meaning differs: share_pct is a share of income under yearly_medical
# and the drop that trips income_drop.
_EVIDENCE_COMMON: dict[str, str] = {
    "amount": "金额（元）",
    "income": "家庭人均纯收入（元）",
    "income_prev": "上年家庭人均纯收入（元）",
    "income_year": "收入年度",
    "threshold": "限额（元）",
    "records": "记录条数",
    "rating": "住房安全性鉴定等级",
    "grade": "残疾等级",
    "age": "死亡时年龄（岁）",
    "deaths": "劳动年龄死亡人数",
    "rural_income": "上年农村居民人均可支配收入（元）",
    "stays": "当月超限住院次数",
    "share_pct": "比例（%）",
}
_EVIDENCE_BY_RULE: dict[str, dict[str, str]] = {
    "income_below_line": {"threshold": "监测范围（元/人·年）"},
    "hospital_stay": {"amount": "一次住院个人自付（元）", "threshold": "个人自付限额（元）"},
    "yearly_medical": {
        "amount": "家庭医疗个人自付合计（元）",
        "share_pct": "自付占上年农村居民人均可支配收入的比例限额（%）",
    },
    "dropout": {"records": "辍学记录条数"},
    "disaster_loss": {"amount": "因灾损失合计（元）", "threshold": "损失限额（元）"},
    "income_drop": {"share_pct": "下降幅度限额（%）"},
}


def evidence_labels(rule: str) -> dict[str, str]:
    return {**_EVIDENCE_COMMON, **_EVIDENCE_BY_RULE.get(rule, {})}


# Every parameter name of every rule, in a fixed order: the numeric columns of ``rule_params``.
PARAM_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(p.name for rule in RULES for p in rule.params))


def evidence_of(row: dict[str, Any]) -> dict[str, Any]:
    """A rule's evidence columns as the alert keeps them: ``*_fen`` become yuan (as strings, so
    JSON keeps them exact) under the name without the suffix; other numbers stay numbers."""
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name in ("household_id", "rule", "period"):
            continue
        if name.endswith("_fen"):
            out[name[:-4]] = None if value is None else f"{Decimal(int(value)) / 100:.2f}"
        elif isinstance(value, float):
            out[name] = float(value) if not value.is_integer() else int(value)
        else:
            out[name] = value
    return out


_MONEY_KEYS = frozenset({"amount", "income", "income_prev"})


def summary_of(rule: Rule, period: str, evidence: dict[str, Any]) -> str:
    """The alert's one line, money shown with thousands separators."""
    shown = {k: (Decimal(v) if isinstance(v, str) and k in _MONEY_KEYS else v) for k, v in evidence.items()}
    return rule.summary(period, shown)[:300]
