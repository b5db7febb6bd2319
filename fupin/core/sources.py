"""A rule value's source as a reader sees it.

Seeded values carry a provenance note for reviewers: a confidence marker (``CONFIRMED:``,
``CONFIRMED weakly:``, ``CONFIRMED as a target only:``, ``UNCONFIRMED:``), the document, and
sometimes the address it was read at. A page shows the marker as a Chinese label, the note in the
reader's language (the seeded notes are catalogue entries; a note an administrator typed passes
through unchanged) and the address as a link, never as raw text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

_MARKERS = (
    ("CONFIRMED as a target only:", gettext_noop("target figure only")),
    ("CONFIRMED rule, amount derived:", gettext_noop("rule confirmed, amount derived")),
    ("CONFIRMED weakly:", gettext_noop("weakly confirmed")),
    ("UNCONFIRMED:", gettext_noop("not confirmed")),
    ("CONFIRMED:", gettext_noop("confirmed")),
)
_URL = re.compile(r"\(?\s*(https?://[^\s)]+)\s*\)?")

# The notes the migrations seed (registry 0002, screening 0003 and 0004), so makemessages-free catalogue
# entries exist for them; the texts must stay identical to the seeded ones.
SEEDED_NOTES = (
    gettext_noop("base, 2300 元/人·年 at constant 2010 prices"),
    gettext_noop("国开办发〔2014〕24号, 2013 income, line for 2014 建档立卡"),
    gettext_noop("a Xinjiang page labels it by work year 2015"),
    gettext_noop("a public data-check script, 国家贫困标准2952元"),
    gettext_noop("NBS series from memory"),
    gettext_noop("about 4000 (刘永富)"),
    # screening 0004
    gettext_noop(
        "国务院扶贫开发领导小组《关于建立防止返贫监测和帮扶机制的指导意见》(2020-03) "
        "监测范围 约为国家扶贫标准的1.5倍; 2020 国家扶贫标准约4000元, 1.5×4000=6000元"
    ),
)


@dataclass(frozen=True)
class Source:
    confidence: str  # "" when the text carries no marker
    note: str
    url: str


def parse_source(text: str | None) -> Source:
    body = (text or "").strip()
    confidence = ""
    for marker, label in _MARKERS:
        if body.startswith(marker):
            confidence = _(label)
            body = body[len(marker) :].strip()
            break
    url = ""
    if found := _URL.search(body):
        url = found.group(1)
        body = (body[: found.start()] + body[found.end() :]).strip(" ,;，")
    return Source(confidence, _(body) if body else "", url)


def source_text(text: str | None) -> str:
    """One line without the address, for places that cannot hold a link (a PDF, a list)."""
    shown = parse_source(text)
    return "：".join(part for part in (shown.confidence, shown.note) if part) or "—"
