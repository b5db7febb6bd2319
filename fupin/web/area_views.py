"""The home page and the area pages: real counts for the area and drill-down to its parts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from fupin.accounts.permissions import ADD_GROUP, VIEW_REGISTRY
from fupin.areas.actions import do_add_village_group
from fupin.areas.models import Area, Level
from fupin.areas.queries import access_area_by_code, children_of
from fupin.assistance.visits import visit_minimum
from fupin.core.errors import FupinError
from fupin.registry.queries import area_counts, child_counts
from fupin.reports.qr import qr_svg
from fupin.stats import queries as stats_queries
from fupin.web.decorators import page
from fupin.web.formspec import error_map
from fupin.web.report_views import self_report_url


def breadcrumb(user: object, area: Area, *, here: bool = False) -> list[tuple[Area, bool]]:
    """The area's ancestors and itself; those inside the user's area are links, except the
    area the page is about (``here``)."""
    home = user.area  # type: ignore[attr-defined]
    trail = [(a, a.code.startswith(home.prefix)) for a in [*area.ancestors(), area]]
    if here:
        trail[-1] = (area, False)
    return trail


@page
def home(request: HttpRequest) -> HttpResponse:
    return area_page(request, request.user.area_id)  # type: ignore[union-attr]


@page
def area_page(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    area = access_area_by_code(user, code)
    context = {"area": area, "breadcrumb": breadcrumb(user, area, here=True), "errors": {}}
    if user.can(VIEW_REGISTRY):  # type: ignore[union-attr]
        counted = None
        if area.level <= Level.COUNTY and area.code.startswith(user.area.prefix):  # type: ignore[union-attr]
            # A county and above read the statistics snapshot, refreshed after every change:
            # counting 80,000 households and their members took 0.8–1 s a view.
            counted = stats_queries.file_counts(area, timezone.localdate().year)
        if counted is not None:
            context["counts"], context["children"] = counted.counts, counted.children
            context["counted_at"] = counted.as_of
        else:
            context["counts"] = area_counts(user, area)
            context["children"] = child_counts(user, area)
        if area.level >= Level.TOWNSHIP:
            # Journey 1: a village or township sees at once how many households are behind on
            # their home visits; a county's list is too long to count on every page view.
            rows = visit_minimum(user, area, timezone.localdate().year)
            context["visits_behind"] = sum(1 for row in rows if row.behind)
    else:
        context["children_plain"] = children_of(area)
    context["can_add_group"] = area.level == Level.VILLAGE and user.can(ADD_GROUP)  # type: ignore[union-attr]
    if area.level == Level.VILLAGE:
        # Journey 7.1: the village's own self-report code, to show, print or post (the notices
        # print the same one).
        url = self_report_url(request, area.code)
        context["report_url"], context["report_qr"] = url, qr_svg(url, title=gettext("Self-report QR code"))
    return render(request, "web/area.html", context)


@page
def add_group(request: HttpRequest, code: str) -> HttpResponse:
    village = access_area_by_code(request.user, code)
    if request.method != "POST":
        return redirect("area", code=village.code)
    try:
        group = do_add_village_group(
            village, request.POST.get("number", ""), request.POST.get("name", ""), actor=request.user
        )
    except FupinError as exc:
        if exc.status != 400:
            raise
        user = request.user
        context = {
            "area": village,
            "breadcrumb": breadcrumb(user, village, here=True),
            "errors": error_map(exc),
            "posted": request.POST,
            "counts": area_counts(user, village),
            "children": child_counts(user, village),
            "can_add_group": True,
        }
        return render(request, "web/area.html", context, status=400)
    return redirect("area", code=group.parent_id)
