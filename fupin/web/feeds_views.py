"""Pages of department feeds (部门数据报送): the batches one may read with their match reports,
the upload, one batch's report, and the documented schema with a CSV template per source.

What a page shows of a batch is its match report only: counts, row numbers and reasons. It
never names a matched person or household, so a department learns nothing of the registry and
the county sees the quality of a feed, not people through it.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext

from fupin.accounts.permissions import SEND_FEEDS, VIEW_FEED_REPORTS
from fupin.core.access import require
from fupin.core.errors import FupinError, NotFound, PermissionDenied
from fupin.feeds import tasks
from fupin.feeds.actions import do_upload_feed
from fupin.feeds.departments import DepartmentRefused, departments_of
from fupin.feeds.errors import FeedError
from fupin.feeds.ingest import READABLE_SUFFIXES, clean_period
from fupin.feeds.models import FeedBatch
from fupin.feeds.queries import (
    access_batch_by_id,
    batches_for,
    invalid_rows,
    may_see_feeds,
    refusal,
    visible_original,
)
from fupin.feeds.schemas import SCHEMAS, schema_for
from fupin.web.decorators import page

# Rows listed on the page; the CSV report has them all.
PAGE_INVALID = 200
PAGE_RANGES = 300


def compact(rows: Iterable[int]) -> list[str]:
    """Row numbers as runs: [2, 3, 4, 9] -> ["2–4", "9"]."""
    runs: list[list[int]] = []
    for n in sorted(rows):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return [f"{a}–{b}" if a != b else str(a) for a, b in runs]


def _require_reader(user: Any) -> None:
    if not may_see_feeds(user):
        raise PermissionDenied()


@page
def feed_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    pages = Paginator(batches_for(user), settings.FUPIN_PAGE_SIZE)
    page_obj = pages.get_page(request.GET.get("page"))
    return render(
        request,
        "web/feeds_list.html",
        {
            "page": page_obj,
            "may_send": user.can(SEND_FEEDS),  # type: ignore[union-attr]
            "show_sender": user.can(VIEW_FEED_REPORTS),  # type: ignore[union-attr]
            "schemas": SCHEMAS,
        },
    )


def _save_upload(upload: Any, suffix: str) -> Path:
    target = tasks.upload_dir() / f"upload-{uuid.uuid4().hex}{suffix}"
    with target.open("wb") as fh:
        for block in upload.chunks():
            fh.write(block)
    return target


@page
def feed_upload(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, SEND_FEEDS)
    today = timezone.localdate()
    # Only the account's own departments are offered; one alone is chosen already.
    own = departments_of(user)
    values = {"source": own[0] if len(own) == 1 else "", "period": f"{today:%Y-%m}"}
    errors: dict[str, str] = {}
    status = 400
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        if schema_for(values["source"]) is None:
            errors["source"] = FeedError.UNKNOWN_SOURCE.message()
        try:
            values["period"] = clean_period(values["period"])
        except FupinError as exc:
            errors["period"] = exc.message
        upload = request.FILES.get("file")
        suffix = Path(upload.name or "").suffix.lower() if upload else ""
        if upload is None:
            errors["file"] = FeedError.NO_FILE.message()
        elif suffix not in READABLE_SUFFIXES:
            errors["file"] = FeedError.NOT_READABLE.message()
        elif upload.size is not None and upload.size > settings.FUPIN_IMPORT_MAX_BYTES:
            # Refused before a byte is kept (Django has spooled it to a temporary file).
            errors["file"] = FeedError.TOO_LARGE.message(
                limit=settings.FUPIN_IMPORT_MAX_BYTES // (1024 * 1024)
            )
        if not errors and upload is not None:
            target = _save_upload(upload, suffix)
            try:
                batch = do_upload_feed(
                    values["source"],
                    target,
                    period=values["period"],
                    actor=user,
                    area=user.area,  # type: ignore[union-attr]
                    filename=upload.name or "",
                )
            except FupinError as exc:
                # The file holds raw ID numbers: a refused one is not kept either.
                target.unlink(missing_ok=True)
                if isinstance(exc, NotFound | PermissionDenied):
                    raise
                if isinstance(exc, DepartmentRefused):
                    status = exc.status
                errors[exc.field or "file"] = exc.message
            else:
                return redirect("feed", batch_id=batch.pk)
    return render(
        request,
        "web/feeds_upload.html",
        {
            "schemas": [SCHEMAS[code] for code in own],
            "values": values,
            "errors": errors,
            "no_department": not own,
        },
        status=status if errors else 200,
    )


def _report_context(user: Any, batch: FeedBatch) -> dict[str, Any]:
    report = batch.report or {}
    unmatched = report.get("unmatched", [])
    repeated = report.get("repeated", [])
    return {
        "batch": batch,
        "schema": schema_for(batch.source),
        "job": batch.job,
        "waiting": batch.status == FeedBatch.Status.RECEIVED,
        "invalid": invalid_rows(batch)[:PAGE_INVALID],
        "invalid_more": max(batch.rows_invalid - PAGE_INVALID, 0),
        "unmatched": compact(unmatched)[:PAGE_RANGES],
        "unmatched_cut": len(compact(unmatched)) > PAGE_RANGES,
        "repeated": compact(repeated)[:PAGE_RANGES],
        "repeated_cut": len(compact(repeated)) > PAGE_RANGES,
        "original": visible_original(user, batch),
        "refusal": refusal(batch),
        "show_sender": user.can(VIEW_FEED_REPORTS),
    }


@page
def feed_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = access_batch_by_id(request.user, batch_id)
    context = _report_context(request.user, batch)
    if request.headers.get("HX-Request"):
        return render(request, "web/feeds_report.html", context)
    return render(request, "web/feeds_detail.html", context)


@page
def feed_report_csv(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The whole report as CSV (UTF-8 with BOM, so Excel opens the Chinese right): one line per
    problem, unmatched and repeated row, so a department can fix its rows and send them again."""
    batch = access_batch_by_id(request.user, batch_id)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([gettext("Row"), gettext("Column"), gettext("Result")])
    lines: list[tuple[int, str, str]] = []
    for entry in invalid_rows(batch):
        lines += [(entry["row"], p["label"], p["message"]) for p in entry["problems"]]
    lines += [
        (n, "", gettext("No registered person in the area has this ID number."))
        for n in batch.report.get("unmatched", [])
    ]
    lines += [
        (n, "", gettext("Already received; not counted again.")) for n in batch.report.get("repeated", [])
    ]
    writer.writerows(sorted(lines, key=lambda line: line[0]))
    response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="feed-{batch.pk}-report.csv"'
    return response


@page
def feed_schema(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    return render(request, "web/feeds_schema.html", {"schemas": SCHEMAS.values()})


@page
def feed_template(request: HttpRequest, source: str) -> HttpResponse:
    """A blank CSV with the source's Chinese headers; * marks a column every file needs."""
    _require_reader(request.user)
    schema = schema_for(source)
    if schema is None:
        raise NotFound()
    required = set(schema.required_keys())
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerow([c.label + ("*" if c.key in required else "") for c in schema.columns])
    response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="feed-template-{schema.source.value}.csv"'
    return response


urlpatterns: list[URLPattern] = [
    path("feeds/", feed_list, name="feeds"),
    path("feeds/upload/", feed_upload, name="feed_upload"),
    path("feeds/schema/", feed_schema, name="feed_schema"),
    path("feeds/schema/<str:source>.csv", feed_template, name="feed_template"),
    path("feeds/<int:batch_id>/", feed_detail, name="feed"),
    path("feeds/<int:batch_id>/report.csv", feed_report_csv, name="feed_report_csv"),
]
