"""Find every form of the web pages and submit it: the harness of ``test_every_form.py``.

The forms are not listed by hand. Every route of the URL conf is filled with real objects of a
small demo county and read as each persona; every ``<form method="post">`` found is recorded
with its fields as the page rendered them. A new page with a form is covered without touching
the tests, and a route that takes POST but was never reached through a form fails the test
until it is (or until its exemption says why not).
"""

from __future__ import annotations

import copy
import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Not forms of the application: they end the session or switch the interface language.
NOT_APPLICATION_FORMS = {"logout", "set_language"}


@dataclass
class FormField:
    name: str
    tag: str  # input, select, textarea
    kind: str  # text, number, date, checkbox, radio, hidden, file, select, textarea, ...
    value: str
    required: bool
    options: list[str] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Form:
    page: str  # the URL the form was found on
    action: str  # the URL it posts to
    route: str  # the URL pattern's name
    persona: str
    fields: list[FormField]
    enctype: str = ""
    # The sum a page asks a person to work out (the self-report challenge), answered as a
    # person reading the page would.
    sum_asked: int | None = None

    def key(self) -> tuple[str, tuple[str, ...]]:
        return self.route, tuple(sorted({f.name for f in self.fields}))

    def baseline(self, id_number: str) -> dict[str, Any]:
        """The form as a user would send it with every required field filled plausibly."""
        data: dict[str, Any] = {}
        for f in self.fields:
            if f.kind in ("submit", "button", "reset", "image", "file"):
                if f.kind == "submit" and f.name and f.value:
                    data.setdefault(f.name, f.value)
                continue
            if f.kind in ("checkbox", "radio"):
                if f.attrs.get("checked") is not None or (f.kind == "radio" and f.name not in data):
                    data[f.name] = f.value or "on"
                continue
            value = f.value
            # Filled even where the page marks nothing required: the action may require it.
            if not value and f.name == "answer" and self.sum_asked is not None:
                value = str(self.sum_asked)
            if not value and f.kind not in ("password", "hidden"):
                value = plausible(f, id_number)
            data[f.name] = value
        return data


def plausible(f: FormField, id_number: str) -> str:
    if "id_number" in f.name:
        return id_number
    if f.kind == "date":
        return timezone.localdate().isoformat()
    if f.kind == "month":
        return timezone.localdate().strftime("%Y-%m")
    if f.kind == "number":
        return f.attrs.get("min") or "1"
    if f.tag == "select":
        return next((o for o in f.options if o), "")
    if "phone" in f.name:
        return "13800138000"
    if "year" in f.name:
        return str(timezone.localdate().year)
    return "测试"


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[dict[str, str], list[FormField]]] = []
        self.current: list[FormField] | None = None
        self.select: FormField | None = None
        self.textarea: FormField | None = None
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: (v if v is not None else "") for k, v in attr_list}
        if tag == "a" and attrs.get("href", "").startswith("/"):
            self.links.append(attrs["href"])
        if tag == "form":
            self.current = []
            self.forms.append((attrs, self.current))
            return
        if self.current is None:
            return
        name = attrs.get("name", "")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind == "text" and attrs.get("inputmode") in ("decimal", "numeric"):
                kind = "number"
            self.current.append(
                FormField(name, "input", kind, attrs.get("value", ""), "required" in attrs, attrs=attrs)
            )
        elif tag == "button" and name:
            self.current.append(
                FormField(name, "button", "submit", attrs.get("value", ""), False, attrs=attrs)
            )
        elif tag == "select" and name:
            self.select = FormField(name, "select", "select", "", "required" in attrs, attrs=attrs)
            self.current.append(self.select)
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            self.select.options.append(value)
            if "selected" in attrs:
                self.select.value = value
        elif tag == "textarea" and name:
            self.textarea = FormField(name, "textarea", "textarea", "", "required" in attrs, attrs=attrs)
            self.current.append(self.textarea)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea.value += data


def forms_on(html: str, page: str, persona: str) -> tuple[list[Form], list[str]]:
    """The post forms of a page, and the links it offers."""
    parser = _Forms()
    parser.feed(html)
    found = []
    for attrs, fields in parser.forms:
        if attrs.get("method", "get").lower() != "post":
            continue
        # As a browser reads it: "?area=…" or "" is relative to the page the form is on.
        action = urljoin(page, attrs.get("action") or page)
        path = urlsplit(action).path
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.url_name in NOT_APPLICATION_FORMS or path.startswith("/api/"):
            continue
        form = Form(page, action, match.url_name or path, persona, fields, attrs.get("enctype", ""))
        if asked := re.search(r"(\d+) \+ (\d+)", html):
            form.sum_asked = int(asked.group(1)) + int(asked.group(2))
        found.append(form)
    return found, parser.links


# --- the URL conf --------------------------------------------------------------------------


