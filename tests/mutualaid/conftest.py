"""Mutual-aid groups in 十八洞村 and one in the neighbouring 丙池村 for wrong-area checks.

Party organisations and their members are test setup here (built with the ORM); the code under
test is what the groups do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.personas import NEIGHBOUR_VILLAGE, VILLAGE
from fupin.mutualaid import actions
from fupin.mutualaid.models import AidGroup
from fupin.party.models import MemberStatus, Organisation, PartyMember

FORMED = dt.date(2024, 3, 1)


def party_member(village_code: str, name: str, status: str = MemberStatus.FULL) -> PartyMember:
    village = Area.objects.get(code=village_code)
    org, _ = Organisation.objects.get_or_create(area=village, name=f"{village.name}党支部")
    return PartyMember.objects.create(organisation=org, area=village, name=name, status=status)


def make_group(
    village_code: str = VILLAGE, name: str = "竹子寨第一互助组", leader: str = "施全友"
) -> AidGroup:
    member = party_member(village_code, leader)
    return actions.do_create_group(
        SYSTEM,
        Area.objects.get(code=village_code),
        {
            "name": name,
            "leader_kind": "party_member",
            "leader_party_member": member.pk,
            "formed_on": FORMED.isoformat(),
        },
    )


@pytest.fixture
def group(personas: dict[str, Any]) -> AidGroup:
    return make_group()


@pytest.fixture
def neighbour_group(personas: dict[str, Any]) -> AidGroup:
    return make_group(NEIGHBOUR_VILLAGE, name="丙池第一互助组", leader="龙先兰")


@pytest.fixture
def client_for(client_for: Any) -> Any:
    """The logged-in client of tests/conftest.py, reading the interface in English so the tests
    hold whatever the Chinese catalogue says."""

    def make(username: str) -> Client:
        client = client_for(username)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make
