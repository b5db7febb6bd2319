"""Pages for the project's own records: the audit log and long-running jobs."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fupin.accounts.actions import REVEAL_ACTIONS
from fupin.accounts.permissions import VIEW_AUDIT, VIEW_JOBS
from fupin.areas.queries import within
from fupin.core.access import require
from fupin.core.audit import changed
from fupin.core.errors import NotFound
from fupin.core.models import AuditEntry, Job
from fupin.web.decorators import page


@page
def audit_log(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, VIEW_AUDIT)
    qs = AuditEntry.objects.filter(within(user.area, "area_code"))  # type: ignore[union-attr]
    if request.GET.get("action"):
        qs = qs.filter(action__startswith=request.GET["action"])
    # Who was shown full ID numbers, by whom and on which day (the daily limit's record).
    reveals = request.GET.get("reveals") == "1"
    if reveals:
        qs = qs.filter(action__in=REVEAL_ACTIONS)
    who = request.GET.get("who", "").strip()
    if who:
        qs = qs.filter(actor_name=who)
    day = _date_or_none(request.GET.get("day", ""))
    if day is not None:
        qs = qs.filter(at__date=day)
    pages = Paginator(qs, settings.FUPIN_PAGE_SIZE)
    page_obj = pages.get_page(request.GET.get("page"))
    rows = [(entry, changed(entry.before, entry.after)) for entry in page_obj]
    return render(
        request,
        "web/audit_log.html",
        {
            "page": page_obj,
            "rows": rows,
            "action": request.GET.get("action", ""),
            "reveals": reveals,
            "who": who,
            "day": day.isoformat() if day else "",
            # The filters again on the pager's links.
            "query": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
        },
    )


def _date_or_none(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def access_job_by_id(user: object, job_id: int) -> Job:
    require(user, VIEW_JOBS)
    job = (
        Job.objects.filter(Q(created_by=user) | within(user.area, "area_code"))  # type: ignore[attr-defined]
        .filter(pk=job_id)
        .first()
    )
    if job is None:
        raise NotFound()
    return job


@page
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access_job_by_id(request.user, job_id)
    template = "web/job_progress.html" if request.headers.get("HX-Request") else "web/job.html"
    return render(request, template, {"job": job})
