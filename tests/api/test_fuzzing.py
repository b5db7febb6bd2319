"""schemathesis over the whole API, against a live server, with the personas' real tokens.

For every operation of /api/v1/openapi.json it generates requests from the document itself
(a bounded number per operation, derandomised so a run is repeatable) and requires:
- no server error, ever;
- every response matches what the document says for its status (schema, content type, and
  a status the operation documents);
- a request the document calls valid is not refused as invalid (422): the only refusals of
  valid data are the documented business rules (400 with a code, 403, 404, 409, 429).
Negative cases (data outside the schema) must be refused with a 4xx, never carried out.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from fupin.accounts.actions import do_issue_token
from fupin.accounts.models import User
from fupin.core.personas import VILLAGE
from tests.conftest import make_household

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.restores_seeded_rows]

EXAMPLES = 10  # per operation, mode and persona: about 2,000 requests in all
# A valid request may still be refused by a rule the document names: 400 with its code (a
# checksum, a date out of order), 403 (the role may not), 404 (nothing there, or outside the
# area), 409 (the state changed), 429 (a limit).
BUSINESS = {400, 403, 404, 409, 429}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# The widest writer, and the village clerk whose area is smallest (most answers are 404).
FUZZED = ["county_admin", "village_clerk"]


def fuzz(operation: Any, mode: GenerationMode, base_url: str, token: str, found: list[str]) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def one(case: Any) -> None:
        response = case.call(base_url=base_url, headers={"Authorization": f"Bearer {token}"})
        where = f"{mode} {operation.label} → {response.status_code}: {case.as_curl_command()}"
        try:
            checks = CHECKS if mode.is_positive else [*CHECKS, negative_data_rejection]
            case.validate_response(response, checks=checks)
        except Exception as exc:  # every failed check: keep looking, report them all
            found.append(f"{where}\n{str(exc)[:400]}")
            return
        if mode.is_positive and 400 <= response.status_code < 500 and response.status_code != 401:
            documented = set(operation.definition.raw.get("responses", {}))
            if response.status_code not in BUSINESS or str(response.status_code) not in documented:
                found.append(f"{where}\nvalid data refused: {response.text[:300]}")
            elif response.status_code == 400 and not json.loads(response.text).get("code"):
                found.append(f"{where}\na refusal without a code: {response.text[:300]}")

    one()


@pytest.mark.parametrize("persona", FUZZED)
def test_the_api_holds_under_a_fuzzer(persona: str, personas: dict[str, User], live_server: Any) -> None:
    # Something to find: a household with members in 十八洞村, so ids drawn near 1 hit real rows.
    make_household(VILLAGE, head_name="龙先富")
    token = do_issue_token(personas[persona], actor=personas[persona])
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    found: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(operation, mode, live_server.url, token, found)
    assert operations >= 53
    assert found == [], f"{len(found)} findings:\n\n" + "\n\n".join(found[:15])
