"""The data desk behind the 数据管理 page: check and commit uploads, history, restore, pin,
audit, all as plain functions and display tables in the user's language. No streamlit here."""

from __future__ import annotations

import pandas as pd

from . import contract, ingest, template
from .auth import audit
from .i18n import ByLang, Msg, render, t
from .ingest.summary import table_name
from .store import Store


def _files(uploads) -> list[tuple[str, bytes]]:
    """(name, content) of uploaded files (anything with .name and .getvalue())."""
    return [(u.name, u.getvalue()) for u in uploads]


def check_upload(store: Store, uploads, replace: bool, township: str | None = None) -> dict:
    """Check uploads without storing anything: errors, or the changes and a sample.
    `township` (a reporter's, from the logged-in user) scopes the check to that township."""
    result = ingest.load_uploads(_files(uploads), store, replace=replace, dry_run=True, township=township)
    return {"names": [u.name for u in uploads], "replace": replace, "township": township, "result": result}


def commit_upload(
    store: Store, uploads, replace: bool, by: str, township: str | None = None
) -> ingest.LoadResult:
    """Check again and publish (the store may have moved on since the check). A township
    submission (`township` given) is audited as "submit" with the township, the files and
    their SHA-256, and the version; a county load as "load". A pending audit line comes
    first and is completed after publishing (auth.audit.audited)."""
    event = "load" if township is None else "submit"
    details = {"files": [u.name for u in uploads]}
    if township is None:
        details["replace"] = replace
    else:
        details["township"] = township
    with audit.audited(store.state, event, by, **details) as done:
        result = ingest.load_uploads(_files(uploads), store, replace=replace, by=by, township=township)
        if result.ok and (result.version or township is not None):
            done.update(
                version=result.version,
                tables=result.changes,
                files=[{"name": f["name"], "sha256": f["sha256"]} for f in result.files]
                if township is not None
                else [f["name"] for f in result.files],
            )
        else:
            done["skip"] = True
    if township is not None and result.ok and result.version and result.weeks:
        mark_submitted(store, township, result, by)
    return result


def mark_submitted(store: Store, township: str, result: ingest.LoadResult, by: str) -> list:
    """The weeks of a published township submission whose stored rows of the township it
    changed (their fingerprints differ from the base version's) wait for review again
    (dashboard.review); a week the file carried unchanged keeps its state. Those weeks."""
    from . import review, submissions

    base = store.record(result.version).get("base")
    changed = []
    for week in result.weeks:
        now = submissions.fingerprints(store, result.version, week).get(township)
        before = submissions.fingerprints(store, base, week).get(township)
        if now != before:
            review.submitted(store.state, township, week, by, version=result.version)
            changed.append(week)
    return changed


# What the reader did (LoadResult.report), as the page's table: the same items the command
# line prints (ingest.summary).
import_summary = ingest.summary_table


def restore_version(store: Store, version: int, by: str) -> int:
    with audit.audited(store.state, "restore", by, restored_from=version) as done:
        done["version"] = store.restore(version, by=by)
    return done["version"]


def pin_version(store: Store, version: int, label: str, by: str) -> None:
    store.pin(version, label, by=by)
    audit.write(store.state, "pin", by, version=version, label=label)


def table_label(table: str, lang: str) -> str:
    return render(table_name(table), lang)


def _column(table: str | None, column: str | None, lang: str) -> str:
    """A contract column as "网格代码（grid_id）" in Chinese, "grid_id" in English."""
    if not column:
        return ""
    tbl = contract.TABLES.get(table or "")
    if tbl is None or column not in tbl.column_names:
        return column
    return render(ByLang(Msg("desk.column_named", name=tbl.column(column).zh, code=column), column), lang)


def error_table(errors, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("desk.file", lang): e.file,
                t("desk.table", lang): table_label(e.table, lang) if e.table else "",
                t("desk.row", lang): t("desk.whole_file", lang) if e.row is None else str(e.row),
                t("desk.column", lang): _column(e.table, e.column, lang),
                t("desk.value", lang): "" if e.value is None else str(e.value),
                t("desk.reason", lang): e.text(lang),
            }
            for e in errors
        ]
    )


