"""Trade flow over a time window: volume delta (taker buy − taker sell volume) and trade VWAP.

The window ending at ``t`` holds the trades with ``t - window < ts <= t``: a trade stamped after
``t`` is never counted at ``t`` even when it arrived first (no look-ahead).

The sums are exact: trades carry Decimal prices and quantities, and adding and removing them in
Decimal arithmetic (60 significant digits, ``Inexact`` trapped so a lost digit could never pass
silently) leaves no rounding to drift however many trades pass through. Exactness also makes the
batch twin simple and identical: any way of adding the same trades — here, differences of prefix
sums — gives the same Decimal, hence the same float.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import deque
from collections.abc import Sequence
from decimal import Context, Decimal, DivisionByZero, Inexact, InvalidOperation, Overflow
from typing import NamedTuple

import numpy as np

NS_PER_S = 1_000_000_000
EXACT = Context(prec=60, traps=[Inexact, InvalidOperation, Overflow, DivisionByZero])
"""Adds, subtracts and multiplies trade values; raises rather than round."""
_DIVIDE = Context(prec=60, traps=[InvalidOperation, DivisionByZero])
_ZERO = Decimal(0)


class FlowValue(NamedTuple):
    volume_delta: float
    vwap: float  # NaN when the window holds no trade


def to_decimal(value: Decimal | str | float | int) -> Decimal:
    """Exact Decimal of an exchange number; a float goes through its shortest repr ("0.51234")."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(float(value)))  # float(): numpy's repr is "np.float64(...)"
    if isinstance(value, str):
        return Decimal(value)
    return Decimal(int(value))


def _flow(signed: Decimal, notional: Decimal, volume: Decimal) -> FlowValue:
    vwap = float(_DIVIDE.divide(notional, volume)) if volume else math.nan
    return FlowValue(float(signed), vwap)


_add, _subtract, _multiply, _minus = EXACT.add, EXACT.subtract, EXACT.multiply, EXACT.minus
Trade = tuple[int, Decimal, Decimal, Decimal]
"""(ts_ns, signed qty: + for a taker buy, notional = price·qty, qty) — a plain tuple: one per print."""


def _ts(trade: Trade) -> int:
    return trade[0]


class TradeFlow:
    """Streaming trade flow over ``window_s`` seconds, evaluated with ``at(t)``.

    ``at`` must be asked at non-decreasing times: trades at or before ``t - window`` are let go.
    Trades older than ``grace_s`` before the newest trade's window are let go on ``add`` too, so
    memory stays bounded when nobody asks; ``at`` should not be asked more than ``grace_s`` late.
    """

    __slots__ = ("_horizon_ns", "_last_at", "_notional", "_qty", "_signed", "_trades", "window_ns")

    def __init__(self, window_s: float, *, grace_s: float = 300.0) -> None:
        if not window_s > 0:
            raise ValueError(f"window_s must be > 0, got {window_s}")
        self.window_ns = round(window_s * NS_PER_S)
        self._horizon_ns = self.window_ns + round(grace_s * NS_PER_S)
        self._trades: deque[Trade] = deque()
        self._signed = self._notional = self._qty = _ZERO
        self._last_at: int | None = None

    def add(self, ts_ns: int, price: Decimal, qty: Decimal, is_buy: bool) -> None:
        """Count one trade; trades with a quantity <= 0 carry no information and are ignored."""
        if not qty > 0:
            return
        signed = qty if is_buy else _minus(qty)
        notional = _multiply(price, qty)
        trades = self._trades
        if trades and ts_ns < trades[-1][0]:  # out of order: keep the deque sorted by time
            trades.insert(bisect.bisect_right(trades, ts_ns, key=_ts), (ts_ns, signed, notional, qty))
        else:
            trades.append((ts_ns, signed, notional, qty))
        self._signed = _add(self._signed, signed)
        self._notional = _add(self._notional, notional)
        self._qty = _add(self._qty, qty)
        cutoff = trades[-1][0] - self._horizon_ns
        if trades[0][0] <= cutoff:
            self._expire(cutoff)

    def _expire(self, cutoff_ns: int) -> None:
        trades = self._trades
        while trades and trades[0][0] <= cutoff_ns:
            _, signed, notional, qty = trades.popleft()
            self._signed = _subtract(self._signed, signed)
            self._notional = _subtract(self._notional, notional)
            self._qty = _subtract(self._qty, qty)

    def at(self, t_ns: int) -> FlowValue:
        """Volume delta and VWAP of the trades with ``t - window < ts <= t``."""
        if self._last_at is not None and t_ns < self._last_at:
            raise ValueError(f"TradeFlow.at went back in time ({t_ns} < {self._last_at})")
        self._last_at = t_ns
        self._expire(t_ns - self.window_ns)
        signed, notional, qty = self._signed, self._notional, self._qty
        for ts, s, n, q in reversed(self._trades):  # stamped after t but delivered early: leave out
            if ts <= t_ns:
                break
            signed, notional, qty = _subtract(signed, s), _subtract(notional, n), _subtract(qty, q)
        return _flow(signed, notional, qty)


class TradePrints:
    """Batch twin of ``TradeFlow``: trade prints sorted by time with exact prefix sums, built once
    and then evaluated for any window at any times with ``flow``."""

    def __init__(
        self,
        ts_ns: np.ndarray,
        price: Sequence[Decimal | str | float],
        qty: Sequence[Decimal | str | float],
        is_buy: np.ndarray,
    ) -> None:
        ts = np.asarray(ts_ns, dtype=np.int64)
        order = np.argsort(ts, kind="stable").tolist()  # equal stamps keep their arrival order
        rows = [(to_decimal(price[i]), to_decimal(qty[i]), bool(is_buy[i])) for i in order]
        keep = [q > 0 for _, q, _ in rows]
        rows = [row for row, k in zip(rows, keep, strict=True) if k]
        self.ts_ns = ts[order][np.asarray(keep, dtype=bool)]
        columns = (
            [q if buy else _minus(q) for _, q, buy in rows],
            [_multiply(p, q) for p, q, _ in rows],
            [q for _, q, _ in rows],
        )
        self._prefix = [list(itertools.accumulate(col, _add, initial=_ZERO)) for col in columns]

    def flow(self, at_ns: np.ndarray, window_s: float) -> FlowValue:
        """(volume_delta, vwap) arrays: for each time t in ``at_ns``, the trades in (t - window, t]."""
        if not window_s > 0:
            raise ValueError(f"window_s must be > 0, got {window_s}")
        at = np.asarray(at_ns, dtype=np.int64)
        hi = np.searchsorted(self.ts_ns, at, side="right").tolist()
        lo = np.searchsorted(self.ts_ns, at - round(window_s * NS_PER_S), side="right").tolist()
        delta, vwap = np.empty(len(at)), np.empty(len(at))
        for i, (a, b) in enumerate(zip(lo, hi, strict=True)):
            signed, notional, volume = (_subtract(p[b], p[a]) for p in self._prefix)
            delta[i], vwap[i] = _flow(signed, notional, volume)
        return FlowValue(delta, vwap)
