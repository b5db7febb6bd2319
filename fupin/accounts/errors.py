from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode


class AccountError(ErrorCode):
    UNKNOWN_ROLE = gettext_noop("Unknown role {role}; choose one of: {roles}.")
    WRONG_LEVEL = gettext_noop("The role {role} cannot be bound to an area at this level.")
    USERNAME_TAKEN = gettext_noop("The user name {name} is taken.")
    USERNAME_INVALID = gettext_noop("A user name is 3 to 150 letters, digits or . _ -")
    UNKNOWN_USER = gettext_noop("No user is called {name}.")
    BAD_LOGIN = gettext_noop("User name or password is wrong.")
    LOCKED = gettext_noop("Too many failed logins: the account is locked for {minutes} minutes.")
    WEAK_PASSWORD = gettext_noop("{reason}")
    WRONG_PASSWORD = gettext_noop("The current password is wrong.")
