"""backtrader 1.9 (event-driven, pure Python): ``Cerebro.run()`` over a pandas feed.

Market orders go in at a bar's close and fill at the next bar's open (backtrader's default);
commission as a fraction of the fill's value. The data feed is built before the clock starts.
"""

from __future__ import annotations

import time

import backtrader as bt
import pandas as pd

from bench.peers import PeerRun


def run(candles: pd.DataFrame, fast: int, slow: int, fee: float) -> PeerRun:
    trades: list[int] = []

    class SmaCross(bt.Strategy):  # type: ignore[misc]
        def __init__(self) -> None:
            self.fast = bt.indicators.SimpleMovingAverage(self.data.close, period=fast)
            self.slow = bt.indicators.SimpleMovingAverage(self.data.close, period=slow)

        def next(self) -> None:
            if len(self) <= slow:
                return
            was_above, above = self.fast[-1] > self.slow[-1], self.fast[0] > self.slow[0]
            if not self.position and above and not was_above:
                self.buy(size=100)
            elif self.position and was_above and not above:
                self.close()

        def notify_trade(self, trade: bt.Trade) -> None:
            if trade.isclosed:
                trades.append(1)

    frame = candles.rename(columns=str.lower)
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(bt.feeds.PandasData(dataname=frame))
    cerebro.addstrategy(SmaCross)
    cerebro.broker.setcash(10_000_000)
    cerebro.broker.setcommission(commission=fee)
    start = time.perf_counter()
    cerebro.run()
    return PeerRun("backtrader 1.9.78", len(trades), time.perf_counter() - start)
