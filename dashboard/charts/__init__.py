"""Pure chart builders: DataFrame in, plotly figure or pydeck deck out. No streamlit here.

One module per subject (common, maps, ...); pages reach them through `dashboard.charts.<module>`.
"""
