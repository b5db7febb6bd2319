"""The OpenAPI document builds, documents every endpoint, and its input schemas stay in step
with the fields the household file's actions accept."""

from __future__ import annotations

from typing import Any

import pytest

from fupin.registry import actions, income
from fupin.registry.models import HouseholdCondition
from tests.api.helpers import BASE, Api

PATHS = {
    "/me": {"get"},
    "/areas/{code}": {"get"},
    "/households": {"get", "post"},
    "/households/{household_id}": {"get", "patch"},
    "/households/{household_id}/members": {"post"},
    "/households/{household_id}/incomes/{year}": {"put"},
    "/households/{household_id}/conditions/{year}": {"put"},
    "/members/{member_id}": {"patch"},
    "/members/{member_id}/leave": {"post"},
    "/members/{member_id}/reveal-id": {"post"},
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    response = Api(None).get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def registry_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, methods in document["paths"].items()
        if path.removeprefix(BASE) in PATHS
        for method, operation in methods.items()
    ]


def test_the_document_lists_every_endpoint_of_the_household_file(document: dict[str, Any]) -> None:
    found = {path.removeprefix(BASE): set(methods) for path, methods in document["paths"].items()}
    for path, methods in PATHS.items():
        assert found.get(path, set()) >= methods, path


def test_every_operation_is_summarised_described_secured_and_says_how_it_refuses(
    document: dict[str, Any],
) -> None:
    for path, method, operation in registry_operations(document):
        where = f"{method.upper()} {path}"
        assert operation.get("summary") and operation.get("description"), where
        assert operation.get("security") == [{"BearerToken": []}], where
        assert "401" in operation["responses"], where
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (where, parameter["name"])
        if method != "get" or path.endswith("/me"):
            continue
        assert {"403", "404"} <= set(operation["responses"]), where


@pytest.mark.parametrize(
    "schema",
    ["HouseholdFieldsIn", "HouseholdCreateIn", "MemberFieldsIn", "MemberIn", "IncomeIn", "ConditionsIn"],
)
def test_every_input_field_is_described(schema: str, document: dict[str, Any]) -> None:
    properties = document["components"]["schemas"][schema]["properties"]
    undescribed = [name for name, spec in properties.items() if not spec.get("description")]
    assert undescribed == []


def test_the_input_schemas_accept_exactly_the_fields_the_actions_clean(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]

    def fields(name: str) -> set[str]:
        return set(schemas[name]["properties"])

    assert fields("HouseholdFieldsIn") == set(actions.HOUSEHOLD_FIELDS) | {
        "other_causes",
        "phone",
        "bank_account",
    }
    assert fields("HouseholdCreateIn") == fields("HouseholdFieldsIn") | {"area_code", "members"}
    assert (
        fields("MemberFieldsIn") == fields("MemberIn") == set(actions.MEMBER_FIELDS) | {"id_number", "phone"}
    )
    assert fields("IncomeIn") == set(income.INPUT_FIELDS)
    assert fields("ConditionsIn") == set(HouseholdCondition.CHECKS) | {"notes"}


def test_no_output_schema_has_a_place_for_a_full_id_number_but_the_reveal(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    holders = sorted(
        name
        for name, spec in schemas.items()
        if not name.endswith("In") and "id_number" in spec.get("properties", {})
    )
    assert holders == ["RevealedIdOut"]
