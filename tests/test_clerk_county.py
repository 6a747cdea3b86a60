"""Acceptance check of issue 10 with a county the team has not seen (issue 10, "How it will be
checked"): a made-up county of four townships, sent as a county office and six township clerks
would send it -- one reference workbook and one workbook per township, every sheet with a merged
title row, a 填报单位 line, a 序号 column and a 合计 row; dates, times, numbers and yes/no typed in
every form the issue lists; one township's workbook as .xls (written with xlwt: LibreOffice is
not installed here, so "resaved by LibreOffice" is stood in for by an Excel 97-2003 file).

Every figure of `summary --json` is computed again below in plain Python from the generator's
own records, following the figure definitions of docs/data-contract.md -- not from the store,
not with dashboard.metrics.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import cli, ingest
from dashboard.store import Store

ROOT = Path(__file__).resolve().parent.parent
D, DT = dt.date, dt.datetime

W1, W2 = D(2022, 3, 7), D(2022, 3, 14)  # the two weeks sent (Mondays)
CRITERIA = ("org_setup", "leadership", "member_management", "org_life", "venue", "rules", "funding", "role")
KINDS = ("party_school", "border_training", "party_lecture", "outreach", "fireside_school", "theme_day")
INDICATORS = (
    "vanguard_cadres",
    "cadres_promoted",
    "village_team_members",
    "party_households",
    "materials_distributed",
    "waste_bins_added",
    "outreach_teams",
)


# ============================================================================ the county
def make_county(seed: int = 10) -> dict:
    """The county's records as plain typed Python values (the truth the files are written from)."""
    rnd = random.Random(seed)
    townships = [
        dict(township_id="HX01", name="禾溪乡", name_en="Hexi", lon=99.41, lat=22.31, is_border=True),
        dict(township_id="HX02", name="石岭镇", name_en="Shiling", lon=99.55, lat=22.40, is_border=False),
        dict(township_id="HX03", name="南垒乡", name_en="Nanlei", lon=99.62, lat=22.19, is_border=True),
        # A township with a checkpoint and a branch but no grid and no report at all.
        dict(township_id="HX04", name="北岗乡", name_en="Beigang", lon=99.70, lat=22.50, is_border=False),
    ]
    communities, zones, grids = [], [], []
    ncom = {"HX01": 2, "HX02": 1, "HX03": 2}
    for tw, n in ncom.items():
        for i in range(1, n + 1):
            cid = f"{tw}-S{i}"
            communities.append(dict(community_id=cid, township_id=tw, name=f"{tw}第{i}社区"))
            for j in range(1, (3 if cid == "HX01-S1" else 2)):
                zid = f"{cid}-P{j}"
                zones.append(
                    dict(
                        zone_id=zid,
                        community_id=cid,
                        name=f"{cid}第{j}片区",
                        leader_title=rnd.choice(["县委副书记", "副县长", None]),
                    )
                )
                for k in range(1, 3 + (i + j) % 2):
                    gid = f"WG{tw[2:]}{i}{j}{k}"
                    grids.append(
                        dict(
                            grid_id=gid,
                            zone_id=zid,
                            name=f"{gid}网格",
                            households=rnd.randint(40, 900),
                            residents=rnd.choice([None, rnd.randint(100, 3000)]),
                            unit_id=rnd.choice([None, "DW1", "DW2", "DW3"]),
                            lon=99.5 + rnd.random() / 10,
                            lat=22.3 + rnd.random() / 10,
                        )
                    )
    grids[0]["households"] = 1234  # written with a thousands separator
    grids[3]["households"] = 2048
    units = [
        dict(unit_id="DW1", name="县司法局", kind="county"),
        dict(unit_id="DW2", name="县医院", kind="county"),
        dict(unit_id="DW3", name="边防派出所", kind="stationed"),
    ]
    members = []
    for n in range(1, 29):
        g = rnd.choice(grids + [None] * 4)
        members.append(
            dict(
                member_id=f"DY{n:03d}",
                unit_id=rnd.choice(units)["unit_id"],
                grid_id=g and g["grid_id"],
                role=rnd.choice(["chief", "member", "member"]),
                reported_on=D(2021, 12, 1) + dt.timedelta(days=rnd.randint(0, 110)),
                households_linked=rnd.randint(0, 12),
            )
        )
    # A grid whose only member reports after the last week's end.
    lone = grids[-1]["grid_id"]
    for m in members:
        if m["grid_id"] == lone:
            m["grid_id"] = None
    members.append(
        dict(
            member_id="DY099",
            unit_id="DW1",
            grid_id=lone,
            role="chief",
            reported_on=D(2022, 3, 25),
            households_linked=7,
        )
    )
    members.append(
        dict(
            member_id="DY100",
            unit_id="DW2",
            grid_id=None,
            role="member",
            reported_on=D(2022, 3, 20),
            households_linked=9,
        )
    )  # Sunday of W2
    # A small grid whose members link more households than it has (a quality warning).
    grids[2]["households"] = 6
    members[0].update(grid_id=grids[2]["grid_id"], households_linked=5, role="chief")
    members[1].update(grid_id=grids[2]["grid_id"], households_linked=4, role="chief")
    checkpoints = []
    for tw, n in (("HX01", 2), ("HX02", 1), ("HX03", 2), ("HX04", 1)):
        for i in range(1, n + 1):
            com = [c for c in communities if c["township_id"] == tw]
            checkpoints.append(
                dict(
                    checkpoint_id=f"KD{tw[2:]}{i}",
                    township_id=tw,
                    community_id=com[0]["community_id"] if com and i == 1 else None,
                    name=f"{tw}第{i}卡点",
                    kind="border" if i == 2 else "community",
                    required_staff=rnd.randint(1, 3),
                    lon=99.6,
                    lat=22.35,
                )
            )
    shifts = []
    for k in checkpoints:
        if k["township_id"] == "HX04":
            continue  # never staffed
        # 8-hour shifts from Sunday before W1 to the Monday after W2, some missing, some short,
        # some at half hours, some reinforced by an overlapping shift.
        t = DT(2022, 3, 6, 16, 0)
        while t < DT(2022, 3, 21, 12):
            length = dt.timedelta(hours=rnd.choice([8, 8, 8, 7.5, 12]))
            if rnd.random() > 0.12:
                shifts.append(
                    dict(
                        checkpoint_id=k["checkpoint_id"],
                        shift_start=t,
                        shift_end=t + length,
                        staff_party=rnd.randint(0, 2),
                        staff_unit=rnd.randint(0, 2),
                        staff_volunteer=rnd.randint(0, 1),
                        persons_checked=rnd.choice([0, 35, 210, 1050, 2300]),
                    )
                )
                if rnd.random() < 0.15:
                    s = t + dt.timedelta(hours=2, minutes=30)
                    shifts.append(
                        dict(
                            checkpoint_id=k["checkpoint_id"],
                            shift_start=s,
                            shift_end=s + dt.timedelta(hours=4),
                            staff_party=1,
                            staff_unit=0,
                            staff_volunteer=1,
                            persons_checked=12,
                        )
                    )
            t += length
    branches = []
    for tw, n in (("HX01", 3), ("HX02", 2), ("HX03", 3), ("HX04", 1)):
        for i in range(1, n + 1):
            links = [rnd.random() < 0.8 for _ in range(4)]
            branches.append(
                dict(
                    branch_id=f"ZB{tw[2:]}{i}",
                    township_id=tw,
                    village=f"{tw}村{i}",
                    group_name=f"第{i}组",
                    name=f"{tw}第{i}党支部",
                    on_border_line=rnd.random() < 0.5,
                    party_members=rnd.randint(3, 40),
                    is_model=rnd.random() < 0.4,
                    link_county_leader=links[0],
                    link_unit=links[1],
                    link_township=links[2],
                    link_village_team=links[3],
                    lon=99.6,
                    lat=22.3,
                )
            )
    assessments = []
    dates = [
        D(2021, 12, 20),
        D(2022, 2, 14),
        W1 + dt.timedelta(days=3),
        W2 + dt.timedelta(days=6),  # Sunday: inside the last week
        W2 + dt.timedelta(days=7),
    ]  # the Monday after: outside it
    for b in branches:
        if b["township_id"] == "HX04":
            continue  # never assessed
        for d in rnd.sample(dates, rnd.randint(1, 3)):
            fail = set(rnd.sample(CRITERIA, rnd.choice([0, 0, 1, 2])))
            for c in CRITERIA:
                assessments.append(
                    dict(
                        branch_id=b["branch_id"],
                        assessed_on=d,
                        criterion=c,
                        passed=c not in fail,
                        note="整改中" if c in fail else None,
                    )
                )
    trainings = []
    n = 0
    for tw in ("HX01", "HX02", "HX03", None):
        for d in (
            D(2021, 12, 28),
            D(2022, 1, 3),
            D(2022, 2, 20),
            W1 + dt.timedelta(days=2),
            W2 + dt.timedelta(days=6),
            W2 + dt.timedelta(days=8),
        ):
            if rnd.random() < 0.8:
                n += 1
                trainings.append(
                    dict(
                        activity_id=f"PX{n:03d}",
                        held_on=d,
                        township_id=tw,
                        kind=rnd.choice(KINDS),
                        title=f"学习会{n}",
                        sessions=rnd.randint(1, 4),
                        attendees=rnd.choice([25, 80, 1200]),
                    )
                )
    grid_weekly = []
    for w in (W1, W2):
        for g in grids:
            if rnd.random() < 0.85:
                checked = rnd.randint(0, 2500)
                found = rnd.randint(0, 9)
                grid_weekly.append(
                    dict(
                        week_start=w,
                        grid_id=g["grid_id"],
                        households_visited=rnd.randint(0, g["households"]),
                        residents_checked=checked,
                        travel_registered=rnd.randint(0, 40),
                        vaccinated=rnd.randint(0, checked),
                        issues_found=found,
                        issues_resolved=rnd.randint(0, found),
                    )
                )
    targets = [
        dict(metric="grids.visit_rate", year=2022, township_id=None, target=0.9),
        dict(metric="branches.compliance_rate", year=2022, township_id="HX01", target=1.0),
        dict(metric="training.sessions", year=2022, township_id=None, target=120.0),
    ]
    indicators = [
        # county row and township rows: the county figure is the county row
        dict(indicator="vanguard_cadres", township_id=None, as_of=D(2022, 1, 31), value=300.0),
        dict(indicator="vanguard_cadres", township_id="HX01", as_of=D(2022, 1, 31), value=120.0),
        dict(indicator="vanguard_cadres", township_id=None, as_of=D(2022, 3, 31), value=999.0),
        # township rows only: the county figure is the sum of each township's latest
        dict(indicator="materials_distributed", township_id="HX01", as_of=D(2021, 12, 31), value=5000.0),
        dict(indicator="materials_distributed", township_id="HX01", as_of=D(2022, 3, 10), value=7500.0),
        dict(indicator="materials_distributed", township_id="HX02", as_of=D(2022, 2, 28), value=1300.0),
        dict(indicator="materials_distributed", township_id="HX03", as_of=D(2022, 3, 25), value=800.0),
        dict(indicator="outreach_teams", township_id="HX03", as_of=D(2022, 3, 20), value=4.0),
        dict(indicator="cadres_promoted", township_id=None, as_of=D(2022, 3, 14), value=12.5),
    ]
    return dict(
        townships=townships,
        communities=communities,
        zones=zones,
        units=units,
        grids=grids,
        members=members,
        checkpoints=checkpoints,
        checkpoint_shifts=shifts,
        branches=branches,
        branch_assessments=assessments,
        trainings=trainings,
        grid_weekly=grid_weekly,
        targets=targets,
        indicators=indicators,
    )


