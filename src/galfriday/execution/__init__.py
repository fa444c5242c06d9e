"""Execution: approved signals become orders, and every order is followed to its end.

- ``order_state``: ``OrderState``, the checked life of one order (shared with the write-ahead
  journal in ``storage.recorders.orders``).
- ``handler``: ``ExecutionHandler``, the kernel component on the bus.
- ``bracket``: one signal's orders on one pair; ``entries``: entry order, timeout, market
  replacement; ``exits``: take-profit legs, the stop-loss, client-side OCO, closes.
- ``sender``: the one way orders leave (order tags first); ``order_store``; ``stop_watch``.

Venues (Kraken, the simulated venue of backtests and paper trading) implement ``core.venue.Venue``.
"""

from galfriday.execution.bracket import Bracket
from galfriday.execution.handler import ExecutionHandler
from galfriday.execution.order_state import OrderState, Outcome, Transition

__all__ = ["Bracket", "ExecutionHandler", "OrderState", "Outcome", "Transition"]
