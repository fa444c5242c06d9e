"""Golden trade-list fingerprints on real data: a refactor that changes any trade shows up here.

Real XRP/USDT 5-minute candles (freqtrade test data, 1,999 bars, read as XRP/USD), the shared
acceptance settings (limit entries with a market fallback, 100 ms latency, 5 bps slippage,
SL 1 %, TP 1.5 %, one-hour time exit, fees 0.16 %/0.26 %), each rule strategy. If a change is
*meant* to alter trades (a fill-model fix, a new fee rounding), re-pin the values below in the
same commit and say why in its message; otherwise a failure here is a regression.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from galfriday.backtest import BacktestEngine, DataKind, Feed, StrategyKind, StrategySpec
from galfriday.backtest.instruments import backtest_instruments
from galfriday.strategy import RsiRule, SmaCrossRule
from tests.acceptance._backtest_kit import SETTINGS, xrp_5m_bars

GOLDEN = {
    "sma_10_30": (
        StrategySpec(StrategyKind.SMA, sma=SmaCrossRule(10, 30)),
        "b55c31445b287f5c9db9991382e671de9cff52c4ab8800c5778f1617834755ac",
        41,
        Decimal("9767.9239532471476"),
    ),
    "rsi_14_30_70": (
        StrategySpec(StrategyKind.RSI, rsi=RsiRule(14, 30, 70)),
        "632ce7f349757968fb374d0e714d4730d9d4c944ce284560ca4dc8635f5bdbc9",
        21,
        Decimal("9944.1662975061111"),
    ),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_the_trade_list_matches_its_golden_fingerprint(name: str, shared_data: Path) -> None:
    strategy, fingerprint, trades, final_equity = GOLDEN[name]
    bars = xrp_5m_bars(shared_data, SETTINGS)
    instruments = backtest_instruments(SETTINGS, SETTINGS.pairs)
    result = BacktestEngine(SETTINGS, instruments, strategy).run(Feed((bars,), DataKind.BARS, 300))
    assert (result.fingerprint, len(result.trades), result.metrics.final_equity) == (
        fingerprint,
        trades,
        final_equity,
    )
