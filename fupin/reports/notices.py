"""The village public notice (村内公示) as a PDF.

A notice is posted on a wall where anyone can read it, so domain.md §5 forbids it to show ID
numbers, phone numbers, bank accounts or health status. That is enforced three times, each
catching what the one before cannot:

1. ``PublicNotice`` has fields for what a notice shows and nothing else, and
   ``notice_rows_from_households`` copies from a household only its head's name, its village
   group and its size: there is no field an ID number or phone could travel in by accident.
2. ``check_notice`` scans every text of the notice (title, names, reasons, issuer, contact)
   for anything that looks like an ID number, phone, bank account or health word; it runs when
   a notice is created and again before it is rendered. Free texts such as the reason are
   typed by people, and people paste whatever they have at hand.
3. ``render_public_notice`` scans the text of the rendered HTML too, so a later change to the
   template cannot print something the fields did not hold.

Any hit raises ``UnsafeNotice`` naming the field and the kind of data, never the value.

Use: ``render_public_notice(build_public_notice(village, kind, households, period_start=...))``.
``reports`` sits above ``cases`` (DESIGN.md, "Apps depend downwards only"), so the caller for a
case's notice is a page or API view (``fupin/web``, ``fupin/api``), never ``fupin/cases`` itself.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

from django.db import models
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area, Level
from fupin.core.errors import FupinError
from fupin.registry.choices import Cause, Health
from fupin.registry.models import Household
from fupin.reports.errors import ReportsError
from fupin.reports.pdf import html_to_pdf
from fupin.reports.qr import qr_svg_print

NOTICE_TEMPLATE = "reports/public_notice.html"
NOTICE_DAYS = 7  # the default period; domain.md §5 asks for at least 5


class NoticeKind(models.TextChoices):
    IDENTIFICATION = "identification", _("identification")
    EXIT = "exit", _("exit")
    MONITORING = "monitoring", _("monitoring inclusion")
    ELIMINATION = "elimination", _("risk elimination")


# What the notice says, in Chinese whatever the reader's interface language: it is posted in
# a village. The reasons are the standard wording; a case may pass its own.
TITLES: dict[str, str] = {
    NoticeKind.IDENTIFICATION: "贫困户识别纳入公示",
    NoticeKind.EXIT: "贫困户退出公示",
    NoticeKind.MONITORING: "防止返贫监测对象纳入公示",
    NoticeKind.ELIMINATION: "防止返贫监测对象风险消除公示",
}
STANDARD_REASONS: dict[str, str] = {
    NoticeKind.IDENTIFICATION: "经农户申请、入户核实、民主评议，拟识别为建档立卡贫困户",
    NoticeKind.EXIT: "人均纯收入稳定超过当年标准，两不愁三保障及饮水安全有保障，经民主评议拟退出",
    NoticeKind.MONITORING: "经入户核实、民主评议，存在返贫致贫风险，拟纳入防止返贫监测对象",
    NoticeKind.ELIMINATION: (
        "经入户核实、民主评议，收入持续稳定，两不愁三保障及饮水安全有保障，返贫致贫风险已消除，拟标注风险消除"
    ),
}


# --- the notice --------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeRow:
    """One household on the notice: nothing but these four."""

    head_name: str
    group_name: str
    household_size: int
    reason: str


@dataclass(frozen=True)
class PublicNotice:
    """Everything a notice can show. Adding a field here is adding it to a wall in the village:
    the guard scans every text field, but think before adding one."""

    title: str
    village_name: str
    village_code: str
    period_start: dt.date
    period_end: dt.date
    issuer: str
    rows: tuple[NoticeRow, ...]
    contact: str
    # A preview prints "样稿" across the top, so nobody posts a demo as the real notice.
    sample: bool = False
    # The village's self-report link (journey 7.1), printed as a QR code and in words; a QR
    # code is unreadable to the guard's eye, so it may hold this link and nothing else.
    report_url: str = ""

    def __post_init__(self) -> None:
        check_notice(self)

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days + 1


class UnsafeNotice(FupinError):
    """The notice would show personal data it must not show; nothing was rendered."""

    def __init__(self, field: str, kind: str) -> None:
        super().__init__(ReportsError.UNSAFE_NOTICE, field=field, kind=KINDS[kind])
        self.kind = kind
        # The message shows the field's label; ``field`` stays machine-readable for callers.
        self.params["field"] = _field_label(field)


class BadNotice(FupinError):
    def __init__(self, problem: str, field: str | None = None) -> None:
        super().__init__(ReportsError.BAD_NOTICE, field=field, problem=problem)


# --- the guard ---------------------------------------------------------------------------

KINDS: dict[str, Promise] = {
    "id_number": _("an ID number"),
    "mobile": _("a mobile phone number"),
    "landline": _("a landline phone number"),
    "bank_account": _("a bank account number"),
    "long_number": _("a long number (phone, ID or account)"),
    "masked_number": _("a masked ID, phone or account number"),
    "health": _("a health status"),
}

# Words that disclose a health condition, beyond the registry's own labels (read below in
# every language, so a label changed in the catalogue is still caught).
HEALTH_WORDS = (
    "大病", "重病", "慢性病", "患病", "患有", "疾病", "病残", "残疾", "残障", "伤残", "残联",
    "癌", "肿瘤", "白血病", "尿毒症", "透析", "精神病", "精神疾病", "精神障碍", "智力障碍", "智障",
    "瘫痪", "偏瘫", "失明", "聋哑", "艾滋", "住院", "手术", "化疗",
)  # fmt: skip
HEALTH_CHOICES = [Health.CHRONIC, Health.SERIOUS, Health.DISABLED, Cause.ILLNESS, Cause.DISABILITY]

# A calendar date is not a phone number: 2025-06-01 would otherwise read as 8 digits in a row.
_DATE = re.compile(r"(?<!\d)(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?!\d)")
# People write numbers in groups: "138 0013 8000", "0743-8123456", "(0743)8123456".
_GROUP_SEPARATOR = re.compile(r"(?<=[0-9*])[\s\-–—()]+(?=[0-9*])")
_MASKED = re.compile(r"[0-9Xx]*\*{2,}[0-9Xx*]*")
_DIGIT_RUN = re.compile(r"(?<![0-9])(?:\+?86)?[0-9]+[Xx]?(?![0-9])")


@lru_cache(maxsize=8)
def _health_words(language: str) -> tuple[str, ...]:
    words = set(HEALTH_WORDS)
    for lang in ("zh-hans", "en", language):
        with translation.override(lang):
            words.update(str(choice.label).lower() for choice in HEALTH_CHOICES)
    return tuple(sorted(w for w in words if w))


def _normalise(text: str) -> str:
    # NFKC turns full-width digits, X, asterisks and brackets (１３８、（０７４３）) into ASCII.
    text = unicodedata.normalize("NFKC", text)
    text = _DATE.sub(" 日期 ", text)
    return _GROUP_SEPARATOR.sub("", text)


def _classify(run: str) -> str | None:
    if run.startswith("+"):
        run = run[1:]
    digits = run.rstrip("Xx")
    n = len(digits)
    if run[-1] in "Xx" and n == 17:
        return "id_number"
    if n == 18:
        return "id_number"
    if (n == 11 and re.fullmatch(r"1[3-9]\d{9}", digits)) or (
        n == 13 and re.fullmatch(r"861[3-9]\d{9}", digits)
    ):
        return "mobile"
    if digits.startswith("0") and 10 <= n <= 12:
        return "landline"
    if n == 15:
        return "id_number"
    if 12 <= n <= 19:
        return "bank_account"
    if n in (7, 8):
        return "landline"  # a local number without its area code
    if n >= 7:
        return "long_number"
    return None


def find_sensitive(text: str, *, allowed_numbers: Iterable[str] = ()) -> str | None:
    """The kind of forbidden data ``text`` seems to hold, or None.

    ``allowed_numbers`` are public codes (the village's statistical code) that may appear.
    Deliberately strict: a false alarm costs a clerk one edit; a leak cannot be taken back.
    """
    lowered = unicodedata.normalize("NFKC", text).lower()
    if any(word in lowered for word in _health_words(translation.get_language() or "zh-hans")):
        return "health"
    text = _normalise(text)
    for number in allowed_numbers:
        if number:
            text = re.sub(rf"(?<![0-9]){re.escape(number)}(?![0-9])", " 代码 ", text)
    for match in _MASKED.finditer(text):
        if sum(ch.isdigit() for ch in match.group()) >= 3:
            return "masked_number"
    for match in _DIGIT_RUN.finditer(text):
        kind = _classify(match.group())
        if kind:
            return kind
    return None


def _texts(notice: PublicNotice) -> Iterator[tuple[str, Any]]:
    for f in fields(notice):
        if f.name != "rows":
            yield f.name, getattr(notice, f.name)
    for index, row in enumerate(notice.rows, start=1):
        for f in fields(row):
            yield f"rows.{index}.{f.name}", getattr(row, f.name)


def check_notice(notice: PublicNotice) -> None:
    """Raise BadNotice for a malformed notice and UnsafeNotice for one showing personal data."""
    if not isinstance(notice.rows, tuple) or not all(isinstance(r, NoticeRow) for r in notice.rows):
        raise BadNotice("rows must be a tuple of NoticeRow", field="rows")
    if not notice.rows and not notice.sample:
        raise BadNotice("a notice lists at least one household", field="rows")
    # The village code is the one number a notice shows: 12 digits, ending in a village part.
    if not re.fullmatch(r"\d{12}", str(notice.village_code)) or notice.village_code.endswith("000"):
        raise BadNotice("village_code must be a village's 12-digit code", field="village_code")
    if not isinstance(notice.period_start, dt.date) or not isinstance(notice.period_end, dt.date):
        raise BadNotice("the notice period needs two dates", field="period_start")
    if notice.period_end < notice.period_start:
        raise BadNotice("the notice period ends before it starts", field="period_end")
    if not isinstance(notice.report_url, str) or (
        notice.report_url
        and not re.fullmatch(
            rf"https?://[^\s?#]+/report/\?village={re.escape(str(notice.village_code))}", notice.report_url
        )
    ):
        raise BadNotice("report_url must be the village's self-report link", field="report_url")
    for name, value in _texts(notice):
        if name.endswith("household_size"):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 99:
                raise BadNotice("a household has 1 to 99 members", field=name)
            continue
        if name in ("period_start", "period_end", "sample"):
            continue
        if not isinstance(value, str):
            raise BadNotice(f"{name} must be text", field=name)
        if name == "village_code":
            continue
        required = name in ("title", "village_name", "issuer", "contact") or name.endswith("head_name")
        if required and not value.strip():
            raise BadNotice(f"{name} is empty", field=name)
        kind = find_sensitive(value, allowed_numbers=[notice.village_code])
        if kind:
            raise UnsafeNotice(name, kind)


_FIELD_LABELS: dict[str, Promise] = {
    "title": _("the title"),
    "village_name": _("the village name"),
    "issuer": _("the issuing body"),
    "contact": _("the contact for objections"),
    "head_name": _("the head of household's name in row {row}"),
    "group_name": _("the village group in row {row}"),
    "reason": _("the reason in row {row}"),
    "html": _("the printed text"),
    "report_url": _("the self-report link"),
}


def _field_label(name: str) -> str:
    parts = name.split(".")
    label = _FIELD_LABELS.get(parts[-1])
    if label is None:
        return name
    return str(label).format(row=parts[1]) if len(parts) == 3 else str(label)


# --- building ----------------------------------------------------------------------------


def notice_rows_from_households(households: Iterable[Household], reason: str) -> tuple[NoticeRow, ...]:
    """One row per household: head's name, village group, current size, and ``reason``.

    Reads the households afresh, so no attribute a caller set on its objects can leak in, and
    counts only current members (left_on empty): that is the size the village knows.
    """
    ids = list(dict.fromkeys(h.pk for h in households))
    found = {
        h.pk: h
        for h in Household.objects.filter(pk__in=ids)
        .select_related("area")
        .annotate(current_size=Count("members", filter=Q(members__left_on=None)))
    }
    rows = []
    for pk in ids:
        household = found[pk]
        rows.append(
            NoticeRow(
                head_name=household.head_name,
                group_name=household.area.name if household.area.level == Level.GROUP else "",
                household_size=household.current_size,
                reason=reason,
            )
        )
    return tuple(rows)


def village_issuer(village: Area) -> str:
    # A 社区 is run by a residents' committee, a 村 by a villagers' committee.
    return f"{village.name}{'居民委员会' if village.name.endswith('社区') else '村民委员会'}"


def build_public_notice(
    village: Area,
    kind: str,
    households: Iterable[Household],
    *,
    period_start: dt.date,
    period_end: dt.date | None = None,
    reason: str | None = None,
    sample: bool = False,
    report_url: str = "",
) -> PublicNotice:
    """A village's notice for ``households``, which must all lie in ``village``.

    The caller has already checked the reader's role and area (the cases app, or the preview
    view); this only assembles what may be shown.
    """
    if village.level != Level.VILLAGE:
        raise FupinError(ReportsError.NOT_A_VILLAGE, field="village")
    if kind not in NoticeKind.values:
        raise FupinError(ReportsError.UNKNOWN_NOTICE_KIND, field="kind")
    households = list(households)
    outside = [h for h in households if not village.contains_code(h.area_id)]
    if outside:
        raise BadNotice("every household on a notice lies in its village", field="rows")
    issuer = village_issuer(village)
    township = village.parent.name if village.parent_id else ""
    contact = f"{issuer}办公室" + (f"，或{township}人民政府" if township else "")
    return PublicNotice(
        title=TITLES[kind],
        village_name=village.name,
        village_code=village.code,
        period_start=period_start,
        period_end=period_end or period_start + dt.timedelta(days=NOTICE_DAYS - 1),
        issuer=issuer,
        rows=notice_rows_from_households(households, reason or STANDARD_REASONS[kind]),
        contact=contact,
        sample=sample,
        report_url=report_url,
    )


# --- rendering ---------------------------------------------------------------------------


class _TextNodes(HTMLParser):
    """The visible text chunks of an HTML page (style and script skipped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.chunks.append(data)


def check_html_text(html: str, *, allowed_numbers: Iterable[str] = ()) -> None:
    parser = _TextNodes()
    parser.feed(html)
    parser.close()
    allowed = list(allowed_numbers)
    for chunk in parser.chunks:
        kind = find_sensitive(chunk, allowed_numbers=allowed)
        if kind:
            raise UnsafeNotice("html", kind)


def render_public_notice(notice: PublicNotice) -> bytes:
    """The notice as A4 PDF bytes; UnsafeNotice (nothing rendered) if it shows personal data."""
    if not isinstance(notice, PublicNotice):
        raise BadNotice("render_public_notice takes a PublicNotice")
    # Again: a frozen dataclass can still be changed with object.__setattr__.
    check_notice(notice)
    # Chinese whatever the reader's interface language: the notice is posted in a village.
    with translation.override("zh-hans"):
        qr = qr_svg_print(notice.report_url) if notice.report_url else ""
        html = render_to_string(NOTICE_TEMPLATE, {"notice": notice, "report_qr": qr})
        check_html_text(html, allowed_numbers=[notice.village_code])
        return html_to_pdf(html, title=f"{notice.village_name}{notice.title}")