def routes(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from routes(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def web_routes() -> list[tuple[str, URLPattern]]:
    return [(r, p) for r, p in routes() if not r.startswith(("api/", "i18n/"))]


def takes_post(pattern: URLPattern) -> bool:
    """Whether the view handles POST: its source (under the decorators) says so."""
    view = inspect.unwrap(pattern.callback)
    try:
        source = inspect.getsource(view)
    except (OSError, TypeError):
        return False
    return '"POST"' in source or "request.POST" in source or "require_POST" in source


def fill(route: str, values: dict[str, Any], name: str) -> str | None:
    url = "/" + route
    for match in PARAM.finditer(route):
        param = match.group(2)
        value = values.get(f"{name}:{param}", values.get(param))
        if value is None:
            return None
        url = url.replace(match.group(0), str(value), 1)
    return url


def world_values() -> dict[str, Any]:
    """One real object for every URL parameter, from 十八洞村 where the model has an area."""
    from fupin.alerts.models import Alert, SelfReport
    from fupin.assistance.models import CareFlag, Project, Training, Workshop
    from fupin.cases.models import Attachment, Case, Notice
    from fupin.core.models import Job
    from fupin.core.personas import COUNTY, VILLAGE
    from fupin.duty.models import Task
    from fupin.feeds.models import FeedBatch, Source
    from fupin.mutualaid.models import AidGroup
    from fupin.pairing.models import Pairing
    from fupin.party.models import Cadre, Linkage, Organisation, PartyMember, Unit
    from fupin.registry.models import Household, Member
    from fupin.screening.models import ScreeningRun
    from fupin.screening.rules import RULES
    from fupin.teams.models import LeaveRequest, WorkReport, WorkTeam

    def one(qs: Any, area_field: str | None = None) -> Any:
        if area_field:
            inside = qs.filter(**{f"{area_field}__startswith": VILLAGE}).order_by("pk").first()
            if inside is not None:
                return inside.pk
        first = qs.order_by("pk").first()
        return first.pk if first is not None else None

    notice = Notice.objects.order_by("pk").first()
    household = one(Household.objects.filter(area__code__startswith=VILLAGE, members__isnull=False))
    return {
        "household_id": household,
        "member_id": one(Member.objects.filter(household_id=household).exclude(relation="head")),
        "case_id": notice.case_id if notice else one(Case.objects, "area_code"),
        "round_no": notice.round if notice else 1,
        "attachment_id": one(Attachment.objects),
        "batch_id": one(FeedBatch.objects, "area_code"),
        "source": Source.values[0],
        "alert_id": one(Alert.objects, "area_code"),
        "run_id": one(ScreeningRun.objects),
        "rule": RULES[0].key,
        "org_id": one(Organisation.objects, "area__code"),
        "link_id": one(Linkage.objects),
        "unit_id": one(Unit.objects, "area__code"),
        "cadre_id": one(Cadre.objects, "area__code"),
        "leave_id": one(LeaveRequest.objects),
        "team_id": one(WorkTeam.objects, "area__code"),
        "group_id": one(AidGroup.objects, "area__code"),
        "pairing_id": one(Pairing.objects, "area__code"),
        "project_id": one(Project.objects, "area__code"),
        "workshop_id": one(Workshop.objects, "area__code"),
        "training_id": one(Training.objects, "area__code"),
        "flag_id": one(CareFlag.objects, "area__code"),
        "task_id": one(Task.objects),
        "report_id": one(WorkReport.objects),
        "job_id": one(Job.objects),
        "code": VILLAGE,
        # Routes whose parameter names another kind of object than its name says.
        "party_member:member_id": one(PartyMember.objects, "area__code"),
        "party_member_edit:member_id": one(PartyMember.objects, "area__code"),
        "alert_report_reveal:report_id": one(SelfReport.objects),
        "alert_report_link:report_id": one(SelfReport.objects),
        "assessment_county:code": COUNTY,
        "assessment_county_export:code": COUNTY,
        "assessment_sampling:code": COUNTY,
    }


# Links followed per route: enough to meet objects in their different states (a case at each
# step), few enough to keep the walk short.
LINKS_PER_ROUTE = 12


def discover(
    clients: dict[str, Client], values: dict[str, Any], extra: tuple[str, ...] = ()
) -> tuple[list[Form], set[str]]:
    """Every distinct form on every page any persona can open: each route filled with real
    objects, then the links those pages offer (a query such as ``?village=`` or another object
    of the same kind), one step deep."""
    forms: dict[tuple[str, tuple[str, ...]], Form] = {}
    pages: set[str] = set()
    start = list(extra)
    for route, pattern in web_routes():
        if route.endswith((".xlsx", ".pdf", ".csv", ".json")) or pattern.name in NOT_APPLICATION_FORMS:
            continue
        url = fill(route, values, pattern.name or "")
        if url is not None:
            start.append(url)
    links: dict[str, None] = {}

    def read(url: str) -> None:
        for persona, client in clients.items():
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            pages.add(url)
            found, offered = forms_on(response.content.decode(), url, persona)
            for form in found:
                forms.setdefault(form.key(), form)
            for link in offered:
                links.setdefault(link, None)

    for url in start:
        read(url)
    per_route: dict[tuple[str, tuple[str, ...]], int] = {}
    for link in list(links):
        parts = urlsplit(link)
        if link in pages or parts.path.endswith((".xlsx", ".pdf", ".csv", ".json")):
            continue
        try:
            match = resolve(parts.path)
        except Resolver404:
            continue
        if match.url_name in NOT_APPLICATION_FORMS:
            continue
        query_keys = tuple(sorted(k.split("=")[0] for k in parts.query.split("&") if k))
        key = (match.url_name or "", query_keys)
        per_route[key] = per_route.get(key, 0) + 1
        if per_route[key] <= LINKS_PER_ROUTE:
            read(link)
    return list(forms.values()), pages


def submit(client: Client, form: Form, data: dict[str, Any]) -> Any:
    """Post ``data`` to the form and undo whatever it changed, so every variant meets the same
    world; the client keeps its session even if the view rotated it."""
    cookies = copy.deepcopy(client.cookies)
    cache.clear()  # rate limits of one variant must not refuse the next
    try:
        with transaction.atomic():
            response = client.post(form.action, data)
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
    return response


def has_field_message(response: Any) -> bool:
    """A refusal a user can act on: a message in Chinese beside a field or above the form."""
    html = response.content.decode(errors="replace")
    for match in re.finditer(r'class="[^"]*\berror\b[^"]*"[^>]*>(.*?)</', html, re.S):
        if CJK.search(match.group(1)):
            return True
    return False
