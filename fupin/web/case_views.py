"""Case pages: the inbox, the case page with the next step's form, starting a case from the
household page (identification, exit, monitoring, risk elimination), attachments, and the local
settings page. Thin: look up, call the action."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fupin.accounts.permissions import ACT_VILLAGE_STEP, EDIT_AREA_SETTINGS, EDIT_RULES
from fupin.api.cases_api import open_monitoring_case
from fupin.areas.models import AreaSetting
from fupin.areas.queries import access_area_by_code
from fupin.cases import actions, rules
from fupin.cases.area_settings import SPECS, clean_setting, do_set_area_setting, setting_for
from fupin.cases.models import Attachment, Case, Kind, Origin, Status, Step
from fupin.cases.queries import access_case_by_id, identification_late, inbox, timeline
from fupin.cases.workflow import MONITORING_KINDS, NOTICE_ROUND, REVIEW_STEPS, decides, may_act, path_of
from fupin.core.access import owns_setting, require, require_setting_owner
from fupin.core.errors import FupinError, NotFound, ValidationFailed
from fupin.registry.choices import EliminationWay, HouseholdStatus, MonitoringCategory, RiskType
from fupin.registry.queries import access_household_by_id
from fupin.web.area_views import breadcrumb
from fupin.web.decorators import page


def _messages_of(exc: FupinError) -> list[str]:
    if exc.status != 400:  # not found, forbidden, conflict are answered by ``page``
        if exc.status == 409:
            return [exc.message]
        raise exc
    if isinstance(exc, ValidationFailed):
        return [e.message for e in exc.errors]
    return [exc.message]


@page
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    status = request.GET.get("status", "open")
    kind = request.GET.get("kind", "")
    today = timezone.localdate()
    qs = inbox(user, status=status, kind=kind if kind in Kind.values else "")
    # Counted over the whole list, not the 200 shown, so the figure matches the dashboard's.
    overdue_count = qs.filter(identification_late(today)).count()
    overdue_only = request.GET.get("overdue") == "1"
    if overdue_only:
        qs = qs.filter(identification_late(today))
    cases = list(qs[:200])
    for case in cases:
        case.mine = may_act(user, case)  # type: ignore[attr-defined]
        case.late = case.identification_late_on(today)  # type: ignore[attr-defined]
    return render(
        request,
        "web/case_list.html",
        {
            "cases": cases,
            "status": status,
            "kind": kind,
            "statuses": Status.choices,
            "kinds": Kind.choices,
            "overdue_count": overdue_count,
            "overdue_only": overdue_only,
            "breadcrumb": breadcrumb(user, user.area, here=True),  # type: ignore[union-attr]
        },
    )


def _render_case(
    request: HttpRequest,
    case: Case,
    errors: list[str] | None = None,
    status: int = 200,
    posted: QueryDict | None = None,
) -> HttpResponse:
    """The case page; after a refused act, ``posted`` puts back what was typed into the form
    that sent it (``values.<action>.<field>``), so a refusal never costs the reviewer's 备注."""
    user = request.user
    today = timezone.localdate()
    notices = []
    for notice in case.notices.all():
        notice.days_left = max(0, (notice.ends_on - today).days)  # type: ignore[attr-defined]
        notice.objection_list = list(notice.objections.all())  # type: ignore[attr-defined]
        notices.append(notice)
    current_notice = next(
        (n for n in notices if n.round == NOTICE_ROUND.get(case.step) and n.closed_at is None), None
    )
    path = [(step, Step(step).label) for step in path_of(case)]
    results = rules.evaluate(case)
    return render(
        request,
        "web/case_detail.html",
        {
            "case": case,
            "household": case.household,
            "breadcrumb": breadcrumb(user, case.household.area),
            "path": path,
            "passed_steps": path_of(case)[: path_of(case).index(case.step)]
            if case.step in path_of(case)
            else [],
            "steps": timeline(case),
            "meeting": getattr(case, "meeting", None),
            "verification": getattr(case, "verification", None),
            "notices": notices,
            "current_notice": current_notice,
            "results": results,
            "rules_decide": case.status == Status.OPEN and decides(case, case.step),
            "attachments": list(case.attachments.all()),
            "can_act": may_act(user, case),
            "can_attach": case.status == Status.OPEN and actions.may_attach(user, case),
            "is_review": case.step in REVIEW_STEPS,
            "is_notice": case.step in NOTICE_ROUND,
            "is_monitoring": case.kind in MONITORING_KINDS,
            "categories": MonitoringCategory.choices,
            "risk_type_choices": RiskType.choices,
            "ways": EliminationWay.choices,
            "risk_types": [RiskType(r).label for r in case.risk_types.values_list("risk", flat=True)],
            "today": today,
            "identification_late": case.identification_late_on(today),
            "errors": errors or [],
            "values": {posted.get("action", ""): posted} if posted is not None else {},
            "posted_risk_types": posted.getlist("risk_types") if posted is not None else [],
            "Step": {s.name: s.value for s in Step},
        },
        status=status,
    )


