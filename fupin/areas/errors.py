from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode


class AreaError(ErrorCode):
    UNKNOWN_AREA = gettext_noop("No area has the code {code}.")
    NOT_A_VILLAGE = gettext_noop("Village groups can only be added under a village.")
    GROUP_NUMBER = gettext_noop("A group number is 1 to 3 digits.")
    GROUP_EXISTS = gettext_noop("This village already has a group with that number.")
    NAME_REQUIRED = gettext_noop("Give the group a name.")
    NAME_TOO_LONG = gettext_noop("A group name has at most {max} characters.")
