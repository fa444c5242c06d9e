"""Builders for the backtest tests: bars from close prices, and settings that let rules trade.

``permissive`` settings switch off what would stop a small synthetic run for reasons beside the
point of a test (loss-streak and drawdown HALTs, the volatility HALT on made-up jumps) and make
the fill model the classic bar backtest's (latency 0, no slippage, no volume cap) unless a test
asks otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from galfriday.backtest import BacktestEngine, BacktestResult, DataKind, Feed, StrategyKind, StrategySpec
from galfriday.backtest.instruments import backtest_instruments
from galfriday.config import Settings
from galfriday.core.events import BarClosed
from galfriday.sim.ids import EventIds
from galfriday.strategy import SmaCrossRule

NS = 1_000_000_000
MINUTE = 60 * NS
T0 = 1_704_067_200 * NS  # 2024-01-01T00:00:00Z


def permissive(**sections: dict[str, Any]) -> Settings:
    base: dict[str, Any] = {
        "pairs": ["XRP/USD"],
        "strategy": {"entry_order_type": "MARKET", "sl_pct": "0.5", "tp_pct": "5", "max_holding_s": None},
        "risk": {
            "risk_per_trade_pct": "0.01",
            "loss_streak_halt": 10_000,
            "loss_streak_warn": 9_999,
            "max_daily_drawdown_pct": "0.9",
            "max_weekly_drawdown_pct": "0.95",
            "max_total_drawdown_pct": "0.99",
            "volatility_halt": {"enabled": False},
        },
        "backtest": {"fill_model": "bar", "latency_ms": 0, "slippage_bps": 0, "max_bar_volume_share": 1},
    }
    for name, values in sections.items():
        base[name] = base.get(name, {}) | values if isinstance(values, dict) else values
    return Settings.model_validate(base)


def bars(
    pair: str,
    closes: Sequence[str | float],
    *,
    start_ns: int = T0,
    interval_s: int = 60,
    volume: str = "100000",
    opens: Sequence[str | float] | None = None,
) -> list[BarClosed]:
    """One bar per close; each opens at ``opens[i]`` (default: the previous close), high/low span
    open and close by one tick."""
    ids = EventIds(f"test-bars:{pair}:{start_ns}")
    tick = Decimal("0.00001")
    out: list[BarClosed] = []
    previous = Decimal(str(closes[0]))
    for i, value in enumerate(closes):
        close = Decimal(str(value))
        open_ = Decimal(str(opens[i])) if opens is not None else previous
        open_time = start_ns + i * interval_s * NS
        out.append(
            BarClosed(
                ts_event=open_time + interval_s * NS,
                ts_init=open_time + interval_s * NS,
                event_id=ids(),
                pair=pair,
                interval_s=interval_s,
                open_time_ns=open_time,
                open=open_,
                high=max(open_, close) + tick,
                low=min(open_, close) - tick,
                close=close,
                volume=Decimal(volume),
                vwap=close,
                trade_count=10,
            )
        )
        previous = close
    return out


def run(
    settings: Settings,
    *sources: Sequence[BarClosed],
    strategy: StrategySpec | None = None,
    seed: int = 0,
    interval_s: int = 60,
) -> BacktestResult:
    instruments = backtest_instruments(settings, settings.pairs)
    spec = strategy or StrategySpec(StrategyKind.SMA, sma=SmaCrossRule(2, 4))
    return BacktestEngine(settings, instruments, spec, seed=seed).run(
        Feed(tuple(sources), DataKind.BARS, interval_s)
    )


def cross_up_then_down(n_up: int = 6, n_down: int = 6) -> list[float]:
    """Closes that make SMA(2) cross above SMA(4) once, then back below: one round trip."""
    flat = [1.0] * 5
    up = [1.0 + 0.01 * (i + 1) for i in range(n_up)]
    down = [up[-1] - 0.02 * (i + 1) for i in range(n_down)]
    return flat + up + down
