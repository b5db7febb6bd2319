from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode


class AssessmentError(ErrorCode):
    WRONG_LEVEL = gettext_noop("Population figures are kept for villages, townships and counties.")
    NOT_COUNTY = gettext_noop("Sampling results belong to a county.")
    BAD_COUNT = gettext_noop("Enter a whole number of zero or more.")
    BAD_POPULATION = gettext_noop("Enter a whole number of people, at least 1, or leave it blank.")
    NO_FIGURE = gettext_noop("Enter at least one of the two population figures.")
    SOURCE_REQUIRED = gettext_noop("Say where the figures come from.")
    PART_EXCEEDS_WHOLE = gettext_noop("This count cannot exceed {whole}.")
    BAD_YEAR = gettext_noop("Enter a year between {first} and {last}.")
    BAD_PERCENT = gettext_noop("Enter a percentage between 0 and 100, or leave it blank.")
    UNKNOWN_KIND = gettext_noop("Choose one of the listed denominators, or leave it blank.")
    TOO_LONG = gettext_noop("At most {max} characters.")
    NOT_PROVINCE = gettext_noop("Whether the western-region standard applies is set for a province.")
    BAD_WESTERN = gettext_noop("Choose whether the western-region standard applies, or leave it blank.")
