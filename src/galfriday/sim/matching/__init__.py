"""The single fill model (DESIGN §1, §6): backtest, paper trading and the exchange simulator all
match orders here, so they cannot disagree.

Public API::

    account = Account({"USD": "10000", "XRP": "0"})
    engine = MatchingEngine(instrument, account, FillModelConfig(latency_ns=50_000_000), seed=7)
    engine.submit(OrderRequest(side=Side.BUY, order_type=OrderType.LIMIT, qty=Decimal("100"),
                               limit_price=Decimal("0.50000")), ts_ns)      -> [ExecutionReport]
    engine.on_book(OrderBookUpdated) / on_trade(MarketTradeReceived) / on_bar(BarClosed)
    engine.cancel(ts_ns, order_id=...) / cancel_all(ts_ns) / advance_to(ts_ns) / open_orders()

Conventions (each explained where it is implemented):
- no look-ahead: an order fills only on data stamped strictly after it became active
  (``engine``; bars: opened at or after, ``bar_matching``);
- book fills walk levels at each level's price; resting orders crossed later fill at their limit
  (``book_matching``, ``trade_matching``); own consumption of displayed size is remembered until
  the feed re-states the level (``liquidity``);
- stops trigger on the last trade, on the mid on book-only feeds, on high/low on bars; gaps fill at
  the open (``triggers``);
- bars: volume-share cap, slippage, limits fill only when traded through (``bar_matching``);
- maker/taker by who rested first; fee in quote, rounded up to ``fee_decimals`` (``fees``);
- funds held per order, balances never negative (``funds``, ``account``).

One engine per pair, one ``Account`` shared by all of them. How the three environments use it:
- backtest: for each replayed event (``sim.replay``) in time order, ``engine.on_event(event)``;
  orders from the kernel go in with the ``SimClock`` time (``OrderRequest.from_command``); reports
  become ``OrderAccepted``/``OrderFilled``/... events on the bus.
- paper: the same, with live market events and ``LiveClock`` time.
- exchange simulator: AddOrder/add_order -> ``submit`` (a ``rejected`` report's ``reason`` is the
  Kraken error to return), CancelOrder -> ``cancel`` (``sim.errors.UnknownOrderError.kraken_error``),
  OpenOrders -> ``open_orders``, Balance -> ``Account.balances``; reports render as WS
  ``executions`` (add Kraken's separate ``filled`` report after the completing ``trade``).
"""

from galfriday.sim.matching.account import Account
from galfriday.sim.matching.config import FillModelConfig, RemainderPolicy
from galfriday.sim.matching.engine import MatchingEngine
from galfriday.sim.matching.orders import OrderRequest
from galfriday.sim.matching.reports import ExecType, ExecutionReport

__all__ = [
    "Account",
    "ExecType",
    "ExecutionReport",
    "FillModelConfig",
    "MatchingEngine",
    "OrderRequest",
    "RemainderPolicy",
]
