"""Units, party members and households to pair with, built with the ORM as test setup."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.personas import COUNTY, VILLAGE
from fupin.pairing import actions
from fupin.pairing.actions import Helper
from fupin.pairing.models import Pairing
from fupin.party.models import MemberStatus, Organisation, PartyMember, Unit, UnitKind
from fupin.registry.models import Household
from tests.conftest import make_household


def make_unit(name: str = "县交通运输局", kind: str = UnitKind.DEPARTMENT, area_code: str = COUNTY) -> Unit:
    return Unit.objects.create(area=Area.objects.get(code=area_code), name=name, kind=kind)


def party_member(village_code: str, name: str, status: str = MemberStatus.FULL) -> PartyMember:
    village = Area.objects.get(code=village_code)
    org, _ = Organisation.objects.get_or_create(area=village, name=f"{village.name}党支部")
    return PartyMember.objects.create(organisation=org, area=village, name=name, status=status)


def pair_cadre(household: Household, name: str = "龙干部", **helper: Any) -> Pairing:
    return actions.do_pair(SYSTEM, "cadre_household", household=household, helper=Helper(name=name, **helper))


@pytest.fixture
def unit(db: Any) -> Unit:
    return make_unit()


@pytest.fixture
def poor(personas: dict[str, Any]) -> Household:
    return make_household(VILLAGE, status="poor", head_name="施成富")


@pytest.fixture
def client_for(client_for: Any) -> Any:
    """The logged-in client of tests/conftest.py, reading the interface in English so the tests
    hold whatever the Chinese catalogue says."""

    def make(username: str) -> Client:
        client = client_for(username)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make