# ============================================================================ the figures
def township_of_grid(c: dict) -> dict:
    com = {x["community_id"]: x["township_id"] for x in c["communities"]}
    zone = {x["zone_id"]: com[x["community_id"]] for x in c["zones"]}
    return {g["grid_id"]: zone[g["zone_id"]] for g in c["grids"]}


def expected_summary(c: dict, week: D, township: str | None) -> dict:
    """The figure definitions of docs/data-contract.md, line by line, in plain Python."""
    start = DT.combine(week, dt.time())
    end = start + dt.timedelta(days=7)
    last_day = week + dt.timedelta(days=6)
    ytd = D(week.year, 1, 1)
    tog = township_of_grid(c)
    mine = (lambda tw: True) if township is None else (lambda tw: tw == township)

    def rate(a, b):
        return None if not b else a / b

    br = [b for b in c["branches"] if mine(b["township_id"])]
    compliant = 0
    for b in br:
        rows = [
            a
            for a in c["branch_assessments"]
            if a["branch_id"] == b["branch_id"] and a["assessed_on"] <= last_day
        ]
        if rows:
            latest = max(a["assessed_on"] for a in rows)
            compliant += all(a["passed"] for a in rows if a["assessed_on"] == latest)
    linked = sum(
        all(b[k] for k in ("link_county_leader", "link_unit", "link_township", "link_village_team"))
        for b in br
    )

    gr = [g for g in c["grids"] if mine(tog[g["grid_id"]])]
    ids = {g["grid_id"] for g in gr}
    # "at least one member assigned": the store's reading, by the week's end (a member who
    # reports after the week was not in the grid that week), as docs/data-contract.md says for
    # grids.staffed; DY099 (reports 2022-03-25) tells the two readings apart.
    staffed = {m["grid_id"] for m in c["members"] if m["grid_id"] in ids and m["reported_on"] <= last_day}
    reports = [r for r in c["grid_weekly"] if r["week_start"] == week and r["grid_id"] in ids]
    households = sum(g["households"] for g in gr)
    # Unreported is not zero (issue 21): the visit and reporting rates count only the grids of
    # townships that sent a grid report for the week, the coverage only the checkpoints of
    # townships with a shift starting in it.
    sent = {tog[r["grid_id"]] for r in reports}
    counted_grids = [g for g in gr if tog[g["grid_id"]] in sent]
    counted_households = sum(g["households"] for g in counted_grids)
    visited = sum(r["households_visited"] for r in reports)

    mem = [
        m
        for m in c["members"]
        if m["reported_on"] <= last_day
        and (township is None or (m["grid_id"] and tog[m["grid_id"]] == township))
    ]

    all_cps = [k for k in c["checkpoints"] if mine(k["township_id"])]
    on_duty = {
        k["township_id"]
        for k in all_cps
        for s in c["checkpoint_shifts"]
        if s["checkpoint_id"] == k["checkpoint_id"]
        and start <= s["shift_start"] < start + dt.timedelta(days=7)
    }
    cps = [k for k in all_cps if k["township_id"] in on_duty]
    staffed_slots = 0
    staff_hours = party_hours = 0.0
    persons = 0
    for k in cps:
        sh = [s for s in c["checkpoint_shifts"] if s["checkpoint_id"] == k["checkpoint_id"]]
        for h in range(168):
            a, b = start + dt.timedelta(hours=h), start + dt.timedelta(hours=h + 1)
            staff = sum(
                s["staff_party"] + s["staff_unit"] + s["staff_volunteer"]
                for s in sh
                if s["shift_start"] <= a and s["shift_end"] >= b
            )
            staffed_slots += staff >= k["required_staff"]
        for s in sh:
            inside = (min(s["shift_end"], end) - max(s["shift_start"], start)).total_seconds() / 3600
            if inside > 0:
                staff_hours += (s["staff_party"] + s["staff_unit"] + s["staff_volunteer"]) * inside
                party_hours += s["staff_party"] * inside
            if start <= s["shift_start"] < end:
                persons += s["persons_checked"]
    slots = len(cps) * 168

    tr = [
        t
        for t in c["trainings"]
        if ytd <= t["held_on"] <= last_day and (township is None or t["township_id"] == township)
    ]
    training = {
        "sessions": sum(t["sessions"] for t in tr),
        "attendees": sum(t["attendees"] for t in tr),
        "distinct_members": None,
    }
    for kind in KINDS:
        training[kind] = {
            "sessions": sum(t["sessions"] for t in tr if t["kind"] == kind),
            "attendees": sum(t["attendees"] for t in tr if t["kind"] == kind),
        }

    def latest(code, tw):
        rows = [
            i
            for i in c["indicators"]
            if i["indicator"] == code and i["township_id"] == tw and i["as_of"] <= last_day
        ]
        return max(rows, key=lambda i: i["as_of"])["value"] if rows else None

    indicators = {}
    for code in INDICATORS:
        if township is not None:
            indicators[code] = latest(code, township)
        else:
            county = latest(code, None)
            if county is None:
                parts = [latest(code, t["township_id"]) for t in c["townships"]]
                parts = [p for p in parts if p is not None]
                county = sum(parts) if parts else None
            indicators[code] = county

    return {
        "week_start": week.isoformat(),
        "township_id": township,
        "branches": {
            "total": len(br),
            "compliant": compliant,
            "compliance_rate": rate(compliant, len(br)),
            "model": sum(b["is_model"] for b in br),
            "link_coverage_rate": rate(linked, len(br)),
        },
        "grids": {
            "total": len(gr),
            "staffed": len(staffed),
            "staffed_rate": rate(len(staffed), len(gr)),
            "households": households,
            "households_visited": visited,
            "visit_rate": rate(visited, counted_households),
            "reporting_rate": rate(len(reports), len(counted_grids)),
        },
        "members": {
            "reported": len(mem),
            "assigned": sum(1 for m in mem if m["grid_id"]),
            "households_linked": sum(m["households_linked"] for m in mem),
        },
        "checkpoints": {
            "total": len(all_cps),
            "slots": slots,
            "staffed_slots": staffed_slots,
            "coverage_rate": rate(staffed_slots, slots),
            "staff_hours": staff_hours,
            "party_share": rate(party_hours, staff_hours),
            "persons_checked": persons,
        },
        "training": training,
        "indicators": indicators,
    }


