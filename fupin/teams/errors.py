from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode


class TeamError(ErrorCode):
    """Teams, members, check-ins, reports and leave."""

    NOT_A_TEAM_MEMBER = gettext_noop("You are not a member of an active work team.")
    TEAM_OUTSIDE_AREA = gettext_noop(
        "Your work team is in {village}, outside your own area; ask the organisation department "
        "to correct your account or your team membership."
    )
    # 一日一签到
    ALREADY_CHECKED_IN = gettext_noop("You have already checked in today.")
    LOCATION_INCOMPLETE = gettext_noop("Give both latitude and longitude, or neither.")
    LATITUDE_INVALID = gettext_noop("Latitude is a number between -90 and 90.")
    LONGITUDE_INVALID = gettext_noop("Longitude is a number between -180 and 180.")
    # 一周一总结、一月一计划
    REPORT_KIND_UNKNOWN = gettext_noop("Choose a weekly summary or a monthly plan.")
    REPORT_PERIOD_FUTURE = gettext_noop(
        "A summary or plan can be written for the current period or an earlier one, not a later one."
    )
    REPORT_TEXT_REQUIRED = gettext_noop("Write the summary or plan.")
    REPORT_REVIEWED = gettext_noop("This report has been reviewed and can no longer be changed.")
    # Leave (请假)
    LEAVE_DAYS_ORDER = gettext_noop("The last day of leave cannot be before the first day.")
    LEAVE_TOO_LONG = gettext_noop("One leave request covers at most {max} days.")
    LEAVE_REASON_REQUIRED = gettext_noop("Give the reason for the leave.")
    LEAVE_OVERLAP = gettext_noop("You already have leave from {first} to {last} on some of these days.")
    LEAVE_WRONG_LEVEL = gettext_noop("This leave lasts {days} days; it is approved by {approver}.")
    LEAVE_REFUSAL_NOTE_REQUIRED = gettext_noop("Give the reason for refusing the leave.")
    LEAVE_DECIDED = gettext_noop("This leave request has already been decided: {status}.")
    LEAVE_NOT_PENDING = gettext_noop("Only a request still waiting for approval can be cancelled.")


class GradingError(ErrorCode):
    """The organisation department's side: the roster (teams and members), spot checks, yearly
    assessments, attendance and recall."""

    SCORE_OUT_OF_RANGE = gettext_noop("A score is between 0 and 100.")
    SCORE_INVALID = gettext_noop("A score is a number such as 86.5, with at most two decimals.")
    GRADE_UNKNOWN = gettext_noop("Choose a grade.")
    YEAR_OUT_OF_TERM = gettext_noop("{name} was not on a work team in {year}.")
    EXCELLENT_CAP = gettext_noop(
        "At most {cap} per cent of the county's work-team members may be graded excellent in {year}: "
        "{allowed} of {n}, and {taken} already are."
    )
    GRADE_CAPPED_BY_ABSENCES = gettext_noop(
        "{absences} unexcused absences at spot checks in {year}: the grade can be at most “{best}”."
    )
    DAY_IN_FUTURE = gettext_noop("The day cannot be in the future.")
    DAY_OUT_OF_TERM = gettext_noop("{name} was not on the team on {day}.")
    SPOT_CHECK_EXISTS = gettext_noop("A spot check of {name} on {day} is already recorded.")
    REASON_REQUIRED = gettext_noop("Give the reason for the decision.")
    ALREADY_DECIDED = gettext_noop("This recall proposal was already decided: {status}.")
    TOO_LONG = gettext_noop("At most {max} characters.")
    NAME_REQUIRED = gettext_noop("Enter the name.")
    DATE_INVALID = gettext_noop("Enter a date such as 2025-03-01.")
    NOT_A_VILLAGE = gettext_noop("A work team is sent to a village.")
    TEAM_EXISTS = gettext_noop("{village} already has an active work team.")
    TERM_ORDER = gettext_noop("The term must end after it starts.")
    TEAM_ENDED = gettext_noop("This work team has ended.")
    ROLE_UNKNOWN = gettext_noop("Choose a role in the team.")
    UNIT_REQUIRED = gettext_noop("Choose the sending unit.")
    LOGIN_NOT_ELIGIBLE = gettext_noop("The login must be an active first-secretary login of {village}.")
    LOGIN_IN_ANOTHER_TEAM = gettext_noop("This login already belongs to a member of an active work team.")
    MEMBERSHIP_ENDED = gettext_noop("{name} has already left the team.")
    END_BEFORE_START = gettext_noop("The end date cannot be before the start.")
    # The central rule (中办/国办 2017, domain.md §7), unless the county deviates explicitly.
    TERM_TOO_SHORT = gettext_noop(
        "The term from {start} to {end} is shorter than {years} years, the shortest {source}."
    )
    TEAM_TOO_SMALL = gettext_noop(
        "{name} cannot leave: the team would have {n} active members, fewer than {min}, the "
        "smallest {source}. Add the replacement first, or end the team."
    )
    DEVIATION_COUNTY_ONLY = gettext_noop(
        "A deviation from the central rule is a county's own decision: set it on the county."
    )
