"""Alert pages (防返贫监测): the inbox, one alert with its triage forms, recording a cadre check,
the monitoring dashboard — and the public self-report page (农户自主申报), the one page of the
site that needs no login. Thin: look up through ``alerts.queries``, call ``alerts.actions``."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from fupin.accounts.actions import RevealLimitReached
from fupin.accounts.display import display_name_for_login
from fupin.accounts.permissions import TRIAGE_ALERTS, VIEW_ALERTS, VIEW_PII
from fupin.alerts import actions, challenge
from fupin.alerts.labels import evidence_label, rule_label
from fupin.alerts.models import Alert, AlertStatus, Channel
from fupin.alerts.queries import (
    ACTIVE,
    access_alert_by_id,
    access_queued_report_by_id,
    access_report_by_id,
    dashboard,
    inbox,
    overdue_counts,
    queued_reports,
    reports_of,
    rules_in,
)
from fupin.areas.models import Area, Level, full_code
from fupin.areas.queries import access_area_by_code
from fupin.cases.area_settings import setting_for
from fupin.core.access import covers, require
from fupin.core.client import client_address
from fupin.core.errors import FupinError, NotFound, ValidationFailed
from fupin.registry.choices import MonitoringCategory
from fupin.registry.models import Household
from fupin.registry.queries import access_household_by_id, households_within
from fupin.web.area_views import breadcrumb
from fupin.web.decorators import page
from fupin.web.income_warning import saved_warning


def _messages_of(exc: FupinError) -> list[str]:
    """Form errors to show on the page; not found and forbidden are answered by ``page``."""
    if exc.status not in (400, 409):
        raise exc
    if isinstance(exc, ValidationFailed):
        return [e.message for e in exc.errors]
    return [exc.message]


def _area_from(request: HttpRequest) -> Area:
    user = request.user
    code = request.GET.get("area", "")
    return access_area_by_code(user, code) if code else user.area  # type: ignore[union-attr]


# --- the inbox -----------------------------------------------------------------------------


def _villages_of(alerts: Any, *, with_township: bool) -> Any:
    """area code -> (village name, township name or ""), for one page of alerts in one query.

    The village is the first 12 digits of the alert's area (a village group's code extends its
    village's); a self-report without a household is raised on the village itself."""
    codes = {a.area_code[:12] for a in alerts}
    if with_township:
        codes |= {full_code(a.area_code[:9]) for a in alerts}
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))

    def places(code: str) -> tuple[str, str]:
        township = names.get(full_code(code[:9]), "") if with_township else ""
        return names.get(code[:12], ""), township

    return places


@page
def alert_list(request: HttpRequest) -> HttpResponse:
    """The user's alerts: overdue ones on top and red, the counts per village and township."""
    user = request.user
    require(user, VIEW_ALERTS)
    area = _area_from(request)
    status = request.GET.get("status", "active")
    channel = request.GET.get("channel", "")
    rule = request.GET.get("rule", "").strip()[:40]
    overdue_only = request.GET.get("overdue") == "1"
    today = timezone.localdate()
    qs = inbox(
        user, area=area, status=status, rule=rule, channel=channel, overdue_only=overdue_only, today=today
    )
    page_obj = Paginator(qs, settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    places_of = _villages_of(page_obj, with_township=area.level < Level.TOWNSHIP)
    for alert in page_obj:
        alert.rule_label = rule_label(alert.rule)  # type: ignore[attr-defined]
        alert.village, alert.township = places_of(alert.area_code)  # type: ignore[attr-defined]
    params = request.GET.copy()
    params.pop("page", None)
    counts = overdue_counts(user, area, today=today)
    places = counts["villages"] if area.level >= Level.TOWNSHIP else counts["townships"]
    return render(
        request,
        "web/alerts_list.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "page": page_obj,
            "query": params.urlencode(),
            "status": status,
            "channel": channel,
            "rule": rule,
            "overdue_only": overdue_only,
            "statuses": [("active", gettext("Waiting for a visit or a decision")), *AlertStatus.choices],
            "channels": Channel.choices,
            "rules": [(r, rule_label(r)) for r in rules_in(user, area)],
            "places": places,
            "places_are_villages": area.level >= Level.TOWNSHIP,
            "total_overdue": sum(p["overdue"] for p in counts["villages"]),
            "today": today,
            "can_triage": user.can(TRIAGE_ALERTS),  # type: ignore[union-attr]
        },
    )


