"""Status changes: history row plus audit entry, and a conditional update so that of two
changes made from the same seen status exactly one wins."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from fupin.accounts.models import User
from fupin.core.access import SYSTEM
from fupin.core.errors import Conflict, FupinError, NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import VILLAGE
from fupin.registry import actions
from fupin.registry.models import Household, StatusChange
from tests.registry.helpers import ALL_PERSONAS, OUTSIDE, error_codes, registry_fingerprint


def test_a_status_change_writes_history_and_one_audit_entry(household: Household) -> None:
    audit_before = AuditEntry.objects.count()
    changed = actions.do_change_status(household, "poor", year=2014, reason="民主评议通过", actor=SYSTEM)
    assert (changed.status, changed.registered_year) == ("poor", 2014)
    stored = Household.objects.get(pk=household.pk)
    assert (stored.status, stored.registered_year) == ("poor", 2014)

    history = StatusChange.objects.get(household=household)
    assert (history.from_status, history.to_status, history.year, history.reason) == (
        "none",
        "poor",
        2014,
        "民主评议通过",
    )
    assert AuditEntry.objects.count() == audit_before + 1
    entry = AuditEntry.objects.get(action="registry.change_status")
    assert (entry.actor_name, entry.object_type, entry.object_id, entry.area_code) == (
        "system",
        "registry.household",
        str(household.pk),
        VILLAGE,
    )
    assert entry.before == {"status": "none"}
    assert entry.after == {"status": "poor", "registered_year": 2014}


def test_exiting_records_the_exit_year_and_the_history_grows_in_order(household: Household) -> None:
    household = actions.do_change_status(household, "poor", year=2014, reason="识别", actor=SYSTEM)
    household = actions.do_change_status(household, "exited", year=2019, reason="脱贫", actor=SYSTEM)
    assert (household.status, household.registered_year, household.exit_year) == ("exited", 2014, 2019)
    steps = list(StatusChange.objects.filter(household=household).values_list("from_status", "to_status"))
    assert steps == [("none", "poor"), ("poor", "exited")]


def test_of_two_changes_from_the_same_seen_status_exactly_one_succeeds(household: Household) -> None:
    # Two pages opened the same household while it was "none".
    first_page = Household.objects.get(pk=household.pk)
    second_page = Household.objects.get(pk=household.pk)
    actions.do_change_status(first_page, "poor", year=2014, reason="识别", actor=SYSTEM)
    before = registry_fingerprint()
    with pytest.raises(Conflict) as caught:
        actions.do_change_status(second_page, "monitored", year=2021, reason="监测", actor=SYSTEM)
    assert caught.value.as_dict()["code"] == "CONFLICT"
    assert caught.value.status == 409
    assert registry_fingerprint() == before
    assert Household.objects.get(pk=household.pk).status == "poor"
    assert StatusChange.objects.filter(household=household).count() == 1


def test_a_stale_instance_keeps_losing_until_it_is_reloaded(household: Household) -> None:
    stale = Household.objects.get(pk=household.pk)
    actions.do_change_status(
        Household.objects.get(pk=household.pk), "poor", year=2014, reason="a", actor=SYSTEM
    )
    for target in ("monitored", "exited", "none"):
        with pytest.raises(Conflict):
            actions.do_change_status(stale, target, year=2020, reason="b", actor=SYSTEM)
    fresh = Household.objects.get(pk=household.pk)
    assert actions.do_change_status(fresh, "exited", year=2020, reason="c", actor=SYSTEM).status == "exited"


def test_an_unknown_status_is_refused(household: Household) -> None:
    before = registry_fingerprint()
    with pytest.raises(FupinError) as caught:
        actions.do_change_status(household, "rich", year=2020, reason="", actor=SYSTEM)
    assert error_codes(caught.value) == ["UNKNOWN_CHOICE"]
    assert registry_fingerprint() == before


@pytest.mark.parametrize("username", ALL_PERSONAS)
def test_no_persona_changes_status_directly_only_case_workflows_do(
    personas: dict[str, User], household: Household, username: str
) -> None:
    # No role holds registry.change_status yet: the case workflows will act for them.
    before = registry_fingerprint()
    denied = NotFound if username in OUTSIDE else PermissionDenied
    with pytest.raises(denied):
        actions.do_change_status(household, "poor", year=2014, reason="", actor=personas[username])
    assert registry_fingerprint() == before


def test_anonymous_and_missing_actors_are_refused(household: Household) -> None:
    for actor in (None, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            actions.do_change_status(household, "poor", year=2014, reason="", actor=actor)
