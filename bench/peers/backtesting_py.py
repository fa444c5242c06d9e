"""backtesting.py 0.6 (event-driven over numpy arrays): ``Backtest(...).run()``, stats included."""

from __future__ import annotations

import time
import warnings
from typing import Any

import pandas as pd
from backtesting import Backtest, Strategy

from bench.peers import PeerRun


def run(candles: pd.DataFrame, fast: int, slow: int, fee: float) -> PeerRun:
    class SmaCross(Strategy):
        def init(self) -> None:
            close = pd.Series(self.data.Close)
            self.fast = self.I(lambda: close.rolling(fast).mean().to_numpy())
            self.slow = self.I(lambda: close.rolling(slow).mean().to_numpy())

        def next(self) -> None:
            was_above, above = self.fast[-2] > self.slow[-2], self.fast[-1] > self.slow[-1]
            if not self.position and above and not was_above:
                self.buy(size=100)
            elif self.position and was_above and not above:
                self.position.close()

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stats: Any = Backtest(candles, SmaCross, cash=10_000_000, commission=fee, finalize_trades=False).run()
    return PeerRun("backtesting.py 0.6.6", len(stats["_trades"]), time.perf_counter() - start)
