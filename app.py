"""Entry point: page config, login, filters from the URL, navigation. `streamlit run app.py`.

`streamlit run` imports this file to find `app` (an st.App: Streamlit's server plus the
session-cookie routes of dashboard.web) and then runs the same file as the page script,
as `__main__`, on every run.
"""

import streamlit as st

if __name__ != "__main__":
    from dashboard import web
    from dashboard.ui import memory

    memory.limit_arenas()  # before the server's threads allocate: closed sessions' memory goes back

    from starlette.middleware import Middleware

    app = st.App(__file__, routes=web.routes(), middleware=[Middleware(web.BindCookie)])
else:
    from dashboard import ui

    st.set_page_config(page_title="孟连县边境党建数据看板", layout="wide")
    kiosk = ui.kiosk_requested()  # ?kiosk=1: the meeting screen, on any page's path
    ui.login_gate(ui.url_lang(), banner=not kiosk, kiosk=kiosk)
    if kiosk:
        ui.run_kiosk(ui.url_lang())
        ui.settle_heap("kiosk")
        st.stop()
    ctx = ui.resolve_context()
    st.set_page_config(page_title=ctx.t("app.title"))
    ui.phone_style()  # every page: the phone's layout (issue 20 §4)
    pages = [
        st.Page(ui.PAGE_FILES[p], title=ctx.t(f"page.{p}"), url_path=p, default=(p == "overview"))
        for p in ui.visible_pages()
    ]
    lost = ui.lost_path([p for p in ui.visible_pages() if p != "overview"], default="overview")
    if lost:  # a stale link (/overview) or a page this session may not open: no English dialog
        pages.append(ui.not_found_page(lost, ctx.t("page.not_found")))
    nav = st.navigation(pages)
    with st.sidebar:
        st.markdown(f"**{ctx.t('app.title')}**")
    ui.sidebar_filters(ctx, week=nav.url_path not in ui.OWN_WEEK_PAGES)
    ui.logout_button(ctx)
    nav.run()
    ui.settle_heap(nav.url_path or "overview")
