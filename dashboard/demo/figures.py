"""The demo county's figures: those of the 《普洱日报》 article on Menglian's border
party-building (2021) and the plan the tables are drawn to (how many of what, where, when).
A figure of the article is a constant here, never the outcome of a random draw: 1,259
in-service members, 122 border village-group branches (28 model branches, all compliant by
December), 115 community checkpoints, 24 party-school sessions / 2,880 attendees, 2 border
trainings / 252 attendees, 218 outreach sessions, 71 outreach teams, the indicators...
"""

from __future__ import annotations

from datetime import date, timedelta

YEAR = 2021
FIRST_WEEK = date(2021, 5, 3)  # a Monday
N_WEEKS = 35
WEEKS = [FIRST_WEEK + timedelta(days=7 * i) for i in range(N_WEEKS)]
LAST_WEEK = WEEKS[-1]  # 2021-12-27
LAST_DAY = LAST_WEEK + timedelta(days=6)  # 2022-01-02, end of the last week
N_DAYS = N_WEEKS * 7  # days with checkpoint shifts

# id, name, name_en, seat (lon, lat), is_border, border branches on its stretch of the border
TOWNSHIPS = [
    ("T01", "娜允镇", "Nayun", (99.590, 22.330), True, False),
    ("T02", "勐马镇", "Mengma", (99.330, 22.200), True, True),
    ("T03", "芒信镇", "Mangxin", (99.560, 22.170), True, True),
    ("T04", "富岩镇", "Fuyan", (99.400, 22.340), True, True),
    ("T05", "景信乡", "Jingxin", (99.670, 22.430), False, False),
    ("T06", "公信乡", "Gongxin", (99.480, 22.450), True, True),
]
TOWNSHIPS_BY_ID = {t[0]: t for t in TOWNSHIPS}

# The county seat's organisation: 4 communities of 7 zones (28 zones), 153 grids each.
GRIDS_PER_COMMUNITY = 153  # of 156 cells; 3 cells per quadrant are not grids
ZONES_PER_COMMUNITY = 7

COMMUNITIES = [("C01", "娜允社区"), ("C02", "芒街社区"), ("C03", "景信路社区"), ("C04", "新城社区")]

# Border village-group branches: township -> (count, villages).
BRANCH_PLAN = [
    ("T02", 32, ["勐阿村", "芒冒村", "东乃村", "帕亮村", "腊福村", "贺安村"]),
    ("T03", 30, ["芒信村", "海东村", "拉嘎村", "班母村", "永广村"]),
    ("T04", 28, ["大曼糯村", "富岩村", "户拉村", "南雅村", "芒国村"]),
    ("T06", 24, ["公信村", "腊垒村", "班帅村", "糯董村", "永老村"]),
    ("T01", 8, ["芒方冒村", "芒掌村"]),
]
N_MODEL_BRANCHES = 28
# compliant branches (all 8 criteria) at each monthly assessment, May..December
COMPLIANT_BY_MONTH = [85, 93, 100, 106, 112, 117, 120, 122]
# criterion -> (weight of failing, note)
FAIL_WEIGHTS = {
    "venue": (30, "活动阵地面积不足，正在改扩建"),
    "funding": (28, "运转经费未足额保障"),
    "org_life": (10, "“三会一课”记录不全"),
    "rules": (10, "制度未上墙、落实不到位"),
    "member_management": (9, "流动党员管理台账不完善"),
    "leadership": (6, "班子成员缺配"),
    "role": (5, "党员先锋作用发挥不明显"),
    "org_setup": (2, "党组织设置待调整"),
}

# Indicators: (code, [values at each as-of date], township weights or None = county row)
INDICATOR_DATES = [date(2021, 6, 30), date(2021, 9, 30), date(2021, 12, 20)]
INDICATOR_PLAN = [
    ("vanguard_cadres", [352, 431, 487], {"T01": 20, "T02": 22, "T03": 20, "T04": 16, "T05": 4, "T06": 18}),
    ("cadres_promoted", [21, 44, 63], None),
    (
        "village_team_members",
        [98, 109, 116],
        {"T01": 14, "T02": 22, "T03": 22, "T04": 20, "T05": 16, "T06": 22},
    ),
    ("party_households", [261, 348, 402], {"T01": 6, "T02": 28, "T03": 26, "T04": 22, "T06": 18}),
    ("materials_distributed", [156000, 318000, 412000], None),
    ("waste_bins_added", [42, 83, 106], None),
    ("outreach_teams", [46, 63, 71], None),
]

COUNTY_TARGETS = [
    ("branches.compliance_rate", 1.0),
    ("branches.link_coverage_rate", 1.0),
    ("grids.staffed_rate", 1.0),
    ("grids.visit_rate", 0.9),
    ("grids.reporting_rate", 1.0),
    ("checkpoints.coverage_rate", 1.0),
    ("members.reported", 1259),
    ("training.party_school.sessions", 24),
    ("training.party_school.attendees", 2880),
    ("training.border_training.sessions", 2),
    ("training.border_training.attendees", 252),
    ("training.party_lecture.sessions", 200),
    ("training.outreach.sessions", 218),
    ("training.fireside_school.sessions", 40),
    ("training.theme_day.sessions", 30),
]
TOWNSHIP_TARGETS = [
    ("branches.compliance_rate", "T01", 1.0),
    ("branches.compliance_rate", "T02", 1.0),
    ("branches.compliance_rate", "T03", 1.0),
    ("branches.compliance_rate", "T04", 1.0),
    ("branches.compliance_rate", "T06", 1.0),
    ("checkpoints.coverage_rate", "T01", 1.0),
    ("checkpoints.coverage_rate", "T06", 1.0),
    ("grids.visit_rate", "T01", 0.9),
    ("training.fireside_school.sessions", "T06", 40),
]

N_MEMBERS = 1259
N_UNASSIGNED = 5
N_UNSTAFFED = 6
N_UNDER_VISITED = 8
N_COMMUNITY_CHECKPOINTS = 115
N_BORDER_CHECKPOINTS = 8
BORDER_ATTENDANCE_DISTINCT = 240
