"""Entry point: page config, filters from the URL, navigation. `streamlit run app.py`."""
import streamlit as st

from dashboard import ui

st.set_page_config(page_title="孟连县边境党建数据看板", page_icon="🚩", layout="wide")
ctx = ui.resolve_context()
st.set_page_config(page_title=ctx.t("app.title"))
pages = [st.Page(ui.PAGE_FILES[p], title=ctx.t(f"page.{p}"), url_path=p, default=(p == "overview"))
         for p in ui.PAGES]
nav = st.navigation(pages)
with st.sidebar:
    st.markdown(f"**{ctx.t('app.title')}**")
ui.sidebar_filters(ctx)
nav.run()
