from django.utils.translation import gettext_noop

from fupin.core.errors import ErrorCode


class PartyError(ErrorCode):
    NAME_REQUIRED = gettext_noop("Enter a name.")
    REQUIRED = gettext_noop("This field is required.")
    AREA_UNKNOWN = gettext_noop("Choose an area from the list.")
    AREA_LEVEL = gettext_noop("Choose a county, township or village, not a village group.")
    DATE_IN_FUTURE = gettext_noop("The date cannot be in the future.")
    # Units (帮扶单位)
    UNIT_NAME_TAKEN = gettext_noop("A unit with this name already exists in this area.")
    # Organisations
    ORG_NAME_TAKEN = gettext_noop("An organisation with this name already exists in this area.")
    PARENT_SELF = gettext_noop("An organisation cannot be its own higher organisation.")
    PARENT_DESCENDANT = gettext_noop(
        "The higher organisation cannot be one of this organisation's own lower organisations."
    )
    PARENT_DISSOLVED = gettext_noop("The higher organisation has been dissolved.")
    UNIT_REQUIRED = gettext_noop("An organisation built in a government unit names its unit.")
    UNIT_NOT_ALLOWED = gettext_noop("Only an organisation built in a unit or an enterprise names a unit.")
    JOINT_NEEDS_VILLAGES = gettext_noop("A joint party committee covers at least two villages.")
    VILLAGES_ONLY_JOINT = gettext_noop("Only a joint party committee lists the villages it covers.")
    NOT_A_VILLAGE = gettext_noop("{name} is not a village.")
    ORG_DISSOLVED = gettext_noop("This organisation has been dissolved.")
    HAS_ACTIVE_CHILDREN = gettext_noop(
        "This organisation still has lower organisations; dissolve them or move them first."
    )
    DISSOLVED_BEFORE_FOUNDED = gettext_noop("The organisation cannot be dissolved before it was founded.")
    # Linkages (组织联建)
    LINK_SELF = gettext_noop("An organisation cannot be linked with itself.")
    LINK_EXISTS = gettext_noop("These two organisations already have an active linkage of this kind.")
    URBAN_NEEDS_UNIT = gettext_noop(
        "In an urban–rural linkage the leading organisation is a unit's organisation."
    )
    LINK_ENDED = gettext_noop("This linkage has already ended.")
    ENDED_BEFORE_STARTED = gettext_noop("A linkage cannot end before it started.")
    # Party members
    JOINED_BEFORE_BORN = gettext_noop("The joining date lies before the year of birth.")
    VILLAGER_OUTSIDE = gettext_noop(
        "The villager must be a current member of a household inside the organisation's area."
    )
    VILLAGER_TAKEN = gettext_noop("This villager already has a current party record.")
    # Ratings (五星党组织, 三分类)
    STARS_RANGE = gettext_noop("Stars are a whole number from 0 to 5.")
    WEAK_NEEDS_RECTIFICATION = gettext_noop(
        "A weak and lax organisation needs its rectification measures written down."
    )
    NOT_IN_YEAR = gettext_noop("The organisation did not exist in {year}.")
