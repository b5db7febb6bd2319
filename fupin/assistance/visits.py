"""The home-visit minimum (走访): which households had fewer visits this year than their
village's ``visits_per_year`` setting, and which are behind schedule so far in the year.

Households counted: registered poor or monitored ones, and any household with an active cadre
pairing (干部包户: the cadre answers for it whatever its status). The village's minimum is the
local setting, which a county, township or village may set for itself and everything below;
it is written into the query as one CASE over area prefixes, so the households, their visit
counts and the comparison with the minimum come from one aggregate query.

"Behind schedule" spreads the minimum over the year by whole months elapsed: with 4 visits a
year, by the end of March ceil(4 × 3 / 12) = 1 visit is expected. The month under way is not
counted, so nobody is behind on the 1st of January.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Exists, F, IntegerField, Max, OuterRef, Q, Subquery, Value, When
from django.utils import timezone, translation

from fupin.areas.models import PREFIX_LENGTH, Area, AreaSetting, Level, prefix_range
from fupin.assistance.common import active_pairing_q
from fupin.cases.area_settings import SPECS, lineage
from fupin.core.xlsx import open_book, write_cells
from fupin.pairing.models import Pairing, PairingKind
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household
from fupin.registry.queries import households_within

KEY = "visits_per_year"
COUNTED_STATUSES = (HouseholdStatus.POOR, HouseholdStatus.MONITORED)


@dataclass
class VisitRow:
    household: Household
    visits: int  # this year so far
    last_visit: dt.date | None  # the latest visit ever recorded
    minimum: int  # the village's visits_per_year
    expected: int  # visits expected by now
    cadre: str  # the paired cadre's name, if any

    @property
    def behind(self) -> bool:
        return self.visits < self.expected

    @property
    def missing(self) -> int:
        return self.minimum - self.visits


def months_elapsed(year: int, today: dt.date) -> int:
    """Whole months of ``year`` already over on ``today``."""
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month - 1


def expected_so_far(minimum: int, months: int) -> int:
    """ceil(minimum × months / 12), in integers."""
    return -(-minimum * months // 12)


def minimum_for(area: Area) -> Any:
    """The visits_per_year of each household's village inside ``area``, as a database
    expression: the nearest setting at village level or above wins, as in ``setting_for``.

    A setting on a village group is not read: the minimum is the village's (a group has no
    cadres of its own)."""
    village = area.code[:12]
    ancestry = lineage(village)
    rows = AreaSetting.objects.filter(key=KEY).filter(
        Q(area_id__in=ancestry) | (prefix_range(area.prefix, "area_id") & Q(area__level__lte=Level.VILLAGE))
    )
    found = {code: int(value) for code, value in rows.values_list("area_id", "value")}
    levels = dict(Area.objects.filter(code__in=list(found)).values_list("code", "level"))
    default = next((found[code] for code in ancestry if code in found), int(SPECS[KEY].default))
    # Settings strictly inside the area, the most specific (longest prefix) first.
    inner = sorted(
        (
            (code[: PREFIX_LENGTH[levels[code]]], value)
            for code, value in found.items()
            if code not in ancestry
        ),
        key=lambda item: -len(item[0]),
    )
    if not inner:
        return Value(default, output_field=IntegerField())
    return Case(
        *[When(prefix_range(prefix, "area_id"), then=Value(value)) for prefix, value in inner],
        default=Value(default),
        output_field=IntegerField(),
    )


def counted_households(user: Any, area: Area, today: dt.date | None = None) -> Any:
    """The households the minimum applies to, inside ``area``."""
    paired = Pairing.objects.filter(
        active_pairing_q(today), household=OuterRef("pk"), kind=PairingKind.CADRE_HOUSEHOLD
    )
    return households_within(user, area).filter(Q(status__in=COUNTED_STATUSES) | Exists(paired))


def visit_minimum(
    user: Any,
    area: Area,
    year: int,
    *,
    today: dt.date | None = None,
    helper: Any = None,
) -> list[VisitRow]:
    """Households inside ``area`` with fewer visits in ``year`` than their minimum, those
    behind schedule first, then the fewest visits. ``helper``: only the households paired
    to that user (a cadre's or first secretary's own list)."""
    today = today or timezone.localdate()
    in_year = Q(visits__day__gte=dt.date(year, 1, 1), visits__day__lte=dt.date(year, 12, 31))
    cadre = Pairing.objects.filter(
        active_pairing_q(today), household=OuterRef("pk"), kind=PairingKind.CADRE_HOUSEHOLD
    ).order_by("started_on", "pk")
    qs = counted_households(user, area, today)
    if helper is not None:
        mine = Pairing.objects.filter(active_pairing_q(today), household=OuterRef("pk"), helper_user=helper)
        qs = qs.filter(Exists(mine))
    qs = (
        qs.select_related("area")
        .annotate(
            n_visits=Count("visits", filter=in_year),
            last_visit=Max("visits__day"),
            minimum=minimum_for(area),
            cadre=Subquery(cadre.values("helper_name")[:1]),
        )
        .filter(n_visits__lt=F("minimum"))
        .order_by("area_id", "number")
    )
    months = months_elapsed(year, today)
    rows = [
        VisitRow(
            household=h,
            visits=h.n_visits,
            last_visit=h.last_visit,
            minimum=h.minimum,
            expected=expected_so_far(h.minimum, months),
            cadre=h.cadre or "",
        )
        for h in qs
    ]
    rows.sort(key=lambda r: (not r.behind, r.visits - r.expected, r.visits))
    return rows


# --- the export ---------------------------------------------------------------------------

HEADERS = [
    "户编号",
    "户主姓名",
    "所在村(组)",
    "区划代码",
    "户状态",
    "帮扶责任人",
    "本年走访次数",
    "全年最少次数",
    "截至目前应走访",
    "进度滞后",
    "最近走访日期",
]


def visits_workbook(area: Area, year: int, rows: list[VisitRow], today: dt.date) -> bytes:
    """The list as .xlsx, headers in Chinese whatever the reader's language (it goes to a
    township meeting); no ID number, phone or account, only what the page shows."""
    with translation.override("zh-hans"):
        out = io.BytesIO()
        book = open_book(out)
        sheet = book.add_worksheet("走访未达标")
        bold = book.add_format({"bold": True})
        write_cells(sheet, 0, ["地区", area.name, "年度", year, "统计日期", today.isoformat()])
        for col, title in enumerate(HEADERS):
            sheet.write_string(2, col, title, bold)
        for i, r in enumerate(rows, start=3):
            h = r.household
            write_cells(
                sheet,
                i,
                [
                    h.number,
                    h.head_name,
                    h.area.name,
                    h.area_id,
                    str(h.get_status_display()),
                    r.cadre,
                    r.visits,
                    r.minimum,
                    r.expected,
                    "是" if r.behind else "否",
                    r.last_visit.isoformat() if r.last_visit else "",
                ],
            )
        sheet.set_column(0, 0, 22)
        sheet.set_column(2, 2, 16)
        sheet.set_column(3, 3, 16)
        book.close()
        return out.getvalue()
