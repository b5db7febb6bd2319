from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode


class RegistryError(ErrorCode):
    ID_FORMAT = gettext_noop("An ID number has 17 digits followed by a digit or X.")
    ID_CHECKSUM = gettext_noop("The ID number's check digit is wrong.")
    ID_BIRTH_DATE = gettext_noop("The ID number does not contain a real date of birth.")
    ID_FUTURE = gettext_noop("The date of birth in the ID number lies in the future.")
    # Says nothing of where the number is held: the holding office is asked to check instead.
    ID_TAKEN = gettext_noop(
        "This ID number cannot be registered again. The office that holds its record has been "
        "asked to check it and will contact you."
    )
    ID_CHECKS_LIMITED = gettext_noop(
        "Too many ID numbers you entered were already registered. Entering ID numbers is paused "
        "for you for up to 24 hours; ask your county administrator if this is wrong."
    )
    DUPLICATE_RESOLVED = gettext_noop("This check has already been resolved.")
    NOTE_REQUIRED = gettext_noop("Say how the duplicate was resolved.")
    GENDER_MISMATCH = gettext_noop("The gender does not match the ID number.")
    NAME_REQUIRED = gettext_noop("Enter a name.")
    AREA_NOT_VILLAGE = gettext_noop("A household belongs to a village or a village group.")
    MAIN_CAUSE_REQUIRED = gettext_noop("A registered household needs exactly one main cause of poverty.")
    TOO_MANY_CAUSES = gettext_noop("Choose at most two other causes.")
    CAUSE_REPEATED = gettext_noop("The other causes must differ from the main cause and from each other.")
    UNKNOWN_CHOICE = gettext_noop("{value} is not one of the allowed values.")
    NEGATIVE_AMOUNT = gettext_noop("An amount cannot be negative.")
    BAD_AMOUNT = gettext_noop("Enter an amount in yuan, such as 1234.50.")
    AMOUNT_RANGE = gettext_noop("An amount lies between {minimum} and {maximum} yuan.")
    BAD_YEAR = gettext_noop("Enter a year between {first} and {last}.")
    BAD_NUMBER = gettext_noop("Enter a number.")
    NO_MEMBERS = gettext_noop("The household has no current members; add members before recording income.")
    HEAD_EXISTS = gettext_noop("The household already has a head; change the current head's relation first.")
    PHONE_FORMAT = gettext_noop("A phone number has 11 digits starting with 1, or a landline with area code.")
    NUMBER_TAKEN = gettext_noop("This household number is already in use.")
    WORK_MONTHS = gettext_noop("Months worked away are between 0 and 12.")
    ALREADY_LEFT = gettext_noop("This member has already left the household.")
    BAD_DATE = gettext_noop("Enter a date as YYYY-MM-DD.")
    TOO_LONG = gettext_noop("At most {max} characters.")
    LEFT_ON_INVALID = gettext_noop("The leaving date cannot be in the future or before the member was born.")
    TOO_LARGE = gettext_noop("Enter a number no larger than {maximum}.")
    # Poverty lines (扶贫标准)
    LINE_NOT_POSITIVE = gettext_noop("A poverty line is an amount above zero.")
    SOURCE_REQUIRED = gettext_noop("Enter the source: the document, or its number, that the line comes from.")
    LINE_SCOPE = gettext_noop("Choose either the national line or one province, by its code.")
    NOT_A_PROVINCE = gettext_noop("{value} is not the code of a province.")
