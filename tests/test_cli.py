"""The command line (README.md, "Command line"), and the demo county's figures through it."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TINY, write_county

ROOT = Path(__file__).resolve().parent.parent


def cli(*args, store: Path | None = None):
    cmd = [sys.executable, "-m", "dashboard"]
    if store is not None:
        cmd += ["--store", str(store)]
    return subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True, cwd=ROOT)


@pytest.fixture(scope="module")
def demo_cli_store(tmp_path_factory):
    base = tmp_path_factory.mktemp("cli-demo")
    out = cli("demo", "--out", base / "demo")
    assert out.returncode == 0, out.stderr
    res = cli("load", base / "demo", "--by", "组织部", store=base / "store")
    assert res.returncode == 0, res.stderr
    return base / "store"


@pytest.mark.slow
def test_demo_county_last_week_has_the_article_figures(demo_cli_store):
    out = cli("summary", "--json", store=demo_cli_store)
    assert out.returncode == 0, out.stderr
    s = json.loads(out.stdout)
    assert s["week_start"] == "2021-12-27" and s["township_id"] is None
    assert (s["branches"]["total"], s["branches"]["compliant"], s["branches"]["model"]) == (122, 122, 28)
    assert s["branches"]["compliance_rate"] == 1.0
    assert s["members"]["reported"] == 1259
    assert s["grids"]["total"] >= 600
    assert s["checkpoints"]["total"] >= 115
    t = s["training"]
    assert (t["party_school"]["sessions"], t["party_school"]["attendees"]) == (24, 2880)
    assert (t["border_training"]["sessions"], t["border_training"]["attendees"]) == (2, 252)
    assert t["party_lecture"]["sessions"] >= 200
    assert t["outreach"]["sessions"] == 218
    assert t["fireside_school"]["sessions"] > 0
    ind = s["indicators"]
    assert (
        ind["vanguard_cadres"],
        ind["cadres_promoted"],
        ind["village_team_members"],
        ind["party_households"],
        ind["outreach_teams"],
    ) == (487, 63, 116, 402, 71)
    assert ind["materials_distributed"] >= 400_000 and ind["waste_bins_added"] >= 100


@pytest.mark.slow
def test_fireside_schools_are_in_gongxin(demo_cli_store):
    s = json.loads(cli("summary", "--json", "--township", "T06", store=demo_cli_store).stdout)
    county = json.loads(cli("summary", "--json", store=demo_cli_store).stdout)
    assert s["training"]["fireside_school"]["sessions"] == county["training"]["fireside_school"]["sessions"]
    assert s["grids"]["total"] == 0 and s["grids"]["visit_rate"] is None  # no community grids there


@pytest.mark.slow
def test_summary_refuses_a_bad_week_or_township(demo_cli_store):
    bad_week = cli("summary", "--json", "--week", "2021-12-28", store=demo_cli_store)
    assert bad_week.returncode == 2 and "Monday" in bad_week.stderr
    bad_town = cli("summary", "--json", "--township", "T99", store=demo_cli_store)
    assert bad_town.returncode == 2 and "T99" in bad_town.stderr


@pytest.mark.slow
def test_load_exit_codes_versions_restore_and_pin(tmp_path):
    store = tmp_path / "store"
    good = write_county(tmp_path / "good")
    assert cli("load", good, "--by", "乡镇文书", store=store).returncode == 0
    again = cli("load", good, store=store)
    assert again.returncode == 0 and "nothing changed" in again.stdout

    data = copy.deepcopy(TINY)
    data["members"][0]["households_linked"] = 99
    bad = cli("load", write_county(tmp_path / "bad", data), store=store)
    assert bad.returncode == 1
    assert "members.csv" in bad.stderr and "第2行 row 2" in bad.stderr
    assert "households_linked" in bad.stderr and "nothing was changed" in bad.stderr

    data = copy.deepcopy(TINY)
    data["members"][0]["households_linked"] = 9
    assert cli("load", write_county(tmp_path / "v2", data), store=store).returncode == 0
    lines = cli("versions", store=store).stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["2 *", "1"]
    assert "乡镇文书" in lines[1] and "members +0/~1/-0" in lines[0]

    assert cli("restore", "1", store=store).returncode == 0
    s = json.loads(cli("summary", "--json", "--week", "2021-05-03", store=store).stdout)
    assert s["members"]["households_linked"] == 8
    assert cli("pin", "3", "12-27 例会", store=store).returncode == 0
    assert "[pinned: 12-27 例会]" in cli("versions", store=store).stdout
    assert cli("restore", "9", store=store).returncode == 1
