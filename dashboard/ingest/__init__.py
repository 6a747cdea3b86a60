"""Load the county's files (CONTRACT.md sections 1 and 3) into a new store version.

A load reads every file into a draft copy of the live version, checks every
rule there, and publishes only when nothing is wrong. Each error names the
file, table, row as the sender sees it (header = row 1), column, value and
reason, in Chinese and English.

SQL here is generated from the contract: identifiers come from
`contract` (an allow-list) or are names this module makes up (`c0`, `p3`);
every value, including constants such as enum codes, is a bound parameter.

The package is split by job: `read` (files into staging tables), `check` (typing and row
rules), `merge` (batches, upsert, cross-table rules, publish); this module runs a load.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from .. import contract
from ..store import Store
from .check import _stage_typed, _typed_expr  # noqa: F401
from .common import (INT_PATTERN, MAX_ERRORS, MAX_GEOJSON_BYTES, MAX_ROWS_PER_FILE,  # noqa: F401
                     MAX_XLSX_CELLS, MAX_XLSX_UNCOMPRESSED, NOTES_SHEETS, STORED, TYPE_NAMES,
                     LoadError, LoadResult, _clip, _Errors, _Params, _q, _Source)
from .merge import (SAMPLE_ROWS, _build_batch, _check_merged, _key_match, _merge,  # noqa: F401
                    _merge_geo, _sample, _where_from)
from .read import (_cell_text, _decode_to_utf8, _map_header, _read_csv,  # noqa: F401
                   _read_geojson, _read_xlsx, _sha256, expand_paths)

def load(paths, store: Store | None = None, by: str = "", replace: bool = False,
         dry_run: bool = False, names: dict | None = None) -> LoadResult:
    """Check and apply a load; publish a new version when it is valid and changes something.

    `names` maps a path to the file name the sender knows (uploads land in temp files).
    With dry_run, everything is checked and counted but nothing is published.
    """
    store = store or Store()
    names = {str(k): v for k, v in (names or {}).items()}
    errors = _Errors()
    files = expand_paths(paths)
    result = LoadResult(ok=False)
    if not files:
        errors.add("", None, None, None, None, "没有可载入的文件", "no file to load")
    plan = []   # (path, display name, kind, table-or-layer)
    for path in files:
        name = names.get(str(path), path.name)
        if not path.is_file():
            errors.add(name, None, None, None, None, "文件不存在", "no such file")
            continue
        suffix, stem = path.suffix.lower(), Path(name).stem
        if suffix == ".xlsx":
            plan.append((path, name, "xlsx", None))
        elif suffix == ".csv" and contract.table_by_label(stem):
            plan.append((path, name, "csv", contract.table_by_label(stem)))
        elif suffix in (".geojson", ".json") and contract.table_by_label(stem) \
                and contract.table_by_label(stem).name in contract.GEO_LAYERS:
            plan.append((path, name, "geojson", contract.table_by_label(stem).name))
        else:
            errors.add(name, None, None, None, None,
                       "文件名不是已知的表名（如 网格.csv 或 grids.csv），或不是 CSV/xlsx/GeoJSON 文件",
                       "the file name is not a table name (e.g. grids.csv or 网格.csv),"
                       " or the file is not CSV, xlsx or GeoJSON")
        result.files.append({"name": name, "sha256": _sha256(path) if path.is_file() else None})
    if errors:
        return _finish(result, errors)

    with store.writer() as draft:
        con = draft.con
        counter = iter(range(1, 1 << 30))
        next_stage = lambda: f"s{next(counter)}"  # noqa: E731
        sources: list[_Source] = []
        geo: list[tuple[str, str, list]] = []
        unreadable: set[str] = set()   # tables whose file could not be read at all
        for path, name, kind, target in plan:
            before = len(errors)
            if kind == "csv":
                s = _read_csv(con, path, name, target, next_stage(), errors)
                sources += [s] if s else []
                if s is None:
                    unreadable.add(target.name)
            elif kind == "xlsx":
                sources += _read_xlsx(con, path, name, errors, next_stage)
                unreadable |= {e.table for e in errors[before:] if e.table}
            else:
                feats = _read_geojson(path, name, target, errors)
                if feats is not None:
                    geo.append((name, target, feats))
        for s in sources:
            _stage_typed(con, s, errors)
        touched = {s.table.name for s in sources}
        for name in contract.TABLE_ORDER:
            t = contract.TABLES[name]
            mine = [s for s in sources if s.table.name == name]
            if mine:
                _build_batch(con, t, mine, errors)
                if dry_run:
                    result.samples[name] = _sample(con, t)
                result.changes[name] = _merge(con, t, replace)
        _check_merged(con, touched, unreadable, errors)
        for file, layer, feats in geo:
            result.changes[f"{layer}.geojson"] = _merge_geo(con, layer, feats, file, replace, errors)
        if errors or dry_run:
            return _finish(result, errors)
        result.ok = True
        if not result.changed:
            return result
        record = {"action": "replace" if replace else "load", "by": by,
                  "files": result.files, "tables": result.changes}
        result.version = store.publish(draft, record)
    return result


def _finish(result: LoadResult, errors: _Errors) -> LoadResult:
    result.ok = not errors
    result.truncated = errors.full
    result.errors = list(errors[:MAX_ERRORS])
    return result


def load_uploads(files: list[tuple[str, bytes]], store: Store | None = None, **kwargs) -> LoadResult:
    """Load files that arrived as (name, content) pairs, e.g. browser uploads.

    Each is written to a private temporary folder under its base name only, so a
    name can never point elsewhere; errors name the file as the sender called it.
    """
    with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
        paths, names = [], {}
        for i, (name, content) in enumerate(files):
            base = Path(name.replace("\\", "/")).name or f"file{i}"
            folder = Path(tmp) / str(i)      # one folder per file: equal names cannot collide
            folder.mkdir()
            path = folder / base
            path.write_bytes(content)
            paths.append(path)
            names[str(path)] = base
        return load(paths, store, names=names, **kwargs)
