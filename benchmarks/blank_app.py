"""A blank Streamlit page, the yardstick of the browser benchmarks (benchmarks/browser.py):
what any Streamlit page costs (the front end, the websocket session, one script run) before
the dashboard does anything. `streamlit run benchmarks/blank_app.py`."""

import streamlit as st

st.title("空白页 · Blank page")
