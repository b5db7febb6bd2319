"""Every write to an alert: raising one by a cadre check (干部排查) or a household's own report
(农户自主申报), and triage — the home visit (入户核查), then starting a monitoring case or
dismissing the alert with a reason. Screening raises its alerts in bulk in ``raising``.

Each triage action locks the alert row (``select_for_update``) and checks its status inside
the lock, so of two people acting on one alert at once exactly one succeeds and the other is
told the alert was already handled (409), never a silent double decision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from fupin.accounts.actions import count_reveal
from fupin.accounts.display import display_name, display_name_for_login
from fupin.accounts.permissions import RELEASE_REPORTS, TRIAGE_ALERTS, VIEW_ALERTS, VIEW_PII
from fupin.alerts.errors import AlertError, AlreadyHandled, RateLimited
from fupin.alerts.labels import CADRE_CHECK_RULE, SELF_REPORT_RULE
from fupin.alerts.models import Alert, AlertStatus, Channel, ReportThrottle, SelfReport
from fupin.alerts.raising import due_dates
from fupin.areas.models import Area, Level
from fupin.cases.area_settings import setting_for
from fupin.core import audit, crypto
from fupin.core.access import require
from fupin.core.client import address_key
from fupin.core.errors import FupinError, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.registry import idnumber
from fupin.registry.actions import clean_id_number
from fupin.registry.cleaning import clean_phone
from fupin.registry.errors import RegistryError
from fupin.registry.models import Household, Member

ACTIVE = (AlertStatus.OPEN, AlertStatus.VISITED)


class _PublicReporter:
    """Who the audit log names for a report sent through the public page: nobody logged in."""

    pk = None
    username = "public self-report page"
    is_authenticated = False

    def __str__(self) -> str:
        return self.username


PUBLIC = _PublicReporter()


# --- helpers -------------------------------------------------------------------------------


def _text(value: Any, limit: int, field: str, required: AlertError | None = None) -> str:
    text = str(value or "").strip()
    if required is not None and not text:
        raise FupinError(required, field=field)
    if len(text) > limit:
        raise FupinError(RegistryError.TOO_LONG, field=field, max=limit)
    return text


def _lock(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


# The audit actions that move an alert to each status: the act a slower person lost to.
_ACTS = {
    AlertStatus.VISITED: ("alerts.record_visit",),
    AlertStatus.CASE_STARTED: ("alerts.start_case",),
    AlertStatus.DISMISSED: ("alerts.dismiss",),
}


def _already_handled(locked: Alert, code: AlertError) -> AlreadyHandled:
    """409 naming who took the step first and when, as the cases app's AlreadyDecided does:
    by full name (else role), never by login. The audit entry written with the step says it,
    also for an operator or a since deleted account; the alert's own fields are the fallback."""
    status = AlertStatus(locked.status)
    entry = (
        AuditEntry.objects.filter(
            object_type=Alert._meta.label_lower, object_id=str(locked.pk), action__in=_ACTS.get(status, ())
        )
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    if entry is not None:
        actor = entry.actor
        name = display_name(actor) if actor is not None else display_name_for_login(entry.actor_name)
        moment = entry.at
    else:
        name = display_name(locked.handled_by)
        moment = (locked.visited_at if status == AlertStatus.VISITED else locked.decided_at) or timezone.now()
    at = timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    error = AlreadyHandled(code, name=name, at=at, status=str(status.label))
    error.decided_by, error.decided_at = name, at
    return error


def _refuse_decided(locked: Alert) -> None:
    if locked.status not in ACTIVE:
        raise _already_handled(locked, AlertError.ALREADY_DECIDED)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _audit(
    actor: Any, action: str, alert: Alert, before: dict[str, Any] | None, after: dict[str, Any]
) -> None:
    audit.record(actor, f"alerts.{action}", obj=alert, area_code=alert.area_code, before=before, after=after)


# --- raising -------------------------------------------------------------------------------


def do_record_cadre_check(household: Household, summary: str, *, actor: Any) -> Alert:
    """干部排查: a village cadre found a household at risk; it becomes an alert on today's date,
    with the same clock as any other alert."""
    require(actor, TRIAGE_ALERTS, area_code=household.area_id)
    summary = _text(summary, 300, "summary", AlertError.SUMMARY_REQUIRED)
    today = timezone.localdate()
    visit_due, decision_due = due_dates(household.area_id, today)
    alert = Alert(
        household=household,
        area_code=household.area_id,
        channel=Channel.CADRE_CHECK,
        rule=CADRE_CHECK_RULE,
        period=today.isoformat(),
        summary=summary,
        evidence={"checked_by": getattr(actor, "username", ""), "checked_on": today.isoformat()},
        visit_due=visit_due,
        decision_due=decision_due,
    )
    try:
        with transaction.atomic():
            alert.save(force_insert=True)
            _audit(actor, "record_cadre_check", alert, None, audit.snapshot(alert) or {})
    except IntegrityError:
        # One alert per household, rule and period: a second check today adds nothing new.
        raise FupinError(AlertError.CHECK_EXISTS, field="household") from None
    return alert


# --- triage --------------------------------------------------------------------------------


def do_record_visit(alert: Alert, notes: str, *, actor: Any) -> Alert:
    """入户核查: the home visit and what it found."""
    require(actor, TRIAGE_ALERTS, area_code=alert.area_code)
    notes = _text(notes, 1000, "notes", AlertError.NOTES_REQUIRED)
    with transaction.atomic():
        locked = _lock(alert)
        if locked.status == AlertStatus.VISITED:
            raise _already_handled(locked, AlertError.ALREADY_VISITED)
        _refuse_decided(locked)
        before = {"status": locked.status}
        locked.status = AlertStatus.VISITED
        locked.visited_at = timezone.now()
        locked.visit_notes = notes
        locked.handled_by = _user(actor)
        locked.save(update_fields=["status", "visited_at", "visit_notes", "handled_by"])
        _audit(actor, "record_visit", locked, before, {"status": locked.status, "visit_notes": notes})
    return locked


def do_dismiss_alert(alert: Alert, reason: str, *, actor: Any) -> Alert:
    """The alert needs no monitoring (the data was wrong, the risk has passed …); the reason
    is required and kept, so a later reviewer sees why nothing was done."""
    require(actor, TRIAGE_ALERTS, area_code=alert.area_code)
    reason = _text(reason, 500, "reason", AlertError.DISMISS_REASON_REQUIRED)
    with transaction.atomic():
        locked = _lock(alert)
        _refuse_decided(locked)
        before = {"status": locked.status}
        locked.status = AlertStatus.DISMISSED
        locked.dismiss_reason = reason
        locked.decided_at = timezone.now()
        locked.handled_by = _user(actor)
        locked.save(update_fields=["status", "dismiss_reason", "decided_at", "handled_by"])
        _audit(actor, "dismiss", locked, before, {"status": locked.status, "dismiss_reason": reason})
    return locked


def do_mark_case_started(alert: Alert, case: Any = None, *, actor: Any, notes: str = "") -> Alert:
    """The village decided to start a monitoring case (纳入监测) for the alert's household.

    Monitoring cases are built later in the cases app; until then the decision is recorded
    with ``case`` left empty. That app's action opening a monitoring case from an alert then
    calls this in its own transaction, passing the case (whose reason stands in for ``notes``).
    """
    require(actor, TRIAGE_ALERTS, area_code=alert.area_code)
    notes = _text(notes or getattr(case, "reason", ""), 500, "notes", AlertError.DECISION_REQUIRED)
    with transaction.atomic():
        locked = _lock(alert)
        _refuse_decided(locked)
        if locked.household_id is None:
            raise FupinError(AlertError.NO_HOUSEHOLD, field="household")
        if locked.status != AlertStatus.VISITED:
            raise FupinError(AlertError.VISIT_FIRST)
        if case is not None and case.household_id != locked.household_id:
            raise FupinError(AlertError.CASE_OTHER_HOUSEHOLD, field="case")
        before = {"status": locked.status}
        locked.status = AlertStatus.CASE_STARTED
        locked.case = case
        locked.decision_notes = notes
        locked.decided_at = timezone.now()
        locked.handled_by = _user(actor)
        locked.save(update_fields=["status", "case", "decision_notes", "decided_at", "handled_by"])
        _audit(
            actor,
            "start_case",
            locked,
            before,
            {"status": locked.status, "case_id": getattr(case, "pk", None), "decision_notes": notes},
        )
    return locked


def do_link_household(alert: Alert, household: Household, *, actor: Any) -> Alert:
    """A self-report from someone the registry did not hold: once the village has registered
    the household, the alert is tied to it (so a monitoring case can follow)."""
    require(actor, TRIAGE_ALERTS, area_code=alert.area_code)
    require(actor, TRIAGE_ALERTS, area_code=household.area_id)
    if household.area_id[:12] != alert.area_code[:12]:
        raise FupinError(AlertError.OUTSIDE_VILLAGE, field="household")
    try:
        with transaction.atomic():
            locked = _lock(alert)
            _refuse_decided(locked)
            if locked.household_id is not None:
                raise FupinError(AlertError.HAS_HOUSEHOLD, field="household")
            before = {"household_id": None, "area_code": locked.area_code}
            locked.household = household
            locked.area_code = household.area_id
            locked.save(update_fields=["household", "area_code"])
            _audit(
                actor,
                "link_household",
                locked,
                before,
                {"household_id": household.pk, "area_code": household.area_id},
            )
    except IntegrityError:
        raise FupinError(AlertError.LINK_DUPLICATE, field="household") from None
    return locked


def do_reveal_report_contact(report: SelfReport, *, actor: Any) -> dict[str, str]:
    """The reporter's full ID number and phone, for the village to call and find them;
    recorded in the audit log like every showing of a full ID number."""
    alert = report.alert
    require(actor, VIEW_ALERTS, area_code=alert.area_code if alert else report.village_code)
    require(actor, VIEW_PII)
    with transaction.atomic():
        count_reveal(actor)  # the same daily limit as the household file's ID numbers
        audit.record(
            actor,
            "alerts.reveal_report_contact",
            obj=report,
            area_code=alert.area_code if alert else report.village_code,
            after={"fields": ["id_number", "phone"]},
        )
    return {"id_number": crypto.decrypt(report.id_number_enc), "phone": crypto.decrypt(report.phone_enc)}


# --- the public self-report page -----------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """What the reporter is told: a reference to quote, and within how many days the village
    will come (the alert's own area's visit limit)."""

    reference: str
    village: Area
    visit_days: int
    # None when the village's daily cap was reached: the report waits for the township.
    alert_id: int | None
    queued: bool = False


def _limit(name: str) -> int:
    value = int(getattr(settings, name))
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1, not {value!r}")
    return value


def client_key(address: str) -> str:
    """The keyed hash the per-address limit counts by (one helper for every such limit)."""
    return address_key(address, "self-report-client")


def _clean_report(
    name: Any, id_number: Any, phone: Any, village_code: Any, what_happened: Any
) -> tuple[str, str, str, Area, str]:
    errors: list[FupinError] = []
    clean: dict[str, Any] = {}
    try:
        clean["name"] = _text(name, 50, "name")
        if not clean["name"]:
            raise FupinError(RegistryError.NAME_REQUIRED, field="name")
    except FupinError as exc:
        errors.append(exc)
    try:
        clean["id_number"] = clean_id_number(id_number)
    except FupinError as exc:
        errors.append(exc)
    try:
        clean["phone"] = clean_phone(phone)
        if not clean["phone"]:
            raise FupinError(AlertError.PHONE_REQUIRED, field="phone")
    except FupinError as exc:
        exc.field = "phone"
        errors.append(exc)
    code = str(village_code or "").strip()
    if not code:
        errors.append(FupinError(AlertError.VILLAGE_REQUIRED, field="village"))
    else:
        village = Area.objects.filter(code=code, level=Level.VILLAGE).first()
        if village is None:
            errors.append(FupinError(AlertError.VILLAGE_UNKNOWN, field="village"))
        clean["village"] = village
    try:
        clean["what"] = _text(what_happened, 1000, "what_happened", AlertError.WHAT_REQUIRED)
    except FupinError as exc:
        errors.append(exc)
    if errors:
        raise ValidationFailed(errors)
    return clean["name"], clean["id_number"], clean["phone"], clean["village"], clean["what"]


def _hold_throttles(keys: list[str]) -> None:
    """Lock one row per key for the rest of the transaction (sorted, so two reports sharing
    keys always lock in the same order and cannot deadlock)."""
    for key in sorted(keys):
        ReportThrottle.objects.get_or_create(key=key)
    list(ReportThrottle.objects.select_for_update().filter(key__in=keys).order_by("key"))


def _entry(report: SelfReport, id_number: str, member: Member | None) -> dict[str, Any]:
    """What the village reads about one report: masked, like every display of personal data."""
    entry: dict[str, Any] = {
        "report_id": report.pk,
        "name": report.name,
        "id_number": idnumber.masked(id_number),
        "phone": report.phone_masked,
        "village": report.village_code,
        "what_happened": report.what_happened,
        "received_at": report.received_at.isoformat(),
    }
    if report.needs_review:
        # More reports for this ID number today than the limit: someone may be using it.
        entry["needs_review"] = True
    if member is not None:
        # Someone may report for a relative with the relative's number: the village checks.
        entry["member"] = member.name
        entry["name_matches"] = member.name == report.name
    return entry


def _append_report(alert: Alert, entry: dict[str, Any]) -> Alert:
    locked = _lock(alert)
    evidence = dict(locked.evidence or {})
    evidence["reports"] = [*evidence.get("reports", []), entry]
    locked.evidence = evidence
    locked.save(update_fields=["evidence"])
    return locked


def _alert_for_report(
    report: SelfReport, id_number: str, member: Member | None, village: Area, today: dt.date
) -> Alert:
    entry = _entry(report, id_number, member)
    period = today.isoformat()
    summary = f"{report.name}：{report.what_happened}"[:300]
    if member is not None:
        household = member.household
        # A second report for the same household on the same day joins the first alert.
        existing = Alert.objects.filter(household=household, rule=SELF_REPORT_RULE, period=period).first()
        if existing is None:
            area_code = household.area_id
            visit_due, decision_due = due_dates(area_code, today)
            alert = Alert(
                household=household,
                area_code=area_code,
                channel=Channel.SELF_REPORT,
                rule=SELF_REPORT_RULE,
                period=period,
                summary=summary,
                evidence={"reports": [entry]},
                visit_due=visit_due,
                decision_due=decision_due,
            )
            try:
                with transaction.atomic():
                    alert.save(force_insert=True)
                return alert
            except IntegrityError:
                # Another member's report for the same household got in between.
                existing = Alert.objects.get(household=household, rule=SELF_REPORT_RULE, period=period)
        return _append_report(existing, entry)
    # Someone the registry does not hold: the alert waits in the village without a household.
    earlier = (
        SelfReport.objects.filter(
            id_number_hash=report.id_number_hash,
            alert__isnull=False,
            alert__household__isnull=True,
            alert__period=period,
            alert__status__in=ACTIVE,
        )
        .exclude(pk=report.pk)
        .select_related("alert")
        .first()
    )
    if earlier is not None and earlier.alert is not None:
        return _append_report(earlier.alert, entry)
    visit_due, decision_due = due_dates(village.code, today)
    return Alert.objects.create(
        household=None,
        area_code=village.code,
        channel=Channel.SELF_REPORT,
        rule=SELF_REPORT_RULE,
        period=period,
        summary=summary,
        evidence={"reports": [entry], "registered": False},
        visit_due=visit_due,
        decision_due=decision_due,
    )


def do_receive_self_report(
    *,
    name: Any,
    id_number: Any,
    phone: Any,
    village_code: Any,
    what_happened: Any,
    client_address: str,
) -> Receipt:
    """农户自主申报 from the public page, sent by someone not logged in.

    Every field is checked first and all problems are answered together with nothing stored.
    Then the limits:

    - per sender address per hour (``FUPIN_SELF_REPORT_PER_ADDRESS_PER_HOUR``): refused, 429;
    - per ID number per day (``FUPIN_SELF_REPORT_PER_ID_PER_DAY``): never refused, since
      anyone may type another person's number and a refusal would silence that person; the
      later reports are taken and marked for the village to check (``needs_review``);
    - per village per day (``FUPIN_SELF_REPORT_PER_VILLAGE_PER_DAY``): each alert is a home
      visit, so past the cap a report raises none and waits for the township (``queued``),
      which reads it and may raise the alert (``do_release_queued_report``).

    The ID number is matched by its keyed hash to a registered member: the alert goes to that
    household; otherwise to the chosen village, without a household. Whether the person is
    registered is never said back, so the page cannot be used to probe the registry.
    """
    name, id_number, phone, village, what = _clean_report(name, id_number, phone, village_code, what_happened)
    id_hash = crypto.keyed_hash(id_number)
    client_hash = client_key(client_address)
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        _hold_throttles([f"address:{client_hash}", f"id:{id_hash}", f"village:{village.code}"])
        recent_from_address = SelfReport.objects.filter(
            client_hash=client_hash, received_at__gte=now - dt.timedelta(hours=1)
        ).count()
        if recent_from_address >= _limit("FUPIN_SELF_REPORT_PER_ADDRESS_PER_HOUR"):
            raise RateLimited(AlertError.TOO_MANY_FROM_ADDRESS)
        recent_for_id = SelfReport.objects.filter(
            id_number_hash=id_hash, received_at__gte=now - dt.timedelta(days=1)
        ).count()
        needs_review = recent_for_id >= _limit("FUPIN_SELF_REPORT_PER_ID_PER_DAY")
        day_start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
        raised_today = SelfReport.objects.filter(
            village_code=village.code, queued=False, received_at__gte=day_start
        ).count()
        queued = raised_today >= _limit("FUPIN_SELF_REPORT_PER_VILLAGE_PER_DAY")
        report = SelfReport.objects.create(
            name=name,
            id_number_enc=crypto.encrypt(id_number),
            id_number_hash=id_hash,
            phone_enc=crypto.encrypt(phone),
            phone_masked=crypto.mask(phone, 3, 4),
            village_code=village.code,
            what_happened=what,
            client_hash=client_hash,
            needs_review=needs_review,
            queued=queued,
        )
        member = (
            Member.objects.filter(id_number_hash=id_hash, left_on=None).select_related("household").first()
        )
        alert = None if queued else _alert_for_report(report, id_number, member, village, today)
        if alert is not None:
            report.alert = alert
            report.save(update_fields=["alert"])
        area_code = alert.area_code if alert is not None else village.code
        audit.record(
            PUBLIC,
            "alerts.receive_self_report",
            obj=report,
            area_code=area_code,
            after=audit.snapshot(
                report, extra={"alert_id": alert.pk if alert else None, "matched": member is not None}
            ),
        )
    return Receipt(
        reference=reference_of(report),
        village=village,
        visit_days=int(setting_for(area_code, "alert_visit_days")),
        alert_id=alert.pk if alert is not None else None,
        queued=queued,
    )


def do_release_queued_report(report: SelfReport, *, actor: Any) -> Alert:
    """The township raises the alert for a report that waited past its village's daily cap."""
    require(actor, RELEASE_REPORTS, area_code=report.village_code)
    with transaction.atomic():
        locked = SelfReport.objects.select_for_update().get(pk=report.pk)
        if not locked.queued:
            raise AlreadyHandled(AlertError.NOT_QUEUED)
        village = Area.objects.get(code=locked.village_code)
        id_number = crypto.decrypt(locked.id_number_enc)
        member = (
            Member.objects.filter(id_number_hash=locked.id_number_hash, left_on=None)
            .select_related("household")
            .first()
        )
        # Its time limits run from today, the day the township took it up.
        alert = _alert_for_report(locked, id_number, member, village, timezone.localdate())
        locked.alert = alert
        locked.queued = False
        locked.save(update_fields=["alert", "queued"])
        audit.record(
            actor,
            "alerts.release_queued_report",
            obj=locked,
            area_code=alert.area_code,
            after={"alert_id": alert.pk},
        )
    return alert


def reference_of(report: SelfReport) -> str:
    """The number the reporter can quote when calling: the day and the report's number."""
    return f"{timezone.localtime(report.received_at):%Y%m%d}-{report.pk:06d}"
