from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode


class StatsError(ErrorCode):
    WEIGHTS_NOT_ONE = gettext_noop(
        "The multidimensional index weights set for {area} add up to {total}, not 1; correct them "
        "in the local settings."
    )
    BAD_YEAR = gettext_noop("Choose a year from {first} to {last}.")
    UNKNOWN_INDICATOR = gettext_noop("There is no indicator called {key}.")
    NO_SNAPSHOT = gettext_noop(
        "There are no statistics for {area} in {year} yet; they appear after the next refresh."
    )
