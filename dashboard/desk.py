"""The data desk behind the 数据管理 page: check and commit uploads, history, restore, pin,
audit, all as plain functions and display tables in the user's language. No streamlit here."""
from __future__ import annotations


import pandas as pd

from . import contract, ingest, template
from .auth import Users
from .i18n import t
from .store import Store


def _files(uploads) -> list[tuple[str, bytes]]:
    """(name, content) of uploaded files (anything with .name and .getvalue())."""
    return [(u.name, u.getvalue()) for u in uploads]


def check_upload(store: Store, uploads, replace: bool, township: str | None = None) -> dict:
    """Check uploads without storing anything: errors, or the changes and a sample.
    `township` (a reporter's, from the logged-in user) scopes the check to that township."""
    result = ingest.load_uploads(_files(uploads), store, replace=replace, dry_run=True,
                                 township=township)
    return {"names": [u.name for u in uploads], "replace": replace, "township": township,
            "result": result}


def commit_upload(store: Store, uploads, replace: bool, by: str,
                  township: str | None = None) -> ingest.LoadResult:
    """Check again and publish (the store may have moved on since the check). A township
    submission (`township` given) is audited as "submit" with the township, the files and
    their SHA-256, and the version; a county load as "load". A pending audit line comes
    first and is completed after publishing (auth.Users.audited)."""
    event = "load" if township is None else "submit"
    details = {"files": [u.name for u in uploads]}
    if township is None:
        details["replace"] = replace
    else:
        details["township"] = township
    with Users(store.state).audited(event, by, **details) as done:
        result = ingest.load_uploads(_files(uploads), store, replace=replace, by=by,
                                     township=township)
        if result.ok and (result.version or township is not None):
            done.update(version=result.version, tables=result.changes,
                        files=[{"name": f["name"], "sha256": f["sha256"]} for f in result.files]
                        if township is not None else [f["name"] for f in result.files])
        else:
            done["skip"] = True
    return result


# What the reader did (LoadResult.report): rows read, rows skipped and why, values converted.
SKIP_REASONS = ("title", "total", "footer", "empty", "blank_header")
CONVERSIONS = ("date", "fullwidth", "separator", "bool_symbol")


def _row_list(rows: list) -> str:
    """3, 4, 7–9: row numbers, runs joined."""
    nums = sorted({int(r) for r in rows if r is not None})
    parts, i = [], 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        parts.append(str(nums[i]) if i == j else f"{nums[i]}–{nums[j]}")
        i = j + 1
    return ", ".join(parts)


def import_summary(report: dict | None, lang: str) -> pd.DataFrame:
    """The load's report as a table in the user's language: rows read per table, rows skipped
    with the reason and their row numbers (per file and table), values read from another form
    by kind. Empty when there is no report (an older loader) or nothing in it."""
    if not report:
        return pd.DataFrame()
    item, table, file, count, where = (t("sub.sum_item", lang), t("desk.table", lang),
                                       t("desk.file", lang), t("sub.sum_count", lang),
                                       t("sub.sum_rows", lang))
    rows = []
    for name, info in (report.get("tables") or {}).items():
        rows.append({item: t("sub.sum_read", lang), table: table_label(name, lang), file: "",
                     count: int((info or {}).get("rows") or 0), where: ""})
    groups: dict[tuple, list] = {}
    for s in report.get("skipped") or []:
        groups.setdefault((s.get("file") or "", s.get("table") or "", s.get("reason") or ""),
                          []).append(s.get("row"))
    for (f, tb, reason), nums in groups.items():
        label = t(f"sub.sum_skipped_{reason}", lang) if reason in SKIP_REASONS \
            else t("sub.sum_skipped_other", lang, reason=reason)
        rows.append({item: label, table: table_label(tb, lang) if tb else "", file: f,
                     count: len(nums), where: _row_list(nums)})
    for kind, n in (report.get("converted") or {}).items():
        if n:
            label = t(f"sub.sum_converted_{kind}", lang) if kind in CONVERSIONS \
                else t("sub.sum_converted_other", lang, kind=kind)
            rows.append({item: label, table: "", file: "", count: int(n), where: ""})
    out = pd.DataFrame(rows, columns=[item, table, file, count, where])
    # File and row columns only when something names a file or rows (skipped rows do).
    return out.drop(columns=[c for c in (file, where) if not out[c].astype(bool).any()])


