"""PDF downloads: the household assistance card (明白卡), a case's village notice, and a preview.

Neither writes an audit entry. Both show only what the same reader already sees on the
household and area pages, with ID numbers masked on the card and none at all on the notice;
the audit log records writes and unmasked reveals (DESIGN.md, "Personal data"), and logging
every masked print would bury those entries.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_GET

from fupin.accounts.permissions import VIEW_REGISTRY
from fupin.areas.models import Level
from fupin.areas.queries import access_area_by_code
from fupin.cases.models import Notice
from fupin.cases.queries import access_case_by_id
from fupin.core.access import require
from fupin.core.errors import FupinError, NotFound
from fupin.registry.choices import HouseholdStatus
from fupin.registry.queries import access_household_by_id, households_within
from fupin.reports.cards import render_household_card
from fupin.reports.errors import ReportsError
from fupin.reports.notices import NoticeKind, build_public_notice, render_public_notice
from fupin.web.decorators import page

# Until the cases app hands over real cases, the preview lists the households already in the
# status the notice would lead to, so a newcomer sees what such a notice looks like.
PREVIEW_STATUS: dict[str, str] = {
    NoticeKind.IDENTIFICATION: HouseholdStatus.POOR,
    NoticeKind.EXIT: HouseholdStatus.EXITED,
    NoticeKind.MONITORING: HouseholdStatus.MONITORED,
    NoticeKind.ELIMINATION: HouseholdStatus.RISK_ELIMINATED,
}


def self_report_url(request: HttpRequest, village_code: str) -> str:
    """The village's self-report link as a phone outside will open it (journey 7.1): absolute,
    from the address the request came in by, so it names the host people reach the system at."""
    return request.build_absolute_uri(f"{reverse('self_report')}?{urlencode({'village': village_code})}")


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    # Inline: the browser shows it and prints from there. Names stay out of the file name:
    # downloads folders and proxy logs keep file names.
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Cache-Control"] = "private, no-store"  # personal data: no shared or disk cache
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _bad_request(request: HttpRequest, code: ReportsError) -> HttpResponse:
    return render(request, "reports/bad_request.html", {"message": code.message()}, status=400)


@require_GET
@page
def household_card(request: HttpRequest, household_id: int) -> HttpResponse:
    # Missing and outside the reader's area answer the same 404 (through ``page``).
    household = access_household_by_id(request.user, household_id)
    return _pdf_response(render_household_card(household), f"household-card-{household.number}.pdf")


def _render_notice_or_400(request: HttpRequest, build: Any, filename: str) -> HttpResponse:
    try:
        pdf = render_public_notice(build())
    except FupinError as exc:
        if exc.status != 400:
            raise
        # A name or reason the guard refuses: say so rather than print it.
        return render(request, "reports/bad_request.html", {"message": exc.message}, status=400)
    return _pdf_response(pdf, filename)


@require_GET
@page
def case_notice(request: HttpRequest, case_id: int, round_no: int) -> HttpResponse:
    """The notice of one round of a case, as posted: its dates and its household.

    The reason printed is the standard wording for the kind, not the case's own reason: that is
    typed by a clerk and usually names the cause (因病, 因残), a health detail the wall must not show.
    """
    case = access_case_by_id(request.user, case_id)  # outside or missing: 404
    notice = Notice.objects.filter(case=case, round=round_no).first()
    if notice is None:
        raise NotFound()
    household = case.household
    village = household.area if household.area.level == Level.VILLAGE else household.area.parent
    if village is None or village.level != Level.VILLAGE:
        return _bad_request(request, ReportsError.NOT_A_VILLAGE)
    return _render_notice_or_400(
        request,
        lambda: build_public_notice(
            village,
            case.kind,
            [household],
            # The period as the case page and the timeline state it (``Notice.last_day``).
            period_start=notice.first_day,
            period_end=notice.last_day,
            report_url=self_report_url(request, village.code),
        ),
        f"notice-{case.pk}-{notice.round}.pdf",
    )


@require_GET
@page
def notice_preview(request: HttpRequest) -> HttpResponse:
    user = request.user
    code = request.GET.get("village", "").strip()
    if not code:
        return _bad_request(request, ReportsError.NOT_A_VILLAGE)
    village = access_area_by_code(user, code)  # outside or missing: 404 before anything else
    require(user, VIEW_REGISTRY)
    if village.level != Level.VILLAGE:
        return _bad_request(request, ReportsError.NOT_A_VILLAGE)
    kind = request.GET.get("kind", NoticeKind.IDENTIFICATION)
    if kind not in NoticeKind.values:
        return _bad_request(request, ReportsError.UNKNOWN_NOTICE_KIND)
    households = (
        households_within(user, village).filter(status=PREVIEW_STATUS[kind]).order_by("area_id", "number")
    )
    return _render_notice_or_400(
        request,
        lambda: build_public_notice(
            village,
            kind,
            households,
            period_start=timezone.localdate(),
            sample=True,
            report_url=self_report_url(request, village.code),
        ),
        f"notice-preview-{village.code}-{kind}.pdf",
    )