# ============================================================================ the files
# Headers as clerks write them: Chinese labels or English names, some with spaces or in
# full-width forms; one reference column (参考) per weekly sheet.
HEADERS = {
    "townships": ["乡镇代码", "乡镇名称", "英文名称", "经度", "纬度", "是否边境乡镇"],
    "communities": ["社区代码", "乡镇代码", "社区 名称"],
    "zones": ["zone_id", "community_id", "name", "片长职务"],
    "units": ["单位代码", "单位名称", "单位类别"],
    "grids": ["网格代码", "片区代码", "网格名称", "户数", "人口数", "包保单位代码", "经度", "纬度"],
    "members": ["党员编号", "单位代码", "网格代码", "角色", "报到日期", "挂联户数"],
    "checkpoints": [
        "卡点代码",
        "乡镇代码",
        "社区代码",
        "卡点名称",
        "卡点类别",
        "每班最少人数",
        "经度",
        "纬度",
    ],
    "checkpoint_shifts": [
        "卡点代码",
        "开始时间",
        "结束时间",
        "党员干部人数",
        "单位网格员人数",
        "志愿者人数",
        "测温扫码人次",
    ],
    "branches": [
        "党支部代码",
        "乡镇代码",
        "行政村",
        "村民小组",
        "党支部名称",
        "是否抵边",
        "党员人数",
        "示范党组织",
        "县级领导挂联",
        "挂包单位挂联",
        "乡镇班子挂联",
        "驻村工作队挂联",
        "经度",
        "纬度",
    ],
    "branch_assessments": ["党支部代码", "评估日期", "评估项目", "是否达标", "备注"],
    "trainings": ["活动编号", "日期", "乡镇代码", "类别", "主题", "期数场次", "参加人次"],
    "grid_weekly": [
        "周起始日",
        "网格代码",
        "网格名称（参考）",
        "走访户数",
        "排查人数",
        "进出县 登记人数",
        "已接种人数",
        "发现问题数",
        "解决问题数",
    ],
    "targets": ["指标", "年度", "乡镇代码", "目标值"],
    "indicators": ["指标", "乡镇代码", "截至日期", "数值"],
}
# Header cells written in another form than above (full-width letters, full-width space).
HEADER_VARIANTS = {
    ("zones", "zone_id"): "ｚｏｎｅ＿ｉｄ",
    ("grids", "户数"): "户　数",
    ("checkpoint_shifts", "开始时间"): "开始 时间",
}
COLUMNS = {  # header -> column, in the order of HEADERS
    t: cols
    for t, cols in {
        "townships": ["township_id", "name", "name_en", "lon", "lat", "is_border"],
        "communities": ["community_id", "township_id", "name"],
        "zones": ["zone_id", "community_id", "name", "leader_title"],
        "units": ["unit_id", "name", "kind"],
        "grids": ["grid_id", "zone_id", "name", "households", "residents", "unit_id", "lon", "lat"],
        "members": ["member_id", "unit_id", "grid_id", "role", "reported_on", "households_linked"],
        "checkpoints": [
            "checkpoint_id",
            "township_id",
            "community_id",
            "name",
            "kind",
            "required_staff",
            "lon",
            "lat",
        ],
        "checkpoint_shifts": [
            "checkpoint_id",
            "shift_start",
            "shift_end",
            "staff_party",
            "staff_unit",
            "staff_volunteer",
            "persons_checked",
        ],
        "branches": [
            "branch_id",
            "township_id",
            "village",
            "group_name",
            "name",
            "on_border_line",
            "party_members",
            "is_model",
            "link_county_leader",
            "link_unit",
            "link_township",
            "link_village_team",
            "lon",
            "lat",
        ],
        "branch_assessments": ["branch_id", "assessed_on", "criterion", "passed", "note"],
        "trainings": ["activity_id", "held_on", "township_id", "kind", "title", "sessions", "attendees"],
        "grid_weekly": [
            "week_start",
            "grid_id",
            "@grid_name",
            "households_visited",
            "residents_checked",
            "travel_registered",
            "vaccinated",
            "issues_found",
            "issues_resolved",
        ],
        "targets": ["metric", "year", "township_id", "target"],
        "indicators": ["indicator", "township_id", "as_of", "value"],
    }.items()
}
DATE_COLS = {"reported_on", "week_start", "assessed_on", "held_on", "as_of"}
TS_COLS = {"shift_start", "shift_end"}
INT_COLS = {
    "households",
    "residents",
    "households_linked",
    "households_visited",
    "residents_checked",
    "travel_registered",
    "vaccinated",
    "issues_found",
    "issues_resolved",
    "required_staff",
    "staff_party",
    "staff_unit",
    "staff_volunteer",
    "persons_checked",
    "party_members",
    "sessions",
    "attendees",
    "year",
}
BOOL_COLS = {
    "is_border",
    "on_border_line",
    "is_model",
    "link_county_leader",
    "link_unit",
    "link_township",
    "link_village_team",
    "passed",
}
SHEET_NAMES = {
    "townships": "乡镇",
    "communities": "社区",
    "zones": "zones",
    "units": "单位党组织",
    "grids": "网格",
    "members": "下沉党员",
    "checkpoints": "卡点",
    "checkpoint_shifts": "卡点值守",
    "branches": "边境村组党支部",
    "branch_assessments": "达标评估",
    "trainings": "培训宣讲",
    "grid_weekly": "网格周报",
    "targets": "目标",
    "indicators": "强边固防指标",
}
FW = str.maketrans("0123456789,", "０１２３４５６７８９，")


