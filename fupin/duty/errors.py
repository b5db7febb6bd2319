from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode


class TaskError(ErrorCode):
    NAME_REQUIRED = gettext_noop("Enter a name.")
