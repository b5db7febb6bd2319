from fupin.core.errors import ErrorCode


class AreaError(ErrorCode):
    UNKNOWN_AREA = "No area has the code {code}."
    NOT_A_VILLAGE = "Village groups can only be added under a village."
    GROUP_NUMBER = "A group number is 1 to 3 digits."
    GROUP_EXISTS = "This village already has a group with that number."
    NAME_REQUIRED = "Give the group a name."
