"""Context variables that follow a unit of work across awaits: the correlation id.

The bus sets ``correlation_id`` from the event it dispatches, so every log line written while a
handler runs carries the id that links prediction → signal → order → fills → trade.
"""

from __future__ import annotations

from contextvars import ContextVar

correlation_id_var: ContextVar[str] = ContextVar("correlation_id", default="")


def current_correlation_id() -> str:
    return correlation_id_var.get()
