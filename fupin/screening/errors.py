from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode


class ScreeningError(ErrorCode):
    UNKNOWN_RULE = gettext_noop("There is no screening rule {rule}.")
    UNKNOWN_PARAMETER = gettext_noop("The rule has no parameter {name}.")
    PARAMETER_OUT_OF_RANGE = gettext_noop("Enter a number from {minimum} to {maximum}.")
    MIN_AGE_NOT_BELOW_MAX = gettext_noop("The lower age limit must be below the upper one.")
    SETTING_LEVEL = gettext_noop("Rule parameters are set for a county or a larger area.")
    BAD_YEAR = gettext_noop("Enter a year between {first} and {last}.")
    BAD_AMOUNT = gettext_noop("Enter an amount in yuan above zero, such as 6500.")
    SOURCE_REQUIRED = gettext_noop(
        "Enter the source: the document, or its number, that the threshold comes from."
    )
    TOO_LONG = gettext_noop("At most {max} characters.")
    LINE_SCOPE = gettext_noop("Choose either the national floor or one province, by its code.")
    LINE_BELOW_FLOOR = gettext_noop(
        "A province's threshold cannot be below the national floor of {floor} yuan for {year}."
    )
    BAD_ENGINE = gettext_noop("Choose the engine duckdb or spark.")
    SPARK_MISSING = gettext_noop(
        "Apache Spark is not installed here: install the extra fupin[spark], or use DuckDB."
    )
    RUN_RUNNING = gettext_noop("A screening of this area is already running; wait for it to finish.")
    RUN_LIMIT = gettext_noop(
        "This area has been screened {limit} times in the last hour; try again later."
    )


class ScreeningNotice(ErrorCode):
    """What a finished run tells the operator (kept on the run as codes, shown translated)."""

    NO_THRESHOLD = gettext_noop(
        "No monitoring threshold is on file for {province} in {year}: the income rule flagged nothing there."
    )