class Writer:
    """Renders typed values in the forms clerks type, cycling through them, and counts the
    values the reader must convert (what its report should say)."""

    def __init__(self, xls: bool = False):
        self.xls = xls
        self.n = 0
        self.converted = {"date": 0, "fullwidth": 0, "separator": 0, "bool_symbol": 0}

    def _next(self, k: int) -> int:
        self.n += 1
        return self.n % k

    def cell(self, col: str, v):
        if v is None:
            return None
        if col in DATE_COLS:
            i = self._next(7)
            if i == 5:
                return v  # an Excel date cell
            if i == 6:
                self.converted["date"] += 1  # an Excel date-time cell
                return DT.combine(v, dt.time(9, 30))
            if i in (2, 3, 4):
                self.converted["date"] += 1
            return [
                f"{v:%Y-%m-%d}",
                f"{v.year}/{v.month}/{v.day}",
                f"{v:%Y.%m.%d}",
                f"{v.year}年{v.month}月{v.day}日",
                f"{v:%Y%m%d}",
            ][i]
        if col in TS_COLS:
            i = self._next(6)
            if i == 0:
                return v  # an Excel date-time cell
            if v.minute == 0 and v.hour == 0 and i == 5:
                self.converted["date"] += 1
                return f"{v:%Y%m%d}"  # midnight, date only
            if i in (3, 4, 5):
                self.converted["date"] += 1
            return [
                None,
                f"{v.year}/{v.month}/{v.day} {v.hour}:{v.minute:02d}",
                f"{v:%Y-%m-%d %H:%M}",
                f"{v.year}年{v.month}月{v.day}日 {v:%H:%M}",
                f"{v:%Y.%m.%d %H:%M}",
                f"{v.year}年{v.month}月{v.day}日 {v:%H:%M}",
            ][i]
        if col in INT_COLS:
            i = self._next(5)
            if v >= 1000 and i in (0, 1, 2):
                s = f"{v:,}"
                self.converted["separator"] += 1
                if i == 1:
                    self.converted["fullwidth"] += 1
                    return s.replace(",", "，")  # 1，234
                if i == 2:
                    self.converted["fullwidth"] += 1
                    return s.translate(FW)  # full-width digits and comma
                return s
            if i == 3:
                self.converted["fullwidth"] += 1
                return str(v).translate(FW)  # ３１
            if i == 4:
                return f" {v} "
            return v
        if col in BOOL_COLS:
            i = self._next(3)
            if i == 0:
                self.converted["bool_symbol"] += 1
                return "√" if v else "×"
            return ("是" if v else "否") if i == 1 else v
        return v


def write_book(
    path: Path, sheets: list[tuple[str, list[dict]]], writer: Writer, unit: str, total_with_code: bool = False
) -> dict:
    """One workbook, one sheet per table, as a clerk keeps it. Returns, per sheet, the row
    numbers of its title rows, 填报单位 line, data rows (by record index) and 合计 row."""
    layout = {}
    if writer.xls:
        import xlwt

        wb = xlwt.Workbook(encoding="utf-8")
        date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
        dt_style = xlwt.easyxf(num_format_str="YYYY-MM-DD HH:MM")
    else:
        from openpyxl import Workbook

        wb = Workbook()
        wb.remove(wb.active)
    for table, records in sheets:
        heads = [HEADER_VARIANTS.get((table, h), h) for h in HEADERS[table]]
        cols = COLUMNS[table]
        rows = [
            [f"{unit}{SHEET_NAMES[table]}统计表"],
            [f"填报单位：{unit}党委　填报人：党政办　日期：2022年3月21日"],
            ["序号"] + heads,
        ]
        for n, r in enumerate(records, start=1):
            rows.append(
                [n]
                + [writer.cell(c, r.get(c)) if not c.startswith("@") else f"{r['grid_id']}网格" for c in cols]
            )
        total = ["合计"] + [None] * len(cols)
        for j, c in enumerate(cols, start=1):
            if c in INT_COLS and c != "year":
                total[j] = sum(r[c] or 0 for r in records)
        if total_with_code:
            total[cols.index(TOTAL_KEY[table]) + 1] = records[0][TOTAL_KEY[table]]
        rows += [[], total]
        layout[table] = {
            "title": 1,
            "unit_line": 2,
            "header": 3,
            "data": list(range(4, 4 + len(records))),
            "empty": 4 + len(records),
            "total": 5 + len(records),
        }
        if writer.xls:
            ws = wb.add_sheet(SHEET_NAMES[table])
            ws.write_merge(0, 0, 0, len(cols), rows[0][0])
            for i, row in enumerate(rows[1:], start=1):
                for j, v in enumerate(row):
                    if v is None:
                        continue
                    if isinstance(v, DT):
                        ws.write(i, j, v, dt_style)
                    elif isinstance(v, D):
                        ws.write(i, j, v, date_style)
                    else:
                        ws.write(i, j, v)
        else:
            ws = wb.create_sheet(SHEET_NAMES[table])
            for row in rows:
                ws.append(row)
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(cols) + 1)
    if writer.xls:
        wb.save(str(path))
    else:
        wb.save(path)
    return layout


