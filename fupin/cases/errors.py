from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode


class CaseError(ErrorCode):
    # The slower of two people deciding the same step (issue 13): not "no permission", but who
    # decided and when, so they can read the timeline instead of trying again.
    ALREADY_DECIDED = gettext_noop("Already decided by {name} at {at} ({decision}).")
    WRONG_STEP = gettext_noop("This case is not at that step.")
    CASE_CLOSED = gettext_noop("This case is already closed.")
    OPEN_CASE_EXISTS = gettext_noop("This household already has an open case.")
    IDENTIFY_NEEDS_ORDINARY = gettext_noop("Only an ordinary household can be proposed for identification.")
    EXIT_NEEDS_POOR = gettext_noop("Only a registered poor household can be proposed for exit.")
    REASON_REQUIRED = gettext_noop("Give a reason.")
    BAD_ORIGIN = gettext_noop("Choose whether the household applied or the village nominated it.")
    QUORUM_NOT_MET = gettext_noop(
        "Fewer than {quorum} of the representatives attended, so the meeting cannot decide."
    )
    PRESENT_INVALID = gettext_noop("There cannot be more representatives present than in total.")
    VOTES_INVALID = gettext_noop(
        "Votes for, against and abstaining cannot add up to more than those present."
    )
    REVIEW_NOT_PASSED = gettext_noop(
        "Democratic review did not pass: {votes_for} of {present} representatives present voted for."
    )
    NOTICE_NOT_POSTED = gettext_noop("Post the notice first.")
    NOTICE_ALREADY_POSTED = gettext_noop("The notice for this step is already posted.")
    NOTICE_START_INVALID = gettext_noop(
        "A notice starts no earlier than the day the case reached this step and at most 30 days ahead."
    )
    NOTICE_NOT_OVER = gettext_noop(
        "The notice period runs until {last_day}; it may close from {ends_on} on."
    )
    OBJECTIONS_OPEN = gettext_noop("{count} objection(s) are not answered yet.")
    ALREADY_ANSWERED = gettext_noop("This objection has already been answered.")
    RULES_FAILED = gettext_noop(
        "Rules not met and not overridden: {rules}. Override each with a written reason."
    )
    RULE_PASSED = gettext_noop("This rule is met; there is nothing to override.")
    UNKNOWN_RULE = gettext_noop("There is no such rule for this case.")
    NOT_REVIEW_STEP = gettext_noop("Rules are overridden only at a review step.")
    CONSENT_REQUIRED = gettext_noop("Enter who in the household agreed, and when.")
    DATE_IN_FUTURE = gettext_noop("The date cannot be in the future.")
    SETTING_UNKNOWN = gettext_noop("There is no setting called {key}.")
    SETTING_INVALID = gettext_noop("Not a valid value for this setting: {hint}")
    FILE_REQUIRED = gettext_noop("Choose a file.")
    FILE_TOO_LARGE = gettext_noop("A file may be at most {mb} MB.")
    MONITORING_NEEDS_STATUS = gettext_noop(
        "Only an ordinary, exited or risk-eliminated household can be proposed for monitoring."
    )
    ELIMINATION_NEEDS_MONITORED = gettext_noop(
        "Only a monitored household can be proposed for risk elimination."
    )
    BAD_MONITORING_ORIGIN = gettext_noop(
        "Choose how the risk came to light: the household applied, a cadre check, or department screening."
    )
    AUTHORISATION_REQUIRED = gettext_noop("Enter who in the household signed the authorisation, and when.")
    FINDINGS_REQUIRED = gettext_noop("Record what the data comparison found.")
    CATEGORY_REQUIRED = gettext_noop("Choose one of the monitoring categories.")
    CATEGORY_NEEDS_EXITED = gettext_noop(
        "Only a household that has exited poverty can be an unstable exited household."
    )
    CATEGORY_NEEDS_ORDINARY = gettext_noop(
        "Only an ordinary household can be an edge household at risk of poverty."
    )
    CATEGORY_NEEDS_RANGE = gettext_noop(
        "Income is above the monitoring threshold: only a household in sudden severe hardship may be "
        "tagged so, unless a reviewer overrode the income rule."
    )
    RISK_TYPES_COUNT = gettext_noop("Choose between 1 and {max} risk types.")
    RISK_TYPE_UNKNOWN = gettext_noop("Not a risk type: {value}.")
    RISK_TYPE_TWICE = gettext_noop("A risk type is chosen twice: {value}.")
    WATER_MEASURE_REQUIRED = gettext_noop(
        "A risk of unsafe drinking water needs a safe drinking water measure recorded for the "
        "household (dated this work year or later) before it is tagged."
    )
    WAY_REQUIRED = gettext_noop("Choose how the risk was eliminated: through assistance or naturally.")
    RULE_NOT_OVERRIDABLE = gettext_noop("This rule cannot be overridden.")
    RULES_BLOCK = gettext_noop(
        "Not met, and this cannot be overridden: {rules}. The case cannot pass; reject it with a reason."
    )
