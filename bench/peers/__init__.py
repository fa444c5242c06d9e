"""Peer backtesters, run by ``bench.bench_backtest`` on the same bars with the same rule.

The rule everywhere: long only; enter when SMA(fast) of the closes crosses above SMA(slow), exit
when it crosses back below (previous bar at or below / above, current strictly above / at or
below); market orders sent at a bar's close fill at the next bar's open; commission as a fraction
of each fill's value. Each peer returns how many round trips it made, so a reader can see that
every engine did the same work.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PeerRun:
    name: str
    trades: int
    seconds: float
    note: str = ""