TOTAL_KEY = {
    "grid_weekly": "grid_id",
    "checkpoint_shifts": "checkpoint_id",
    "trainings": "activity_id",
    "branch_assessments": "branch_id",
}
REFERENCE = (
    "townships",
    "communities",
    "zones",
    "units",
    "grids",
    "members",
    "checkpoints",
    "branches",
    "targets",
    "indicators",
)
WEEKLY = ("grid_weekly", "checkpoint_shifts", "trainings", "branch_assessments")
XLS_TOWNSHIP = "HX02"


def township_rows(c: dict, tw: str) -> dict:
    tog = township_of_grid(c)
    cp = {k["checkpoint_id"]: k["township_id"] for k in c["checkpoints"]}
    br = {b["branch_id"]: b["township_id"] for b in c["branches"]}
    return {
        "grid_weekly": [r for r in c["grid_weekly"] if tog[r["grid_id"]] == tw],
        "checkpoint_shifts": [r for r in c["checkpoint_shifts"] if cp[r["checkpoint_id"]] == tw],
        "trainings": [r for r in c["trainings"] if r["township_id"] == tw],
        "branch_assessments": [r for r in c["branch_assessments"] if br[r["branch_id"]] == tw],
    }


def write_county_files(c: dict, folder: Path) -> dict:
    """The county office's reference workbook (with the county-level trainings) and one
    workbook per township with weekly rows; HX02's as .xls. Returns paths, layouts and the
    conversions each file asks of the reader."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {"townships": {}, "layout": {}, "converted": {}}
    w = Writer()
    ref = folder / "县委组织部_基础信息.xlsx"
    sheets = [(t, c[t]) for t in REFERENCE]
    sheets.append(("trainings", [t for t in c["trainings"] if t["township_id"] is None]))
    out["layout"][ref.name] = write_book(ref, sheets, w, "县委组织部")
    out["converted"][ref.name] = w.converted
    out["reference"] = ref
    for t in c["townships"]:
        tw = t["township_id"]
        rows = township_rows(c, tw)
        sheets = [(k, v) for k, v in rows.items() if v]
        if not sheets:
            continue
        w = Writer(xls=tw == XLS_TOWNSHIP)
        path = folder / f"{t['name']}_周报.{'xls' if w.xls else 'xlsx'}"
        out["layout"][path.name] = write_book(path, sheets, w, t["name"])
        out["converted"][path.name] = w.converted
        out["townships"][tw] = path
    return out


# ============================================================================ fixtures
@pytest.fixture(scope="module")
def county():
    return make_county()


@pytest.fixture(scope="module")
def sent(county, tmp_path_factory):
    return write_county_files(county, tmp_path_factory.mktemp("clerks"))


def run_cli(*args) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def admin_store(sent, tmp_path_factory):
    """Everything loaded with the command line, as an admin would, in one load."""
    root = tmp_path_factory.mktemp("admin_store")
    files = [str(sent["reference"])] + [str(p) for p in sent["townships"].values()]
    done = run_cli("--store", str(root), "load", *files)
    assert done.returncode == 0, done.stderr
    return root, done


@pytest.fixture(scope="module")
def reporter_store(sent, tmp_path_factory):
    """The reference workbook by the county office, then each township's workbook submitted
    by its own reporter (ingest.load(..., township=T))."""
    root = tmp_path_factory.mktemp("reporter_store")
    store = Store(root)
    res = ingest.load([sent["reference"]], store, by="county")
    assert res.ok, [str(e) for e in res.errors]
    results = {}
    for tw, path in sent["townships"].items():
        res = ingest.load([path], store, by=f"reporter-{tw}", township=tw)
        assert res.ok, [str(e) for e in res.errors]
        results[tw] = res
    return root, results


def cli_summary(root, *args) -> dict:
    """`summary --json`, through the command line's own entry point (in process: the
    subprocess path is exercised once in test_command_line_summary_...)."""
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert cli.main(["--store", str(root), "summary", "--json", *args]) == 0
    return json.loads(buf.getvalue())


def assert_same(got: dict, want: dict, path: str = "") -> None:
    assert set(got) == set(want), (path, set(got) ^ set(want))
    for k, w in want.items():
        g = got[k]
        where = f"{path}.{k}" if path else k
        if isinstance(w, dict):
            assert_same(g, w, where)
        elif isinstance(w, float) or isinstance(g, float):
            assert g == pytest.approx(w, rel=1e-9, abs=1e-9), where
        else:
            assert g == w, where


# ============================================================================ the figures agree
def test_the_generated_county_is_not_the_demo_and_exercises_every_form(county, sent):
    # Different ids and counts from the demo county; every file form the issue lists.
    assert {t["township_id"] for t in county["townships"]}.isdisjoint({"T01", "T02", "T03"})
    assert sent["townships"][XLS_TOWNSHIP].suffix == ".xls"
    total = {
        k: sum(c[k] for c in sent["converted"].values())
        for k in ("date", "fullwidth", "separator", "bool_symbol")
    }
    assert all(n > 0 for n in total.values()), total


@pytest.mark.parametrize("township", [None, "HX01", "HX02", "HX04"])
@pytest.mark.parametrize("week", [W2, W1])
def test_every_summary_figure_equals_an_independent_computation(county, admin_store, township, week):
    root, _ = admin_store
    args = ["--week", week.isoformat()] + (["--township", township] if township else [])
    assert_same(cli_summary(root, *args), expected_summary(county, week, township))


def test_command_line_summary_defaults_to_the_last_week_and_agrees(county, admin_store):
    root, _ = admin_store
    # The Monday after W2 carries a few shifts (into 12:00) and nothing else: the week is not
    # complete before its deadline, so summary opens on W2, as the pages do (issue 21 §9) ...
    now = "2022-03-22T09:00:00+08:00"
    done = run_cli("--store", str(root), "summary", "--json", "--township", "HX03", "--now", now)
    assert done.returncode == 0, done.stderr
    assert_same(json.loads(done.stdout), expected_summary(county, W2, "HX03"))
    # ... and once its deadline has passed (the real clock), on that week, with 未报 grids
    done = run_cli("--store", str(root), "summary", "--json", "--township", "HX03")
    assert json.loads(done.stdout)["week_start"] == (W2 + dt.timedelta(days=7)).isoformat()


@pytest.mark.parametrize("township", [None, "HX02", "HX03"])
def test_reporters_submissions_give_the_same_figures(county, reporter_store, township):
    root, results = reporter_store
    args = ["--week", W2.isoformat()] + (["--township", township] if township else [])
    assert_same(cli_summary(root, *args), expected_summary(county, W2, township))


def _norm(row: tuple) -> tuple:
    return tuple(round(v, 9) if isinstance(v, float) else v for v in row)


def test_the_stored_rows_are_the_clerks_rows(county, admin_store):
    """Every typed value read back equals the generator's (dates from every form, numbers with
    separators and full-width digits, √/×)."""
    root, _ = admin_store
    store = Store(root)
    con = store.connect()
    try:
        for table in REFERENCE + WEEKLY:
            cols = [c for c in COLUMNS[table] if not c.startswith("@")]
            got = sorted(con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)
            want = sorted((tuple(r.get(c) for c in cols) for r in county[table]), key=repr)
            assert len(got) == len(want), table
            assert [_norm(r) for r in got] == [_norm(r) for r in want], table
    finally:
        con.close()


# ============================================================================ what a clerk gets wrong
def _col(table: str, column: str) -> int:
    """1-based column of `column` in the sheets written above (序号 is column 1)."""
    return COLUMNS[table].index(column) + 2


def bad_workbook(
    county,
    folder: Path,
    name: str,
    edit=None,
    township: str = "HX01",
    extra: dict | None = None,
    total_with_code: bool = False,
):
    """HX01's workbook as its clerk sends it, with one mistake; returns (path, layout)."""
    from openpyxl import load_workbook

    rows = township_rows(county, township)
    for table, more in (extra or {}).items():
        rows[table] = rows[table] + more
    path = folder / name
    layout = write_book(
        path, [(k, v) for k, v in rows.items() if v], Writer(), "禾溪乡", total_with_code=total_with_code
    )
    if edit:
        wb = load_workbook(path)
        edit(wb, layout)
        wb.save(path)
    return path, layout


