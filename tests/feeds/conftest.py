"""Fixtures of the feed tests: files written under a temporary directory, a registered
household to match against, and a second department provider in the same county."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fupin.accounts.actions import do_create_user
from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.core import crypto
from fupin.core.access import SYSTEM
from fupin.core.personas import COUNTY, VILLAGE
from fupin.feeds.departments import do_set_departments
from fupin.feeds.schemas import SCHEMAS
from fupin.registry.models import Household
from tests.conftest import PASSWORD, make_household


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Path) -> None:
    settings.FUPIN_FILES_DIR = tmp_path / "files"


@pytest.fixture(autouse=True)
def _provider_sends_for_every_department(request: pytest.FixtureRequest) -> None:
    """The feed tests read every department's schema through the one provider persona, so here
    it sends for all of them; test_departments.py narrows it back to its own (医保局)."""
    if "personas" in request.fixturenames:
        personas = request.getfixturevalue("personas")
        do_set_departments(personas["dept_provider"], list(SCHEMAS), actor=SYSTEM)


@pytest.fixture
def home(personas: dict[str, User]) -> Household:
    """A household of three in 十八洞村."""
    return make_household(VILLAGE)


@pytest.fixture
def ids(home: Household) -> list[str]:
    """The registered members' ID numbers, head first."""
    return [crypto.decrypt(m.id_number_enc) for m in home.members.order_by("pk")]


@pytest.fixture
def other_provider(personas: dict[str, User]) -> User:
    """Another department's provider in the same county (民政局, say)."""
    user = do_create_user(
        "civil_provider", role="dept_provider", area=Area.objects.get(code=COUNTY), password=PASSWORD
    )
    do_set_departments(user, ["civil_affairs"], actor=SYSTEM)
    return user
