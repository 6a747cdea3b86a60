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

The package: `figures` (the article's figures and the plan drawn to them), `names` (the
invented names), `geometry` (the shapes), `tables` (one generator per table); `generate`
here is what `python -m dashboard demo` calls.
"""

from __future__ import annotations

from pathlib import Path

from .figures import FIRST_WEEK, LAST_DAY, LAST_WEEK, N_WEEKS, WEEKS, YEAR
from .geometry import GEO_DIR, geography
from .tables import County, Out

__all__ = [
    "FIRST_WEEK",
    "GEO_DIR",
    "LAST_DAY",
    "LAST_WEEK",
    "N_WEEKS",
    "WEEKS",
    "YEAR",
    "generate",
    "geography",
]


def generate(out_dir: Path, scale: int = 1, seed: int = 2021) -> dict:
    """Write the demo county (scale copies) to out_dir; return {table: row count}."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = Out(out_dir)
    try:
        for k in range(1, scale + 1):
            County(out, seed, k).run()
    finally:
        out.close()
    return dict(out.counts)
