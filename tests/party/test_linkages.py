"""Linkages between organisations (组织联建): both sides visible to the actor, never an
organisation with itself, one active linkage of a kind between two organisations (the database
holds the same rule), an urban–rural linkage led by a unit's organisation; ending one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from fupin.core.errors import NotFound
from fupin.party import actions
from fupin.party.models import Linkage, LinkKind, Organisation
from tests.party.helpers import last_entry, refused, state


def test_a_linkage_is_created_and_audited(world: dict[str, Any], personas: Any) -> None:
    dept = personas["org_dept"]
    link = actions.do_create_linkage(
        world["unit_branch"],
        world["branch"],
        {"kind": "urban_rural", "started_on": "2023-04-01", "note": "1+1 结对"},
        actor=dept,
    )
    assert (link.first_id, link.second_id, link.kind) == (
        world["unit_branch"].pk,
        world["branch"].pk,
        "urban_rural",
    )
    assert link.started_on == dt.date(2023, 4, 1) and link.ended_on is None and link.note == "1+1 结对"
    entry = last_entry("party.create_linkage")
    assert entry.object_id == str(link.pk) and entry.after["kind"] == "urban_rural"
    assert entry.area_code == world["branch"].area_id
    # without a date it starts today
    other = actions.do_create_linkage(world["branch"], world["neighbour"], {"kind": "area"}, actor=dept)
    assert other.started_on == timezone.localdate()


def test_an_organisation_is_not_linked_with_itself(world: dict[str, Any], personas: Any) -> None:
    branch = world["branch"]
    refused(
        lambda: actions.do_create_linkage(branch, branch, {"kind": "area"}, actor=personas["org_dept"]),
        ("LINK_SELF", "second"),
    )


def test_a_second_active_linkage_of_the_same_kind_is_refused_whichever_side_leads(
    world: dict[str, Any], personas: Any
) -> None:
    officer = personas["township_officer"]
    branch, coop = world["branch"], world["coop"]  # already linked along a chain
    refused(
        lambda: actions.do_create_linkage(branch, coop, {"kind": "chain"}, actor=officer),
        ("LINK_EXISTS", "second"),
    )
    refused(
        lambda: actions.do_create_linkage(coop, branch, {"kind": "chain"}, actor=officer),
        ("LINK_EXISTS", "second"),
    )
    # another kind between the same two is another linkage
    assert actions.do_create_linkage(branch, coop, {"kind": "industry"}, actor=officer).pk
    # once the chain linkage has ended, a new one may start
    actions.do_end_linkage(world["link"], actor=officer)
    assert actions.do_create_linkage(branch, coop, {"kind": "chain"}, actor=officer).pk
    assert Linkage.objects.filter(first=branch, second=coop, kind="chain").count() == 2


def test_the_database_holds_one_active_linkage_per_pair_and_kind(world: dict[str, Any]) -> None:
    """The guard the action's IntegrityError handling relies on, for a race the locks miss."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Linkage.objects.create(
            first=world["branch"], second=world["coop"], kind=LinkKind.CHAIN, started_on=dt.date(2024, 1, 1)
        )


def test_an_urban_rural_linkage_is_led_by_a_units_organisation(world: dict[str, Any], personas: Any) -> None:
    dept = personas["org_dept"]
    refused(
        lambda: actions.do_create_linkage(
            world["branch"], world["unit_branch"], {"kind": "urban_rural"}, actor=dept
        ),
        ("URBAN_NEEDS_UNIT", "first"),
    )
    assert actions.do_create_linkage(
        world["unit_branch"], world["branch"], {"kind": "urban_rural"}, actor=dept
    ).pk


def test_both_organisations_must_lie_in_the_actors_area(world: dict[str, Any], personas: Any) -> None:
    officer = personas["township_officer"]
    for first, second in ((world["unit_branch"], world["branch"]), (world["branch"], world["far"])):
        before = state()
        with pytest.raises(NotFound):
            actions.do_create_linkage(first, second, {"kind": "strong_weak"}, actor=officer)
        assert state() == before
    # the county department sees both
    assert actions.do_create_linkage(
        world["unit_branch"], world["branch"], {"kind": "strong_weak"}, actor=personas["org_dept"]
    ).pk


def test_a_dissolved_organisation_and_a_bad_kind_or_date_are_refused(
    world: dict[str, Any], personas: Any
) -> None:
    officer = personas["township_officer"]
    branch, neighbour = world["branch"], world["neighbour"]
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    refused(
        lambda: actions.do_create_linkage(
            branch, neighbour, {"kind": "", "started_on": tomorrow}, actor=officer
        ),
        ("REQUIRED", "kind"),
        ("DATE_IN_FUTURE", "started_on"),
    )
    refused(
        lambda: actions.do_create_linkage(branch, neighbour, {"kind": "friendship"}, actor=officer),
        ("UNKNOWN_CHOICE", "kind"),
    )
    Organisation.objects.filter(pk=neighbour.pk).update(dissolved_on=dt.date(2024, 1, 1))
    neighbour.refresh_from_db()
    refused(
        lambda: actions.do_create_linkage(branch, neighbour, {"kind": "area"}, actor=officer),
        ("ORG_DISSOLVED", "second"),
    )


def test_ending_a_linkage(world: dict[str, Any], personas: Any) -> None:
    officer = personas["township_officer"]
    link = world["link"]
    refused(
        lambda: actions.do_end_linkage(link, "2023-02-28", actor=officer),
        ("ENDED_BEFORE_STARTED", "ended_on"),
    )
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    refused(lambda: actions.do_end_linkage(link, tomorrow, actor=officer), ("DATE_IN_FUTURE", "ended_on"))
    ended = actions.do_end_linkage(link, "2024-06-30", actor=officer)
    assert ended.ended_on == dt.date(2024, 6, 30)
    entry = last_entry("party.end_linkage")
    assert entry.before["ended_on"] is None and entry.after["ended_on"] == "2024-06-30"
    refused(lambda: actions.do_end_linkage(link, actor=officer), ("LINK_ENDED", None))


def test_a_linkage_with_an_organisation_outside_the_actors_area_cannot_be_ended_by_them(
    world: dict[str, Any], personas: Any
) -> None:
    link = actions.do_create_linkage(
        world["unit_branch"], world["branch"], {"kind": "urban_rural"}, actor=personas["org_dept"]
    )
    before = state()
    with pytest.raises(NotFound):
        actions.do_end_linkage(link, actor=personas["township_officer"])
    assert state() == before
