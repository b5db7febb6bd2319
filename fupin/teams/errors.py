from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode


class TeamError(ErrorCode):
    """Teams, members, check-ins, reports and leave."""

    NOT_A_TEAM_MEMBER = gettext_noop("You are not a member of an active work team.")


class GradingError(ErrorCode):
    """Spot checks, yearly assessments, attendance and recall."""

    SCORE_OUT_OF_RANGE = gettext_noop("A score is between 0 and 100.")
