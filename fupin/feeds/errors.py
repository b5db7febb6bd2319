"""Error codes of department feeds: why a whole upload is refused, and why one row is.

Where a message means the same as one the household file already uses, the English text is
the same, so it shares that translation.
"""

from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode, FupinError


class FeedError(ErrorCode):
    # The whole upload or request
    UNKNOWN_SOURCE = gettext_noop("Choose one of the departments listed.")
    BAD_PERIOD = gettext_noop("Enter the period as a year (2024) or a month (2024-03), not after this month.")
    NO_FILE = gettext_noop("Choose a file.")
    NOT_READABLE = gettext_noop(
        "The file is neither a CSV file nor a spreadsheet (.xlsx, .xls), or is damaged."
    )
    EMPTY = gettext_noop("The file has no header row.")
    MISSING_COLUMNS = gettext_noop("Required columns are missing: {columns}.")
    NO_ROWS = gettext_noop("The file has no rows under its header.")
    TOO_MANY_ROWS = gettext_noop(
        "The file has {rows} rows; one batch takes at most {limit}. Split the file and send the parts."
    )
    TOO_LARGE = gettext_noop("The file is larger than {limit} MB. Split it and send the parts.")
    FAILED = gettext_noop("The batch could not be processed; nothing of it was stored. Send it again.")
    # Which departments an account sends for (feeds.departments)
    NOT_OWN_DEPARTMENT = gettext_noop(
        "This account sends data for {own} only; data of {department} must be sent by that "
        "department's own account. The attempt has been recorded."
    )
    NO_DEPARTMENT = gettext_noop(
        "This account is not bound to any department, so it cannot send feeds. Ask the county "
        "administrator to set its department."
    )
    UNKNOWN_DEPARTMENT = gettext_noop("There is no department {value}; use one of {allowed}.")
    DEPARTMENT_NOT_PROVIDER = gettext_noop("Only a department data provider account sends for a department.")
    # One row
    REQUIRED = gettext_noop("This value is required.")
    ID_FORMAT = gettext_noop("An ID number has 17 digits followed by a digit or X.")
    ID_CHECKSUM = gettext_noop("The ID number's check digit is wrong.")
    ID_BIRTH_DATE = gettext_noop("The ID number does not contain a real date of birth.")
    ID_FUTURE = gettext_noop("The date of birth in the ID number lies in the future.")
    ID_NOT_TEXT = gettext_noop("The ID number must be entered as text.")
    BAD_DATE = gettext_noop("Enter a date as YYYY-MM-DD.")
    DATE_FUTURE = gettext_noop("The date cannot be in the future.")
    BAD_AMOUNT = gettext_noop("Enter an amount in yuan, such as 1234.50.")
    NEGATIVE_AMOUNT = gettext_noop("An amount cannot be negative.")
    BAD_YEAR = gettext_noop("Enter a year between {first} and {last}.")
    NOT_ALLOWED = gettext_noop("Not one of the allowed values: {allowed}.")
    TOO_LONG = gettext_noop("At most {max} characters.")
    TEXT_HAS_ID = gettext_noop("Free text must not contain an ID number.")


class FeedRefused(FupinError):
    """The whole upload is refused before any row is stored (unreadable, wrong columns, too big)."""


# Reasons by code name: a batch's report keeps the code, and the message is written in the
# reader's language when the report is shown.
BY_NAME: dict[str, FeedError] = {code.name: code for code in FeedError}


def message_of(name: str, params: dict[str, object] | None = None) -> str:
    code = BY_NAME.get(name)
    if code is None:
        return name
    return code.message(**(params or {}))
