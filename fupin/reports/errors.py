from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode


class ReportsError(ErrorCode):
    # The message names the field and the kind of data, never the value: the value is
    # personal data and must not travel on into logs or error pages.
    UNSAFE_NOTICE = gettext_noop(
        "The public notice was not printed: {field} looks like it contains {kind}. A notice may not"
        " show ID numbers, phone numbers, bank accounts or health status."
    )
    BAD_NOTICE = gettext_noop("The public notice is incomplete or malformed: {problem}.")
    NOT_A_VILLAGE = gettext_noop("Choose a village: a public notice is posted by one village.")
    UNKNOWN_NOTICE_KIND = gettext_noop("Unknown kind of notice; choose identification, exit or monitoring.")
