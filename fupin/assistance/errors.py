from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode, FupinError, PermissionDenied


class AssistanceError(ErrorCode):
    NAME_REQUIRED = gettext_noop("Enter a name.")
    DATE_REQUIRED = gettext_noop("Enter the date.")
    DATE_IN_FUTURE = gettext_noop("The date cannot be in the future.")
    END_BEFORE_START = gettext_noop("The end date cannot be before the start date.")
    DESCRIPTION_REQUIRED = gettext_noop("Describe the measure.")
    DISCUSSED_REQUIRED = gettext_noop("Enter what was discussed.")
    NOT_PAIRED = gettext_noop("You may record measures and visits only for the households paired to you.")
    RESPONSIBLE_NOT_PAIRED = gettext_noop(
        "The responsible person must be one of the household's active pairings."
    )
    PROJECT_OUTSIDE = gettext_noop("The project must belong to the household's village or township.")
    PROJECT_LATER = gettext_noop("The project is of {year}, later than the measure's date.")
    AREA_VILLAGE_OR_TOWNSHIP = gettext_noop("Choose a village or a township.")
    AREA_FOR_TRAINING = gettext_noop("Choose a county, a township or a village.")
    PROJECT_EXISTS = gettext_noop("A project of this name already exists in this area for that year.")
    ALLOCATED_OVER_BUDGET = gettext_noop("The amount allocated cannot exceed the budget.")
    SPENT_OVER_ALLOCATED = gettext_noop("The amount spent cannot exceed the amount allocated.")
    WORKSHOP_EXISTS = gettext_noop("A workshop of this name already exists in this area.")
    WORKSHOP_CLOSED = gettext_noop("This workshop is closed.")
    PERSON_REQUIRED = gettext_noop("Choose a person.")
    MEMBER_OUTSIDE = gettext_noop("The person must belong to a household inside {area}.")
    MEMBER_LEFT = gettext_noop("This person has left the household.")
    ALREADY_WORKING = gettext_noop("This person already has an active job in this workshop.")
    ALREADY_ENDED = gettext_noop("This has already ended.")
    ALREADY_ATTENDED = gettext_noop("This person is already recorded as attending this training.")
    FLAG_OPEN = gettext_noop("This person already has an open flag of this category.")
    TITLE_REQUIRED = gettext_noop("Enter a title.")
    HOURS = gettext_noop("Enter the hours: more than 0 and at most 999.9, with one decimal.")
    PLACE_REQUIRED = gettext_noop("Enter the place of work.")
    EMPLOYER_REQUIRED = gettext_noop("Enter the employer.")
    FOLLOWED_BY_REQUIRED = gettext_noop("Enter who follows this person.")
    NOTE_REQUIRED = gettext_noop("Enter what was found and done.")
    BEFORE_FLAG = gettext_noop("A follow-up cannot be dated before the flag was raised.")


class NotPaired(PermissionDenied):
    """A cadre (帮扶干部) acting on a household not paired to them: a role refusal (403) that
    says why, since the household itself lies inside their area."""

    def __init__(self) -> None:
        FupinError.__init__(self, AssistanceError.NOT_PAIRED, field="household")