def snapshot(root) -> tuple:
    store = Store(root)
    con = store.connect()
    try:
        counts = tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in REFERENCE + WEEKLY)
    finally:
        con.close()
    return store.current(), counts


def refused(res, file: str, row: int, column: str):
    """The load was refused and one error names this file (sheet), row and column."""
    assert not res.ok
    hits = [e for e in res.errors if e.file == file and e.row == row and e.column == column]
    assert hits, [str(e) for e in res.errors]
    assert all(e.zh and e.en for e in hits)
    return hits[0]


def set_cell(table: str, index: int, column: str, value):
    def edit(wb, layout):
        wb[SHEET_NAMES[table]].cell(layout[table]["data"][index], _col(table, column)).value = value

    return edit


@pytest.mark.parametrize("typed", ["11/1/2021", "1/11/2021"])
def test_an_ambiguous_date_is_refused_with_file_row_and_column(county, reporter_store, tmp_path, typed):
    root, _ = reporter_store
    before = snapshot(root)
    path, layout = bad_workbook(
        county, tmp_path, "禾溪乡_周报.xlsx", set_cell("trainings", 1, "held_on", typed)
    )
    res = ingest.load([path], Store(root), by="reporter-HX01", township="HX01")
    e = refused(res, f"{path.name} [培训宣讲]", layout["trainings"]["data"][1], "held_on")
    assert e.value == typed and "年份在前" in e.zh and "year first" in e.en
    assert snapshot(root) == before


@pytest.mark.parametrize("typed", ["22.3.7", "11/1/21"])
def test_a_two_digit_year_is_refused_not_read_as_the_year_22(county, reporter_store, tmp_path, typed):
    # DuckDB's %Y takes "22" as the year 0022: the clerk's 22.3.7 would be stored as a date
    # 2000 years ago (a training silently out of every year-to-date figure); 11/1/21 would be
    # the 21st of January of the year 11.
    root, _ = reporter_store
    before = snapshot(root)
    path, layout = bad_workbook(
        county, tmp_path, "禾溪乡_周报.xlsx", set_cell("trainings", 0, "held_on", typed)
    )
    res = ingest.load([path], Store(root), by="reporter-HX01", township="HX01")
    e = refused(res, f"{path.name} [培训宣讲]", layout["trainings"]["data"][0], "held_on")
    assert e.value == typed and "四位" in e.zh and "four digits" in e.en
    assert snapshot(root) == before


def test_a_unit_in_a_number_cell_is_refused_with_a_hint(county, reporter_store, tmp_path):
    root, _ = reporter_store
    before = snapshot(root)
    path, layout = bad_workbook(
        county, tmp_path, "禾溪乡_周报.xlsx", set_cell("grid_weekly", 2, "households_visited", "12人")
    )
    res = ingest.load([path], Store(root), by="reporter-HX01", township="HX01")
    e = refused(res, f"{path.name} [网格周报]", layout["grid_weekly"]["data"][2], "households_visited")
    assert e.value == "12人" and "12人" in e.zh and "12人" in e.en
    assert snapshot(root) == before


def test_a_total_row_that_carries_a_grid_code_is_refused(county, reporter_store, tmp_path):
    root, _ = reporter_store
    before = snapshot(root)
    path, layout = bad_workbook(county, tmp_path, "禾溪乡_周报.xlsx", total_with_code=True)
    res = ingest.load([path], Store(root), by="reporter-HX01", township="HX01")
    e = refused(res, f"{path.name} [网格周报]", layout["grid_weekly"]["total"], "grid_id")
    assert "合计" in e.zh and "total" in e.en
    assert snapshot(root) == before


def test_a_reporters_workbook_with_a_row_of_another_township_is_refused(county, reporter_store, tmp_path):
    root, _ = reporter_store
    before = snapshot(root)
    tog = township_of_grid(county)
    other = next(r for r in county["grid_weekly"] if tog[r["grid_id"]] == "HX03")
    stray = {**other, "week_start": W2 + dt.timedelta(days=7)}  # a new row, not a re-send
    path, layout = bad_workbook(county, tmp_path, "禾溪乡_周报.xlsx", extra={"grid_weekly": [stray]})
    res = ingest.load([path], Store(root), by="reporter-HX01", township="HX01")
    e = refused(res, f"{path.name} [网格周报]", layout["grid_weekly"]["data"][-1], "grid_id")
    assert e.value == other["grid_id"] and "HX03" in e.zh and "HX03" in e.en
    assert len(res.errors) == 1
    assert snapshot(root) == before


@pytest.mark.slow
def test_the_command_line_names_the_file_row_and_column_of_a_refused_load(county, admin_store, tmp_path):
    root, _ = admin_store
    before = snapshot(root)
    path, layout = bad_workbook(
        county, tmp_path, "禾溪乡_周报.xlsx", set_cell("grid_weekly", 0, "vaccinated", "12人")
    )
    done = run_cli("--store", str(root), "load", str(path))
    row = layout["grid_weekly"]["data"][0]
    assert done.returncode == 1
    line = next(x for x in done.stderr.splitlines() if "vaccinated" in x)
    assert f"{path.name} [网格周报]" in line and f"第{row}行" in line and f"row {row}" in line
    assert "12人" in line
    assert snapshot(root) == before


# ============================================================================ the import summary
def test_the_load_report_names_skipped_rows_and_counts_conversions(county, sent, reporter_store):
    """LoadResult.report of each reporter's load: rows read per table, the title, 填报单位,
    empty and 合计 rows of every sheet by row number, and the values read from another form --
    the same counts the generator made when it wrote them."""
    _, results = reporter_store
    for tw, res in results.items():
        path = sent["townships"][tw]
        layout = sent["layout"][path.name]
        rep = res.report
        for table, rows in township_rows(county, tw).items():
            if not rows:
                continue
            where = f"{path.name} [{SHEET_NAMES[table]}]"
            assert rep["tables"][table]["rows"] == len(rows), (tw, table)
            skipped = {(s["row"], s["reason"]) for s in rep["skipped"] if s["file"] == where}
            lay = layout[table]
            assert skipped == {
                (lay["title"], "title"),
                (lay["unit_line"], "title"),
                (lay["empty"], "empty"),
                (lay["total"], "total"),
            }, (tw, table)
        assert rep["converted"] == sent["converted"][path.name], tw


