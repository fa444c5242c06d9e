"""The mini-backtest of a training report: what the predictions of one window would have earned.

A deliberately simple, documented cost model — not the matching engine — because it runs for every
walk-forward window of every candidate model on bars only (there is no order book in a candle file,
and the matching engine's bar model would add nothing here but its volume cap):

- one long position at a time (spot is long-only); a signal is P(up) > ``buy_threshold`` at the
  close of bar ``t``;
- entry at the **open of bar t+1** (what a signal at the close of ``t`` can get), market order;
- exits, checked bar by bar from the entry bar: stop-loss and take-profit on the bar's low/high
  (a bar touching both is a stop: pessimistic), a gap through a level fills at the bar's open; the
  time exit at the close of the ``max_holding_bars``-th bar; a reversal (P(up) < ``sell_threshold``
  at a bar close) exits at the next open; a position still open at the end of the data closes at
  the last close;
- costs: the taker fee on both legs (0.26 % each by default, ExecutionSettings.taker_fee) and an
  optional adverse slippage in basis points per leg. Every number reported is net of them.

Sharpe is the annualised mean / standard deviation of the per-bar returns of the equity curve
(flat bars earn 0) over the window; profit factor is gross gains / gross losses of net trade
returns (None when there is no losing trade); win rate is the share of trades with a net gain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from galfriday.config.sections.signal import StrategySettings
from galfriday.features.candles import CandleColumns
from galfriday.prediction.labels import DEFAULT_TAKER_FEE

SECONDS_PER_YEAR = 365 * 24 * 3600
_STRATEGY = StrategySettings()


@dataclass(frozen=True)
class CostModel:
    fee_rate: float = DEFAULT_TAKER_FEE  # per leg
    slippage_bps: float = 0.0  # adverse, per leg


@dataclass(frozen=True)
class TradingRules:
    """Entry and exit rules; the defaults are StrategySettings' (fixed 2 % stop, 4 % target)."""

    buy_threshold: float = _STRATEGY.buy_threshold
    sell_threshold: float = _STRATEGY.sell_threshold
    stop_loss: float = float(_STRATEGY.sl_pct)
    take_profit: float = float(_STRATEGY.tp_pct)
    max_holding_bars: int = 12  # StrategySettings.max_holding_s (3600 s) on 5-minute bars
    exit_on_reversal: bool = _STRATEGY.exit_on_reversal

    @classmethod
    def for_interval(cls, interval_s: int) -> TradingRules:
        """Rules with the strategy's default holding time expressed in bars of ``interval_s``."""
        hold = _STRATEGY.max_holding_s or 3600
        return cls(max_holding_bars=max(1, hold // interval_s))


@dataclass(frozen=True)
class BacktestResult:
    trade_returns: tuple[float, ...]  # net of fees and slippage, per trade
    sharpe: float
    exposure: float  # share of bars in the market

    @property
    def n_trades(self) -> int:
        return len(self.trade_returns)

    @property
    def win_rate(self) -> float | None:
        return sum(r > 0 for r in self.trade_returns) / self.n_trades if self.trade_returns else None

    @property
    def profit_factor(self) -> float | None:
        gains = sum(r for r in self.trade_returns if r > 0)
        losses = -sum(r for r in self.trade_returns if r < 0)
        return gains / losses if losses > 0 else None

    @property
    def net_return(self) -> float:
        """Compounded net return of the trades in sequence."""
        return float(np.prod([1 + r for r in self.trade_returns]) - 1) if self.trade_returns else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_trades": self.n_trades,
            "win_rate": self.win_rate,
            "profit_factor": self.profit_factor,
            "sharpe": self.sharpe,
            "net_return": self.net_return,
            "mean_trade_return": float(np.mean(self.trade_returns)) if self.trade_returns else None,
            "exposure": self.exposure,
        }


def mini_backtest(
    p_up: np.ndarray,
    rows: np.ndarray,
    bars: CandleColumns,
    interval_s: int,
    rules: TradingRules = TradingRules(),
    costs: CostModel = CostModel(),
) -> BacktestResult:
    """Trade the predictions ``p_up`` made at the closes of bars ``rows`` (sorted bar indices)."""
    n = len(bars.close)
    signal = np.full(n, np.nan)
    signal[rows] = p_up
    fee, slip = costs.fee_rate, costs.slippage_bps / 10_000
    equity, units, entry_bar, stop, take = 1.0, 0.0, -1, 0.0, 0.0
    marks: list[float] = [1.0]
    trades: list[float] = []
    start_equity = 1.0
    in_market = 0
    last = int(rows[-1]) if len(rows) else -1
    k = int(rows[0]) + 1 if len(rows) else n
    pending_exit = False
    while k < n and (k <= last + 1 or units > 0):
        if units == 0 and k - 1 <= last and signal[k - 1] > rules.buy_threshold:
            price = bars.open[k] * (1 + slip)
            start_equity = equity
            units = equity * (1 - fee) / price
            stop, take = price * (1 - rules.stop_loss), price * (1 + rules.take_profit)
            entry_bar = k
        if units > 0:
            in_market += 1
            exit_price = _exit_price(bars, k, k == entry_bar, stop, take, pending_exit)
            held = k - entry_bar + 1
            if exit_price is None and (held >= rules.max_holding_bars or k == n - 1):
                exit_price = bars.close[k]
            if exit_price is not None:
                equity = units * exit_price * (1 - slip) * (1 - fee)
                trades.append(float(equity / start_equity - 1))
                units, pending_exit = 0.0, False
            else:
                pending_exit = rules.exit_on_reversal and signal[k] < rules.sell_threshold
        marks.append(equity if units == 0 else units * bars.close[k])
        k += 1
    return BacktestResult(
        tuple(trades), _sharpe(np.asarray(marks), interval_s), in_market / max(1, len(marks) - 1)
    )


def _exit_price(
    bars: CandleColumns, k: int, entry_bar: bool, stop: float, take: float, reversal: bool
) -> float | None:
    """Where a long open at bar ``k`` exits, if it does: reversal, gaps, then the stop before the target."""
    o, h, lo = bars.open[k], bars.high[k], bars.low[k]
    if reversal:
        return float(o)
    if not entry_bar and o <= stop:
        return float(o)
    if lo <= stop:
        return stop
    if not entry_bar and o >= take:
        return float(o)
    if h >= take:
        return take
    return None


def _sharpe(marks: np.ndarray, interval_s: int) -> float:
    returns = marks[1:] / marks[:-1] - 1
    if len(returns) < 2:
        return 0.0
    std = float(np.std(returns, ddof=1))
    if std == 0 or not math.isfinite(std):
        return 0.0
    return float(np.mean(returns) / std * math.sqrt(SECONDS_PER_YEAR / interval_s))
