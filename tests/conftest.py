"""Shared fixtures: a tiny valid county as CSV text, and a store in a temp folder."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from dashboard import contract
from dashboard.store import Store

# A minimal county that satisfies every rule of CONTRACT.md.
TINY = {
    "townships": [
        dict(township_id="T1", name="娜允镇", name_en="Nayun", lon=99.59, lat=22.33, is_border="true"),
        dict(township_id="T2", name="公信乡", name_en="Gongxin", lon=99.8, lat=22.28, is_border="是"),
    ],
    "communities": [dict(community_id="C1", township_id="T1", name="城区社区")],
    "zones": [dict(zone_id="Z1", community_id="C1", name="一片区", leader_title="县委副书记")],
    "units": [dict(unit_id="U1", name="县委组织部", kind="county"),
              dict(unit_id="U2", name="孟连边境管理大队", kind="驻孟单位")],
    "grids": [dict(grid_id="G1", zone_id="Z1", name="一网格", households=40, residents=100,
                   unit_id="U1", lon=99.59, lat=22.33),
              dict(grid_id="G2", zone_id="Z1", name="二网格", households=60, residents="",
                   unit_id="", lon=99.6, lat=22.34)],
    "members": [dict(member_id="M1", unit_id="U1", grid_id="G1", role="chief",
                     reported_on="2021-05-06", households_linked=8)],
    "grid_weekly": [dict(week_start="2021-05-03", grid_id="G1", households_visited=30,
                         residents_checked=80, travel_registered=2, vaccinated=50,
                         issues_found=3, issues_resolved=2)],
    "checkpoints": [dict(checkpoint_id="K1", township_id="T1", community_id="C1", name="一号卡点",
                         kind="community", required_staff=2, lon=99.59, lat=22.33)],
    "checkpoint_shifts": [dict(checkpoint_id="K1", shift_start="2021-05-03 00:00",
                               shift_end="2021-05-03 08:00", staff_party=1, staff_unit=1,
                               staff_volunteer=0, persons_checked=40)],
    "branches": [dict(branch_id="B1", township_id="T2", village="芒国村", group_name="一组",
                      name="芒国村一组党支部", on_border_line="Y", party_members=12, is_model="N",
                      link_county_leader=1, link_unit=1, link_township=1, link_village_team=0,
                      lon=99.8, lat=22.28)],
    "branch_assessments": [dict(branch_id="B1", assessed_on="2021/05/20", criterion=k,
                                passed="true", note="") for k in contract.CRITERIA],
    "trainings": [dict(activity_id="A1", held_on="2021-05-10", township_id="", kind="party_school",
                       title="强边固防教育", sessions=1, attendees=120)],
    "training_attendance": [dict(activity_id="A1", member_id="M1")],
    "targets": [dict(metric="branches.compliance_rate", year=2021, township_id="", target=1)],
    "indicators": [dict(indicator="outreach_teams", township_id="", as_of="2021-06-30", value=71)],
}


def csv_text(table: str, rows: list[dict], chinese: bool = False) -> str:
    cols = contract.TABLES[table].column_names
    header = [contract.TABLES[table].column(c).zh for c in cols] if chinese else cols
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(c, "") for c in cols])
    return buf.getvalue()


def write_county(folder: Path, data: dict | None = None, *, chinese: bool = False,
                 encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in (data or TINY).items():
        name = contract.TABLES[table].zh if chinese else table
        (folder / f"{name}.csv").write_text(csv_text(table, rows, chinese), encoding=encoding)
    return folder


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "store")


@pytest.fixture
def tiny_dir(tmp_path) -> Path:
    return write_county(tmp_path / "tiny")
