from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode


class GroupError(ErrorCode):
    NAME_REQUIRED = gettext_noop("Enter a name.")
    TOO_LONG = gettext_noop("At most {max} characters.")
    NOT_A_VILLAGE = gettext_noop("A mutual-aid group is formed in a village.")
    NAME_TAKEN = gettext_noop("The village already has a group with this name.")
    LEADER_REQUIRED = gettext_noop("Enter the leader's name.")
    LEADER_KIND = gettext_noop("Choose whether the leader is a party member or an activist.")
    LEADER_RECORD_REQUIRED = gettext_noop("A party member leading a group needs their party record.")
    LEADER_RECORD_UNKNOWN = gettext_noop("No such party record.")
    LEADER_OTHER_VILLAGE = gettext_noop("The leader's party record must belong to the group's village.")
    LEADER_NOT_CURRENT = gettext_noop("The leader's party record is not that of a current party member.")
    BAD_DATE = gettext_noop("Enter a date as YYYY-MM-DD.")
    FUTURE_DATE = gettext_noop("The date cannot be in the future.")
    BEFORE_FORMED = gettext_noop("The date cannot be before the group was formed ({formed}).")
    DISSOLVED = gettext_noop("This group was dissolved on {day}.")
    HOUSEHOLD_OTHER_VILLAGE = gettext_noop("The household lives in another village than the group.")
    HOUSEHOLD_IN_GROUP = gettext_noop(
        "This household already belongs to the group {group}; a household is in one group at a time."
    )
    HOUSEHOLD_IN_A_GROUP = gettext_noop(
        "This household already belongs to a group; a household is in one group at a time."
    )
    GROUP_FULL = gettext_noop("The group already has {max} households, the most allowed here.")
    NOT_IN_GROUP = gettext_noop("The household is not in this group.")
    LEFT_BEFORE_JOINED = gettext_noop("The leaving date is before the household joined ({joined}).")
    KIND_REQUIRED = gettext_noop("Choose one of the five kinds of mutual aid.")
    DESCRIPTION_REQUIRED = gettext_noop("Describe what was done.")
    BAD_COUNT = gettext_noop("Enter the number of households taking part, 0 to {max}.")
    BAD_SOURCE = gettext_noop("Choose who gave the score.")
    BAD_SCORE = gettext_noop("Enter a score from 0 to 100, with at most two decimals.")
    BAD_YEAR = gettext_noop("Enter a year between {first} and {last}.")
    BAD_STARS = gettext_noop("Choose from 1 to 5 stars.")


class ScoringError(ErrorCode):
    """The local settings a score is computed from are inconsistent: reported, never guessed around."""

    WEIGHTS_NOT_100 = gettext_noop(
        "The weights of the four evaluation sources set for {area} add up to {total}, not 100; "
        "the county must correct the local settings before groups can be scored."
    )
    CUTOFFS_ORDER = gettext_noop(
        "The star cutoffs set for {area} must not rise from five stars down to two ({cutoffs}); "
        "the county must correct the local settings."
    )
