"""``{% source row.source %}``: a value's source with its confidence label and a link."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from fupin.core.sources import parse_source

register = template.Library()


@register.simple_tag
def source(text: str | None) -> SafeString:
    shown = parse_source(text)
    said = "：".join(part for part in (shown.confidence, shown.note) if part)
    if not shown.url:
        return format_html("{}", said or "—")
    link = format_html(
        '<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', shown.url, _("original")
    )
    return format_html("{} {}", said, link) if said else link
