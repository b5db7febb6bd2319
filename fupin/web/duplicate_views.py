"""Duplicate-registration checks (重复登记核查): the tasks raised for records held in the user's
area when someone elsewhere tried to register the same ID number, and resolving one with a
note. Thin: read, call the action, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from fupin.areas.models import Area
from fupin.core.errors import FupinError
from fupin.registry.duplicates import access_duplicate_by_id, do_resolve_duplicate, duplicates_for
from fupin.registry.models import DuplicateRegistration
from fupin.web.area_views import breadcrumb
from fupin.web.decorators import page
from fupin.web.formspec import error_map


def _list(
    request: HttpRequest, errors: dict[int, dict[str, str]], notes: dict[int, str], status: int
) -> HttpResponse:
    user: Any = request.user
    rows = duplicates_for(user)
    if request.GET.get("all") != "1":
        rows = rows.filter(status=DuplicateRegistration.Status.OPEN)
    pages = Paginator(rows, settings.FUPIN_PAGE_SIZE)
    page_obj = pages.get_page(request.GET.get("page"))
    codes = {t.area_code for t in page_obj} | {t.requested_area_code for t in page_obj}
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    items = [
        {
            "task": t,
            "holder_area": names.get(t.area_code, t.area_code),
            "requested_area": names.get(t.requested_area_code, t.requested_area_code),
            "errors": errors.get(t.pk, {}),
            "note": notes.get(t.pk, ""),
        }
        for t in page_obj
    ]
    return render(
        request,
        "web/duplicates.html",
        {
            "items": items,
            "page": page_obj,
            "show_all": request.GET.get("all") == "1",
            "breadcrumb": breadcrumb(user, user.area),
        },
        status=status,
    )


@page
def duplicate_list(request: HttpRequest) -> HttpResponse:
    return _list(request, {}, {}, 200)


@page
def duplicate_resolve(request: HttpRequest, task_id: int) -> HttpResponse:
    user: Any = request.user
    task = access_duplicate_by_id(user, task_id)
    if request.method != "POST":
        return redirect("duplicates")
    note = request.POST.get("note", "")
    try:
        do_resolve_duplicate(task, note=note, actor=user)
    except FupinError as exc:
        if exc.status != 400:
            raise
        # The note as typed stays in its form, with the reason beside it.
        return _list(request, {task.pk: error_map(exc)}, {task.pk: note}, 400)
    return redirect("duplicates")


urlpatterns: list[URLPattern] = [
    path("registry/duplicates/", duplicate_list, name="duplicates"),
    path("registry/duplicates/<int:task_id>/resolve/", duplicate_resolve, name="duplicate_resolve"),
]