def change_table(changes: dict, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("desk.table", lang): table_label(name, lang),
                t("desk.added", lang): c["added"],
                t("desk.changed", lang): c["changed"],
                t("desk.removed", lang): c["removed"],
            }
            for name, c in changes.items()
            if sum(c.values())
        ]
    )


def sample_table(table: str, sample: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = sample.rename(columns={c: _column(table, c, lang) for c in sample.columns})
    out = out.rename(
        columns={"_file": t("desk.file", lang), "_row": t("desk.row", lang), "_new": t("desk.is_new", lang)}
    )
    return out


def version_history(store: Store, lang: str) -> pd.DataFrame:
    rows = []
    versions = store.versions()
    for v in versions:
        action = t(f"desk.action_{v.get('action', 'load')}", lang)
        if v.get("action") == "restore":
            action += f" ← v{v.get('restored_from')}"
        rows.append(
            {
                t("desk.version", lang): v["version"],
                t("desk.current", lang): "✓" if v.get("current") else "",
                t("desk.when", lang): v.get("created_at", "")[:19].replace("T", " "),
                t("desk.by", lang): v.get("by") or "—",
                t("desk.action", lang): action,
                t("desk.files", lang): render([f["name"] for f in v.get("files", [])], lang),
                t("desk.rows", lang): "; ".join(
                    f"{table_label(tb, lang)} +{c['added']}/~{c['changed']}/-{c['removed']}"
                    for tb, c in v.get("tables", {}).items()
                    if sum(c.values())
                ),
                t("desk.pinned", lang): (v.get("pinned") or {}).get("label", ""),
                t("desk.stored", lang): t("desk.stored_pruned", lang, at=str(v["pruned"].get("at", ""))[:10])
                if v.get("pruned")
                else t("desk.stored_kept", lang),
            }
        )
    table = pd.DataFrame(rows)
    # The versions whose file is still there: the ones a restore or a pin may name.
    table.attrs["stored"] = [v["version"] for v in versions if not v.get("pruned")]
    return table


def audit_table(store: Store, lang: str) -> pd.DataFrame:
    """The audit log, newest first; `.attrs["skipped"]` counts the damaged lines skipped."""
    rows = []
    entries, skipped = audit.read(store.state)
    for e in entries:
        details = {k: v for k, v in e.items() if k not in ("at", "event", "user")}
        rows.append(
            {
                t("desk.when", lang): e["at"][:19].replace("T", " "),
                t("desk.event", lang): t(f"desk.event_{e['event']}", lang)
                if f"desk.event_{e['event']}" in _EVENT_KEYS
                else e["event"],
                t("desk.by", lang): e.get("user") or "—",
                t("desk.details", lang): ", ".join(f"{k}={v}" for k, v in details.items()),
            }
        )
    table = pd.DataFrame(rows)
    table.attrs["skipped"] = skipped
    return table


_EVENT_KEYS = {
    f"desk.event_{k}"
    for k in (
        "login",
        "login_failed",
        "login_refused",
        "logout",
        "load",
        "restore",
        "pin",
        "session_ended",
        "user_add",
        "user_remove",
        "user_passwd",
        "unpin",
        "screen_token",
        "screen_revoke",
        "submit",
        "review_submitted",
        "review_approved",
        "review_returned",
        "review_unlocked",
        "review_show",
        "notify_channel_add",
        "notify_channel_remove",
        "notify_test",
        "prune",
    )
}


def template_bytes() -> bytes:
    return template.xlsx_bytes()


def township_form(store: Store, township: str, week) -> bytes:
    """The prefilled weekly form of a township (template.township_xlsx_bytes) on the live data."""
    con = store.connect()
    try:
        return template.township_xlsx_bytes(con, township, week)
    finally:
        con.close()
