from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode


class TaskError(ErrorCode):
    TITLE_REQUIRED = gettext_noop("Enter the task.")
    PERSON_REQUIRED = gettext_noop("Enter the person responsible.")
    LIST_LEVEL = gettext_noop("A responsibility list belongs to a county or a township.")
    ONE_OWNER = gettext_noop("Choose exactly one owner: a township or a unit.")
    OWNER_NOT_TOWNSHIP = gettext_noop("The owning township must be a township of the list's area.")
    OWNER_UNIT_OUTSIDE = gettext_noop("The owning unit must belong to the list's area.")
    DUE_REQUIRED = gettext_noop("Enter the due date as YYYY-MM-DD.")
    DUE_OUTSIDE_YEAR = gettext_noop("The due date must fall in the list's year, {year}.")
    HAS_PROGRESS = gettext_noop(
        "Progress has been reported on this task; it can no longer be changed or deleted."
    )
    BAD_PROGRESS = gettext_noop("Progress is a whole number from 0 to 100.")
    BACKWARDS_NEEDS_NOTE = gettext_noop(
        "Progress is going back from {before}% to {after}%; write a note saying why."
    )
    DAY_IN_FUTURE = gettext_noop("A progress report cannot be dated in the future.")
    DAY_BEFORE_LAST = gettext_noop("The last progress report is dated {day}; a new one cannot be earlier.")
    NOTHING_TO_COPY = gettext_noop("The list has no tasks in {year} to copy.")
    LIST_NOT_EMPTY = gettext_noop("The list already has tasks in {year}; copy only into an empty year.")
