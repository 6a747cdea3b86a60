"""整改台账 Rectification ledger: what needs action first, then every item with its filters,
and the note form (a township user or reporter sees and notes their own township's items)."""

from dashboard import ui
from dashboard.ui import ledger as ledger_ui

ctx = ui.context()
ui.require_page(ctx, "ledger")
ui.page_header(ctx, "ledger")
if not ui.empty_store(ctx):
    ledger_ui.page(ctx)
