"""Test bench for the product decisions of issue 14 §2, measured by `python -m benchmarks.trace
--lab`: the same figure drawn in different ways on an otherwise blank Streamlit page, chosen
by `?v=NAME` (VARIANTS). Made here from synthetic numbers (no store, no dashboard code), so
it answers "what does this way of drawing cost in the browser" apart from any page:

- a Plotly bar chart: interactive (mode bar hidden, as the pages draw it), `staticPlot`, two
  of them, one inside a collapsed `st.expander`, and a line chart of 3 × 2,000 points against
  the same thinned to 3 × 200;
- a deck.gl map (pydeck, 612 polygons as on the grids page): one, two, and one inside a
  collapsed expander;
- the same 612 polygons as a static inline SVG with a hover title each (as charts.svgmap draws
  the quick maps): through st.markdown(unsafe_allow_html=True), st.html (whose sanitiser
  drops SVG: measured to show it) and st.image (an <img>, no hover);
- the chart and the map in a collapsed expander that tracks its state (`key=`,
  `on_change="rerun"`) and sends them only when open (`if box.open:`), as Streamlit 1.67 allows;
- the light elements: six KPI tiles as the overview draws them (a bordered container with an
  st.metric, a coloured line and a caption, three to a row), with and without a 12-week
  sparkline (`chart_data`), and the same six drawn as one HTML element (inline SVG line); 30
  lines of text as 30 st.caption/st.markdown elements against one st.markdown; seven plain
  bordered st.metric (the overview's indicators, four to a row) against one HTML grid; a
  sidebar as the dashboard's (a title, two select boxes, a radio).

`streamlit run benchmarks/element_lab.py` and open `/?v=plotly` to look at one.
"""

import math

import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st

VARIANTS = (
    "none",
    "plotly",
    "plotly-static",
    "plotly-x2",
    "plotly-expander",
    "line-2000",
    "line-200",
    "deck",
    "deck-x2",
    "deck-expander",
    "plotly-expander-lazy",
    "deck-expander-lazy",
    "tiles",
    "tiles-spark",
    "tiles-html",
    "text-many",
    "text-one",
    "metrics-7",
    "metrics-7-html",
    "sidebar",
    "svg-markdown",
    "svg-html",
    "svg-image",
)
PLAIN = {"displayModeBar": False}


def bars() -> go.Figure:
    labels = [f"类别{i}" for i in range(6)]
    fig = go.Figure()
    fig.add_bar(y=labels, x=[30 + 7 * i for i in range(6)], orientation="h", marker_color="#eceff1")
    fig.add_bar(
        y=labels,
        x=[20 + 5 * i for i in range(6)],
        orientation="h",
        text=[f"{20 + 5 * i}" for i in range(6)],
        textposition="outside",
    )
    fig.update_layout(
        barmode="overlay", height=300, margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=False
    )
    return fig


def lines(n: int) -> go.Figure:
    fig = go.Figure()
    for k in range(3):
        fig.add_scatter(
            x=list(range(n)),
            y=[0.5 + 0.4 * math.sin(i / n * 12 + k) for i in range(n)],
            mode="lines",
            name=f"序列{k}",
        )
    fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig


