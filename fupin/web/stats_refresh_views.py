"""Asking for a full refresh of an area's statistics: a job whose progress page the user follows."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect

from fupin.stats.actions import do_start_refresh
from fupin.stats.queries import access_area
from fupin.web.decorators import page


@page
def start_refresh(request: HttpRequest, code: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    area = access_area(request.user, code)
    job = do_start_refresh(area, actor=request.user)
    return redirect("job", job_id=job.pk)
