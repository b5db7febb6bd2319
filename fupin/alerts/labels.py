"""What a rule is called on a page. The screening rules live in the screening app, above this
one, so it registers their labels here (``register_rule_labels``) instead of this app importing
it; a rule nobody registered shows its key, which is still unambiguous."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
