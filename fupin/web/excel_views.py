"""Spreadsheet pages of the household file: the template, the import (upload, progress, error
sheet) and the roster export (花名册).

Small exports stream back at once; one over EXPORT_SYNC_HOUSEHOLDS households runs as a job, so
a request never holds a worker for a minute. Files live under FUPIN_FILES_DIR and are served
only to whom they belong: error sheets carry full ID numbers as typed in the upload.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext

from fupin.accounts.permissions import EXPORT_UNMASKED, IMPORT_REGISTRY, VIEW_REGISTRY
from fupin.areas.models import Level
from fupin.areas.queries import access_area_by_code, areas_within
from fupin.core.access import covers, require
from fupin.core.errors import NotFound
from fupin.core.jobs import create_job
from fupin.core.models import Job
from fupin.registry import tasks
from fupin.registry.choices import Cause, HouseholdStatus
from fupin.registry.exporting import export_households, write_template
from fupin.registry.importing import READABLE_SUFFIXES, ImportProblem, ImportRefused, check_file
from fupin.registry.queries import search_households
from fupin.web.decorators import page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_SYNC_HOUSEHOLDS = 3000


def _xlsx(data: io.BytesIO | Path, name: str) -> FileResponse:
    if isinstance(data, Path):
        response = FileResponse(data.open("rb"), as_attachment=True, filename=name, content_type=XLSX)
    else:
        data.seek(0)
        response = FileResponse(data, as_attachment=True, filename=name, content_type=XLSX)
    # Rosters carry names and, unmasked, full ID numbers and phones; error sheets carry the
    # numbers as typed: no browser or proxy may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


@page
def template_download(request: HttpRequest) -> HttpResponse:
    require(request.user, VIEW_REGISTRY)
    buffer = io.BytesIO()
    write_template(buffer)
    return _xlsx(buffer, "户籍花名册导入模板.xlsx")


def _import_areas(user: object) -> list[object]:
    # The areas an import may target: the user's own and every level down to the villages.
    area = user.area  # type: ignore[attr-defined]
    return list(areas_within(area).filter(level__lte=Level.VILLAGE).order_by("code")[:3000])


@page
def import_upload(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, IMPORT_REGISTRY)
    home = user.area  # type: ignore[union-attr]
    area_code = request.POST.get("area") or request.GET.get("area") or home.code
    error = ""
    if request.method == "POST":
        area = access_area_by_code(user, area_code)
        require(user, IMPORT_REGISTRY, area_code=area.code)
        upload = request.FILES.get("file")
        suffix = Path(upload.name).suffix.lower() if upload else ""
        if upload is None:
            error = gettext("Choose a file to import.")
        elif suffix not in READABLE_SUFFIXES:
            error = gettext("The file is not a spreadsheet (.xlsx, .xls or .ods) or is damaged.")
        elif upload.size is not None and upload.size > settings.FUPIN_IMPORT_MAX_BYTES:
            # Refused before a byte is kept; Django has already spooled it to a temporary file.
            error = ImportRefused(
                ImportProblem.TOO_LARGE, limit=settings.FUPIN_IMPORT_MAX_BYTES // (1024 * 1024)
            ).message
        else:
            target = tasks.files_dir("imports") / f"upload-{uuid.uuid4().hex}{suffix}"
            with target.open("wb") as fh:
                for block in upload.chunks():
                    fh.write(block)
            try:
                check_file(target)
            except ImportRefused as exc:
                target.unlink(missing_ok=True)
                error = exc.message
            else:
                job = create_job(
                    tasks.IMPORT_KIND,
                    actor=user,
                    area_code=area.code,
                    params={"path": str(target), "filename": upload.name},
                )
                return redirect("excel_import_job", job_id=job.pk)
    return render(
        request,
        "web/excel_import.html",
        {"areas": _import_areas(user), "area_code": area_code, "error": error},
        status=400 if error else 200,
    )


def _own_job(user: object, job_id: int, kind: str, *, owner_only: bool) -> Job:
    """The job if it is this kind and this user's (or, for imports, in an area the user may
    import into); otherwise NotFound, whether it exists or not."""
    job = Job.objects.filter(pk=job_id, kind=kind).first()
    if job is None:
        raise NotFound()
    if job.created_by_id == getattr(user, "pk", None):
        return job
    if not owner_only and job.area_code and covers(user, job.area_code) and user.can(IMPORT_REGISTRY):  # type: ignore[attr-defined]
        return job
    raise NotFound()


@page
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    require(request.user, IMPORT_REGISTRY)
    job = _own_job(request.user, job_id, tasks.IMPORT_KIND, owner_only=False)
    fragment = bool(request.headers.get("HX-Request"))
    template = "web/excel_job_progress.html" if fragment else "web/excel_job.html"
    return render(request, template, {"job": job, "kind": "import"})


@page
def import_errors(request: HttpRequest, job_id: int) -> HttpResponse:
    require(request.user, IMPORT_REGISTRY)
    job = _own_job(request.user, job_id, tasks.IMPORT_KIND, owner_only=False)
    path = tasks.error_path(job.pk)
    if not job.result.get("error_file") or not path.exists():
        raise NotFound()
    return _xlsx(path, f"导入错误-{job.pk}.xlsx")


@page
def export_roster(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, VIEW_REGISTRY)
    area = user.area  # type: ignore[union-attr]
    if request.GET.get("area"):
        area = access_area_by_code(user, request.GET["area"])
    unmasked = request.GET.get("unmasked") == "1"
    if unmasked:
        require(user, EXPORT_UNMASKED, area_code=area.code)
    status = request.GET.get("status", "")
    cause = request.GET.get("cause", "")
    filters = {
        "q": request.GET.get("q", "").strip(),
        "status": status if status in HouseholdStatus.values else "",
        "cause": cause if cause in Cause.values else "",
    }
    households = search_households(user, area=area, **filters).count()
    if households > EXPORT_SYNC_HOUSEHOLDS:
        job = create_job(
            tasks.EXPORT_KIND, actor=user, area_code=area.code, params={**filters, "unmasked": unmasked}
        )
        return redirect("excel_export_job", job_id=job.pk)
    buffer = io.BytesIO()
    export_households(buffer, user=user, area=area, unmasked=unmasked, **filters)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _xlsx(buffer, f"花名册-{area.name}-{stamp}.xlsx")


@page
def export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    require(request.user, VIEW_REGISTRY)
    job = _own_job(request.user, job_id, tasks.EXPORT_KIND, owner_only=True)
    fragment = bool(request.headers.get("HX-Request"))
    template = "web/excel_job_progress.html" if fragment else "web/excel_job.html"
    return render(request, template, {"job": job, "kind": "export"})


@page
def export_file(request: HttpRequest, job_id: int) -> HttpResponse:
    require(request.user, VIEW_REGISTRY)
    job = _own_job(request.user, job_id, tasks.EXPORT_KIND, owner_only=True)
    path = tasks.export_path(job.pk)
    if job.status != Job.Status.DONE or not path.exists():
        raise NotFound()
    return _xlsx(path, f"花名册-{job.pk}.xlsx")


urlpatterns = [
    path("template.xlsx", template_download, name="excel_template"),
    path("import/", import_upload, name="excel_import"),
    path("import/<int:job_id>/", import_job, name="excel_import_job"),
    path("import/<int:job_id>/errors.xlsx", import_errors, name="excel_import_errors"),
    path("export.xlsx", export_roster, name="excel_export"),
    path("export/<int:job_id>/", export_job, name="excel_export_job"),
    path("export/<int:job_id>/roster.xlsx", export_file, name="excel_export_file"),
]
