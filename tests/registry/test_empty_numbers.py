"""A blank number in a form, a JSON null or a blank cell stores what the column means by
"nothing": a newborn has worked 0 months away, and NOT NULL columns never receive NULL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import models
from django.utils import timezone

from fupin.accounts.actions import do_issue_token
from fupin.core.access import SYSTEM
from fupin.party import actions as party_actions
from fupin.party import models as party_models
from fupin.registry import actions
from fupin.registry.cleaning import Field, clean_value
from fupin.registry.models import Household, Member
from tests.api.helpers import Api
from tests.conftest import new_id_number

# Every field spec an action validates, with the model whose columns it fills.
SPECS: list[tuple[type[models.Model], dict[str, Field]]] = [
    (Household, actions.HOUSEHOLD_FIELDS),
    (Member, actions.MEMBER_FIELDS),
    (party_models.Unit, party_actions.UNIT_FIELDS),
    (party_models.Organisation, party_actions.ORG_FIELDS),
    (party_models.PartyMember, party_actions.MEMBER_FIELDS),
    (party_models.Cadre, party_actions.CADRE_FIELDS),
    (party_models.Rating, party_actions.RATING_FIELDS),
    (party_models.Linkage, party_actions.LINK_FIELDS),
]

# Blank values the action itself replaces before saving, with why.
FILLED_BY_THE_ACTION = {
    ("Linkage", "started_on"): "do_create_linkage dates a linkage today when no date is given",
}


@pytest.mark.parametrize(("model", "specs"), SPECS, ids=lambda v: getattr(v, "__name__", ""))
def test_an_empty_optional_value_fits_its_column(model: type[models.Model], specs: dict[str, Field]) -> None:
    for name, spec in specs.items():
        if spec.required:
            continue
        if (model.__name__, name) in FILLED_BY_THE_ACTION:
            continue
        column = model._meta.get_field(name)
        for blank in ("", None, "  "):
            value = clean_value(spec, blank)
            assert value is not None or column.null, (model.__name__, name, blank)


def test_a_newborn_is_added_with_work_months_left_blank(household: Household, client_for: Any) -> None:
    client = client_for("village_clerk")
    number = new_id_number(timezone.localdate() - dt.timedelta(days=20), female=True)
    response = client.post(
        f"/households/{household.pk}/members/new/",
        {"name": "石宝宝", "relation": "daughter", "id_number": number, "work_months": ""},
    )
    assert response.status_code == 302
    baby = household.members.get(name="石宝宝")
    assert baby.work_months == 0


def test_clearing_work_months_on_edit_stores_zero(household: Household, client_for: Any) -> None:
    member = household.members.exclude(relation="head").first()
    assert member is not None
    actions.do_update_member(member, {"work_months": 6}, actor=SYSTEM)
    response = client_for("village_clerk").post(
        f"/members/{member.pk}/edit/",
        {"name": member.name, "relation": member.relation, "work_months": ""},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.work_months == 0


def test_the_api_takes_a_null_work_months(household: Household, personas: dict[str, Any]) -> None:
    clerk = personas["village_clerk"]
    api = Api(do_issue_token(clerk, actor=clerk))
    number = new_id_number(timezone.localdate() - dt.timedelta(days=40))
    created = api.post(
        f"/households/{household.pk}/members",
        {"name": "石小宝", "relation": "son", "id_number": number, "work_months": None},
    )
    assert created.status_code == 201, created.content
    member_id = created.json()["id"]
    changed = api.patch(f"/members/{member_id}", {"work_months": None})
    assert changed.status_code == 200, changed.content
    assert changed.json()["work_months"] == 0
