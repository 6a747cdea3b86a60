"""The data page's warnings section (预警推送, issue 20 §2), for administrators only: the
channels (name, kind, whom each serves, the robot's host — never a key or secret), adding one,
removing one (after a confirmation), a test send per channel with its outcome in plain words,
and the delivery log filtered by status. Every action goes through dashboard.notify.admin, the
functions the command line calls, which audit it.

Who may see and act is decided here, on the server, on every run: an administrator's session,
or the open demo mode on this machine (where the whole data page is the admin's). Nothing of
the section is drawn for anyone else, so no click of theirs can reach an action. Secrets typed
into the form go to the channel's secrets file and nowhere else: after an add the form is a new
one (its fields empty), and nothing the page draws carries them."""

from __future__ import annotations

import streamlit as st

from .. import i18n, places
from ..notify import admin
from ..notify.config import ALL_TOWNSHIPS, KINDS, Channel, NotifyError
from ..notify.outbox import STATUSES
from .context import Context
from .data import data
from .gate import actor_name, current_user, open_here
from .handles import store
from .widgets import table

_FLASH = "_notify_flash"  # the outcome of the last add / remove, kept over the rerun
_RESULT = "_notify_result"  # channel -> (level, text) of its last test send
_CONFIRM = "_notify_confirm"  # the channel whose removal waits for a confirmation
_FORM_N = "_notify_form_n"  # the add form's generation: a new one (empty) after each add
_SHOW = {
    "ok": st.success,
    "config": st.error,
    "failed": st.error,
    "network": st.warning,
    "unknown": st.warning,
}


def may_configure() -> bool:
    """An administrator's session, or the open demo mode served to this machine only."""
    user = current_user()
    return user.is_admin if user is not None else open_here()


def _require() -> None:
    # Checked again inside every action: the section is drawn for admins only, and an
    # action runs only from a click on it, but the check costs nothing.
    if not may_configure():
        st.error(i18n.t("auth.no_access"))
        st.stop()


def _names(ctx: Context) -> dict[str, str]:
    towns = data("townships", ctx)
    return places.township_names(towns, ctx.lang) if len(towns) else {}


def section(ctx: Context) -> None:
    """The whole section (a tab of the data page); nothing at all for a non-administrator."""
    if not may_configure():
        return
    state = store().state
    names = _names(ctx)
    st.subheader(ctx.t("notify.ui.title"))
    st.caption(ctx.t("notify.ui.help"))
    said = st.session_state.pop(_FLASH, None)
    if said:
        (st.success if said[0] == "ok" else st.error)(said[1])
    _channels(ctx, state, names)
    _add_form(ctx, state, names)
    _log(ctx, state, names)


def _kind(ctx: Context, kind: str) -> str:
    return ctx.t(f"notify.ui.kind_{kind}")


def _channels(ctx: Context, state, names: dict[str, str]) -> None:
    chans = admin.channels(state)
    st.markdown(f"**{ctx.t('notify.ui.channels', n=len(chans))}**")
    if not chans:
        st.info(ctx.t("notify.ui.none"))
    results = st.session_state.setdefault(_RESULT, {})
    for ch in chans:
        name = ch["name"]
        with st.container(border=True, key=f"nt-ch-{name}"):
            st.markdown(f"**{i18n.md_escape(name)}** · {_kind(ctx, ch['kind'])}")
            facts = [
                ctx.t(
                    "notify.ui.serves", scope=admin.scope_text(ch["townships"], ch["county"], names, ctx.lang)
                ),
                ctx.t("notify.ui.host", host=ch["host"] or "—"),
            ]
            if ch["kind"] == "smtp":
                facts.append(ctx.t("notify.ui.to", to=", ".join(ch["to"])))
            if ch["keyword"]:
                facts.append(ctx.t("notify.ui.keyword_set", keyword=ch["keyword"]))
            if ch["signed"]:
                facts.append(ctx.t("notify.ui.signed"))
            st.caption(i18n.md_escape(ctx.t("notify.ui.facts_sep").join(facts)))
            test_col, remove_col = st.columns(2)
            with test_col:
                if st.button(
                    ctx.t("notify.ui.test"), key=f"nt-test-{name}", icon=":material/send:", width="stretch"
                ):
                    _test(ctx, state, ch)
            with remove_col:
                if st.button(
                    ctx.t("notify.ui.remove"),
                    key=f"nt-remove-{name}",
                    icon=":material/delete:",
                    width="stretch",
                ):
                    st.session_state[_CONFIRM] = name
            if name in results:
                level, text = results[name]
                _SHOW[level](text)
            if st.session_state.get(_CONFIRM) == name:
                st.warning(ctx.t("notify.ui.remove_confirm", name=i18n.md_escape(name)))
                yes, no = st.columns(2)
                with yes:
                    if st.button(
                        ctx.t("notify.ui.remove_yes"),
                        key=f"nt-remove-yes-{name}",
                        type="primary",
                        width="stretch",
                    ):
                        _remove(ctx, state, name)
                with no:
                    if st.button(ctx.t("notify.ui.remove_no"), key=f"nt-remove-no-{name}", width="stretch"):
                        st.session_state.pop(_CONFIRM, None)
                        st.rerun()


def _test(ctx: Context, state, ch: dict) -> None:
    _require()
    with st.spinner(ctx.t("notify.ui.testing", name=ch["name"])):
        try:
            d = admin.probe_channel(state, ch["name"], actor_name(ctx))
        except NotifyError as e:
            level, text = "failed", e.text(ctx.lang)
        else:
            level, msg = admin.outcome(ch["kind"], d)
            text = msg.text(ctx.lang)
    # the robot's answer is its own text: shown as text, never as markdown
    st.session_state.setdefault(_RESULT, {})[ch["name"]] = (level, i18n.md_escape(text))
    st.rerun()


