"""Placeholder until the page is written."""
from dashboard import ui

ctx = ui.context()
ui.page_header(ctx, "grids")
