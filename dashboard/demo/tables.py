"""The demo county's tables: one County per copy writes every table of the contract (CSV,
canonical English headers in contract column order) and the GeoJSON layers, through one Out.
Each table draws its own random numbers (from the seed, the copy and the table), so a change
to one table's draws changes no other table.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta
from pathlib import Path

from shapely import geometry as sg

from ..contract import CRITERIA, GEO_LAYERS, METRIC_CODES, TABLES
from .figures import (
    BORDER_ATTENDANCE_DISTINCT,
    BRANCH_PLAN,
    COMMUNITIES,
    COMPLIANT_BY_MONTH,
    COUNTY_TARGETS,
    FAIL_WEIGHTS,
    FIRST_WEEK,
    GRIDS_PER_COMMUNITY,
    INDICATOR_DATES,
    INDICATOR_PLAN,
    N_BORDER_CHECKPOINTS,
    N_COMMUNITY_CHECKPOINTS,
    N_DAYS,
    N_MEMBERS,
    N_MODEL_BRANCHES,
    N_UNASSIGNED,
    N_UNDER_VISITED,
    N_UNSTAFFED,
    N_WEEKS,
    TOWNSHIP_TARGETS,
    TOWNSHIPS,
    TOWNSHIPS_BY_ID,
    WEEKS,
    YEAR,
    ZONES_PER_COMMUNITY,
)
from .geometry import (
    CELL_H,
    CELL_W,
    COPY_COLUMNS,
    COPY_DX,
    COPY_DY,
    LAT_COLS,
    LAT_LAT0,
    LAT_LON0,
    LAT_ROWS,
    LAT_SPAN,
    geography,
    geojson,
    grid_cells,
    jitter,
    point_in,
    point_near_edge,
    replay_branch_place,
)
from .names import (
    COUNTY_UNITS,
    ESTATE_STEMS,
    ESTATE_SUFFIXES,
    HAMLET_SYLLABLES,
    STATIONED_UNITS,
    ZONE_LEADERS,
)

_CN = "零一二三四五六七八九十"


def _cn(n: int) -> str:
    """1..99 in Chinese numerals."""
    if n <= 10:
        return _CN[n]
    if n < 20:
        return "十" + _CN[n - 10]
    return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")


def _b(v: bool) -> str:
    return "true" if v else "false"


def _f6(x: float) -> str:
    return f"{x:.6f}"


def _num(v: float) -> str:
    """A number cell: counts as integers ('1259'), rates as floats ('1.0', '0.9')."""
    return str(v) if isinstance(v, int) else repr(float(v))


def _split(total: int, weights: dict) -> dict:
    """Split an integer total by weights (largest remainder), keys in order."""
    wsum = sum(weights.values())
    raw = {k: total * w / wsum for k, w in weights.items()}
    out = {k: int(v) for k, v in raw.items()}
    rest = total - sum(out.values())
    for k in sorted(raw, key=lambda k: (-(raw[k] - out[k]), k))[:rest]:
        out[k] += 1
    return out


class Out:
    """Open CSV writers for every table plus the GeoJSON layers (townships, grids, county,
    border)."""

    def __init__(self, out_dir: Path):
        self.files, self.writers, self.counts = {}, {}, {}
        for name, table in TABLES.items():
            # kept open while the county is written, closed by close(): not a with block
            f = open(out_dir / f"{name}.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
            w = csv.writer(f, lineterminator="\n")
            w.writerow(table.column_names)
            self.files[name], self.writers[name], self.counts[name] = f, w, 0
        self.geo, self.geo_first = {}, {}
        for layer, (stem, _id) in GEO_LAYERS.items():
            f = open(out_dir / f"{stem}.geojson", "w", encoding="utf-8", newline="")  # noqa: SIM115
            f.write('{"type":"FeatureCollection","features":[\n')
            self.geo[layer], self.geo_first[layer] = f, True

    def rows(self, table: str, rows) -> None:
        n = len(rows)
        self.writers[table].writerows(rows)
        self.counts[table] += n

    def feature(self, layer: str, props: dict, geometry: dict) -> None:
        f = self.geo[layer]
        if not self.geo_first[layer]:
            f.write(",\n")
        self.geo_first[layer] = False
        f.write(
            json.dumps(
                {"type": "Feature", "properties": props, "geometry": geometry},
                ensure_ascii=False,
                separators=(",", ":"),
            )
        )

    def close(self) -> None:
        for f in self.files.values():
            f.close()
        for f in self.geo.values():
            f.write("\n]}\n")
            f.close()


class County:
    """One copy of the county."""

    def __init__(self, out: Out, seed: int, k: int):
        self.out, self.seed, self.k = out, seed, k
        self.dx = ((k - 1) % COPY_COLUMNS) * COPY_DX
        self.dy = ((k - 1) // COPY_COLUMNS) * COPY_DY

    def rng(self, part: str) -> random.Random:
        return random.Random(f"menglian-demo:{self.seed}:{self.k}:{part}")

    def id(self, s: str) -> str:
        return s if self.k == 1 else f"K{self.k:03d}-{s}"

    def lon(self, x: float) -> str:
        return _f6(x + self.dx)

    def lat(self, y: float) -> str:
        return _f6(y + self.dy)

    # ------------------------------------------------------------------
    def run(self) -> None:
        self.townships()
        self.org()
        self.grids()
        self.members()
        self.grid_weekly()
        self.checkpoints()
        self.checkpoint_shifts()
        self.branches()
        self.trainings()
        self.targets_and_indicators()

    def townships(self) -> None:
        rows = []
        shapes = geography()
        for tid, name, en, (x, y), border, _on_edge in TOWNSHIPS:
            if self.k > 1:
                name, en = f"{name}·{self.k}", f"{en}·{self.k}"
            rows.append((self.id(tid), name, en, self.lon(x), self.lat(y), _b(border)))
            self.out.feature(
                "townships",
                {"township_id": self.id(tid), "name": name},
                geojson(shapes["townships"][tid], self.dx, self.dy),
            )
        self.out.rows("townships", rows)
        self.out.feature(
            "county",
            {"adcode": self.id("530827"), "name": "孟连傣族拉祜族佤族自治县"},
            geojson(shapes["county"], self.dx, self.dy),
        )
        for f in shapes["borders"]:
            p = f["properties"]
            self.out.feature(
                "border",
                {**p, "country": self.id(p["country"])},
                geojson(sg.shape(f["geometry"]), self.dx, self.dy),
            )

    def org(self) -> None:
        self.out.rows("communities", [(self.id(cid), self.id("T01"), name) for cid, name in COMMUNITIES])
        zones = []
        self.zone_names = {}
        for ci, (cid, cname) in enumerate(COMMUNITIES):
            for j in range(ZONES_PER_COMMUNITY):
                zi = ci * ZONES_PER_COMMUNITY + j
                zid, zname = f"Z{zi + 1:02d}", f"{cname}第{_cn(j + 1)}片区"
                self.zone_names[zid] = zname
                zones.append((self.id(zid), self.id(cid), zname, ZONE_LEADERS[zi]))
        self.out.rows("zones", zones)
        self.units = [f"U{i + 1:03d}" for i in range(len(COUNTY_UNITS) + len(STATIONED_UNITS))]
        self.out.rows(
            "units",
            [
                (self.id(u), n, kind)
                for u, (n, kind) in zip(
                    self.units,
                    [(n, "county") for n in COUNTY_UNITS] + [(n, "stationed") for n in STATIONED_UNITS],
                    strict=False,
                )
            ],
        )

    def grids(self) -> None:
        rng = self.rng("grids")
        half_c, half_r = LAT_COLS // 2, LAT_ROWS // 2
        quadrants = [(0, half_r), (half_c, half_r), (0, 0), (half_c, 0)]  # NW NE SW SE
        self.grid = []  # dicts: id, zone, community, col, row, households, residents, unit
        self.community_cells = {}
        per_zone = [
            GRIDS_PER_COMMUNITY // ZONES_PER_COMMUNITY
            + (1 if j < GRIDS_PER_COMMUNITY % ZONES_PER_COMMUNITY else 0)
            for j in range(ZONES_PER_COMMUNITY)
        ]
        for ci, (cid, _cname) in enumerate(COMMUNITIES):
            c0, r0 = quadrants[ci]
            cells = []  # column-major snake through the quadrant
            for c in range(half_c):
                rs = range(half_r) if c % 2 == 0 else range(half_r - 1, -1, -1)
                cells.extend((c0 + c, r0 + r) for r in rs)
            cells = cells[:GRIDS_PER_COMMUNITY]
            self.community_cells[cid] = cells
            pos = 0
            for j, n in enumerate(per_zone):
                zid = f"Z{ci * ZONES_PER_COMMUNITY + j + 1:02d}"
                for g in range(n):
                    col, row = cells[pos]
                    pos += 1
                    self.grid.append(
                        {
                            "id": f"G{len(self.grid) + 1:04d}",
                            "zone": zid,
                            "community": cid,
                            "col": col,
                            "row": row,
                            "name": f"{self.zone_names[zid]}第{g + 1}网格",
                        }
                    )
        n_units, n_grids = len(self.units), len(self.grid)
        points = [jitter(g["col"], g["row"]) for g in self.grid]
        cells = grid_cells(points, geography()["townships"]["T01"])
        self.grid_shape = {}
        rows = []
        for i, g in enumerate(self.grid):
            h = int(rng.triangular(20, 121, 45))
            g["households"] = min(120, max(20, h))
            g["residents"] = round(g["households"] * rng.uniform(2.3, 2.9))
            g["unit"] = self.units[i * n_units // n_grids]
            x, y = points[i]
            self.grid_shape[(g["col"], g["row"])] = (points[i], cells[i])
            rows.append(
                (
                    self.id(g["id"]),
                    self.id(g["zone"]),
                    g["name"],
                    g["households"],
                    g["residents"],
                    self.id(g["unit"]),
                    self.lon(x),
                    self.lat(y),
                )
            )
            self.out.feature(
                "grids",
                {"grid_id": self.id(g["id"]), "name": g["name"]},
                geojson(cells[i], self.dx, self.dy),
            )
        self.out.rows("grids", rows)

    def members(self) -> None:
        rng = self.rng("members")
        grids = self.grid
        self.unstaffed = set(rng.sample(range(len(grids)), N_UNSTAFFED))
        staffed = [i for i in range(len(grids)) if i not in self.unstaffed]
        people = []  # (unit, grid index or None, role)
        for i in staffed:
            people.append((grids[i]["unit"], i, "chief"))
        extra = N_MEMBERS - N_UNASSIGNED - len(staffed)
        weights = [grids[i]["households"] for i in staffed]
        for i in rng.choices(staffed, weights=weights, k=extra):
            people.append((grids[i]["unit"], i, "member"))
        for _ in range(N_UNASSIGNED):
            people.append((rng.choice(self.units), None, "member"))
        start = date(2021, 5, 6)
        dated = []
        for unit, gi, role in people:
            mean = 4.0 if role == "chief" else 12.0
            day = min(55, int(rng.expovariate(1 / mean)))  # by 2021-06-30
            dated.append((start + timedelta(days=day), rng.random(), unit, gi, role))
        dated.sort()
        rows = []
        self.member_ids = []
        for n, (day, _r, unit, gi, role) in enumerate(dated, 1):
            mid = f"M{n:05d}"
            self.member_ids.append(mid)
            rows.append(
                (
                    self.id(mid),
                    self.id(unit),
                    self.id(grids[gi]["id"]) if gi is not None else None,
                    role,
                    day.isoformat(),
                    rng.randint(5, 10),
                )
            )
        self.out.rows("members", rows)

    def grid_weekly(self) -> None:
        rng = self.rng("grid_weekly")
        rnd, gauss = rng.random, rng.gauss
        grids = self.grid
        reporting = [i for i in range(len(grids)) if i not in self.unstaffed]
        under = set(rng.sample(reporting, N_UNDER_VISITED))
        w_last = N_WEEKS - 1
        ids = [self.id(g["id"]) for g in grids]
        for w, monday in enumerate(WEEKS):
            t = w / w_last
            ws = monday.isoformat()
            p_missing = 0.025 - 0.015 * t
            base = 0.62 + 0.35 * (1 - (1 - t) ** 1.6)
            vacc = 0.42 + 0.48 * t
            travel = 3.0 if monday <= date(2021, 10, 1) < monday + timedelta(days=7) else 1.0
            rows = []
            for i in reporting:
                if rnd() < p_missing:
                    continue
                g = grids[i]
                hh = g["households"]
                rate = base + gauss(0, 0.04)
                if i in under:
                    rate *= 0.55
                rate = min(1.0, max(0.15, rate))
                visited = min(hh, round(hh * rate))
                checked = round(g["residents"] * visited / hh * (0.92 + 0.08 * rnd()))
                vaccinated = min(checked, round(checked * min(1.0, vacc + gauss(0, 0.03))))
                found = int(rnd() * rnd() * (7 - 4 * t))
                resolved = found - (1 if found and rnd() < 0.3 - 0.2 * t else 0)
                rows.append(
                    (
                        ws,
                        ids[i],
                        visited,
                        checked,
                        int(checked * 0.012 * travel * rnd()),
                        vaccinated,
                        found,
                        resolved,
                    )
                )
            self.out.rows("grid_weekly", rows)

    def checkpoints(self) -> None:
        rng = self.rng("checkpoints")
        combos = [(s, x) for s in ESTATE_STEMS for x in ESTATE_SUFFIXES]
        names = rng.sample(combos, N_COMMUNITY_CHECKPOINTS)
        self.cps = []  # (id, kind, required)
        rows = []
        per_comm = [
            N_COMMUNITY_CHECKPOINTS // 4 + (1 if i < N_COMMUNITY_CHECKPOINTS % 4 else 0) for i in range(4)
        ]
        n = 0
        for (cid, _cname), count in zip(COMMUNITIES, per_comm, strict=False):
            cells = self.community_cells[cid]
            for _ in range(count):
                n += 1
                stem, suffix = names[n - 1]
                name = stem + suffix + ("卡点" if suffix == "小区" else "小区卡点")
                col, row = rng.choice(cells)
                u, v = rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8)
                (x, y), cell = self.grid_shape[(col, row)]
                moved = (x + (u - 0.5) * CELL_W * 0.6, y + (v - 0.5) * CELL_H * 0.6)
                if cell.contains(sg.Point(moved)):
                    x, y = moved
                req = 3 if rng.random() < 0.3 else 2
                cpid = f"CP{n:03d}"
                self.cps.append((cpid, "community", req))
                rows.append(
                    (
                        self.id(cpid),
                        self.id("T01"),
                        self.id(cid),
                        name,
                        "community",
                        req,
                        self.lon(x),
                        self.lat(y),
                    )
                )
        seat = TOWNSHIPS_BY_ID["T06"][3]
        poly, edge = geography()["townships"]["T06"], geography()["edges"]["T06"]
        for j in range(N_BORDER_CHECKPOINTS):
            n += 1
            x, y = point_near_edge(rng, poly, edge, seat)
            cpid = f"CP{n:03d}"
            self.cps.append((cpid, "border", 3))
            rows.append(
                (
                    self.id(cpid),
                    self.id("T06"),
                    None,
                    f"公信乡边境第{j + 1}卡点",
                    "border",
                    3,
                    self.lon(x),
                    self.lat(y),
                )
            )
        self.out.rows("checkpoints", rows)

    def checkpoint_shifts(self) -> None:
        rng = self.rng("checkpoint_shifts")
        rnd = rng.random
        days = [FIRST_WEEK + timedelta(days=d) for d in range(N_DAYS + 1)]
        ds = [d.isoformat() for d in days]
        early_weeks = 13  # May–July
        # per day: (p_night_missing, p_short_night, p_short_day, p_late, p_reinforce)
        probs = []
        for d in range(N_DAYS):
            f = max(0.0, 1 - (d // 7) / early_weeks)
            holiday = date(2021, 10, 1) <= days[d] <= date(2021, 10, 7) or date(2021, 12, 31) <= days[
                d
            ] <= date(2022, 1, 2)
            probs.append(
                (
                    0.012 * f + 0.0003,
                    0.06 * f + 0.002,
                    0.02 * f + 0.001,
                    0.03 * f + 0.001,
                    0.25 if holiday else 0.006,
                )
            )
        # the last week is near-perfect but for two night gaps at border checkpoints
        forced_short = {("CP118", N_DAYS - 5), ("CP121", N_DAYS - 3)}
        w = self.out.writers["checkpoint_shifts"]
        count = 0
        for cpid, kind, req in self.cps:
            cid = self.id(cpid)
            weak = 3.0 if rnd() < 0.2 else 0.5  # some checkpoints struggle early on
            border = kind == "border"
            busy = 0.5 + rnd()  # traffic of this checkpoint
            for d in range(N_DAYS):
                p_miss, p_sn, p_sd, p_late, p_reinf = probs[d]
                day, nxt = ds[d], ds[d + 1]
                late_start = rnd() < p_late * weak
                for s in range(3):
                    if s == 0:
                        if rnd() < p_miss * weak:
                            continue
                        start, end = day + " 00:00", day + " 08:00"
                        short = rnd() < p_sn * weak or (cpid, d) in forced_short
                        checked = int(rnd() * (8 if border else 30))
                    elif s == 1:
                        if late_start:
                            start, end = day + " 08:30", day + " 16:30"
                        else:
                            start, end = day + " 08:00", day + " 16:00"
                        short = rnd() < p_sd * weak
                        checked = int((5 + rnd() * 40) if border else busy * (80 + rnd() * 320))
                    else:
                        start, end = day + " 16:00", nxt + " 00:00"
                        short = rnd() < p_sd * weak
                        checked = int(rnd() * 20 if border else busy * (40 + rnd() * 200))
                    total = req - 1 if short else req + (1 if rnd() < 0.3 else 0)
                    party = min(total, 1 + (1 if rnd() < 0.4 else 0))
                    rest = total - party
                    unit = int(rnd() * (rest + 1))
                    w.writerow((cid, start, end, party, unit, rest - unit, checked))
                    count += 1
                if rnd() < p_reinf:
                    extra = 1 + int(rnd() * 3)
                    party = min(extra, 1 + int(rnd() * 2))
                    w.writerow(
                        (
                            cid,
                            day + " 18:00",
                            day + " 22:00",
                            party,
                            0,
                            extra - party,
                            int(rnd() * (10 if border else 120)),
                        )
                    )
                    count += 1
        self.out.counts["checkpoint_shifts"] += count

    def branches(self) -> None:
        rng = self.rng("branches")
        places = self.rng("branch-places")
        avoid = (LAT_LON0 - 0.005, LAT_LAT0 - 0.005, LAT_LON0 + LAT_SPAN + 0.005, LAT_LAT0 + LAT_SPAN + 0.005)
        plan = []  # (township, village, group)
        for tid, count, villages in BRANCH_PLAN:
            per_v = _split(count, {v: 1 for v in villages})
            used = set()
            for v in villages:
                stem = v[:-1]
                ordinal = rng.random() < 0.5
                for gi in range(per_v[v]):
                    if ordinal:
                        group = f"{stem}{_cn(gi + 1)}组"
                    elif v == "大曼糯村" and gi == 0:
                        group = "西落组"
                    else:
                        while True:
                            group = rng.choice(HAMLET_SYLLABLES) + rng.choice(HAMLET_SYLLABLES) + "组"
                            if group not in used and group[0] != group[1]:
                                break
                    used.add(group)
                    plan.append((tid, v, group))
        n = len(plan)
        model = set(rng.sample(range(n), N_MODEL_BRANCHES))
        rows = []
        self.branch_ids = []
        for i, (tid, village, group) in enumerate(plan):
            seat = TOWNSHIPS_BY_ID[tid][3]
            poly, edge = geography()["townships"][tid], geography()["edges"][tid]
            on_line = replay_branch_place(rng, tid, avoid)
            x, y = point_near_edge(places, poly, edge, seat) if on_line else point_in(places, poly, avoid)
            bid = f"B{i + 1:03d}"
            self.branch_ids.append(bid)
            rows.append(
                (
                    self.id(bid),
                    self.id(tid),
                    village,
                    group,
                    f"{village}{group}党支部",
                    _b(on_line),
                    rng.randint(3, 25),
                    _b(i in model),
                    "true",
                    "true",
                    "true",
                    "true",
                    self.lon(x),
                    self.lat(y),
                )
            )
        self.out.rows("branches", rows)

        # monthly assessments: the 20th, moved to the next Monday at a weekend
        dates = []
        for m in range(5, 13):
            d = date(YEAR, m, 20)
            while d.weekday() >= 5:
                d += timedelta(days=1)
            dates.append(d)
        others = [i for i in range(n) if i not in model]
        rng.shuffle(others)
        compliant_from = {i: 0 for i in model}
        pos, prev = 0, N_MODEL_BRANCHES
        for m, c in enumerate(COMPLIANT_BY_MONTH):
            for i in others[pos : pos + c - prev]:
                compliant_from[i] = m
            pos, prev = pos + c - prev, c
        crits = list(FAIL_WEIGHTS)
        weights = [FAIL_WEIGHTS[c][0] for c in crits]
        rows = []
        for i in range(n):
            cf = compliant_from[i]
            fails = []
            if cf:
                want = 1 + int(rng.random() * 3)
                while len(fails) < want:
                    c = rng.choices(crits, weights=weights)[0]
                    if c not in fails:
                        fails.append(c)
            for m, d in enumerate(dates):
                failing = set(fails[: max(1, min(len(fails), cf - m))]) if m < cf else set()
                for crit in CRITERIA:
                    bad = crit in failing
                    rows.append(
                        (
                            self.id(self.branch_ids[i]),
                            d.isoformat(),
                            crit,
                            _b(not bad),
                            FAIL_WEIGHTS[crit][1] if bad else None,
                        )
                    )
        self.out.rows("branch_assessments", rows)

    def trainings(self) -> None:
        rng = self.rng("trainings")
        items = []  # (held_on, kind, township or None, title, sessions, attendees)

        def day(a: date, b: date) -> date:
            return a + timedelta(days=rng.randrange((b - a).days + 1))

        feb, dec = date(2021, 2, 1), date(2021, 12, 24)
        for i, held in enumerate(sorted(day(feb, dec) for _ in range(24))):
            items.append(
                (held, "party_school", None, f"“万名党员进党校”强边固防教育培训班第{_cn(i + 1)}期", 1, 120)
            )
        items.append(
            (date(2021, 6, 15), "border_training", None, "边境村组党员素质提升专题培训班（第一期）", 1, 126)
        )
        items.append(
            (date(2021, 9, 14), "border_training", None, "边境村组党员素质提升专题培训班（第二期）", 1, 126)
        )
        lecture_titles = [
            "强边固防专题党课",
            "边境疫情防控专题党课",
            "党史学习教育专题党课",
            "“为国守门”第一防线意识专题党课",
        ]
        border_ts = {"T01": 1, "T02": 3, "T03": 3, "T04": 2, "T06": 2}
        tids, tw = list(border_ts), list(border_ts.values())
        for _ in range(206):
            items.append(
                (
                    day(date(2021, 3, 1), date(2021, 12, 28)),
                    "party_lecture",
                    rng.choices(tids, tw)[0],
                    rng.choice(lecture_titles),
                    1,
                    rng.randint(15, 60),
                )
            )
        outreach_titles = [
            "党的国防边防政策法规宣讲",
            "感党恩教育宣讲",
            "“永远跟党走”主题宣讲",
            "“我为群众办实事”政策宣讲",
            "边境疫情防控政策宣讲",
        ]
        all_ts = [t[0] for t in TOWNSHIPS]
        left = 218
        while left:
            s = min(left, rng.randint(1, 3))
            left -= s
            items.append(
                (
                    day(date(2021, 4, 1), date(2021, 12, 28)),
                    "outreach",
                    rng.choice(all_ts),
                    rng.choice(outreach_titles),
                    s,
                    s * rng.randint(40, 150),
                )
            )
        fireside_titles = [
            "火塘夜校·党史学习",
            "火塘夜校·疫情防控知识",
            "火塘夜校·“疫情不结束 我们不放松”",
            "火塘夜校·边境管控政策",
        ]
        for _ in range(40):
            items.append(
                (
                    day(date(2021, 3, 1), date(2021, 12, 28)),
                    "fireside_school",
                    "T06",
                    rng.choice(fireside_titles),
                    1,
                    rng.randint(12, 45),
                )
            )
        border_days = ["“巡边、护边、守边、固边”主题党日", "“巡边固防”主题党日", "“法治宣传固边防”主题党日"]
        other_days = ["“党旗在基层一线高高飘扬”主题党日", "“我为群众办实事”主题党日", "“永远跟党走”主题党日"]
        for i in range(30):
            if i < 12:
                items.append(
                    (
                        day(date(2021, 3, 1), date(2021, 12, 28)),
                        "theme_day",
                        "T06",
                        border_days[i % 3],
                        1,
                        rng.randint(15, 60),
                    )
                )
            else:
                items.append(
                    (
                        day(date(2021, 3, 1), date(2021, 12, 28)),
                        "theme_day",
                        rng.choice(all_ts),
                        rng.choice(other_days),
                        1,
                        rng.randint(15, 80),
                    )
                )
        kinds = {k: i for i, k in enumerate(TABLES["trainings"].column("kind").enum)}
        items.sort(key=lambda it: (it[0], kinds[it[1]], it[2] or "", it[3]))
        rows = []
        border_ids = []
        for n, (held, kind, tid, title, s, att) in enumerate(items, 1):
            aid = f"TR{n:04d}"
            if kind == "border_training":
                border_ids.append(aid)
            rows.append((self.id(aid), held.isoformat(), self.id(tid) if tid else None, kind, title, s, att))
        self.out.rows("trainings", rows)
        # attendance of the two border trainings: 126 + 126 rows, 240 distinct members
        people = rng.sample(self.member_ids, BORDER_ATTENDANCE_DISTINCT)
        overlap = 252 - BORDER_ATTENDANCE_DISTINCT
        first, second = people[:126], people[126:] + people[:overlap]
        rows = [
            (self.id(aid), self.id(m))
            for aid, group in zip(border_ids, (first, second), strict=False)
            for m in sorted(group)
        ]
        self.out.rows("training_attendance", rows)

    def targets_and_indicators(self) -> None:
        rows = []
        if self.k == 1:
            rows += [(m, YEAR, None, _num(v)) for m, v in COUNTY_TARGETS]
        rows += [(m, YEAR, self.id(t), _num(v)) for m, t, v in TOWNSHIP_TARGETS]
        assert all(r[0] in METRIC_CODES for r in rows)
        self.out.rows("targets", rows)
        rows = []
        for code, values, weights in INDICATOR_PLAN:
            for as_of, v in zip(INDICATOR_DATES, values, strict=False):
                if weights is None:
                    if self.k == 1:
                        rows.append((code, None, as_of.isoformat(), _num(v)))
                else:
                    for tid, part in _split(v, weights).items():
                        rows.append((code, self.id(tid), as_of.isoformat(), _num(part)))
        self.out.rows("indicators", rows)
