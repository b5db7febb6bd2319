from fupin.core.errors import ErrorCode


class AccountError(ErrorCode):
    UNKNOWN_ROLE = "Unknown role {role}; choose one of: {roles}."
    WRONG_LEVEL = "The role {role} cannot be bound to an area at this level."
    USERNAME_TAKEN = "The user name {name} is taken."
    USERNAME_INVALID = "A user name is 3 to 150 letters, digits or . _ -"
    UNKNOWN_USER = "No user is called {name}."
    BAD_LOGIN = "User name or password is wrong."
    LOCKED = "Too many failed logins: the account is locked for {minutes} minutes."
    WEAK_PASSWORD = "{reason}"
    WRONG_PASSWORD = "The current password is wrong."
