"""Error codes: a stable name, a message in the user's language, and one shape for the API."""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from fupin.accounts.errors import AccountError
from fupin.areas.errors import AreaError
from fupin.core.errors import (
    Conflict,
    CoreError,
    ErrorCode,
    FupinError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from fupin.registry.errors import RegistryError

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.mo"
ENUMS: list[type[ErrorCode]] = [CoreError, AreaError, AccountError, RegistryError]


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_no_two_codes_share_a_message(enum: type[Enum]) -> None:
    # The message is the enum value: a repeated one silently turns the second code into an
    # alias of the first, and the API would answer with the wrong code name.
    assert list(enum.__members__) == [member.name for member in enum]


def test_a_message_is_given_in_english_when_english_is_active() -> None:
    with translation.override("en"):
        assert CoreError.NOT_FOUND.message() == "Not found."
        assert RegistryError.ID_CHECKSUM.message() == "The ID number's check digit is wrong."


def test_a_message_is_given_in_chinese_when_chinese_is_active_and_translated() -> None:
    with translation.override("zh-hans"):
        text = RegistryError.ID_CHECKSUM.message()
        assert text == translation.gettext("The ID number's check digit is wrong.")
    if CATALOGUE.exists():
        assert re.search("[\u4e00-\u9fff]", text), text
    else:
        # No compiled zh_Hans catalogue yet: the English source text is what users read.
        assert text == "The ID number's check digit is wrong."


def test_a_message_fills_in_its_parameters() -> None:
    with translation.override("en"):
        assert RegistryError.BAD_YEAR.message(first=1990, last=2025) == "Enter a year between 1990 and 2025."
        error = FupinError(AccountError.BAD_LOGIN, tries=5, minutes=15)
        assert error.message == (
            "User name or password is wrong. After 5 wrong tries, logins are held for 15 minutes."
        )


def test_an_error_answers_code_message_and_field() -> None:
    with translation.override("en"):
        error = FupinError(RegistryError.ID_TAKEN, field="id_number")
        assert error.as_dict() == {
            "code": "ID_TAKEN",
            "message": "This ID number cannot be registered again. The office that holds its record has "
            "been asked to check it and will contact you.",
            "field": "id_number",
        }
        assert str(error) == "ID_TAKEN"
        assert error.status == 400


def test_an_error_without_a_field_says_so() -> None:
    assert FupinError(RegistryError.NO_MEMBERS).as_dict()["field"] is None


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (NotFound(), "NOT_FOUND", 404),
        (PermissionDenied(), "PERMISSION_DENIED", 403),
        (Conflict(), "CONFLICT", 409),
    ],
)
def test_the_general_errors_carry_their_http_status(error: FupinError, code: str, status: int) -> None:
    assert (error.as_dict()["code"], error.status) == (code, status)
    assert error.as_dict()["field"] is None


def test_several_field_errors_answer_the_first_and_list_them_all() -> None:
    with translation.override("en"):
        failed = ValidationFailed(
            [
                FupinError(RegistryError.NAME_REQUIRED, field="name"),
                FupinError(RegistryError.WORK_MONTHS, field="work_months"),
            ]
        )
        answer = failed.as_dict()
    assert answer["code"] == "NAME_REQUIRED"
    assert answer["field"] == "name"
    assert answer["message"] == "Enter a name."
    assert [e["field"] for e in answer["errors"]] == ["name", "work_months"]
    assert set(answer["errors"][1]) == {"code", "message", "field"}
    assert failed.status == 400


def test_an_empty_list_of_errors_still_answers_invalid() -> None:
    answer = ValidationFailed([]).as_dict()
    assert (answer["code"], answer["field"], answer["errors"]) == ("INVALID", None, [])