def _remove(ctx: Context, state, name: str) -> None:
    _require()
    st.session_state.pop(_CONFIRM, None)
    st.session_state.get(_RESULT, {}).pop(name, None)
    try:
        admin.remove_channel(state, name, actor_name(ctx))
    except NotifyError as e:
        st.session_state[_FLASH] = ("error", e.text(ctx.lang))
    else:
        st.session_state[_FLASH] = ("ok", ctx.t("notify.ui.removed", name=i18n.md_escape(name)))
    st.rerun()


def _add_form(ctx: Context, state, names: dict[str, str]) -> None:
    """The kind first (its fields differ), then the form; the secrets are password fields."""
    st.markdown(f"**{ctx.t('notify.ui.add_title')}**")
    n = st.session_state.get(_FORM_N, 0)
    kind = st.selectbox(
        ctx.t("notify.ui.kind"), KINDS, key=f"nt-kind-{n}", format_func=lambda k: _kind(ctx, k), width=320
    )
    robot = kind != "smtp"
    with st.form(key=f"nt-add-{n}", border=True):
        name = st.text_input(
            ctx.t("notify.ui.name"), key=f"nt-name-{n}", max_chars=40, help=ctx.t("notify.ui.name_help")
        )
        fields: dict = {}
        if robot:
            hook = st.text_input(
                ctx.t(f"notify.ui.hook_{kind}"),
                key=f"nt-hook-{n}",
                type="password",
                help=ctx.t("notify.ui.hook_help"),
            )
            if kind in ("dingtalk", "feishu"):
                fields["secret"] = st.text_input(
                    ctx.t("notify.ui.secret"),
                    key=f"nt-secret-{n}",
                    type="password",
                    help=ctx.t(f"notify.ui.secret_help_{kind}"),
                )
                fields["keyword"] = st.text_input(
                    ctx.t("notify.ui.keyword"),
                    key=f"nt-keyword-{n}",
                    max_chars=20,
                    help=ctx.t("notify.ui.keyword_help"),
                )
        else:
            fields["host"] = st.text_input(ctx.t("notify.ui.smtp_host"), key=f"nt-host-{n}")
            fields["port"] = st.number_input(
                ctx.t("notify.ui.smtp_port"),
                key=f"nt-port-{n}",
                min_value=1,
                max_value=65535,
                value=587,
                step=1,
            )
            fields["starttls"] = st.checkbox(ctx.t("notify.ui.smtp_tls"), key=f"nt-tls-{n}", value=True)
            fields["user"] = st.text_input(ctx.t("notify.ui.smtp_user"), key=f"nt-user-{n}")
            fields["password"] = st.text_input(
                ctx.t("notify.ui.smtp_password"), key=f"nt-password-{n}", type="password"
            )
            fields["sender"] = st.text_input(ctx.t("notify.ui.smtp_from"), key=f"nt-from-{n}")
            to = st.text_input(
                ctx.t("notify.ui.smtp_to"), key=f"nt-to-{n}", help=ctx.t("notify.ui.smtp_to_help")
            )
            fields["to"] = tuple(
                a.strip() for a in to.replace("，", ",").replace(";", ",").split(",") if a.strip()
            )
        towns = st.multiselect(
            ctx.t("notify.ui.townships"),
            list(names),
            key=f"nt-towns-{n}",
            format_func=lambda tw: names.get(tw, tw),
            placeholder=ctx.t("notify.ui.townships_placeholder"),
        )
        every = st.checkbox(ctx.t("notify.ui.all_townships_box"), key=f"nt-all-{n}")
        county = st.checkbox(ctx.t("notify.ui.county_box"), key=f"nt-county-{n}")
        submitted = st.form_submit_button(ctx.t("notify.ui.add"), key=f"nt-add-submit-{n}", type="primary")
    if not submitted:
        return
    _require()
    if robot:
        base_url, token = admin.split_webhook(kind, hook)
        fields.update(base_url=base_url, token=token)
    ch = Channel(
        name=name.strip(),
        kind=kind,
        townships=(ALL_TOWNSHIPS,) if every else tuple(towns),
        county=county,
        **{k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()},
    )
    try:
        admin.add_channel(state, ch, actor_name(ctx))
    except NotifyError as e:
        st.error(e.text(ctx.lang))  # the fields stay as typed, to be corrected
        return
    st.session_state[_FLASH] = ("ok", ctx.t("notify.ui.added", name=i18n.md_escape(ch.name)))
    st.session_state[_FORM_N] = n + 1  # a new, empty form: nothing typed stays on the page
    st.rerun()


def _log(ctx: Context, state, names: dict[str, str]) -> None:
    st.markdown(f"**{ctx.t('notify.ui.log_title')}**")
    rows, counts, skipped = admin.deliveries(state)
    options = ["all", *(s for s in STATUSES if counts.get(s))]
    status = st.selectbox(
        ctx.t("notify.ui.log_filter"),
        options,
        key="nt-log-status",
        width=320,
        format_func=lambda s: (
            ctx.t("notify.ui.log_all", n=sum(counts.values()))
            if s == "all"
            else ctx.t("notify.ui.log_status", status=admin.status_label(s, ctx.lang), n=counts[s])
        ),
    )
    shown = admin.log_table(rows, names, ctx.lang, None if status == "all" else status)
    if skipped:
        st.warning(ctx.t("notify.ui.log_damaged", n=skipped))
    if shown.empty:
        st.info(ctx.t("notify.ui.log_empty"))
        return
    table(ctx, shown, width="stretch")
    st.caption(ctx.t("notify.ui.log_help"))