def test_the_command_line_prints_the_import_summary(county, sent, admin_store):
    """The admin's `load` prints what the reader did before saying what it stored: the title,
    填报单位, empty and 合计 rows of each sheet by row number, and the conversions by kind."""
    _, done = admin_store
    out = done.stdout
    assert "导入摘要 / Import summary:" in out
    assert out.index("导入摘要") < out.index("已保存为版本")
    for path in [sent["reference"], *sent["townships"].values()]:
        for table, lay in sent["layout"][path.name].items():
            where = f"{path.name} [{SHEET_NAMES[table]}]"
            assert lay["unit_line"] == lay["title"] + 1  # two title rows: one run
            assert f"跳过：标题行：2（{where}，第 {lay['title']}–{lay['unit_line']} 行）" in out
            assert f"跳过：空行：1（{where}，第 {lay['empty']} 行）" in out
            assert f"跳过：合计行：1（{where}，第 {lay['total']} 行）" in out
    for kind, label in (
        ("date", "dates in another form"),
        ("fullwidth", "full-width digits or signs"),
        ("separator", "numbers with separators"),
        ("bool_symbol", "√ × and other yes/no marks"),
    ):
        n = sum(c[kind] for c in sent["converted"].values())
        line = next(x for x in out.splitlines() if f"Converted: {label}:" in x)
        assert line.endswith(f"Converted: {label}: {n}"), (kind, n, line)
    for table in REFERENCE + WEEKLY:
        n = len(county[table])
        assert f"{table}: +{n} added" in out


# ============================================================================ the prefilled form
@pytest.mark.slow
def test_the_prefilled_form_of_an_unseen_township_loads_as_filled(county, sent, tmp_path):
    """`template --township HX01 --week W` for the week after the last, filled by script (numbers
    only, some typed full-width or with separators), submitted by HX01's reporter: the figures
    of that week equal the independent computation over the county plus the filled rows."""
    import copy

    from openpyxl import load_workbook

    root = tmp_path / "store"
    store = Store(root)
    assert ingest.load([sent["reference"]], store).ok
    assert ingest.load([sent["townships"]["HX01"]], store, township="HX01").ok
    week = W2 + dt.timedelta(days=7)
    form = tmp_path / "禾溪乡_预填.xlsx"
    assert (
        cli.main(
            [
                "--store",
                str(root),
                "template",
                "--township",
                "HX01",
                "--week",
                week.isoformat(),
                "--out",
                str(form),
            ]
        )
        == 0
    )

    truth = copy.deepcopy(county)
    households = {g["grid_id"]: g["households"] for g in county["grids"]}
    wb = load_workbook(form)
    ws = wb["网格周报"]
    head = [c.value for c in ws[1]]
    filled = 0
    for r in range(2, ws.max_row + 1):
        cell = {h: ws.cell(r, i + 1) for i, h in enumerate(head)}
        gid = cell["网格代码"].value
        if not gid:
            continue
        row = dict(
            week_start=week,
            grid_id=gid,
            households_visited=households[gid] // 2,
            residents_checked=1200 + r,
            travel_registered=r,
            vaccinated=1000,
            issues_found=2,
            issues_resolved=1,
        )
        assert cell["周起始日"].value.date() == week
        for col, zh in (
            ("households_visited", "走访户数"),
            ("residents_checked", "排查人数"),
            ("travel_registered", "进出县登记人数"),
            ("vaccinated", "已接种人数"),
            ("issues_found", "发现问题数"),
            ("issues_resolved", "解决问题数"),
        ):
            v = row[col]
            cell[zh].value = f"{v:,}" if v >= 1000 and r % 2 else str(v).translate(FW) if r % 3 else v
        truth["grid_weekly"].append(row)
        filled += 1
    assert filled == sum(1 for g in county["grids"] if township_of_grid(county)[g["grid_id"]] == "HX01")
    ws = wb["卡点值守"]
    head = [c.value for c in ws[1]]
    shifts = {(s["checkpoint_id"], s["shift_start"]): s for s in truth["checkpoint_shifts"]}
    laid_out = 0
    for r in range(2, ws.max_row + 1):
        cell = {h: ws.cell(r, i + 1) for i, h in enumerate(head)}
        if not cell["卡点代码"].value:
            continue
        s = dict(
            checkpoint_id=cell["卡点代码"].value,
            shift_start=cell["开始时间"].value,
            shift_end=cell["结束时间"].value,
            staff_party=1,
            staff_unit=r % 3,
            staff_volunteer=1,
            persons_checked=1500 + r,
        )
        for col, zh in (
            ("staff_party", "党员干部人数"),
            ("staff_unit", "单位网格员人数"),
            ("staff_volunteer", "志愿者人数"),
            ("persons_checked", "测温扫码人次"),
        ):
            cell[zh].value = s[col] if r % 2 else f"{s[col]:,}"
        shifts[(s["checkpoint_id"], s["shift_start"])] = s  # a re-sent shift is replaced
        laid_out += 1
    assert laid_out > 0, "the form lays out the previous week's shifts"
    truth["checkpoint_shifts"] = list(shifts.values())
    wb.save(form)

    res = ingest.load([form], store, by="reporter-HX01", township="HX01")
    assert res.ok, [str(e) for e in res.errors]
    assert res.report["converted"]["separator"] > 0
    assert_same(
        cli_summary(root, "--week", week.isoformat(), "--township", "HX01"),
        expected_summary(truth, week, "HX01"),
    )


# ============================================================================ the board
def test_the_board_counts_what_each_township_sent(county, reporter_store):
    """报送情况 for the last week after the four reporters' submissions, computed again from the
    generator's records by the board's own rule (a checkpoint-day is covered when a shift of
    that checkpoint starts that day), and the last submission names the township's reporter."""
    from dashboard import submissions

    root, _ = reporter_store
    store = Store(root)
    con = store.connect()
    try:
        got = submissions.board(con, W2).set_index("township_id").to_dict("index")
    finally:
        con.close()
    tog = township_of_grid(county)
    week_days = {W2 + dt.timedelta(days=i) for i in range(7)}
    last = submissions.last_submissions(store, W2)
    for t in county["townships"]:
        tw = t["township_id"]
        cps = {k["checkpoint_id"] for k in county["checkpoints"] if k["township_id"] == tw}
        grids = [g for g in county["grids"] if tog[g["grid_id"]] == tw]
        reported = {
            r["grid_id"] for r in county["grid_weekly"] if r["week_start"] == W2 and tog[r["grid_id"]] == tw
        }
        days = {
            (s["checkpoint_id"], s["shift_start"].date())
            for s in county["checkpoint_shifts"]
            if s["checkpoint_id"] in cps and s["shift_start"].date() in week_days
        }
        trainings = [x for x in county["trainings"] if x["township_id"] == tw and x["held_on"] in week_days]
        mine = {b["branch_id"] for b in county["branches"] if b["township_id"] == tw}
        assessed = {
            a["branch_id"]
            for a in county["branch_assessments"]
            if a["branch_id"] in mine and a["assessed_on"] in week_days
        }
        row = got[tw]
        assert (
            row["grids_total"],
            row["grids_reported"],
            row["checkpoints_total"],
            row["checkpoint_days"],
            row["trainings"],
            row["branches_total"],
            row["branches_assessed"],
        ) == (len(grids), len(reported), len(cps), len(days), len(trainings), len(mine), len(assessed)), tw
        sent_any = reported or days or trainings or assessed
        # what is expected follows from what the township has (issue 21 §2): grid reports and
        # shifts; a township with neither has nothing to report
        expected_in = reported or days
        complete = len(reported) == len(grids) and len(days) == 7 * len(cps)
        want = (
            "not_required"
            if not grids and not cps
            else "missing"
            if not expected_in
            else "submitted"
            if complete
            else "partial"
        )
        assert row["status"] == want, tw
        if sent_any:
            assert last[tw]["by"] == f"reporter-{tw}", (tw, last[tw])


