from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode


class AccountError(ErrorCode):
    UNKNOWN_ROLE = gettext_noop("Unknown role {role}; choose one of: {roles}.")
    WRONG_LEVEL = gettext_noop("The role {role} cannot be bound to an area at this level.")
    USERNAME_TAKEN = gettext_noop("The user name {name} is taken.")
    USERNAME_INVALID = gettext_noop("A user name is 3 to 150 letters, digits or . _ -")
    UNKNOWN_USER = gettext_noop("No user is called {name}.")
    # One answer for a wrong password, an unknown name and a held or locked login, so the
    # answer cannot tell which user names exist or which accounts are under attack.
    BAD_LOGIN = gettext_noop(
        "User name or password is wrong. After {tries} wrong tries, logins are held for {minutes} minutes."
    )
    WEAK_PASSWORD = gettext_noop("{reason}")
    WRONG_PASSWORD = gettext_noop("The current password is wrong.")
    TOKEN_NOT_LIVE = gettext_noop("This token has already been revoked or has expired.")
    REVEAL_LIMIT = gettext_noop(
        "You have shown {limit} full ID numbers today, the daily limit. Try again tomorrow, "
        "or ask your administrator if the work needs more."
    )
