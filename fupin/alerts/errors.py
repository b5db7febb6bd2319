from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode, FupinError


class AlertError(ErrorCode):
    SUMMARY_REQUIRED = gettext_noop("Describe what the check found.")
    NOTES_REQUIRED = gettext_noop("Write down what the home visit found.")
    DISMISS_REASON_REQUIRED = gettext_noop("Give the reason for dismissing the alert.")
    DECISION_REQUIRED = gettext_noop("Give the reason for starting a monitoring case.")
    ALREADY_VISITED = gettext_noop("The home visit was already recorded by {name} at {at}.")
    ALREADY_DECIDED = gettext_noop("Already handled by {name} at {at} ({status}).")
    VISIT_FIRST = gettext_noop("Record the home visit before starting a monitoring case.")
    NO_HOUSEHOLD = gettext_noop(
        "This alert is not linked to a registered household yet; register the household and link it first."
    )
    HAS_HOUSEHOLD = gettext_noop("This alert is already linked to a household.")
    OUTSIDE_VILLAGE = gettext_noop("The household must belong to the alert's village.")
    LINK_DUPLICATE = gettext_noop(
        "This household already has a self-report alert for that day; dismiss this one as a duplicate."
    )
    CHECK_EXISTS = gettext_noop("A cadre check for this household is already recorded today.")
    CASE_OTHER_HOUSEHOLD = gettext_noop("The case belongs to another household.")
    # The public self-report page (农户自主申报)
    PHONE_REQUIRED = gettext_noop("Enter a phone number so the village can reach you.")
    VILLAGE_REQUIRED = gettext_noop("Choose your village.")
    VILLAGE_UNKNOWN = gettext_noop("There is no village with this code; choose your village from the list.")
    WHAT_REQUIRED = gettext_noop("Tell us what happened.")
    TOO_MANY_FROM_ADDRESS = gettext_noop(
        "Too many reports have been sent from this connection. Please try again in an hour, "
        "or call your village committee."
    )
    CHALLENGE_WRONG = gettext_noop("The answer to the sum is not right; please work it out again.")
    CHALLENGE_EXPIRED = gettext_noop("Please answer the new question below and send the report again.")
    NOT_QUEUED = gettext_noop("This report is no longer waiting: an alert has already been raised for it.")


class AlreadyHandled(FupinError):
    """Someone else decided (or visited) the alert first: the answer to the slower of two,
    naming who and when (``decided_by``, ``decided_at`` as the message shows them)."""

    status = 409
    decided_by = ""
    decided_at = ""


class RateLimited(FupinError):
    """The public page was used too often from one address or for one ID number."""

    status = 429