def restore_version(store: Store, version: int, by: str) -> int:
    with Users(store.state).audited("restore", by, restored_from=version) as done:
        done["version"] = store.restore(version, by=by)
    return done["version"]


def pin_version(store: Store, version: int, label: str, by: str) -> None:
    store.pin(version, label, by=by)
    Users(store.state).audit("pin", by, version=version, label=label)


def table_label(table: str, lang: str) -> str:
    if table.endswith(".geojson"):
        base = contract.TABLES[table[:-8]]
        return f"{base.en if lang == 'en' else base.zh} (GeoJSON)"
    tbl = contract.TABLES.get(table)
    return table if tbl is None else (tbl.en if lang == "en" else tbl.zh)


def _column(table: str | None, column: str | None, lang: str) -> str:
    if not column:
        return ""
    tbl = contract.TABLES.get(table or "")
    if tbl is None or column not in tbl.column_names:
        return column
    return column if lang == "en" else f"{tbl.column(column).zh}（{column}）"


def error_table(errors, lang: str) -> pd.DataFrame:
    return pd.DataFrame([{
        t("desk.file", lang): e.file,
        t("desk.table", lang): table_label(e.table, lang) if e.table else "",
        t("desk.row", lang): e.row,
        t("desk.column", lang): _column(e.table, e.column, lang),
        t("desk.value", lang): "" if e.value is None else str(e.value),
        t("desk.reason", lang): e.en if lang == "en" else e.zh,
    } for e in errors])


def change_table(changes: dict, lang: str) -> pd.DataFrame:
    return pd.DataFrame([{
        t("desk.table", lang): table_label(name, lang),
        t("desk.added", lang): c["added"], t("desk.changed", lang): c["changed"],
        t("desk.removed", lang): c["removed"],
    } for name, c in changes.items() if sum(c.values())])


def sample_table(table: str, sample: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = sample.rename(columns={c: _column(table, c, lang) for c in sample.columns})
    out = out.rename(columns={"_file": t("desk.file", lang), "_row": t("desk.row", lang),
                              "_new": t("desk.is_new", lang)})
    return out


def version_history(store: Store, lang: str) -> pd.DataFrame:
    rows = []
    for v in store.versions():
        action = t(f"desk.action_{v.get('action', 'load')}", lang)
        if v.get("action") == "restore":
            action += f" ← v{v.get('restored_from')}"
        rows.append({
            t("desk.version", lang): v["version"],
            t("desk.current", lang): "✓" if v.get("current") else "",
            t("desk.when", lang): v.get("created_at", "")[:19].replace("T", " "),
            t("desk.by", lang): v.get("by") or "—",
            t("desk.action", lang): action,
            t("desk.files", lang): "、".join(f["name"] for f in v.get("files", [])),
            t("desk.rows", lang): "; ".join(
                f"{table_label(tb, lang)} +{c['added']}/~{c['changed']}/-{c['removed']}"
                for tb, c in v.get("tables", {}).items() if sum(c.values())),
            t("desk.pinned", lang): (v.get("pinned") or {}).get("label", ""),
        })
    return pd.DataFrame(rows)


def audit_table(store: Store, lang: str) -> pd.DataFrame:
    """The audit log, newest first; `.attrs["skipped"]` counts the damaged lines skipped."""
    rows = []
    entries, skipped = Users(store.state).audit_read()
    for e in entries:
        details = {k: v for k, v in e.items() if k not in ("at", "event", "user")}
        rows.append({t("desk.when", lang): e["at"][:19].replace("T", " "),
                     t("desk.event", lang): t(f"desk.event_{e['event']}", lang)
                     if f"desk.event_{e['event']}" in _EVENT_KEYS else e["event"],
                     t("desk.by", lang): e.get("user") or "—",
                     t("desk.details", lang): ", ".join(f"{k}={v}" for k, v in details.items())})
    table = pd.DataFrame(rows)
    table.attrs["skipped"] = skipped
    return table


_EVENT_KEYS = {f"desk.event_{k}" for k in
               ("login", "login_failed", "login_refused", "logout", "load", "restore", "pin",
                "session_ended", "user_add", "user_remove", "user_passwd", "unpin",
                "screen_token", "screen_revoke", "submit")}


def template_bytes() -> bytes:
    return template.xlsx_bytes()


def township_form(store: Store, township: str, week) -> bytes:
    """The prefilled weekly form of a township (template.township_xlsx_bytes) on the live data."""
    con = store.connect()
    try:
        return template.township_xlsx_bytes(con, township, week)
    finally:
        con.close()