@page
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return _render_case(request, access_case_by_id(request.user, case_id))


def _flag(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name) in ("on", "1", "true")


@page
@require_POST
def case_act(request: HttpRequest, case_id: int) -> HttpResponse:
    """One form per step posts here with ``action`` naming what to do."""
    user = request.user
    case = access_case_by_id(user, case_id)
    post = request.POST
    action = post.get("action", "")
    try:
        # The form says which step it was shown at: if someone decided that step meanwhile,
        # this answers who and when (409), whatever step the case waits at now.
        if post.get("step", "") in Step.values:
            actions.refuse_if_decided(case, post["step"], user)
        if action == "verify":
            actions.do_record_verification(
                case,
                actor=user,
                public_funds_member=_flag(request, "public_funds_member"),
                non_productive_vehicle=_flag(request, "non_productive_vehicle"),
                commercial_housing=_flag(request, "commercial_housing"),
                runs_business=_flag(request, "runs_business"),
                policies_effective=_flag(request, "policies_effective"),
                # Asked only at a risk elimination's home check; other kinds keep the default.
                spending_resolved=_flag(request, "spending_resolved")
                if case.kind == Kind.ELIMINATION
                else True,
                remarks=post.get("remarks", ""),
            )
        elif action == "meeting":
            actions.do_record_review_meeting(
                case,
                actor=user,
                held_on=post.get("held_on", ""),
                representatives_total=post.get("representatives_total", ""),
                representatives_present=post.get("representatives_present", ""),
                votes_for=post.get("votes_for", ""),
                votes_against=post.get("votes_against", "0"),
                votes_abstain=post.get("votes_abstain", "0"),
                remarks=post.get("remarks", ""),
            )
        elif action == "consent":
            actions.do_record_consent(
                case,
                consent_name=post.get("consent_name", ""),
                consent_on=post.get("consent_on", ""),
                remarks=post.get("remarks", ""),
                actor=user,
            )
        elif action == "authorise":
            actions.do_record_authorisation(
                case,
                signed_by=post.get("signed_by", ""),
                signed_on=post.get("signed_on", ""),
                remarks=post.get("remarks", ""),
                upload=request.FILES.get("file"),
                actor=user,
            )
        elif action == "compare":
            actions.do_record_comparison(
                case, findings=post.get("findings", ""), category=post.get("category", ""), actor=user
            )
        elif action == "tag" and case.kind == Kind.ELIMINATION:
            actions.do_tag_elimination(
                case, way=post.get("way", ""), remarks=post.get("remarks", ""), actor=user
            )
        elif action == "tag":
            actions.do_tag_monitoring(
                case,
                category=post.get("category", ""),
                risk_types=post.getlist("risk_types"),
                remarks=post.get("remarks", ""),
                actor=user,
            )
        elif action == "post_notice":
            actions.do_post_notice(case, starts_on=post.get("starts_on", ""), actor=user)
        elif action == "objection":
            actions.do_record_objection(
                case, raised_by=post.get("raised_by", ""), content=post.get("content", ""), actor=user
            )
        elif action == "answer":
            objection = actions.access_objection(case, post.get("objection", ""))
            actions.do_answer_objection(objection, answer=post.get("answer", ""), actor=user)
        elif action == "close_notice":
            actions.do_close_notice(case, remarks=post.get("remarks", ""), actor=user)
        elif action == "override":
            actions.do_override_rule(
                case, rule=post.get("rule", ""), reason=post.get("reason", ""), actor=user
            )
        elif action == "approve":
            actions.do_approve_case(case, remarks=post.get("remarks", ""), actor=user)
        elif action == "reject":
            actions.do_reject_case(case, reason=post.get("reason", ""), actor=user)
        elif action == "announce":
            actions.do_announce_case(
                case, announced_on=post.get("announced_on", ""), remarks=post.get("remarks", ""), actor=user
            )
        else:
            raise NotFound()
    except FupinError as exc:
        errors = _messages_of(exc)
        return _render_case(
            request,
            access_case_by_id(user, case_id),
            errors,
            status=409 if exc.status == 409 else 400,
            posted=post,
        )
    return redirect("case", case_id=case.pk)


