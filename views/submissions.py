"""报送情况 Submissions: for a chosen week, what each township has sent (a township user or
reporter sees their own township's row only)."""

from dashboard import ui

ctx = ui.context()
ui.require_page(ctx, "submissions")
ui.page_header(ctx, "submissions")
if not ui.empty_store(ctx):
    ui.submission_board(ctx)
