"""数据管理 Data: upload, check, preview, commit; history, restore, pin; template; audit; the
submission board. Admins see all of it; a reporter (乡镇填报员) submits their own township's
weekly tables (the township is the logged-in user's, never the URL's or a widget's), downloads
its prefilled form and sees its own row of the board."""

import streamlit as st

from dashboard import desk, i18n, page_data, places, quality, ui

ctx = ui.context()
ui.require_page(ctx, "data")
ui.page_header(ctx, "data")
by = ui.actor_name(ctx)
user = ui.current_user()
township = user.township if user is not None and user.is_reporter else None  # None: admin
if user is not None and user.is_reviewer:  # a reviewer sees the review section only
    ui.review_section(ctx)
    st.stop()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def form_download(town: str, key: str, week) -> None:
    """The prefilled form of `town` for the week, made on click."""
    name = places.township_name(ui.data(page_data.App.townships, ctx), town, "zh")
    st.download_button(
        ctx.t("sub.form_download"),
        lambda: desk.township_form(ui.store(), town, week),
        f"{ctx.t('sub.form_file', name=name, week=week.isoformat())}.xlsx",
        XLSX,
        key=f"{key}_download",
        on_click="ignore",
        icon=":material/download:",
    )


page_week = ui.week_picker(
    ctx, "data_week", reporting=True
)  # the page's one week: the form's and the board's
if township is not None:
    ui.review_notice(ctx, township)
    upload_tab, form_tab, board_tab = st.tabs(
        [ctx.t("data.tab_upload"), ctx.t("data.tab_form"), ctx.t("data.tab_board")]
    )
    history_tab = template_tab = audit_tab = review_tab = notify_tab = None
else:
    upload_tab, board_tab, review_tab, history_tab, template_tab, audit_tab, notify_tab = st.tabs(
        [
            ctx.t("data.tab_upload"),
            ctx.t("data.tab_board"),
            ctx.t("data.tab_review"),
            ctx.t("data.tab_history"),
            ctx.t("data.tab_template"),
            ctx.t("data.tab_audit"),
            ctx.t("data.tab_notify"),
        ]
    )
    form_tab = None

with upload_tab:
    st.markdown(
        ctx.t("sub.upload_help", township=i18n.md_escape(ctx.township_name))
        if township
        else ctx.t("data.upload_help")
    )
    kinds = ["csv", "xlsx", "xls", "et", "ods"] + ([] if township else ["geojson", "json"])
    with st.container(key="uploader"):
        ui.uploader_words(ctx, kinds)
        files = st.file_uploader(
            ctx.t("data.upload"),
            type=kinds,
            accept_multiple_files=True,
            key=f"upload_{st.session_state.get('_upload_n', 0)}",
        )
    replace = False if township else st.checkbox(ctx.t("data.replace_whole"), help=ctx.t("data.replace_help"))
    if files and st.button(ctx.t("data.check"), type="primary"):
        with st.spinner(ctx.t("data.checking")):
            st.session_state["_check"] = desk.check_upload(ui.store(), files, replace, township)
    checked = st.session_state.get("_check")
    if (
        checked
        and files
        and checked["names"] == [f.name for f in files]
        and checked["replace"] == replace
        and checked.get("township") == township
    ):
        result = checked["result"]
        summary = desk.import_summary(getattr(result, "report", None), ctx.lang)
        if not summary.empty:
            st.markdown(f"**{ctx.t('sub.summary')}**")
            st.dataframe(summary, hide_index=True, width="stretch")
        if not result.ok:
            st.error(ctx.t("data.rejected", n=len(result.errors), more="+" if result.truncated else ""))
            st.table(desk.error_table(result.errors, ctx.lang), hide_index=True)  # wraps: advice whole
        elif not result.changed:
            st.info(ctx.t("data.nothing_changed"))
        else:
            st.success(ctx.t("data.valid"))
            st.dataframe(desk.change_table(result.changes, ctx.lang), hide_index=True, width="stretch")
            for table, sample in result.samples.items():
                if not sample.empty:
                    with st.expander(
                        ctx.t("data.sample", table=desk.table_label(table, ctx.lang), n=len(sample))
                    ):
                        st.dataframe(desk.sample_table(table, sample, ctx.lang), hide_index=True)
            if st.button(ctx.t("sub.commit" if township else "data.commit_store"), type="primary"):
                with st.status(ctx.t("data.committing"), expanded=True) as status:
                    final = desk.commit_upload(ui.store(), files, replace, by, township)
                    if final.ok and final.version:
                        done = "sub.submitted" if township else "data.committed"
                        status.update(label=ctx.t(done, version=final.version), state="complete")
                    elif final.ok:
                        status.update(label=ctx.t("data.nothing_changed"), state="complete")
                    else:
                        status.update(
                            label=ctx.t("data.rejected", n=len(final.errors), more=""), state="error"
                        )
                        st.table(desk.error_table(final.errors, ctx.lang), hide_index=True)
                st.session_state.pop("_check", None)
                st.session_state["_upload_n"] = st.session_state.get("_upload_n", 0) + 1

    # --- data quality warnings (issue 10 §3): the live version (a load just committed included),
    # its latest week, the user's scope; they never block a load.
    live = ui.store().current()
    if live is not None:
        week, found = quality.current(ui.store(), live, ctx.township)
        st.subheader(ctx.t("quality.title"))
        st.caption(
            ctx.t(
                "quality.help",
                scope=i18n.md_escape(ctx.township_name),
                version=live,
                week=i18n.fmt_week(week, ctx.lang),
            )
        )
        shown = quality.tables(found, ctx.lang)
        if not shown:
            st.success(ctx.t("quality.none"))
        for kind, title, table in shown:
            county = township is not None and quality.county_fixes(kind)  # not the clerk's to fix
            with st.expander(
                ctx.t("quality.for_county", title=title) if county else title, expanded=len(shown) == 1
            ):
                if county:
                    st.caption(ctx.t("quality.county_help"))
                ui.table(ctx, table)

