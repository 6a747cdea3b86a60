"""Where the messages come from. Each source reads the store (and the state folder) at a time
and returns Messages; the outbox keeps each (rule, township, period) once."""

from __future__ import annotations


def default_sources() -> list:
    return []