@page
@require_POST
def case_attach(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = access_case_by_id(user, case_id)
    try:
        actions.do_add_attachment(case, request.FILES.get("file"), actor=user)
    except FupinError as exc:
        return _render_case(request, case, _messages_of(exc), status=400)
    return redirect("case", case_id=case.pk)


@page
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    user = request.user
    attachment = Attachment.objects.filter(pk=attachment_id).select_related("case").first()
    if attachment is None:
        raise NotFound()
    access_case_by_id(user, attachment.case_id)  # the same 404 outside the user's area
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


# The case a household's page starts when no kind is asked for: the one its status leads to.
DEFAULT_START: dict[str, str] = {
    HouseholdStatus.NONE: Kind.IDENTIFICATION,
    HouseholdStatus.POOR: Kind.EXIT,
    HouseholdStatus.EXITED: Kind.MONITORING,
    HouseholdStatus.MONITORED: Kind.ELIMINATION,
    HouseholdStatus.RISK_ELIMINATED: Kind.MONITORING,
}
ORIGINS: dict[str, list[str]] = {
    Kind.IDENTIFICATION: [Origin.APPLICATION, Origin.NOMINATION],
    Kind.MONITORING: [Origin.APPLICATION, Origin.CADRE_CHECK, Origin.SCREENING],
}


@page
def case_start(request: HttpRequest, household_id: int) -> HttpResponse:
    """Start a case from the household page: ``?kind=`` names it, else the household's status
    decides; ``?alert=`` ties a monitoring case to the alert that led to it."""
    user = request.user
    household = access_household_by_id(user, household_id)
    require(user, ACT_VILLAGE_STEP, area_code=household.area_id)
    asked = request.GET.get("kind", "")
    # A kind that does not fit the household is still shown: the action says why it cannot start.
    kind = asked if asked in Kind.values else DEFAULT_START.get(household.status, Kind.IDENTIFICATION)
    errors: list[str] = []
    values = {"reason": "", "origin": Origin.APPLICATION, "alert_id": request.GET.get("alert", "")}
    if request.method == "POST":
        values = {
            "reason": request.POST.get("reason", ""),
            "origin": request.POST.get("origin", ""),
            "alert_id": request.POST.get("alert_id", ""),
        }
        try:
            if kind == Kind.EXIT:
                case = actions.do_open_exit(household, reason=values["reason"], actor=user)
            elif kind == Kind.ELIMINATION:
                case = actions.do_open_elimination(household, reason=values["reason"], actor=user)
            elif kind == Kind.MONITORING:
                case = open_monitoring_case(
                    user,
                    household,
                    origin=values["origin"],
                    reason=values["reason"],
                    alert_id=values["alert_id"].strip() or None,
                )
            else:
                case = actions.do_open_identification(
                    household, origin=values["origin"], reason=values["reason"], actor=user
                )
            return redirect("case", case_id=case.pk)
        except FupinError as exc:
            errors = _messages_of(exc)
    return render(
        request,
        "web/case_start.html",
        {
            "household": household,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "origins": [(o, Origin(o).label) for o in ORIGINS.get(kind, [])],
            "values": values,
            "errors": errors,
            "breadcrumb": breadcrumb(user, household.area),
        },
        status=400 if errors else 200,
    )


@page
def area_settings(request: HttpRequest) -> HttpResponse:
    """The local values cases use, for the user's area or one inside it."""
    user = request.user
    require(user, EDIT_AREA_SETTINGS)
    area = access_area_by_code(user, request.GET.get("area") or user.area_id)  # type: ignore[union-attr]
    errors: dict[str, str] = {}
    # Areas inside one's own are readable, but their values may belong to another office (a
    # province bureau looking at one of its counties): shown, not editable.
    can_edit = owns_setting(user, EDIT_AREA_SETTINGS, area.code)
    if request.method == "POST":
        # Refused as a whole before any value is read, so nothing of it is stored.
        require_setting_owner(user, EDIT_AREA_SETTINGS, area_code=area.code)
        for key, spec in SPECS.items():
            raw: Any = (
                request.POST.get(key) == "on" if spec.kind == "bool" else request.POST.get(key, "").strip()
            )
            if raw == "":
                continue
            try:
                value = clean_setting(key, raw)
                # Only what differs from the inherited value becomes this area's own setting.
                if value != setting_for(area.code, key):
                    do_set_area_setting(area, key, value, actor=user)
            except FupinError as exc:
                errors[key] = _messages_of(exc)[0]
        if not errors:
            return redirect(f"{request.path}?area={area.code}")
    own = dict(AreaSetting.objects.filter(area=area).values_list("key", "value"))
    rows = [
        {
            "key": key,
            "label": spec.label,
            "hint": spec.hint,
            "kind": spec.kind,
            "value": setting_for(area.code, key),
            "own": key in own,
            "default": spec.default,
            "error": errors.get(key, ""),
        }
        for key, spec in SPECS.items()
    ]
    return render(
        request,
        "web/case_settings.html",
        {
            "area": area,
            "rows": rows,
            "can_edit": can_edit,
            "can_edit_rules": user.can(EDIT_RULES),  # type: ignore[union-attr]
            "breadcrumb": breadcrumb(user, area),
            "saved_note": gettext("Saved."),
        },
        status=400 if errors else 200,
    )


urlpatterns = [
    path("cases/", case_list, name="cases"),
    path("cases/<int:case_id>/", case_detail, name="case"),
    path("cases/<int:case_id>/act/", case_act, name="case_act"),
    path("cases/<int:case_id>/attachments/", case_attach, name="case_attach"),
    path("attachments/<int:attachment_id>/", attachment_download, name="attachment"),
    path("households/<int:household_id>/cases/new/", case_start, name="case_start"),
    path("settings/cases/", area_settings, name="case_settings"),
]
