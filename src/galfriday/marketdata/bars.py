"""Trades -> OHLCV bars (with VWAP and trade count), streaming and in batch, one bucketing rule.

Why bars are built here: Kraken's OHLC stream has no "closed" flag, so the system builds its own
bars from public trades. A bar covers ``[open_time, open_time + interval)`` with boundaries
aligned to the Unix epoch (so 1 m bars start on the minute and 1 d bars at 00:00 UTC).

Streaming (``BarAggregator``): bars are closed by the *clock* — a ``core.clock`` timer firing at
each boundary (``SimClock`` in backtests, ``LiveClock`` live) — not by the next trade, so a quiet
market still produces its bar on time. A trade for an interval that is already closed is late: it
is not mixed in, it is counted and reported as ``DataQualityIssueDetected`` (kind
``out_of_order``). Duplicates (same ``trade_id`` seen recently, e.g. the trade snapshot replayed
after a reconnect) and non-positive or non-finite values are reported the same way.

Batch (``build_bars``): the same accumulator over a whole trade table (history, research), with
out-of-order timestamps and duplicate trade ids counted in the returned report.

Conventions, identical in both paths:
- open/close are the trades with the earliest/latest timestamp (ties: first/last seen), so the
  result does not depend on arrival order within an interval;
- volume = sum of quantities, trade_count = number of trades, vwap = sum(price*qty)/volume
  rounded half-even to ``VWAP_DECIMALS`` places; sums are exact (an inexact Decimal sum raises);
- empty intervals: ``skip`` (no bar) or ``carry_forward`` (a synthetic bar at the previous close,
  zero volume, vwap = close, ``is_synthetic=True``; only after the pair's first real bar).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from enum import StrEnum
from typing import Any, Protocol

import msgspec

from galfriday.core.clock import Clock
from galfriday.core.errors import GalFridayError
from galfriday.core.events import BarClosed, DataQualityIssueDetected, MarketTradeReceived, TimeEvent

NS_PER_S = 1_000_000_000
VWAP_DECIMALS = 18
_VWAP_QUANTUM = Decimal(1).scaleb(-VWAP_DECIMALS)
# Sums of prices x quantities must be exact: trap Inexact instead of silently rounding at 28 digits.
_EXACT = Context(prec=100, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])
_DIVIDE = Context(prec=100, traps=[InvalidOperation, DivisionByZero, Overflow])
_ZERO = Decimal(0)
_MAX_EXAMPLES = 10
# A LiveClock timer can fire a hair before its boundary (asyncio's clock resolution, wall vs
# monotonic clock); the boundary a firing stands for is taken as the one up to this much later.
_EARLY_FIRE_TOLERANCE_NS = 50_000_000


class EmptyBarPolicy(StrEnum):
    SKIP = "skip"
    CARRY_FORWARD = "carry_forward"


class TradeOutcome(StrEnum):
    """What ``BarAggregator.on_trade`` did with a trade."""

    ACCEPTED = "accepted"
    LATE = "late"  # its interval was already closed by the clock
    DUPLICATE = "duplicate"  # trade_id seen recently
    BAD_VALUE = "bad_value"  # price or qty not a positive finite number
    BEFORE_START = "before_start"  # in the interval the aggregator started inside: that bar would be partial


# ------------------------------------------------------------------------------- intervals

_INTERVAL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_INTERVAL_RE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")


class IntervalError(GalFridayError, ValueError):
    """An interval that is not of the form <n><s|m|h|d|w> or not positive."""


def parse_interval(value: str | int) -> int:
    """'1m' -> 60, '4h' -> 14400; an int is taken as seconds."""
    if isinstance(value, int):
        seconds = value
    else:
        m = _INTERVAL_RE.match(value.lower())
        if not m:
            raise IntervalError(f"interval {value!r} is not like '1m', '5m', '1h' or '1d'")
        seconds = int(m.group(1)) * _INTERVAL_UNITS[m.group(2)]
    if seconds <= 0:
        raise IntervalError(f"interval must be positive, got {value!r}")
    return seconds


def format_interval(seconds: int) -> str:
    """60 -> '1m', 3600 -> '1h': the largest unit that divides evenly."""
    for unit in ("w", "d", "h", "m", "s"):
        size = _INTERVAL_UNITS[unit]
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    raise AssertionError("unreachable: every interval divides by 1 s")


def bucket_start(ts_ns: int, interval_ns: int) -> int:
    """Open time of the interval containing ``ts_ns`` (epoch-aligned)."""
    return ts_ns - ts_ns % interval_ns


def vwap_of(notional: Decimal, volume: Decimal) -> Decimal:
    return _DIVIDE.divide(notional, volume).quantize(_VWAP_QUANTUM, ROUND_HALF_EVEN, _DIVIDE)


# ----------------------------------------------------------------------------- accumulator


class _BarAccumulator:
    """Running OHLCV of one interval; the one place both paths aggregate a trade."""

    __slots__ = ("close", "close_ts", "count", "high", "low", "notional", "open", "open_ts", "volume")

    def __init__(self, ts_ns: int, price: Decimal, qty: Decimal) -> None:
        self.open = self.high = self.low = self.close = price
        self.open_ts = self.close_ts = ts_ns
        self.volume = qty
        self.notional = _EXACT.multiply(price, qty)
        self.count = 1

    def add(self, ts_ns: int, price: Decimal, qty: Decimal) -> None:
        if price > self.high:
            self.high = price
        elif price < self.low:
            self.low = price
        if ts_ns < self.open_ts:
            self.open, self.open_ts = price, ts_ns
        if ts_ns >= self.close_ts:
            self.close, self.close_ts = price, ts_ns
        self.volume = _EXACT.add(self.volume, qty)
        self.notional = _EXACT.add(self.notional, _EXACT.multiply(price, qty))
        self.count += 1

    def to_bar(self, pair: str, interval_s: int, open_time_ns: int, ts_init: int) -> BarClosed:
        return BarClosed(
            ts_event=open_time_ns + interval_s * NS_PER_S,
            ts_init=ts_init,
            pair=pair,
            interval_s=interval_s,
            open_time_ns=open_time_ns,
            open=self.open,
            high=self.high,
            low=self.low,
            close=self.close,
            volume=self.volume,
            vwap=vwap_of(self.notional, self.volume),
            trade_count=self.count,
        )


def synthetic_bar(pair: str, interval_s: int, open_time_ns: int, close: Decimal, ts_init: int) -> BarClosed:
    """The carry-forward bar for an interval without trades."""
    return BarClosed(
        ts_event=open_time_ns + interval_s * NS_PER_S,
        ts_init=ts_init,
        pair=pair,
        interval_s=interval_s,
        open_time_ns=open_time_ns,
        open=close,
        high=close,
        low=close,
        close=close,
        volume=_ZERO,
        vwap=close,
        trade_count=0,
        is_synthetic=True,
    )


def _is_bad(price: Decimal, qty: Decimal) -> bool:
    return not (price.is_finite() and qty.is_finite() and price > 0 and qty > 0)


class TradeQualityReport(msgspec.Struct, kw_only=True):
    """Counts of trades that were not simply aggregated, with the first few explained."""

    accepted: int = 0
    late: int = 0
    duplicates: int = 0
    bad_values: int = 0
    out_of_order: int = 0  # batch: timestamp earlier than the previous row's (still aggregated)
    before_start: int = 0
    examples: list[str] = msgspec.field(default_factory=list)

    def note(self, detail: str) -> None:
        if len(self.examples) < _MAX_EXAMPLES:
            self.examples.append(detail)

    @property
    def clean(self) -> bool:
        return not (self.late or self.duplicates or self.bad_values or self.out_of_order)


# ----------------------------------------------------------------------------------- batch


class BarBuildResult(msgspec.Struct, frozen=True):
    bars: list[BarClosed]
    quality: TradeQualityReport


def build_bars(
    pair: str,
    ts_ns: Sequence[int],
    prices: Sequence[Decimal],
    qtys: Sequence[Decimal],
    *,
    trade_ids: Sequence[str | None] | None = None,
    interval_s: int = 60,
    empty_policy: EmptyBarPolicy = EmptyBarPolicy.SKIP,
) -> BarBuildResult:
    """Bars from a trade table given as columns (UTC ns timestamps, Decimal price and qty).

    Rows need not be sorted (each trade lands in its own interval; open/close follow timestamps),
    but rows whose timestamp goes backwards are counted as ``out_of_order``. A row whose
    ``trade_id`` was already seen is dropped and counted; bad values are dropped and counted.
    ``carry_forward`` fills gaps between the first and the last bar only (a table has no "now").
    Each bar's ``ts_event`` and ``ts_init`` are its close time, so results are reproducible.
    """
    if not len(ts_ns) == len(prices) == len(qtys) or (trade_ids is not None and len(trade_ids) != len(ts_ns)):
        raise ValueError("build_bars: columns must have the same length")
    interval_ns = interval_s * NS_PER_S
    carry = EmptyBarPolicy(empty_policy) is EmptyBarPolicy.CARRY_FORWARD
    report = TradeQualityReport()
    buckets: dict[int, _BarAccumulator] = {}
    seen: set[str] = set()
    prev_ts: int | None = None
    ids = trade_ids if trade_ids is not None else (None,) * len(ts_ns)
    for row, (ts, price, qty, trade_id) in enumerate(zip(ts_ns, prices, qtys, ids, strict=True)):
        if trade_id is not None:
            if trade_id in seen:
                report.duplicates += 1
                report.note(f"row {row}: duplicate trade_id {trade_id!r} dropped")
                continue
            seen.add(trade_id)
        if _is_bad(price, qty):
            report.bad_values += 1
            report.note(f"row {row}: bad price {price} or qty {qty} dropped")
            continue
        if prev_ts is not None and ts < prev_ts:
            report.out_of_order += 1
            report.note(f"row {row}: timestamp {ts} is before the previous row's {prev_ts}")
        else:
            prev_ts = ts
        start = ts - ts % interval_ns
        acc = buckets.get(start)
        if acc is None:
            buckets[start] = _BarAccumulator(ts, price, qty)
        else:
            acc.add(ts, price, qty)
        report.accepted += 1
    bars: list[BarClosed] = []
    for start in sorted(buckets):
        if carry and bars:
            prev = bars[-1]
            for gap in range(prev.open_time_ns + interval_ns, start, interval_ns):
                bars.append(synthetic_bar(pair, interval_s, gap, prev.close, gap + interval_ns))
        close_ns = start + interval_ns
        bars.append(buckets[start].to_bar(pair, interval_s, start, close_ns))
    return BarBuildResult(bars=bars, quality=report)


# ------------------------------------------------------------------------------- streaming


class Publisher(Protocol):
    def publish(self, event: Any) -> None: ...


class BarAggregator:
    """Builds bars per pair from ``MarketTradeReceived`` and publishes ``BarClosed`` on the clock.

    Wire it with ``bus.subscribe(MarketTradeReceived, agg.on_trade)`` and ``agg.start()``. At each
    boundary (plus ``close_delay_ms``, a grace period for trades still in flight when running
    live) every interval that ended is closed and published in time order, then those intervals
    are sealed: later trades for them are late. If started in the middle of an interval, that
    interval is ignored (its bar would miss the trades before the start).
    """

    def __init__(
        self,
        clock: Clock,
        bus: Publisher,
        *,
        interval_s: int = 60,
        empty_policy: EmptyBarPolicy = EmptyBarPolicy.SKIP,
        close_delay_ms: int = 0,
        dedupe_window: int = 1000,
        name: str = "bars",
    ) -> None:
        if interval_s <= 0:
            raise IntervalError(f"interval_s must be positive, got {interval_s}")
        if close_delay_ms < 0 or close_delay_ms >= interval_s * 1000:
            raise IntervalError(f"close_delay_ms must be in [0, interval), got {close_delay_ms}")
        self._clock = clock
        self._bus = bus
        self.interval_s = interval_s
        self.empty_policy = EmptyBarPolicy(empty_policy)
        self._interval_ns = interval_s * NS_PER_S
        self._delay_ns = close_delay_ms * 1_000_000
        self._dedupe_window = dedupe_window
        self.timer_name = f"{name}:{format_interval(interval_s)}"
        self._open: dict[str, dict[int, _BarAccumulator]] = {}
        self._last_close: dict[str, Decimal] = {}
        self._next_open: dict[str, int] = {}  # first interval not yet emitted, per pair
        self._recent_ids: dict[str, tuple[deque[str], set[str]]] = {}
        self._closed_until: int | None = None  # every interval before this is sealed
        self._accept_from: int | None = None
        self.quality = TradeQualityReport()

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the boundary timer; the first bar is the first interval that starts at or after now."""
        now = self._clock.timestamp_ns()
        current = bucket_start(now, self._interval_ns)
        self._accept_from = current if now == current else current + self._interval_ns
        self._clock.set_timer(
            self.timer_name, self._interval_ns, self._on_timer, start_ns=current + self._delay_ns
        )

    def stop(self) -> None:
        """Stop the timer. Open intervals are not published: they are incomplete."""
        self._clock.cancel_timer(self.timer_name)

    # -- trades ---------------------------------------------------------------------------------

    def on_trade(self, trade: MarketTradeReceived) -> TradeOutcome:
        pair, ts, price, qty = trade.pair, trade.ts_event, trade.price, trade.qty
        if _is_bad(price, qty):
            return self._reject(trade, TradeOutcome.BAD_VALUE, "bad_value", f"price {price} qty {qty}")
        if trade.trade_id and self._seen(pair, trade.trade_id):
            return self._reject(trade, TradeOutcome.DUPLICATE, "duplicate", f"trade_id {trade.trade_id}")
        if self._closed_until is not None and ts < self._closed_until:
            detail = (
                f"late trade at {ts} ns (id {trade.trade_id or '-'}) for an interval closed at "
                f"{self._closed_until} ns; not included in the bar"
            )
            return self._reject(trade, TradeOutcome.LATE, "out_of_order", detail)
        if self._accept_from is not None and ts < self._accept_from:
            self.quality.before_start += 1
            return TradeOutcome.BEFORE_START
        if trade.trade_id:
            self._remember(pair, trade.trade_id)
        start = ts - ts % self._interval_ns
        buckets = self._open.setdefault(pair, {})
        acc = buckets.get(start)
        if acc is None:
            buckets[start] = _BarAccumulator(ts, price, qty)
        else:
            acc.add(ts, price, qty)
        self.quality.accepted += 1
        return TradeOutcome.ACCEPTED

    def _seen(self, pair: str, trade_id: str) -> bool:
        entry = self._recent_ids.get(pair)
        return entry is not None and trade_id in entry[1]

    def _remember(self, pair: str, trade_id: str) -> None:
        order, ids = self._recent_ids.setdefault(pair, (deque(), set()))
        order.append(trade_id)
        ids.add(trade_id)
        if len(order) > self._dedupe_window:
            ids.discard(order.popleft())

    def _reject(
        self, trade: MarketTradeReceived, outcome: TradeOutcome, kind: str, detail: str
    ) -> TradeOutcome:
        q = self.quality
        if outcome is TradeOutcome.LATE:
            q.late += 1
        elif outcome is TradeOutcome.DUPLICATE:
            q.duplicates += 1
        else:
            q.bad_values += 1
        q.note(f"{trade.pair}: {detail}")
        self._bus.publish(
            DataQualityIssueDetected(
                ts_event=trade.ts_event,
                ts_init=self._clock.timestamp_ns(),
                pair=trade.pair,
                kind=kind,
                detail=f"bar aggregator: {detail}",
            )
        )
        return outcome

    # -- closing --------------------------------------------------------------------------------

    def _on_timer(self, event: TimeEvent) -> None:
        due = event.ts_event - self._delay_ns + _EARLY_FIRE_TOLERANCE_NS
        self.close_until(bucket_start(due, self._interval_ns))

    def close_until(self, boundary_ns: int) -> list[BarClosed]:
        """Close and publish every interval that ends at or before ``boundary_ns``; return the bars.

        The timer calls this; call it directly only to close on an external signal (e.g. a
        replay that ends on a boundary).
        """
        if self._closed_until is not None and boundary_ns <= self._closed_until:
            return []
        ts_init = self._clock.timestamp_ns()
        carry = self.empty_policy is EmptyBarPolicy.CARRY_FORWARD
        out: list[BarClosed] = []
        # Pairs in first-seen order (not a set): a backtest must publish in the same order every run.
        for pair in dict.fromkeys([*self._open, *self._last_close]):
            buckets = self._open.get(pair, {})
            for start in sorted(s for s in buckets if s < boundary_ns):
                if carry:
                    self._fill(pair, start, ts_init, out)
                bar = buckets.pop(start).to_bar(pair, self.interval_s, start, ts_init)
                out.append(bar)
                self._last_close[pair] = bar.close
                self._next_open[pair] = start + self._interval_ns
            if carry:
                self._fill(pair, boundary_ns, ts_init, out)
        self._closed_until = boundary_ns
        out.sort(key=lambda b: b.open_time_ns)
        for bar in out:
            self._bus.publish(bar)
        return out

    def _fill(self, pair: str, until_ns: int, ts_init: int, out: list[BarClosed]) -> None:
        """Synthetic bars for the pair's empty intervals before ``until_ns`` (after its first bar)."""
        close = self._last_close.get(pair)
        if close is None:
            return
        for start in range(self._next_open[pair], until_ns, self._interval_ns):
            out.append(synthetic_bar(pair, self.interval_s, start, close, ts_init))
        self._next_open[pair] = max(self._next_open[pair], until_ns)
