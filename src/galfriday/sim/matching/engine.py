"""``MatchingEngine``: the one fill model behind backtests, paper trading and the exchange simulator.

One engine per pair holds the simulated account's open orders against an external market given
as events: L2 book updates and/or trade prints (tick data), or OHLCV bars. We are a small
participant: our fills never move the recorded market (but never use the same displayed liquidity
twice, see ``liquidity``). Time is whatever the caller says: every call carries a timestamp, and
the engine never reads a clock, so a backtest, a paper session and the simulator behave alike.

Life of an order (``ExecType`` of each report in brackets):
1. ``submit`` validates against the instrument [rejected, with Kraken's error string], holds funds
   [rejected: ``EOrder:Insufficient funds``] and accepts it [pending_new]. It becomes *active*
   ``latency_ns`` (+ seeded jitter) later.
2. NO LOOK-AHEAD: an order meets the market only on data stamped strictly after it became active
   (for bars: bars that opened at or after it, see ``bar_matching``). It then reaches the book
   [new] — a post-only order that would take is refused instead [rejected: ``EOrder:Post only
   order``] — and takes what it can [trade, TAKER]; a stop waits for its trigger [triggered],
   after which it meets the market again on the next data.
3. A limit's rest rests; when a later book, print or bar crosses it, it fills at its limit
   [trade, MAKER]. IOC rests never; market rests per ``RemainderPolicy``.
4. ``cancel`` takes effect after the latency too [pending_cancel, then canceled]; GTD orders expire
   at their expire time [expired] — both before any data stamped at or after that time.

Every call returns the reports it produced, in order. Feed one engine either tick data or bars,
not both (the same trades would be counted twice); data may arrive slightly out of order (two
channels), the clock never goes back and each event is judged by its own timestamp.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Sequence
from decimal import Decimal

from galfriday.core.events import BarClosed, BookLevel, Event, MarketTradeReceived, OrderBookUpdated
from galfriday.core.instruments import Instrument
from galfriday.core.types import OrderStatus, Side
from galfriday.sim.errors import SimError, UnknownOrderError
from galfriday.sim.ids import KrakenIds
from galfriday.sim.matching import reasons
from galfriday.sim.matching.account import Account
from galfriday.sim.matching.bar_matching import match_bar
from galfriday.sim.matching.book_matching import match_book
from galfriday.sim.matching.config import FillModelConfig, RemainderPolicy
from galfriday.sim.matching.executions import Executions
from galfriday.sim.matching.funds import reservation
from galfriday.sim.matching.liquidity import BookLiquidity
from galfriday.sim.matching.orders import OrderRequest, SimOrder
from galfriday.sim.matching.reports import ExecType, ExecutionReport
from galfriday.sim.matching.trade_matching import match_trade
from galfriday.sim.matching.validation import OrderRules, order_price
from galfriday.sim.matching.working import WorkingOrders

_EXPIRE, _CANCEL = 0, 1
_TICKS, _BARS = "tick data (books/trades)", "bars"


class MatchingEngine:
    """Simulated matching of one pair's orders for ``account``; see the module docstring.

    ``seed`` drives the only randomness (latency jitter) and the order/trade ids, so the same
    seed and the same inputs give identical reports.
    """

    def __init__(
        self,
        instrument: Instrument,
        account: Account,
        config: FillModelConfig | None = None,
        *,
        seed: int = 0,
    ) -> None:
        self._instrument = instrument
        self._config = config = config or FillModelConfig()
        self._account = account
        self._rng = random.Random(seed)
        self._working = WorkingOrders()
        self._book = BookLiquidity()
        self._ids = KrakenIds(f"{seed}:{instrument.symbol}")
        self._rules = OrderRules(instrument)
        self._ex = Executions(instrument, account, self._working, self._ids, config.fee_decimals)
        self._timers: list[tuple[int, int, int, str]] = []  # (due ns, seq, kind, order id)
        self._seq = itertools.count(1)
        self._now = 0
        self._feed: str | None = None
        self._last_trade: Decimal | None = None
        self._last_close: Decimal | None = None
        self._keep_market_rest = config.market_remainder is RemainderPolicy.KEEP

    @property
    def instrument(self) -> Instrument:
        return self._instrument

    @property
    def account(self) -> Account:
        return self._account

    @property
    def config(self) -> FillModelConfig:
        return self._config

    @property
    def now_ns(self) -> int:
        """The latest time the engine has seen (calls and data); it never goes back."""
        return self._now

    # -- orders ---------------------------------------------------------------------------------

    def submit(self, request: OrderRequest, ts_ns: int) -> list[ExecutionReport]:
        """Accept (pending_new) or refuse (rejected) an order received at ``ts_ns``."""
        ts = self._advance(ts_ns)
        ex = self._ex
        reference = self._reference(request.side is Side.BUY)
        reason = self._rules.rejection(request, now_ns=ts, reference=reference)
        if reason is None and request.client_order_id in self._working.by_client_id:
            reason = reasons.DUPLICATE_CLIENT_ID
        hold = None if reason is not None else self._hold_funds(request, reference)
        if hold is None:
            ex.refuse(request, reason or reasons.INSUFFICIENT_FUNDS, ts)
            return ex.take_reports()
        seq = next(self._seq)
        order = SimOrder(self._ids.order_id(), request, seq=seq, active_ns=ts + self._latency(), hold=hold)
        self._working.add(order)
        if order.expire_ns is not None:
            heapq.heappush(self._timers, (order.expire_ns, seq, _EXPIRE, order.order_id))
        ex.report(order, ExecType.PENDING_NEW, ts)
        return ex.take_reports()

    def cancel(
        self, ts_ns: int, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> list[ExecutionReport]:
        """Cancel an open order by ``order_id`` or ``client_order_id``.

        Takes effect after the latency (pending_cancel now, canceled later — unless the order
        fills or ends first); immediately when the latency is 0. Raises ``UnknownOrderError``
        (Kraken: ``EOrder:Unknown order``) if no such order is open; if it ends (fills, expires,
        an earlier cancel) while time moves to ``ts_ns``, the reports say so and nothing else happens.
        """
        order = self._find(order_id, client_order_id)
        ts = self._advance(ts_ns)
        if order.is_open:
            due = ts + self._latency()
            if due <= ts:
                self._ex.end(order, OrderStatus.CANCELED, ts, reasons.USER_CANCEL)
            else:
                heapq.heappush(self._timers, (due, next(self._seq), _CANCEL, order.order_id))
                self._ex.report(order, ExecType.PENDING_CANCEL, ts)
        return self._ex.take_reports()

    def cancel_all(self, ts_ns: int) -> list[ExecutionReport]:
        """Cancel every open order (Kraken ``CancelAll``; the dead-man switch firing)."""
        reports = self.advance_to(ts_ns)
        for order_id in list(self._working.by_id):
            reports += self.cancel(ts_ns, order_id=order_id)
        return reports

    def open_orders(self) -> list[ExecutionReport]:
        """A ``status`` report for each open order, oldest first (Kraken ``OpenOrders``)."""
        return [self._ex.snapshot(o, ExecType.STATUS, self._now) for o in self._working.by_id.values()]

    # -- time and market data -------------------------------------------------------------------

    def advance_to(self, ts_ns: int) -> list[ExecutionReport]:
        """Move time forward without market data: cancels and expiries due by then happen."""
        self._advance(ts_ns)
        return self._ex.take_reports()

    def on_book(self, event: OrderBookUpdated) -> list[ExecutionReport]:
        self._check_pair(event.pair)
        return self.on_book_levels(event.ts_event, event.bids, event.asks)

    def on_book_levels(
        self,
        ts_ns: int,
        bids: Sequence[BookLevel] | Sequence[tuple[Decimal, Decimal]],
        asks: Sequence[BookLevel] | Sequence[tuple[Decimal, Decimal]],
    ) -> list[ExecutionReport]:
        """A book update given as levels (best first): ``BookLevel`` or ``(price, qty)`` pairs."""
        self._enter(_TICKS)
        self._advance(ts_ns)
        self._book.update(ts_ns, bids, asks)
        match_book(
            ts_ns,
            self._book,
            self._ex,
            mid_triggers=self._last_trade is None,
            keep_market_rest=self._keep_market_rest,
        )
        return self._ex.take_reports()

    def on_trade(self, event: MarketTradeReceived) -> list[ExecutionReport]:
        self._check_pair(event.pair)
        self._enter(_TICKS)
        ts = event.ts_event
        self._advance(ts)
        self._last_trade = event.price
        cfg = self._config
        match_trade(
            ts,
            event.price,
            event.qty,
            event.side,
            self._ex,
            takers_on_prints=self._book.ts_ns is None,
            on_touch=cfg.limit_fill_on_touch,
            slippage_bps=cfg.slippage_bps,
            keep_market_rest=self._keep_market_rest,
        )
        return self._ex.take_reports()

    def on_bar(self, event: BarClosed) -> list[ExecutionReport]:
        # Once per bar of a backtest: the checks of _check_pair/_enter/_advance are inlined for
        # the common case (right pair, bars already seen, no cancel or expiry pending).
        if event.pair != self._instrument.symbol:
            self._check_pair(event.pair)
        if self._feed is not _BARS:
            self._enter(_BARS)
        ts = event.ts_event
        if ts > self._now:
            self._now = self._ex.now_ns = ts
        if self._timers:
            self._advance(ts)
        self._last_close = event.close
        ex = self._ex
        if not ex.working.by_id:  # nothing to match (most bars of a backtest): no call, no new list
            return ex.take_reports() if ex.reports else []
        match_bar(event, ex, self._config)
        return ex.take_reports()

    def on_event(self, event: Event) -> list[ExecutionReport]:
        """Dispatch a market-data event of this pair to ``on_book``/``on_trade``/``on_bar``."""
        if event.__class__ is BarClosed:
            return self.on_bar(event)  # type: ignore[arg-type]
        if isinstance(event, OrderBookUpdated):
            return self.on_book(event)
        if isinstance(event, MarketTradeReceived):
            return self.on_trade(event)
        if isinstance(event, BarClosed):
            return self.on_bar(event)
        raise SimError(
            f"{type(event).__name__} is not market data; pass OrderBookUpdated, MarketTradeReceived "
            "or BarClosed"
        )

    # -- internals ------------------------------------------------------------------------------

    def _advance(self, ts_ns: int) -> int:
        """Move the clock to ``ts_ns`` (never back) and fire cancels/expiries due by then."""
        if ts_ns > self._now:
            self._now = self._ex.now_ns = ts_ns
        timers, now = self._timers, self._now
        while timers and timers[0][0] <= now:
            due, _, kind, order_id = heapq.heappop(timers)
            order = self._working.by_id.get(order_id)
            if order is None:
                continue
            if kind == _EXPIRE:
                self._ex.end(order, OrderStatus.EXPIRED, due)
            else:
                self._ex.end(order, OrderStatus.CANCELED, due, reasons.USER_CANCEL)
        return now

    def _hold_funds(self, request: OrderRequest, reference: Decimal | None) -> Decimal | None:
        """Reserve what ``request`` may spend (see ``funds``); None if the account is short."""
        price = order_price(request, reference)
        asset, amount = reservation(request, self._instrument, price, self._ex.fee_quantum)
        return amount if self._account.try_hold(asset, amount) else None

    def _latency(self) -> int:
        jitter = self._config.latency_jitter_ns
        return self._config.latency_ns + (self._rng.randint(0, jitter) if jitter else 0)

    def _reference(self, is_buy: bool) -> Decimal | None:
        """Best guess of the price a market order would get now (for funds and costmin)."""
        if self._feed == _BARS:
            return self._last_close
        best = self._book.best_price(is_buy)
        return best if best is not None else self._last_trade

    def _find(self, order_id: str | None, client_order_id: str | None) -> SimOrder:
        working = self._working
        order = working.by_id.get(order_id) if order_id else working.by_client_id.get(client_order_id or "")
        if order is None:
            raise UnknownOrderError(
                f"{UnknownOrderError.kraken_error}: no open order {order_id or client_order_id!r} on "
                f"{self._instrument.symbol}; it may have filled or ended already (see its reports)"
            )
        return order

    def _check_pair(self, pair: str) -> None:
        if pair != self._instrument.symbol:
            raise SimError(
                f"{pair} data sent to the {self._instrument.symbol} engine: route market data by pair "
                "(one MatchingEngine per pair)"
            )

    def _enter(self, feed: str) -> None:
        if self._feed != feed:
            if self._feed is not None:
                raise SimError(
                    f"this engine already matches on {self._feed}; it cannot also take {feed} (the same "
                    "trades would fill twice): use one engine per kind of data"
                )
            self._feed = feed
