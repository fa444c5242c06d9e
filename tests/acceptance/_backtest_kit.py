"""Shared pieces of the backtest acceptance tests: real candles and comparable event keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from galfriday.backtest import backtest_instruments, open_file
from galfriday.config import Settings
from galfriday.core.events import BarClosed, Event

XRP_5M = "freqtrade/ohlcv/XRP_USDT_USDT-5m-futures.feather"
#: Every order path on: limit entries that time out into market orders, 100 ms latency, the
#: default 5 bps slippage, SL 1 %, TP 1.5 %, a one-hour time exit; HALTs out of the way.
SETTINGS = Settings.model_validate(
    {
        "pairs": ["XRP/USD"],
        "strategy": {
            "entry_order_type": "LIMIT",
            "entry_timeout_s": 400,
            "on_entry_timeout": "market",
            "sl_pct": "0.01",
            "tp_pct": "0.015",
            "max_holding_s": 3600,
        },
        "risk": {"loss_streak_halt": 1000, "loss_streak_warn": 999, "volatility_halt": {"enabled": False}},
        "backtest": {"fill_model": "bar", "latency_ms": 100},
    }
)

#: Process-random ids (signals, trades, events) differ on every run; everything else must not.
_RANDOM = frozenset({"event_id", "ts_init", "correlation_id", "signal_id", "trade_id", "prediction_event_id"})


def xrp_5m_bars(shared_data: Path, settings: Settings) -> list[BarClosed]:
    """Real XRP/USDT 5-minute candles (freqtrade test data, 1,999 bars) as XRP/USD bars."""
    instrument = backtest_instruments(settings, ["XRP/USD"])["XRP/USD"]
    return list(open_file(shared_data / XRP_5M, "XRP/USD", instrument))  # type: ignore[arg-type]


def key(event: Event) -> tuple[str, dict[str, Any]]:
    """What an event says, without the ids a process draws at random."""
    fields = {name: getattr(event, name) for name in event.__struct_fields__ if name not in _RANDOM}
    return type(event).__name__, fields
