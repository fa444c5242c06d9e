"""Our engine and backtesting.py agree trade for trade on an SMA-crossover rule over real candles.

The same long-only rule in both: enter when SMA(fast) of the closes crosses above SMA(slow), leave
when it crosses back below; real XRP/USDT candles from ../shared/data (5-minute and 1-hour).
Conventions aligned, and why:

- Fills: market orders sent at a bar's close fill at the next bar's open — backtesting.py's default
  (``trade_on_close=False``); ours with ``latency_ms: 0`` (a latency > 0 would meet the bar after
  next), ``slippage_bps: 0`` and ``max_bar_volume_share: 1`` (no volume cap).
- Commission: 0.26 % of each fill's value, on entry and on exit — backtesting.py
  ``commission=0.0026`` (applied at both ends since 0.4.0); ours ``execution.taker_fee: 0.0026``.
  Ours rounds each fee *up* to 5 decimals of USD (Kraken's ``cost_decimals``), so per-trade returns
  may differ by at most 1e-5 USD per fill over the fill's value: < 2e-7 here, the tolerance used.
- Crossover: ours is "previous fast <= previous slow and fast > slow" (and the mirror image to
  exit), and the backtesting.py strategy below is written the same way. ``backtesting.lib.crossover``
  uses a strict "<" on the previous bar, which differs on an exact tie: the 5-minute data has one
  (bar 1785, SMA(10) = SMA(30) = 1.07927 in pandas' arithmetic, below before, above after), where
  ``crossover`` would report no cross at all and miss that trade; ours enters on bar 1786's close.
  The test pins the tie count so this stays visible. Averages are floats in both (our running sum,
  pandas' rolling mean); equal trade lists show no decision falls between the two arithmetics.
- Exits: the rule's own exit only. Our kernel always brackets a position, so the stop-loss is set
  99 % below and the take-profit 100× above the entry (never reached), the time exit is off, and
  the HALT triggers (loss streak, drawdowns, volatility) are out of reach.
- Sizing differs on purpose: ours is risk-based (1 % of equity at the 99 % stop, rounded down to
  Kraken's lot of 1e-8 XRP), backtesting.py trades whole units (a fixed 100). Prices, bars and
  per-trade returns do not depend on size, so those are compared; P&L in money is not.
- Rounding: XRP/USD's tick is 0.00001 and these candles have at most 4 decimals, so prices are
  on the tick and no rounding happens; backtesting.py prints them as floats (1.2105000000000001),
  compared to 1e-12.
- Last bar: an order sent at the final close never fills in either; a position still open at the
  end is not a closed trade in either (backtesting.py ``finalize_trades=False``).
No difference remains.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.feather as feather
import pytest
from backtesting import Backtest, Strategy

from galfriday.backtest import BacktestEngine, DataKind, Feed, StrategyKind, StrategySpec, open_file
from galfriday.backtest.instruments import backtest_instruments
from galfriday.config import Settings
from galfriday.strategy import SmaCrossRule

FEE = 0.0026
SETTINGS = Settings.model_validate(
    {
        "pairs": ["XRP/USD"],
        "strategy": {"entry_order_type": "MARKET", "sl_pct": "0.99", "tp_pct": "100", "max_holding_s": None},
        "risk": {
            "risk_per_trade_pct": "0.01",
            "loss_streak_halt": 100_000,
            "loss_streak_warn": 99_999,
            "max_daily_drawdown_pct": "0.9",
            "max_weekly_drawdown_pct": "0.95",
            "max_total_drawdown_pct": "0.99",
            "volatility_halt": {"enabled": False},
        },
        "execution": {"taker_fee": str(FEE), "maker_fee": "0.0016"},
        "backtest": {"fill_model": "bar", "latency_ms": 0, "slippage_bps": 0, "max_bar_volume_share": 1},
    }
)
CASES = {
    # file, bar interval (s), fast, slow, exact ties of the two averages
    "5m": ("freqtrade/ohlcv/XRP_USDT_USDT-5m-futures.feather", 300, 10, 30, 1),
    "1h": ("freqtrade/ohlcv/XRP_USDT_USDT-1h-futures.feather", 3600, 5, 15, 0),
}

Trade = tuple[int, int, float, float, float]  # entry bar, exit bar, entry price, exit price, return


def _ours(path: Path, interval_s: int, fast: int, slow: int, index: dict[int, int]) -> list[Trade]:
    instruments = backtest_instruments(SETTINGS, SETTINGS.pairs)
    source = open_file(path, "XRP/USD", instruments["XRP/USD"])
    engine = BacktestEngine(
        SETTINGS, instruments, StrategySpec(StrategyKind.SMA, sma=SmaCrossRule(fast, slow))
    )
    result = engine.run(Feed((source,), DataKind.BARS, interval_s))
    assert not result.halts and not result.failures
    bar = interval_s * 1_000_000_000  # a fill is stamped with the close of the bar it filled in
    return [
        (
            index[t.entry_time_ns - bar],
            index[t.exit_time_ns - bar],
            float(t.avg_entry_price),
            float(t.avg_exit_price),
            t.realized_pnl_pct,
        )
        for t in result.trades
    ]


def _theirs(candles: pd.DataFrame, fast: int, slow: int) -> list[Trade]:
    class SmaCross(Strategy):
        def init(self) -> None:
            close = pd.Series(self.data.Close)
            self.fast = self.I(lambda: close.rolling(fast).mean().to_numpy())
            self.slow = self.I(lambda: close.rolling(slow).mean().to_numpy())

        def next(self) -> None:
            was_above = self.fast[-2] > self.slow[-2]
            above = self.fast[-1] > self.slow[-1]
            if not self.position and above and not was_above:
                self.buy(size=100)
            elif self.position and was_above and not above:
                self.position.close()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "some trades remain open" and progress chatter
        stats = Backtest(candles, SmaCross, cash=1_000_000, commission=FEE, finalize_trades=False).run()
    trades = stats["_trades"]
    return [
        (int(a), int(b), float(p), float(q), float(r))
        for a, b, p, q, r in zip(
            trades.EntryBar,
            trades.ExitBar,
            trades.EntryPrice,
            trades.ExitPrice,
            trades.ReturnPct,
            strict=True,
        )
    ]


def _candles(path: Path) -> pd.DataFrame:
    frame: Any = feather.read_table(path).to_pandas().set_index("date")
    frame.columns = [c.capitalize() for c in frame.columns]
    return frame


@pytest.mark.parametrize("case", sorted(CASES))
def test_sma_crossover_trades_match_backtesting_py(case: str, shared_data: Path) -> None:
    relative, interval_s, fast, slow, ties = CASES[case]
    path = shared_data / relative
    candles = _candles(path)
    index = {int(ts.value): i for i, ts in enumerate(candles.index)}
    averages = [candles.Close.rolling(n).mean() for n in (fast, slow)]
    assert int((averages[0] == averages[1]).sum()) == ties  # where backtesting.lib.crossover would differ

    ours, theirs = _ours(path, interval_s, fast, slow, index), _theirs(candles, fast, slow)
    assert len(ours) == len(theirs) >= 2
    assert [t[:2] for t in ours] == [t[:2] for t in theirs]  # the same entry and exit bars
    for mine, other in zip(ours, theirs, strict=True):
        assert mine[2:4] == pytest.approx(other[2:4], rel=1e-12)  # at the same prices
        assert mine[4] == pytest.approx(other[4], abs=2e-7)  # and the same return net of commission
