"""Resample bars to a higher timeframe (1 m -> 5 m, 15 m, 1 h, 1 d ...), exactly.

A target bar covers ``[open_time, open_time + interval)`` aligned to the Unix epoch, the same
rule ``bars.bucket_start`` uses, so 5 m bars start at :00, :05, ... and 1 d bars at 00:00 UTC.
Aggregation: open of the first bar, max high, min low, close of the last bar, summed volume and
trade count, and VWAP = sum(vwap_i * volume_i) / sum(volume_i) (exact up to the rounding of the
input VWAPs to ``VWAP_DECIMALS``). A target bar exists when at least one source bar falls in it,
so ``skip``-policy gaps stay gaps; a target bar made only of synthetic bars is synthetic (zero
volume, vwap = close). A trailing target bar may be incomplete if the source ends inside it:
callers that need only complete bars drop it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Context, Decimal, Inexact, InvalidOperation, Overflow

from galfriday.core.errors import GalFridayError
from galfriday.core.events import BarClosed
from galfriday.marketdata.bars import NS_PER_S, bucket_start, vwap_of

_EXACT = Context(prec=100, traps=[InvalidOperation, Overflow, Inexact])


class ResampleError(GalFridayError, ValueError):
    """The bars cannot be resampled as asked (mixed pairs or intervals, unsorted, bad multiple)."""


def _check(bars: Sequence[BarClosed], interval_s: int) -> None:
    first = bars[0]
    if interval_s % first.interval_s or interval_s < first.interval_s:
        raise ResampleError(
            f"cannot resample {first.interval_s} s bars to {interval_s} s: the target must be a whole "
            "multiple of the source interval"
        )
    prev = None
    for i, bar in enumerate(bars):
        if bar.pair != first.pair or bar.interval_s != first.interval_s:
            raise ResampleError(
                f"bar {i} is {bar.pair} {bar.interval_s} s but bar 0 is {first.pair} {first.interval_s} s; "
                "resample one pair and one interval at a time"
            )
        if prev is not None and bar.open_time_ns <= prev:
            raise ResampleError(
                f"bar {i} (open {bar.open_time_ns} ns) is not after bar {i - 1}; sort and dedupe first"
            )
        prev = bar.open_time_ns


def _merge(group: Sequence[BarClosed], interval_s: int, open_time_ns: int) -> BarClosed:
    volume = Decimal(0)
    notional = Decimal(0)
    for bar in group:
        volume = _EXACT.add(volume, bar.volume)
        notional = _EXACT.add(notional, _EXACT.multiply(bar.vwap, bar.volume))
    last = group[-1]
    synthetic = all(b.is_synthetic for b in group)
    close_ns = open_time_ns + interval_s * NS_PER_S
    return BarClosed(
        ts_event=close_ns,
        ts_init=close_ns,
        pair=last.pair,
        interval_s=interval_s,
        open_time_ns=open_time_ns,
        open=group[0].open,
        high=max(b.high for b in group),
        low=min(b.low for b in group),
        close=last.close,
        volume=volume,
        vwap=vwap_of(notional, volume) if volume else last.close,
        trade_count=sum(b.trade_count for b in group),
        is_synthetic=synthetic,
    )


def resample_bars(bars: Sequence[BarClosed], interval_s: int) -> list[BarClosed]:
    """Bars of one pair and interval, sorted by open time -> bars of ``interval_s`` seconds."""
    if not bars:
        return []
    _check(bars, interval_s)
    interval_ns = interval_s * NS_PER_S
    out: list[BarClosed] = []
    group: list[BarClosed] = []
    group_start = bucket_start(bars[0].open_time_ns, interval_ns)
    for bar in bars:
        start = bucket_start(bar.open_time_ns, interval_ns)
        if start != group_start:
            out.append(_merge(group, interval_s, group_start))
            group, group_start = [], start
        group.append(bar)
    out.append(_merge(group, interval_s, group_start))
    return out