# ============================================================================ quality warnings
def test_the_quality_warnings_name_the_rows_to_fix(county, admin_store):
    """Issue 10 §3's roster checks on the unseen county, computed again from its records."""
    from dashboard import quality

    root, _ = admin_store
    con = Store(root).connect()
    try:
        for township in (None, "HX01"):
            got = quality.warnings(con, W2, township)
            tog = township_of_grid(county)
            grids = [g for g in county["grids"] if township in (None, tog[g["grid_id"]])]
            members = [
                m
                for m in county["members"]
                if township is None or (m["grid_id"] and tog[m["grid_id"]] == township)
            ]
            chiefs = {
                g["grid_id"]: sum(
                    1 for m in county["members"] if m["grid_id"] == g["grid_id"] and m["role"] == "chief"
                )
                for g in grids
            }
            linked = {
                g["grid_id"]: sum(
                    m["households_linked"] for m in county["members"] if m["grid_id"] == g["grid_id"]
                )
                for g in grids
            }
            start, end = DT.combine(W2, dt.time()), DT.combine(W2, dt.time()) + dt.timedelta(days=7)
            cps = [k for k in county["checkpoints"] if township in (None, k["township_id"])]
            on_duty = {
                s["checkpoint_id"]
                for s in county["checkpoint_shifts"]
                if s["shift_start"] < end and s["shift_end"] > start
            }
            brs = [b for b in county["branches"] if township in (None, b["township_id"])]
            assessed = {
                a["branch_id"]
                for a in county["branch_assessments"]
                if a["assessed_on"] < W2 + dt.timedelta(days=7)
            }
            want = {
                "grid_no_chief": {g for g, n in chiefs.items() if n == 0},
                "grid_many_chiefs": {g for g, n in chiefs.items() if n > 1},
                "member_links": {m["member_id"] for m in members if not 5 <= m["households_linked"] <= 10},
                "grid_overlinked": {g["grid_id"] for g in grids if linked[g["grid_id"]] > g["households"]},
                "checkpoint_no_shift": {k["checkpoint_id"] for k in cps if k["checkpoint_id"] not in on_duty},
                "branch_never_assessed": {b["branch_id"] for b in brs if b["branch_id"] not in assessed},
            }
            key = {
                "member_links": "member_id",
                "checkpoint_no_shift": "checkpoint_id",
                "branch_never_assessed": "branch_id",
            }
            for kind, ids in want.items():
                assert set(got[kind][key.get(kind, "grid_id")]) == ids, (township, kind)
            assert want["grid_overlinked"] or township, "the county has an overlinked grid"
    finally:
        con.close()


# ============================================================================ CSV as clerks save it
def test_a_clerks_csv_with_blank_lines_keeps_the_row_numbers_of_the_file(county, reporter_store, tmp_path):
    """A GB18030 CSV with a title row, a 填报单位 line, a 序号 column, a blank line between two
    records, an empty row and a 合计 row: the error names the row the clerk sees (DuckDB's
    CSV reader drops blank lines, which shifted every later row number by one), and the
    report lists the blank line, the empty row and the 合计 row by their own numbers."""
    root, _ = reporter_store
    before = snapshot(root)
    path = tmp_path / "培训宣讲.csv"
    path.write_bytes(
        (
            "禾溪乡培训统计表,,,,,,,\n"
            "填报单位：禾溪乡党委　填报人：党政办,,,,,,,\n"
            "序号,活动编号,日期,乡镇代码,类别,主题,期数场次,参加人次\n"
            '1,PX901,2022年3月8日,HX01,党校培训,学习,１,"1,200"\n'
            "\n"
            "2,PX902,2022.03.09,HX01,火塘夜校,学习,2,12人\n"
            ",,,,,,,\n"
            "合计,,,,,,3,1212\n"
        ).encode("gb18030")
    )
    res = ingest.load([path], Store(root), by="reporter-HX01", township="HX01")
    e = refused(res, path.name, 6, "attendees")
    assert e.value == "12人"
    assert snapshot(root) == before
    skipped = {(s["row"], s["reason"]) for s in res.report["skipped"]}
    assert skipped == {(1, "title"), (2, "title"), (5, "empty"), (7, "empty"), (8, "total")}


# ============================================================================ through the data page
class _Upload:
    def __init__(self, path: Path):
        self.name, self._data = path.name, path.read_bytes()

    def getvalue(self) -> bytes:
        return self._data


@pytest.mark.slow
def test_the_xls_workbook_through_the_data_page_is_checked_committed_and_on_the_board(county, sent, tmp_path):
    """The data page's own functions (no browser): HX02's .xls checked (import summary in
    both languages), committed as its reporter's submission, audited with its SHA-256, and
    the board names the reporter; the same figures as the independent computation."""
    import hashlib

    from dashboard import desk, submissions

    root = tmp_path / "store"
    store = Store(root)
    assert ingest.load([sent["reference"]], store).ok
    upload = _Upload(sent["townships"][XLS_TOWNSHIP])
    checked = desk.check_upload(store, [upload], replace=False, township=XLS_TOWNSHIP)
    assert checked["result"].ok, [str(e) for e in checked["result"].errors]
    for lang in ("zh", "en"):
        table = desk.import_summary(checked["result"].report, lang)
        assert len(table) >= 4 + 4 * 3 + 4, table  # read, title/empty/total per sheet, kinds
    assert store.current() == 1  # a check stores nothing
    res = desk.commit_upload(store, [upload], replace=False, by="clerk-hx02", township=XLS_TOWNSHIP)
    assert res.ok and res.version == 2
    sha = hashlib.sha256(sent["townships"][XLS_TOWNSHIP].read_bytes()).hexdigest()
    assert res.files == [{"name": upload.name, "sha256": sha}]
    last = submissions.last_submissions(store, W2)[XLS_TOWNSHIP]
    assert (last["version"], last["by"], last["via"]) == (2, "clerk-hx02", "submit")
    assert_same(
        cli_summary(root, "--week", W2.isoformat(), "--township", XLS_TOWNSHIP),
        expected_summary(county, W2, XLS_TOWNSHIP),
    )
