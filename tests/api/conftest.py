"""API fixtures: real bearer tokens for every persona, and households inside and far away."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fupin.accounts.actions import do_issue_token
from fupin.accounts.models import User
from fupin.core.personas import OTHER_COUNTY, VILLAGE
from fupin.registry.models import Household, Member
from tests.api.helpers import Api, a_village_in
from tests.conftest import make_household


@pytest.fixture
def tokens(personas: dict[str, User]) -> dict[str, str]:
    # Each user issues their own, as `fupin token` would for them.
    return {name: do_issue_token(user, actor=user) for name, user in personas.items()}


@pytest.fixture
def api_as(tokens: dict[str, str]) -> Callable[[str], Api]:
    def make(persona: str) -> Api:
        return Api(tokens[persona])

    return make


@pytest.fixture
def home(personas: dict[str, User]) -> Household:
    """A household of three in 十八洞村, where most personas work."""
    return make_household(VILLAGE)


@pytest.fixture
def member(home: Household) -> Member:
    """A member of ``home`` who is not its head."""
    found = home.members.exclude(relation="head").first()
    assert found is not None
    return found


@pytest.fixture
def far_away(personas: dict[str, User]) -> Household:
    """A household in 泸溪县, the outsider's county: outside every other persona's area."""
    return make_household(a_village_in(OTHER_COUNTY).code, head_name="向远")
