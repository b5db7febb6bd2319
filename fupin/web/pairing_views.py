"""Pairing pages (结对帮扶): the pairings of an area with the forms for the kinds the user may make,
a household's helpers with its pairing forms, one pairing with its end and hand-over forms, and the
three-full-coverages report with its export. Thin: look up through ``pairing.queries``, write
through ``pairing.actions``."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fupin.areas.models import Area, Level
from fupin.areas.queries import access_area_by_code
from fupin.core.access import covers
from fupin.core.errors import FupinError, NotFound, ValidationFailed
from fupin.core.xlsx import open_book, write_cells
from fupin.pairing import actions, queries
from fupin.pairing.actions import COUNTY_KINDS, LOCKED_STATUSES, Helper, may_make
from fupin.pairing.coverage import Coverage, coverage, uncovered_households
from fupin.pairing.models import HOUSEHOLD_KINDS, Pairing, PairingKind
from fupin.registry.models import Household
from fupin.registry.queries import access_household_by_id
from fupin.web.area_views import breadcrumb
from fupin.web.decorators import page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The uncovered households the coverage page lists; the export lists them all.
LISTED_HOUSEHOLDS = 200


def _messages_of(exc: FupinError) -> list[str]:
    """Form errors to show on the page; not found and forbidden are answered by ``page``."""
    if exc.status not in (400, 409):
        raise exc
    if isinstance(exc, ValidationFailed):
        return [e.message for e in exc.errors]
    return [exc.message]


def _area_from(request: HttpRequest) -> Area:
    code = request.GET.get("area", "")
    return access_area_by_code(request.user, code) if code else request.user.area  # type: ignore[union-attr]


def _helper_from(post: Any, household: Household | None, user: Any) -> Helper:
    return Helper(
        unit=queries.unit_by_id(user, post.get("unit")),
        name=post.get("helper_name", ""),
        post=post.get("helper_post", ""),
        phone=post.get("helper_phone", ""),
        user=queries.helper_user_by_id(household, post.get("helper_user")) if household else None,
        party_member=queries.party_member_by_id(household, post.get("party_member")),
    )


# --- the list ------------------------------------------------------------------------------


def _render_list(
    request: HttpRequest, errors: list[str] | None = None, status: int = 200, form_kind: str = ""
) -> HttpResponse:
    user = request.user
    area = _area_from(request)
    kind = request.GET.get("kind", "")
    state = request.GET.get("status", "active")
    qs = queries.pairing_list(user, area, kind=kind, status=state)
    page_obj = Paginator(qs, settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    county_forms = [k for k in COUNTY_KINDS if may_make(user, k)]
    return render(
        request,
        "web/pairing_list.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "page": page_obj,
            "query": params.urlencode(),
            "kind": kind,
            "status": state,
            "kinds": PairingKind.choices,
            "statuses": [
                ("active", gettext("Active pairings")),
                ("ended", gettext("Ended pairings")),
                ("all", gettext("All pairings")),
            ],
            "county_forms": county_forms,
            "household_forms": any(may_make(user, k) for k in HOUSEHOLD_KINDS),
            "units": list(queries.units_for(user)[:500]) if PairingKind.UNIT_VILLAGE in county_forms else [],
            "villages": list(queries.areas_for(user, Level.VILLAGE)[:2000]) if county_forms else [],
            "townships": list(queries.areas_for(user, Level.TOWNSHIP)) if county_forms else [],
            "errors": errors or [],
            "form_kind": form_kind,
            "posted": request.POST if request.method == "POST" else {},
            "today": timezone.localdate(),
            "number": request.GET.get("number", ""),
        },
        status=status,
    )


@page
def pairing_list(request: HttpRequest) -> HttpResponse:
    """GET: the pairings of an area (``?number=`` jumps to a household's pairings). POST: pair a
    unit or a county leader with a village or a township (county-level users)."""
    user = request.user
    queries.require_read(user)
    if request.method == "POST":
        post = request.POST
        kind = post.get("kind", "")
        try:
            pairing = actions.do_pair(
                user,
                kind,
                area=queries.area_by_code(user, post.get("area")),
                helper=_helper_from(post, None, user),
                started_on=post.get("started_on"),
            )
        except FupinError as exc:
            return _render_list(request, _messages_of(exc), exc.status, form_kind=kind)
        return redirect("pairing", pairing_id=pairing.pk)
    number = request.GET.get("number", "").strip()
    if number:
        household = queries.household_by_number(user, number)
        if household is not None:
            return redirect("pairing_household", household_id=household.pk)
        return _render_list(request, [gettext("No household with this number in your area.")], 404)
    return _render_list(request)


# --- a household's pairings ----------------------------------------------------------------


def _render_household(
    request: HttpRequest, household: Household, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    inside = covers(user, household.area_id)
    kinds = [k for k in HOUSEHOLD_KINDS if inside and may_make(user, k)]
    return render(
        request,
        "web/pairing_household.html",
        {
            "household": household,
            "breadcrumb": breadcrumb(user, household.area),
            "pairings": list(queries.pairing_list(user, household.area, status="all", household=household)),
            "kinds": kinds,
            "cadre_kind": PairingKind.CADRE_HOUSEHOLD in kinds,
            "member_kind": PairingKind.MEMBER_HOUSEHOLD in kinds,
            "helper_users": list(queries.helper_users_for(household)[:300]) if kinds else [],
            "party_members": list(queries.party_members_for(household)[:500]) if kinds else [],
            "locked": household.status in LOCKED_STATUSES,
            "errors": errors or [],
            "posted": request.POST if request.method == "POST" else {},
            "today": timezone.localdate(),
        },
        status=status,
    )


@page
def pairing_household(request: HttpRequest, household_id: int) -> HttpResponse:
    user = request.user
    queries.require_read(user)
    household = access_household_by_id(user, household_id)
    if request.method == "POST":
        post = request.POST
        try:
            actions.do_pair(
                user,
                post.get("kind", ""),
                household=household,
                helper=_helper_from(post, household, user),
                started_on=post.get("started_on"),
            )
        except FupinError as exc:
            return _render_household(request, household, _messages_of(exc), exc.status)
        return redirect("pairing_household", household_id=household.pk)
    return _render_household(request, household)


# --- one pairing ---------------------------------------------------------------------------


def _render_pairing(
    request: HttpRequest, pairing: Pairing, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    household = pairing.household
    may_act = pairing.ended_on is None and may_make(user, pairing.kind) and covers(user, pairing.area_id)
    return render(
        request,
        "web/pairing_detail.html",
        {
            "pairing": pairing,
            "breadcrumb": breadcrumb(user, pairing.area),
            "predecessor": queries.predecessor_of(pairing),
            "may_act": may_act,
            "locked": household is not None and household.status in LOCKED_STATUSES,
            "units": list(queries.units_for(user)[:500]) if may_act and pairing.unit_id else [],
            "helper_users": list(queries.helper_users_for(household)[:300]) if may_act and household else [],
            "party_members": (
                list(queries.party_members_for(household)[:500])
                if may_act and household and pairing.kind == PairingKind.MEMBER_HOUSEHOLD
                else []
            ),
            "errors": errors or [],
            "posted": request.POST if request.method == "POST" else {},
            "today": timezone.localdate(),
        },
        status=status,
    )


@page
def pairing_detail(request: HttpRequest, pairing_id: int) -> HttpResponse:
    return _render_pairing(request, queries.access_pairing_by_id(request.user, pairing_id))


@page
@require_POST
def pairing_act(request: HttpRequest, pairing_id: int) -> HttpResponse:
    """The end and hand-over forms post here with ``action`` naming which."""
    user = request.user
    pairing = queries.access_pairing_by_id(user, pairing_id)
    post = request.POST
    action = post.get("action", "")
    try:
        if action == "end":
            actions.do_end_pairing(user, pairing, post.get("reason", ""), ended_on=post.get("ended_on"))
            target = pairing
        elif action == "hand_over":
            helper = _helper_from(post, pairing.household, user)
            target = actions.do_hand_over(user, pairing, helper, reason=post.get("reason", ""))
        else:
            raise NotFound()
    except FupinError as exc:
        errors = _messages_of(exc)
        return _render_pairing(request, queries.access_pairing_by_id(user, pairing_id), errors, exc.status)
    return redirect("pairing", pairing_id=target.pk)


# --- the three full coverages --------------------------------------------------------------


@page
def coverage_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.require_read(user)
    area = _area_from(request)
    report = coverage(user, area)
    households = list(uncovered_households(user, area).select_related("area")[:LISTED_HOUSEHOLDS])
    return render(
        request,
        "web/pairing_coverage.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area, here=True),
            "r": report,
            "households": households,
            "listed": LISTED_HOUSEHOLDS,
            "child_level": Level(min(area.level + 1, Level.VILLAGE)).label,
            "children_are_townships": area.level + 1 == Level.TOWNSHIP,
        },
    )


def coverage_workbook(user: Any, report: Coverage) -> bytes:
    """The report as a workbook: a summary by sub-area and one sheet per kind of gap."""
    buffer = io.BytesIO()
    book = open_book(buffer)
    bold = book.add_format({"bold": True})

    def sheet(title: str, header: list[str], rows: Any) -> None:
        ws = book.add_worksheet(title[:31])
        ws.write_row(0, 0, header, bold)
        n = 0
        for n, row in enumerate(rows, start=1):
            write_cells(ws, n, row)
        ws.freeze_panes(1, 0)

    area = report.area
    sheet(
        gettext("Summary"),
        [
            gettext("Area"),
            gettext("Code"),
            gettext("Townships without a county leader"),
            gettext("Key villages"),
            gettext("Key villages without a county leader"),
            gettext("Key villages without a unit"),
            gettext("Poor and monitored households"),
            gettext("Households without a cadre"),
        ],
        [
            [
                area.name,
                area.code,
                len(report.townships_without_leader),
                len(report.key_villages),
                len(report.villages_without_leader),
                len(report.villages_without_unit),
                report.households,
                report.uncovered,
            ],
            *(
                [
                    c.area.name,
                    c.area.code,
                    c.townships_without_leader,
                    c.key_villages,
                    c.villages_without_leader,
                    c.villages_without_unit,
                    c.households,
                    c.uncovered,
                ]
                for c in report.children
            ),
        ],
    )
    sheet(
        gettext("Townships without leader"),
        [gettext("Township"), gettext("Code")],
        ([t.name, t.code] for t in report.townships_without_leader),
    )
    village_header = [
        gettext("Township"),
        gettext("Village"),
        gettext("Code"),
        gettext("Poor and monitored households"),
    ]

    def village_rows(rows: Any) -> Any:
        return ([v.township.name if v.township else "", v.name, v.code, v.households] for v in rows)

    sheet(gettext("Villages without leader"), village_header, village_rows(report.villages_without_leader))
    sheet(gettext("Villages without unit"), village_header, village_rows(report.villages_without_unit))
    sheet(
        gettext("Units without village"),
        [gettext("Unit"), gettext("Kind"), gettext("Area code")],
        ([u.name, str(u.get_kind_display()), u.area_id] for u in report.units_without_village),
    )
    # Every uncovered household lies in a key village, so its names are already at hand.
    places = {v.code: (v.township.name if v.township else "", v.name) for v in report.key_villages}
    households = uncovered_households(user, area).values_list("area_id", "number", "head_name")
    sheet(
        gettext("Households without cadre"),
        [gettext("Township"), gettext("Village"), gettext("Household number"), gettext("Head of household")],
        (
            [*places.get(code[:12], ("", code[:12])), number, head]
            for code, number, head in households.iterator(chunk_size=2000)
        ),
    )
    book.close()
    return buffer.getvalue()


@page
def coverage_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.require_read(user)
    area = _area_from(request)
    body = coverage_workbook(user, coverage(user, area))
    response = HttpResponse(body, content_type=XLSX)
    name = f"coverage-{area.code}-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns = [
    path("pairing/", pairing_list, name="pairings"),
    path("pairing/coverage/", coverage_page, name="pairing_coverage"),
    path("pairing/coverage/export/", coverage_export, name="pairing_coverage_export"),
    path("pairing/household/<int:household_id>/", pairing_household, name="pairing_household"),
    path("pairing/<int:pairing_id>/", pairing_detail, name="pairing"),
    path("pairing/<int:pairing_id>/act/", pairing_act, name="pairing_act"),
]
