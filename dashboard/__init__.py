"""孟连县边境党建数据看板 — the Menglian border party-building dashboard."""
