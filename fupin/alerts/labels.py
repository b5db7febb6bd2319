"""What a rule is called on a page. The screening rules live in the screening app, above this
one, so it registers their labels here (``register_rule_labels``, from its ``AppConfig.ready``)
instead of this app importing it. The same goes for what each key of a rule's evidence means
(``register_evidence_labels``): a key means different things under different rules (``share_pct``
is a drop in income under one, a share of income under another)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from fupin.alerts.models import Channel

# The rules of the two channels that are not screening carry the channel's own name.
CADRE_CHECK_RULE = "cadre_check"
SELF_REPORT_RULE = "self_report"

_LABELS: dict[str, Any] = {
    CADRE_CHECK_RULE: Channel.CADRE_CHECK.label,
    SELF_REPORT_RULE: Channel.SELF_REPORT.label,
}


def register_rule_labels(labels: Mapping[str, Any]) -> None:
    """Name screening rules (key → lazily translated label)."""
    _LABELS.update(labels)


def rule_label(rule: str) -> str:
    return str(_LABELS.get(rule, rule))


# Evidence keys this app writes itself (a cadre check); a rule's own keys come from its app.
_EVIDENCE: dict[str, dict[str, Any]] = {
    CADRE_CHECK_RULE: {"checked_by": _("checked by"), "checked_on": _("checked on")},
}


def register_evidence_labels(rule: str, labels: Mapping[str, Any]) -> None:
    """Name the evidence keys of one rule (key → lazily translated label)."""
    _EVIDENCE.setdefault(rule, {}).update(labels)


def evidence_label(rule: str, key: str) -> str:
    return str(_EVIDENCE.get(rule, {}).get(key, key))
