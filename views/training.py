"""培训宣讲 Training: sessions and person-times of the year by kind against target, by month and
by township, distinct people where attendance lists are loaded, and the list of activities."""

import streamlit as st

from dashboard import i18n, kpis, page_data, ui
from dashboard.charts import common
from dashboard.charts import training as charts

ctx = ui.context()
ui.page_header(ctx, "training")
PLAIN = common.PLOT_CONFIG

if not ui.empty_store(ctx):
    s = ui.data(page_data.Training.summary, ctx)
    tr = s["training"]
    if not tr["sessions"]:
        st.info(ctx.t("training.none", township=ctx.township_name))
        st.stop()

    targets = ui.data(page_data.Training.targets, ctx)
    towns = ui.data(page_data.Training.townships, ctx)
    activities = ui.data(page_data.Training.training_activities, ctx)
    people_value, people_detail = charts.people_figure(
        ui.data(page_data.Training.training_people, ctx), ctx.lang
    )

    tiles = ui.phone.compact("training").columns(3)  # two a row on a phone
    with tiles[0]:
        ui.tile(
            ctx,
            kpis.read(kpis.SESSIONS, s, targets, lang=ctx.lang),
            detail=ctx.t("training.activities_detail", n=i18n.fmt_int(len(activities))),
        )
    with tiles[1]:
        ui.tile(
            ctx,
            kpis.read(kpis.ATTENDEES, s, targets, lang=ctx.lang),
            detail=ctx.t("training.attendees_detail"),
        )
    with tiles[2]:
        # Distinct people only where attendance lists are loaded: never a 0 that means "not recorded".
        ui.tile(
            ctx, kpis.read(kpis.TRAINED, s, targets, lang=ctx.lang), value=people_value, detail=people_detail
        )
    if ctx.township:
        st.caption(ctx.t("training.county_note"))

    # Progress bars, not Plotly charts: the page sends no Plotly on load (issue 14 §2).
    left, right = st.columns(2)
    with left:
        st.subheader(ctx.t("training.progress_sessions"))
        ui.kind_progress(ctx, charts.kind_rows(tr, targets, "sessions", ctx.lang))
    with right:
        st.subheader(ctx.t("training.progress_attendees"))
        ui.kind_progress(ctx, charts.kind_rows(tr, targets, "attendees", ctx.lang))
    st.caption(ctx.t("light.progress_legend"))

    # Sessions or person-times: the switch reruns these two charts only.
    @st.fragment
    def by_measure():
        measure = st.radio(
            ctx.t("training.measure"),
            charts.MEASURES,
            horizontal=True,
            format_func=lambda m: charts.measure_label(m, ctx.lang),
            key="training_measure",
        )
        st.subheader(ctx.t("training.by_month"))
        st.plotly_chart(
            charts.by_month(ui.data(page_data.Training.training_by_kind_month, ctx), measure, ctx.lang),
            config=PLAIN,
            key="training_by_month",
        )
        if ctx.township is None:
            st.subheader(ctx.t("training.by_township"))
            st.plotly_chart(
                charts.by_township(
                    ui.data(page_data.Training.training_by_township, ctx), towns, measure, ctx.lang
                ),
                config=PLAIN,
                key="training_by_township",
            )

    # Below the fold and read, not handled: drawn when the leader opens the box.
    with ui.on_request("show_training_charts", ctx.t("light.training_charts")) as box:
        if box.open:
            by_measure()

    st.subheader(ctx.t("training.activities"))
    st.caption(ctx.t("training.activities_caption", n=i18n.fmt_int(len(activities))))
    # A long list below the fold, for the clerk who looks things up: sent when opened.
    with ui.on_request("show_activities", ctx.t("light.activities", n=i18n.fmt_int(len(activities)))) as box:
        if box.open:
            table = charts.activities_table(activities, towns, ctx.lang)
            ui.table(ctx, table, width="stretch", height=420)
            ui.downloads(ctx, table, ctx.t("training.file_activities"), key="activities")
