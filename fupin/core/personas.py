"""The fixed cast used by the tests and printed as the demo logins: one user per role in the
demo county 花垣县 (433124), and outsiders who must never see into it.

Data only: creating the accounts is the accounts app's job.
"""

from __future__ import annotations

from typing import NamedTuple


class Persona(NamedTuple):
    username: str
    role: str
    area_code: str
    description: str


COUNTY = "433124000000"  # 花垣县
TOWNSHIP = "433124110000"  # 双龙镇
VILLAGE = "433124110226"  # 十八洞村
NEIGHBOUR_VILLAGE = "433124110201"  # 丙池村, same township
OTHER_TOWNSHIP_VILLAGE = "433124102201"  # a village of 龙潭镇
OTHER_COUNTY = "433122000000"  # 泸溪县

PERSONAS: list[Persona] = [
    Persona("county_admin", "county_admin", COUNTY, "县乡村振兴局管理员 · 花垣县"),
    Persona("org_dept", "org_dept", COUNTY, "县委组织部 · 花垣县"),
    Persona("township_officer", "township_officer", TOWNSHIP, "乡镇扶贫站 · 双龙镇"),
    Persona("village_clerk", "village_clerk", VILLAGE, "村信息员 · 十八洞村"),
    Persona("first_secretary", "first_secretary", VILLAGE, "第一书记 · 十八洞村"),
    Persona("cadre", "cadre", VILLAGE, "帮扶责任人 · 十八洞村"),
    Persona("dept_provider", "dept_provider", COUNTY, "医保局数据报送员 · 花垣县"),
    Persona("supervisor", "supervisor", COUNTY, "督导组 · 花垣县"),
]

OUTSIDERS: list[Persona] = [
    Persona("outsider", "county_admin", OTHER_COUNTY, "另一个县的管理员 · 泸溪县"),
    Persona("neighbour_clerk", "village_clerk", NEIGHBOUR_VILLAGE, "邻村信息员 · 丙池村"),
]

# Above the county: the prefecture's and the province's leaders (journey 8), read-only. Kept
# out of ALL_USERNAMES, whose tables of expected answers are written for the county's cast.
PREFECTURE = "433100000000"  # 湘西土家族苗族自治州
PROVINCE = "430000000000"  # 湖南省
LEADERS: list[Persona] = [
    Persona("prefecture_supervisor", "supervisor", PREFECTURE, "州领导（只读） · 湘西州"),
    Persona("province_supervisor", "supervisor", PROVINCE, "省领导（只读） · 湖南省"),
]

# The province's and the prefecture's bureau administrators (省/州乡村振兴局): they set the values
# that belong to their level (the province's monitoring threshold and poverty line, the rule
# parameters and local values their counties inherit) and nothing else. Kept out of
# ALL_USERNAMES for the same reason as LEADERS. The province's user name is the role's, as for
# every role inside the county.
REGIONAL_ADMINS: list[Persona] = [
    Persona("regional_admin", "regional_admin", PROVINCE, "省乡村振兴局管理员 · 湖南省"),
    Persona("prefecture_admin", "regional_admin", PREFECTURE, "州乡村振兴局管理员 · 湘西州"),
]

# The departments a provider persona sends for (feeds.departments): the 医保局's account sends
# medical-insurance feeds and nothing else.
PROVIDER_DEPARTMENTS: dict[str, list[str]] = {"dept_provider": ["medical"]}

# The person behind each login: pages name people, never logins (排查人, 核实人, 决定人 …).
FULL_NAMES: dict[str, str] = {
    "county_admin": "彭建华",
    "org_dept": "吴秀兰",
    "township_officer": "石光明",
    "village_clerk": "施金花",
    "first_secretary": "龙国强",
    "cadre": "麻晓燕",
    "dept_provider": "田志刚",
    "supervisor": "杨德明",
    "outsider": "向海军",
    "neighbour_clerk": "龙春梅",
    "prefecture_supervisor": "张立新",
    "province_supervisor": "刘永平",
    "regional_admin": "李文华",
    "prefecture_admin": "唐红英",
}

# Every persona's user name, inside the demo county first, then the outsiders.
ALL_USERNAMES: list[str] = [p.username for p in [*PERSONAS, *OUTSIDERS]]