if form_tab is not None:
    with form_tab:
        st.markdown(ctx.t("sub.form_help"))
        form_download(township, "form", page_week)

with board_tab:
    if not ui.empty_store(ctx):
        ui.submission_board(ctx, key="data_board", week=page_week)

if review_tab is not None:
    with review_tab:
        ui.review_section(ctx)

if history_tab is not None:
    with history_tab:
        versions = desk.version_history(ui.store(), ctx.lang)
        if versions.empty:
            st.info(ctx.t("empty.store"))
        else:
            st.dataframe(versions, hide_index=True, width="stretch")
            numbers = versions.attrs["stored"]  # a pruned version cannot be restored or pinned
            left, right = st.columns(2)
            with left, st.container(border=True):
                st.markdown(f"**{ctx.t('data.restore')}**")
                target = st.selectbox(ctx.t("data.version"), numbers, key="restore_version")
                sure = st.checkbox(ctx.t("data.restore_confirm", version=target), key="restore_sure")
                if st.button(ctx.t("data.restore_button"), disabled=not sure):
                    v = desk.restore_version(ui.store(), target, by)
                    st.success(ctx.t("data.restored", version=target, new=v))
            with right, st.container(border=True):
                st.markdown(f"**{ctx.t('data.pin')}**")
                pin_v = st.selectbox(ctx.t("data.version"), numbers, key="pin_version")
                label = st.text_input(
                    ctx.t("data.pin_label"), max_chars=40, placeholder=ctx.t("data.pin_placeholder")
                )
                if st.button(ctx.t("data.pin_button"), disabled=not label.strip()):
                    desk.pin_version(ui.store(), pin_v, label.strip(), by)
                    st.success(ctx.t("data.pinned", version=pin_v, label=label.strip()))

if template_tab is not None:
    with template_tab:
        st.markdown(ctx.t("data.template_help"))
        st.download_button(
            ctx.t("data.template_download"), desk.template_bytes(), "孟连县边境党建数据报送模板.xlsx", XLSX
        )
        towns = ui.data(page_data.App.townships, ctx)
        if len(towns):
            st.divider()
            st.markdown(ctx.t("sub.form_help"))
            names = places.township_names(towns, ctx.lang)
            town = st.selectbox(
                ctx.t("filter.township"),
                list(names),
                key="form_township",
                width=320,
                format_func=lambda v: names.get(v, v),
                filter_mode="contains",
            )
            form_download(town, "admin_form", page_week)

if audit_tab is not None:
    with audit_tab:
        log = desk.audit_table(ui.store(), ctx.lang)
        if log.attrs.get("skipped"):
            st.warning(ctx.t("auth.audit_skipped", n=log.attrs["skipped"]))
        if log.empty:
            st.info(ctx.t("data.audit_empty"))
        else:
            st.dataframe(log, hide_index=True, width="stretch")

if notify_tab is not None:
    with notify_tab:
        ui.notify_section(ctx)  # administrators only: the section checks the role itself