def deck() -> pdk.Deck:
    polys = []
    for i in range(612):
        x, y = 99.4 + (i % 34) * 0.02, 22.1 + (i // 34) * 0.02
        polys.append(
            {
                "polygon": [[x, y], [x + 0.018, y], [x + 0.018, y + 0.018], [x, y + 0.018]],
                "colour": [40 + (i * 37) % 200, 120, 90, 160],
                "name": f"网格{i}",
            }
        )
    layer = pdk.Layer(
        "PolygonLayer",
        data=polys,
        get_polygon="polygon",
        get_fill_color="colour",
        stroked=True,
        get_line_color=[60, 60, 60],
        get_line_width=1,
        line_width_units="'pixels'",
        pickable=True,
        auto_highlight=True,
    )
    return pdk.Deck(
        layers=[layer],
        map_provider=None,  # offline: no basemap (map_style=None would fetch one)
        tooltip={"text": "{name}"},
        initial_view_state=pdk.ViewState(longitude=99.75, latitude=22.3, zoom=9),
    )


SPARK = [0.80 + 0.015 * i + 0.02 * math.sin(i) for i in range(12)]


def tiles(spark: bool) -> None:
    """Six tiles as ui.tile draws them on the overview."""
    for start in (0, 3):
        for i, col in enumerate(st.columns(3)):
            with col, st.container(border=True):
                st.metric(
                    f"指标 {start + i}",
                    f"{90 + start + i}.5%",
                    delta="+1.2 个百分点",
                    delta_description="较上周",
                    chart_data=SPARK if spark else None,
                    chart_type="line",
                )
                st.markdown(":red[差 9.5 个百分点 · 目标 100%]")
                st.caption("12 / 14 个支部")


_TILE = (
    '<div style="border:1px solid rgba(49,51,63,0.2);border-radius:0.5rem;padding:1rem">'
    '<div style="font-size:0.875rem">{label}</div>'
    '<div style="font-size:2.25rem;line-height:1.3">{value}</div>'
    '<div style="font-size:0.875rem;color:#09ab3b">↑ +1.2 个百分点 较上周</div>'
    '<svg viewBox="0 0 110 30" preserveAspectRatio="none" style="width:100%;height:40px">'
    '<polyline fill="none" stroke="#ff4b4b" stroke-width="1.5" vector-effect="non-scaling-stroke" '
    'points="{points}"/></svg>'
    '<div style="color:#c62828">差 9.5 个百分点 · 目标 100%</div>'
    '<div style="font-size:0.875rem;color:rgba(49,51,63,0.6)">12 / 14 个支部</div></div>'
)


def tiles_html() -> None:
    """The same six tiles as one HTML element."""
    lo, hi = min(SPARK), max(SPARK)
    points = " ".join(f"{i * 10},{28 - 26 * (v - lo) / (hi - lo):.1f}" for i, v in enumerate(SPARK))
    cells = "".join(_TILE.format(label=f"指标 {i}", value=f"{90 + i}.5%", points=points) for i in range(6))
    st.markdown(
        f'<div style="display:grid;grid-template-columns:repeat(3,1fr);gap:1rem">{cells}</div>',
        unsafe_allow_html=True,
    )


def svg() -> str:
    """The deck's 612 squares as one line of SVG in a div, each with a hover title."""
    parts = []
    for i in range(612):
        x, y = 20 + (i % 34) * 15, 20 + (i // 34) * 15
        colour = f"#{40 + (i * 37) % 200:02x}785a"
        parts.append(
            f'<path d="M{x} {y}L{x + 13.5} {y}L{x + 13.5} {y + 13.5}L{x} {y + 13.5}Z" fill="{colour}">'
            f"<title>网格{i}&#10;走访率 {i % 100}%</title></path>"
        )
    return (
        '<div style="width:100%;height:480px"><svg xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 560 480" preserveAspectRatio="xMidYMid meet" width="100%" height="480">'
        '<path d="M10 10L550 10L550 300Z" fill="none" stroke="#8b0000" stroke-width="3" '
        'stroke-dasharray="9 5"/>' + "".join(parts) + "</svg></div>"
    )


def main() -> None:
    v = st.query_params.get("v", "none")
    st.title("测试台 · Element lab")
    st.caption(v)
    if v == "plotly":
        st.plotly_chart(bars(), config=PLAIN)
    elif v == "plotly-static":
        st.plotly_chart(bars(), config={"displayModeBar": False, "staticPlot": True})
    elif v == "plotly-x2":
        st.plotly_chart(bars(), config=PLAIN, key="a")
        st.plotly_chart(bars(), config=PLAIN, key="b")
    elif v == "plotly-expander":
        with st.expander("图表 · chart", expanded=False):
            st.plotly_chart(bars(), config=PLAIN)
    elif v == "line-2000":
        st.plotly_chart(lines(2000), config=PLAIN)
    elif v == "line-200":
        st.plotly_chart(lines(200), config=PLAIN)
    elif v == "deck":
        st.pydeck_chart(deck(), height=480, key="m1")
    elif v == "deck-x2":
        st.pydeck_chart(deck(), height=480, key="m1")
        st.pydeck_chart(deck(), height=480, key="m2")
    elif v == "deck-expander":
        with st.expander("地图 · map", expanded=False):
            st.pydeck_chart(deck(), height=480, key="m1")
    elif v == "plotly-expander-lazy":  # the chart is only sent once the expander is open
        with st.expander("图表 · chart", expanded=False, key="x", on_change="rerun") as box:
            if box.open:
                st.plotly_chart(bars(), config=PLAIN)
    elif v == "deck-expander-lazy":
        with st.expander("地图 · map", expanded=False, key="x", on_change="rerun") as box:
            if box.open:
                st.pydeck_chart(deck(), height=480, key="m1")
    elif v == "tiles":
        tiles(spark=False)
    elif v == "tiles-spark":
        tiles(spark=True)
    elif v == "tiles-html":
        tiles_html()
    elif v == "metrics-7":
        for start in (0, 4):
            for i, col in enumerate(st.columns(4)):
                if start + i < 7:
                    col.metric(f"指标 {start + i}", f"{1200 + start + i:,}", border=True)
    elif v == "metrics-7-html":
        cells = "".join(
            '<div style="border:1px solid rgba(49,51,63,0.2);border-radius:0.5rem;padding:1rem">'
            f'<div style="font-size:0.875rem">指标 {i}</div>'
            f'<div style="font-size:2.25rem">{1200 + i:,}</div></div>'
            for i in range(7)
        )
        st.markdown(
            f'<div style="display:grid;grid-template-columns:repeat(4,1fr);gap:1rem">{cells}</div>',
            unsafe_allow_html=True,
        )
    elif v == "sidebar":
        with st.sidebar:
            st.markdown("**孟连县边境党建数据看板**")
            st.selectbox("乡镇", ["全县", "娜允镇", "勐马镇", "芒信镇", "富岩镇", "景信乡", "公信乡"])
            st.selectbox("周", [f"第 {i} 周" for i in range(52)])
            st.radio("语言 Language", ["中文", "English"], horizontal=True)
    elif v == "text-many":
        for i in range(15):
            st.markdown(f"**第 {i} 项**：某某支部 · 未达标")
            st.caption(f"说明 {i}：12 / 14 个支部")
    elif v == "text-one":
        st.markdown(
            "\n\n".join(
                f"**第 {i} 项**：某某支部 · 未达标  \n<small>说明 {i}：12 / 14 个支部</small>"
                for i in range(15)
            ),
            unsafe_allow_html=True,
        )
    elif v == "svg-markdown":
        st.markdown(svg(), unsafe_allow_html=True)
    elif v == "svg-html":
        st.html(svg())
    elif v == "svg-image":
        st.image(svg()[svg().index("<svg") : -len("</div>")])


if __name__ == "__main__":  # `streamlit run` runs the file as __main__
    main()
