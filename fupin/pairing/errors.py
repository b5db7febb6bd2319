from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode, FupinError, PermissionDenied


class PairingError(ErrorCode):
    NAME_REQUIRED = gettext_noop("Enter a name.")
    TOO_LONG = gettext_noop("At most {max} characters.")
    BAD_KIND = gettext_noop("Choose what kind of pairing this is.")
    COUNTY_ONLY = gettext_noop(
        "Units and county leaders are paired by the county: a county-level user records this pairing."
    )
    UNIT_REQUIRED = gettext_noop("Choose the unit.")
    NOT_A_VILLAGE = gettext_noop("Choose a village.")
    NOT_A_TOWNSHIP = gettext_noop("Choose a township.")
    HOUSEHOLD_REQUIRED = gettext_noop("Choose the household.")
    HELPER_REQUIRED = gettext_noop("Enter the helper's name.")
    HELPER_USER_ROLE = gettext_noop(
        "The helper's login must be an active assigned cadre or first secretary "
        "whose area includes the household."
    )
    HELPER_USER_HOUSEHOLD_ONLY = gettext_noop("Only a household's helper is linked to a login.")
    MEMBER_REQUIRED = gettext_noop("Choose the party member.")
    MEMBER_OTHER_VILLAGE = gettext_noop("The party member must belong to the household's village.")
    MEMBER_NOT_CURRENT = gettext_noop("The party record is not that of a current party member.")
    DUPLICATE = gettext_noop("This helper is already paired with it in the same way.")
    BAD_DATE = gettext_noop("Enter a date as YYYY-MM-DD.")
    FUTURE_DATE = gettext_noop("The date cannot be in the future.")
    BEFORE_START = gettext_noop("The pairing cannot end before it started ({started}).")
    REASON_REQUIRED = gettext_noop("Enter the reason for ending the pairing.")
    ALREADY_ENDED = gettext_noop("This pairing already ended on {day}.")
    LOCKED = gettext_noop(
        "This household is {status}: a poor household keeps its helper until it leaves poverty, so the "
        "pairing cannot end now. Hand it over to a successor instead."
    )


class CountyOnly(PermissionDenied):
    """A township or village user asking for a pairing only the county makes: refused as a
    permission, with a message that says why."""

    def __init__(self) -> None:
        FupinError.__init__(self, PairingError.COUNTY_ONLY)


class AlreadyEnded(FupinError):
    status = 409
