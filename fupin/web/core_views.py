"""Pages for the project's own records: the audit log and long-running jobs."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
    pages = Paginator(qs, settings.FUPIN_PAGE_SIZE)
    page_obj = pages.get_page(request.GET.get("page"))
    rows = [(entry, changed(entry.before, entry.after)) for entry in page_obj]
    return render(
        request,
        "web/audit_log.html",
        {"page": page_obj, "rows": rows, "action": request.GET.get("action", "")},
    )


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
