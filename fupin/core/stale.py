"""Marking statistics stale: the one call the lower apps make after a change an indicator counts.

``touch`` runs inside the caller's transaction, so a rolled-back change marks nothing. After
commit, a refresh of the marked areas starts in the background unless the setting
``FUPIN_STATS_REFRESH_IN_BACKGROUND`` is off (the tests refresh explicitly instead).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from fupin.core.models import StaleMark

log = logging.getLogger(__name__)
_lock = threading.Lock()
_running = threading.Event()
# Set by stats when it loads; core cannot import stats.
refresh_marked: Callable[[], object] | None = None


def touch(area_code: str, year: int | None = None) -> None:
    """Mark ``area_code``'s statistics for ``year`` (default: this year) as changed."""
    if not area_code:
        return
    year = year or timezone.localdate().year
    # One upsert: concurrent actions on the same village must neither fail nor wait long.
    StaleMark.objects.bulk_create(
        [StaleMark(area_code=area_code, year=year, marked_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["area_code", "year"],
        update_fields=["marked_at"],
    )
    if getattr(settings, "FUPIN_STATS_REFRESH_IN_BACKGROUND", False):
        transaction.on_commit(_start_background_refresh)


# The actions whose changes an indicator counts: every write passes through audit.record, so
# hooking there marks them all without each app remembering to. Reads that are audited
# (revealing an ID number) and party-organisation edits change no figure.
COUNTED_ACTIONS = (
    "registry.",
    "cases.",
    "alerts.",
    "pairing.",
    "assistance.record_",
    "teams.check_in",
    "teams.grade",
    "teams.add_member",
    "teams.end_membership",
    "teams.recall_member",
    "assessment.record_population",
    "assessment.set_setting",
    "areas.set_setting",
)
NOT_COUNTED = ("registry.reveal_id_number", "alerts.reveal_report_contact")


def after_action(action: str, area_code: str, after: dict[str, Any] | None = None) -> None:
    """Called by ``audit.record``: mark the action's area for this year and, when the change
    names a year of its own (an income, a condition check, a grade), for that year too."""
    if not area_code or not action.startswith(COUNTED_ACTIONS) or action in NOT_COUNTED:
        return
    touch(area_code)
    year = (after or {}).get("year")
    if isinstance(year, int) and 1900 < year < timezone.localdate().year:
        touch(area_code, year)


def _start_background_refresh() -> None:
    # One refresher at a time: marks made while it runs are picked up by its next loop.
    if refresh_marked is None or _running.is_set():
        return

    def target() -> None:
        with _lock:
            _running.set()
            try:
                while StaleMark.objects.exists():
                    refresh_marked()  # type: ignore[misc]
            except Exception:
                log.exception("background statistics refresh failed")
            finally:
                _running.clear()
                close_old_connections()

    threading.Thread(target=target, name="fupin-stats-refresh", daemon=True).start()