# --- one alert -----------------------------------------------------------------------------


def _render_alert(
    request: HttpRequest, alert: Alert, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    may_triage = user.can(TRIAGE_ALERTS) and covers(user, alert.area_code)  # type: ignore[union-attr]
    area = alert.household.area if alert.household else Area.objects.filter(code=alert.area_code).first()
    reports = reports_of(alert) if alert.channel == Channel.SELF_REPORT else []
    # Households of the village, to link a report from someone not yet in the registry.
    candidates: list[Household] = []
    if may_triage and alert.household_id is None and alert.status in ACTIVE and area is not None:
        candidates = list(
            households_within(user, area).order_by("number")[:500]  # a village holds a few hundred
        )
    return render(
        request,
        "web/alerts_detail.html",
        {
            "alert": alert,
            "area": area,
            "breadcrumb": breadcrumb(user, area) if area else None,
            "rule_label": rule_label(alert.rule),
            "evidence": _evidence_rows(alert),
            "reports": reports,
            "today": today,
            "visit_days_left": (alert.visit_due - today).days,
            "visit_days_over": (today - alert.visit_due).days,
            "decision_days_left": (alert.decision_due - today).days,
            "decision_days_over": (today - alert.decision_due).days,
            "visited_late": bool(alert.visited_at and timezone.localdate(alert.visited_at) > alert.visit_due),
            "may_triage": may_triage,
            "is_active": alert.status in ACTIVE,
            "can_reveal": user.can(VIEW_PII),  # type: ignore[union-attr]
            "candidates": candidates,
            "errors": errors or [],
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )




def _evidence_rows(alert: Alert) -> list[tuple[str, str]]:
    """The evidence as label/value pairs; self-reports are shown on their own, as reports."""
    rows = []
    for key, value in (alert.evidence or {}).items():
        if key in {"reports", "registered"}:
            continue
        if key == "checked_by":
            # The check keeps the login that recorded it; the page names the person.
            value = display_name_for_login(value)
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        rows.append((evidence_label(alert.rule, key), text))
    return rows


@page
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    return _render_alert(request, access_alert_by_id(request.user, alert_id))


@page
@require_POST
def alert_act(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Each triage form posts here with ``action`` naming what to do."""
    user = request.user
    alert = access_alert_by_id(user, alert_id)
    post = request.POST
    action = post.get("action", "")
    try:
        if action == "visit":
            actions.do_record_visit(alert, post.get("notes", ""), actor=user)
        elif action == "dismiss":
            actions.do_dismiss_alert(alert, post.get("reason", ""), actor=user)
        elif action == "start_case":
            actions.do_mark_case_started(alert, None, notes=post.get("decision_notes", ""), actor=user)
        elif action == "link":
            household = access_household_by_id(user, post.get("household", ""))
            actions.do_link_household(alert, household, actor=user)
        else:
            raise NotFound()
    except FupinError as exc:
        errors = _messages_of(exc)
        return _render_alert(request, access_alert_by_id(user, alert_id), errors, status=exc.status)
    return redirect("alert", alert_id=alert.pk)


@page
@require_POST
def report_reveal(request: HttpRequest, report_id: int) -> HttpResponse:
    """The reporter's full ID number and phone, for the village to call (audited)."""
    report = access_report_by_id(request.user, report_id)
    try:
        contact = actions.do_reveal_report_contact(report, actor=request.user)
    except RevealLimitReached as exc:
        return HttpResponse(format_html('<span class="error">{}</span>', exc.message), status=exc.status)
    return HttpResponse(
        format_html(
            '<code class="pii">{}</code> · <code class="pii">{}</code>',
            contact["id_number"],
            contact["phone"],
        )
    )


# --- recording a cadre check (干部排查) -----------------------------------------------------


@page
def cadre_check(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, TRIAGE_ALERTS)
    household = access_household_by_id(user, request.POST.get("household") or request.GET.get("household"))
    require(user, TRIAGE_ALERTS, area_code=household.area_id)
    errors: list[str] = []
    summary = ""
    if request.method == "GET" and request.GET.get("income_year"):
        # Offered from the household page for an income under its year's line: the finding is
        # written from the saved record (not from the link), and the cadre adds what they saw.
        year = request.GET["income_year"]
        record = (
            household.incomes.filter(year=int(year)).first() if year.isdigit() and len(year) == 4 else None
        )
        warning = saved_warning(user, household, record)
        summary = warning.text if warning is not None else ""
    if request.method == "POST":
        summary = request.POST.get("summary", "")
        try:
            alert = actions.do_record_cadre_check(household, summary, actor=user)
            return redirect("alert", alert_id=alert.pk)
        except FupinError as exc:
            errors = _messages_of(exc)
    return render(
        request,
        "web/alerts_new.html",
        {
            "household": household,
            "breadcrumb": breadcrumb(user, household.area),
            "summary": summary,
            "errors": errors,
            "visit_days": setting_for(household.area_id, "alert_visit_days"),
        },
        status=400 if errors else 200,
    )


# --- the monitoring dashboard --------------------------------------------------------------


@page
def monitoring(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, VIEW_ALERTS)
    area = _area_from(request)
    figures = dashboard(user, area)
    category_labels = {
        "unstable": gettext("Former poor, unstable"),
        "edge": gettext("Never registered, at the edge"),
        "sudden": str(MonitoringCategory.SUDDEN.label),
        "eliminated": gettext("Risk eliminated"),
    }
    for row in figures["categories"]:
        row["label"] = category_labels[row["key"]]
    charts = {
        "by_rule": {
            "labels": [r["label"] for r in figures["by_rule"]],
            "values": [r["active"] for r in figures["by_rule"]],
        },
        "by_place": {
            "labels": [r["name"] for r in figures["children"][:20]],
            "active": [r["active"] for r in figures["children"][:20]],
            "overdue": [r["overdue"] for r in figures["children"][:20]],
        },
        "categories": [{"name": r["label"], "value": r["count"]} for r in figures["categories"][:2]],
        "names": {"active": gettext("Waiting"), "overdue": gettext("Overdue")},
    }
    return render(
        request,
        "web/monitoring_dashboard.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area, here=True),
            "f": figures,
            "charts": charts,
            "child_level": Level(min(area.level + 1, Level.VILLAGE)).label,
        },
    )


# --- the public self-report page (农户自主申报) --------------------------------------------

RECEIPT_KEY = "fupin.self_report.receipt"


@csrf_protect
@require_http_methods(["GET", "POST"])
def self_report(request: HttpRequest) -> HttpResponse:
    """Public, no login: a household reports hardship. The village usually comes from the QR
    code on the village notice board (``?village=CODE``); otherwise the reporter finds it by
    name (``?q=``) on this same page, so it works without JavaScript on any phone."""
    if request.method == "GET" and request.GET.get("done") and RECEIPT_KEY in request.session:
        kept = request.session[RECEIPT_KEY]
        done = SimpleNamespace(**{**kept, "village": Area.objects.get(code=kept["village"])})
        return render(request, "web/alerts_report_done.html", {"receipt": done, "public": True})
    code = (request.POST.get("village") or request.GET.get("village") or "").strip()
    village = Area.objects.filter(code=code, level=Level.VILLAGE).first() if code else None
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    message = ""
    status = 200
    if request.method == "POST":
        post = request.POST
        # Given back to the sender's own page so a mistake costs one field, not the form.
        values = {k: post.get(k, "") for k in ("name", "id_number", "phone", "what_happened")}
        try:
            # First, so a script replaying one request is stopped before anything is stored.
            # Without a village there is no form (and no question) and nothing can be stored.
            if village is not None:
                challenge.redeem(post.get("challenge", ""), post.get("answer", ""))
            receipt = actions.do_receive_self_report(
                name=post.get("name", ""),
                id_number=post.get("id_number", ""),
                phone=post.get("phone", ""),
                village_code=code,
                what_happened=post.get("what_happened", ""),
                client_address=client_address(request),
            )
            # Post/redirect/get: a reload of the receipt must not send the report again. The
            # receipt waits in the reporter's session for the page the redirect leads to.
            request.session[RECEIPT_KEY] = {
                "reference": receipt.reference,
                "village": receipt.village.code,
                "visit_days": receipt.visit_days,
                "queued": receipt.queued,
            }
            return redirect(f"{reverse('self_report')}?done=1", permanent=False)
        except ValidationFailed as exc:
            errors = {e.field or "": e.message for e in exc.errors}
            status = 400
        except FupinError as exc:
            if exc.field == "challenge":
                errors, status = {"challenge": exc.message}, 400
            else:
                message, status = exc.message, exc.status
    q = request.GET.get("q", "").strip()[:20]
    return render(
        request,
        "web/alerts_report.html",
        {
            "village": village,
            "village_path": _village_path(village),
            "q": q,
            "found": _find_villages(q) if village is None else [],
            "values": values,
            "errors": errors,
            "message": message,
            "visit_days": setting_for(village.code, "alert_visit_days") if village else None,
            # A new question on every showing of the form: each is answerable once.
            "challenge": challenge.new_challenge() if village else None,
            "public": True,
        },
        status=status,
    )


@page
def report_queue(request: HttpRequest) -> HttpResponse:
    """The township's queue: self-reports that came past their village's daily cap."""
    reports = Paginator(queued_reports(request.user), settings.FUPIN_PAGE_SIZE)
    page_obj = reports.get_page(request.GET.get("page"))
    names = {a.code: a.name for a in Area.objects.filter(code__in={r.village_code for r in page_obj})}
    rows = [(r, names.get(r.village_code, r.village_code), actions.reference_of(r)) for r in page_obj]
    return render(
        request,
        "web/alerts_queue.html",
        {"page": page_obj, "rows": rows, "cap": settings.FUPIN_SELF_REPORT_PER_VILLAGE_PER_DAY},
    )


@page
@require_POST
def report_release(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access_queued_report_by_id(request.user, report_id)
    alert = actions.do_release_queued_report(report, actor=request.user)
    return redirect("alert", alert_id=alert.pk)


def _find_villages(q: str) -> list[tuple[Area, str]]:
    """Villages whose name contains ``q`` (names and codes of the national division list are
    public); a few results only, and nothing for a one-character query."""
    if len(q) < 2:
        return []
    villages = Area.objects.filter(level=Level.VILLAGE, name__contains=q).order_by("code")[:20]
    return [(v, _village_path(v)) for v in villages]


def _village_path(village: Area | None) -> str:
    """ "…县 …镇 …村", so a reporter can tell two villages of the same name apart."""
    if village is None:
        return ""
    return " ".join(a.name for a in [*village.ancestors()[2:], village])


urlpatterns = [
    path("alerts/", alert_list, name="alerts"),
    path("alerts/new/", cadre_check, name="alert_new"),
    path("alerts/<int:alert_id>/", alert_detail, name="alert"),
    path("alerts/<int:alert_id>/act/", alert_act, name="alert_act"),
    path("alerts/reports/<int:report_id>/reveal/", report_reveal, name="alert_report_reveal"),
    path("alerts/queue/", report_queue, name="alert_report_queue"),
    path("alerts/queue/<int:report_id>/raise/", report_release, name="alert_report_release"),
    path("monitoring/", monitoring, name="monitoring"),
    # Public, no login (see ``self_report``).
    path("report/", self_report, name="self_report"),
]
