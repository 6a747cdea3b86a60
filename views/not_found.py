"""A link to a path no page of this session has (ui.lost_path; the overview's old address
/overview never comes here): says so in the user's language, with a link to the overview,
instead of Streamlit's English "Page not found" dialog."""

import streamlit as st

from dashboard import i18n, ui

ctx = ui.context()
lost = st.session_state.get("_lost_path") or ""
st.title(ctx.t("lost.title"))
st.markdown(ctx.t("lost.body", path=i18n.md_escape(lost)))
st.page_link(
    ui.PAGE_FILES["overview"],
    label=ctx.t("lost.to_overview"),
    icon=":material/home:",
    query_params=ctx.query_params,
)
