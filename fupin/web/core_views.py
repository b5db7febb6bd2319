"""Pages for the project's own records: the audit log and long-running jobs."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fupin.accounts.actions import REVEAL_ACTIONS
from fupin.accounts.permissions import VIEW_AUDIT, VIEW_JOBS
from fupin.areas.queries import within
from fupin.core.access import require
from fupin.core.audit import changed
from fupin.core.errors import NotFound
from fupin.core.models import AuditEntry, Job
from fupin.feeds.actions import FEED_JOB
from fupin.registry.tasks import EXPORT_KIND, IMPORT_KIND
from fupin.screening.actions import RUN_KIND
from fupin.stats.actions import REFRESH_KIND
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
    rows = [(entry, *_readable(entry)) for entry in page_obj]
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


class _Shown(NamedTuple):
    """One changed key of an audit entry as the page shows it. ``raw`` marks what is the stored
    record itself (a key no model field names, a structured value): shown as recorded, marked
    as code, because the auditor may need it verbatim."""

    label: str
    label_raw: bool
    before: str
    after: str
    values_raw: bool


def _model_of(object_type: str) -> Any:
    try:
        return apps.get_model(object_type) if "." in object_type else None
    except (LookupError, ValueError):
        return None


def _value(field: Any, value: Any) -> tuple[str, bool]:
    """(text, is raw): a choice by its label, a yes/no in words, anything structured as stored."""
    if value is None or value == "":
        return "—", False
    if isinstance(value, bool):
        return (str(_("yes")) if value else str(_("no"))), False
    if field is not None and getattr(field, "choices", None):
        labels = {str(k): v for k, v in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)]), False
    if isinstance(value, (int, float)) or (isinstance(value, str) and not re.search(r"[A-Za-z]", value)):
        return str(value), False
    return str(value), True


def _readable(entry: AuditEntry) -> tuple[str, list[_Shown]]:
    """(what the object is called, its changed keys) in the reader's language where a model
    field names the key; the rest as recorded."""
    model = _model_of(entry.object_type)
    object_label = str(model._meta.verbose_name) if model is not None else ""
    shown = []
    for key, (old, new) in changed(entry.before, entry.after).items():
        field = None
        if model is not None:
            try:
                field = model._meta.get_field(key)
            except FieldDoesNotExist:
                field = None
        if field is not None and not getattr(field, "concrete", False):
            field = None  # a reverse relation of the same name, not a stored column
        if field is not None and field.primary_key:
            continue  # the object's number, shown beside its kind already
        label = str(getattr(field, "verbose_name", "")) if field is not None else ""
        if field is not None and label == field.name.replace("_", " "):
            label = ""  # Django's default, the field's own name: no one named it for readers
        before, raw_before = _value(field, old)
        after, raw_after = _value(field, new)
        shown.append(_Shown(label or key, not label, before, after, raw_before or raw_after))
    return object_label, shown


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


# What each kind of job is called, and the page that shows what it produced: the result itself
# is the runner's raw record (keys such as total_new), not something to show a reader.
JOB_KINDS: dict[str, tuple[Any, str, str]] = {
    RUN_KIND: (_("Screening"), "screening_run", "run"),
    FEED_JOB: (_("Department feed"), "feed", "batch"),
    REFRESH_KIND: (_("Statistics refresh"), "", ""),
    IMPORT_KIND: (_("Household import"), "excel_import_job", ""),
    EXPORT_KIND: (_("Roster export"), "excel_export_job", ""),
}


def _job_outcome(job: Job) -> tuple[str, str]:
    """(the kind's name, the address of its result page or "")."""
    label, url_name, result_key = JOB_KINDS.get(job.kind, (_("Background job"), "", ""))
    url = ""
    if url_name and job.status == "done":
        target = (job.result or {}).get(result_key) if result_key else job.pk
        if target:
            url = reverse(url_name, args=[target])
    return str(label), url


@page
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access_job_by_id(request.user, job_id)
    template = "web/job_progress.html" if request.headers.get("HX-Request") else "web/job.html"
    kind_label, result_url = _job_outcome(job)
    return render(request, template, {"job": job, "kind_label": kind_label, "result_url": result_url})
