"""Seeded synthetic candles — and the trade prints that rebuild them — for research without data.

The tick generator (``MarketGenerator``) is the exchange simulator's live market; weeks of it
would take minutes to generate. Research (training, backtests) wants weeks of one-minute candles
in milliseconds, so this draws them directly with numpy:

- log-returns ``r_t = mu_t + sqrt(h_t) * z_t`` with GARCH(1,1) variance ``h_t`` (calm and stormy
  periods cluster, as in real markets);
- an optional *drift* ``mu_t``, an AR(1) process (``drift_persistence`` = its per-bar
  autocorrelation, ``drift_share`` = its stationary standard deviation as a fraction of the
  per-bar volatility). With a share of 0 the market is a martingale and no model can beat it
  after fees; a positive share plants trend persistence a model can find. The demo says which
  one it uses — a synthetic edge is not evidence of a real one;
- an optional ``reversion``: a weak pull of the log-price back to where it started, so weeks of
  persistent drift stay in a plausible range instead of multiplying the price;
- highs and lows a random excursion beyond the open/close; volume log-normal, larger on big moves.

Prices are whole ticks of the instrument and volumes whole lots, so every value is exactly on its
grid. ``candles_as_trades`` turns candles into four prints per bar (open, the extreme nearer the
open, the other extreme, close) that a ``BarAggregator`` turns back into the same candles — how
the exchange simulator, which streams trades, can serve a candle market to a paper session.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa

from galfriday.core.instruments import Instrument
from galfriday.sim.errors import SimError

NS_PER_S = 1_000_000_000
#: Offsets of the four prints inside a bar, as fractions of the interval: all strictly inside it.
_PRINT_OFFSETS = (0.0, 0.25, 0.5, 0.75)


@dataclass(frozen=True, slots=True, kw_only=True)
class CandleProfile:
    """One pair's synthetic candles (volatilities are per bar, as fractions: 0.001 = 0.1 %)."""

    instrument: Instrument
    start_price: Decimal
    volatility: float = 0.0012  # the long-run per-bar standard deviation of log-returns
    garch_alpha: float = 0.06
    garch_beta: float = 0.92
    drift_persistence: float = 0.0  # per-bar autocorrelation of the drift, in [0, 1)
    drift_share: float = 0.0  # stationary std of the drift / volatility; 0: no drift at all
    reversion: float = 0.0  # per-bar pull of the log-price back to its start; keeps weeks in a range
    wick: float = 0.5  # mean high/low excursion beyond open/close, in units of volatility
    volume: Decimal = Decimal(20_000)  # median volume per bar, base units

    def __post_init__(self) -> None:
        name = self.instrument.symbol
        if self.start_price <= 0 or self.volume <= 0:
            raise SimError(f"{name}: start_price and volume must be > 0")
        if not 0 < self.volatility < 0.1:
            raise SimError(f"{name}: volatility is per bar and must be in (0, 0.1), got {self.volatility}")
        if self.garch_alpha < 0 or self.garch_beta < 0 or self.garch_alpha + self.garch_beta >= 1:
            raise SimError(f"{name}: need garch_alpha, garch_beta >= 0 with a sum below 1")
        if not 0 <= self.drift_persistence < 1 or self.drift_share < 0 or self.wick < 0:
            raise SimError(f"{name}: need 0 <= drift_persistence < 1, drift_share >= 0 and wick >= 0")
        if not 0 <= self.reversion < 1:
            raise SimError(f"{name}: reversion is a per-bar fraction in [0, 1), got {self.reversion}")


def synthetic_candles(
    profile: CandleProfile, *, bars: int, start_ns: int, interval_s: int = 60, seed: int = 0
) -> pa.Table:
    """``bars`` candles from ``start_ns`` (a bar's open time) on; the same arguments give the same
    table. Columns: timestamp (ns, UTC), open, high, low, close, volume (floats on the grid)."""
    if bars < 1 or interval_s < 1:
        raise SimError("need bars >= 1 and interval_s >= 1")
    rng = np.random.default_rng([seed, _stable_hash(profile.instrument.symbol)])
    returns = _returns(profile, bars, rng)
    tick = float(profile.instrument.tick)
    start = float(profile.start_price)
    closes = _to_ticks(start * np.exp(np.cumsum(returns)), tick)
    opens = np.concatenate(([_to_ticks(np.array([start]), tick)[0]], closes[:-1]))
    excursion = rng.exponential(profile.wick * profile.volatility, size=(2, bars))
    top, bottom = np.maximum(opens, closes), np.minimum(opens, closes)
    highs = np.maximum(np.round(top * np.exp(excursion[0])), top)  # already in ticks: round only
    lows = np.maximum(np.minimum(np.round(bottom * np.exp(-excursion[1])), bottom), 1)
    lot = float(profile.instrument.lot)
    size = float(profile.volume) * rng.lognormal(0.0, 0.5, bars) * (1 + np.abs(returns) / profile.volatility)
    volumes = np.maximum(np.round(size / lot), 4) * lot  # at least 4 lots: one per print
    places = -profile.instrument.tick.as_tuple().exponent  # type: ignore[operator]
    lot_places = -profile.instrument.lot.as_tuple().exponent  # type: ignore[operator]
    # rounded to the grid's decimals, each float prints as its exact decimal (0.5206, not 0.52060000001)
    return pa.table(
        {
            "timestamp": pa.array(start_ns + np.arange(bars, dtype=np.int64) * interval_s * NS_PER_S),
            "open": np.round(opens * tick, places),
            "high": np.round(highs * tick, places),
            "low": np.round(lows * tick, places),
            "close": np.round(closes * tick, places),
            "volume": np.round(volumes, lot_places),
        }
    )


def candles_as_trades(candles: pa.Table, instrument: Instrument, *, interval_s: int = 60) -> pa.Table:
    """Four prints per candle (see the module docstring): timestamp (ns), price, qty, side.

    The volume is split into four whole-lot parts; the side says which way the print moved the
    price, so the tape looks like aggressive flow chasing the candle's path."""
    opens, highs, lows, closes, volumes = (
        candles.column(name).to_numpy() for name in ("open", "high", "low", "close", "volume")
    )
    start = candles.column("timestamp").to_numpy().astype(np.int64)
    up = closes >= opens
    # up candles dip first (open, low, high, close); down candles spike first (open, high, low, close)
    path = np.stack([opens, np.where(up, lows, highs), np.where(up, highs, lows), closes], axis=1)
    offsets = (np.array(_PRINT_OFFSETS) * interval_s * NS_PER_S).astype(np.int64)
    stamps = start[:, None] + offsets[None, :]
    lot = float(instrument.lot)
    lots = np.round(volumes / lot).astype(np.int64)
    parts = np.stack([lots // 4 + (lots % 4 > k) for k in range(4)], axis=1) * lot
    moves = np.diff(np.concatenate([path[:, :1], path], axis=1), axis=1)
    sides = np.where(moves >= 0, "buy", "sell")
    return pa.table(
        {
            "timestamp": pa.array(stamps.ravel()),
            "price": path.ravel(),
            "qty": parts.ravel(),
            "side": sides.ravel(),
        }
    )


def _returns(profile: CandleProfile, bars: int, rng: np.random.Generator) -> np.ndarray:
    vol2 = profile.volatility**2
    alpha, beta = profile.garch_alpha, profile.garch_beta
    omega = vol2 * (1 - alpha - beta)
    shocks = rng.standard_normal(bars)
    rho = profile.drift_persistence
    drift_sd = profile.drift_share * profile.volatility
    innovations = rng.standard_normal(bars) * drift_sd * np.sqrt(1 - rho * rho)
    kappa = profile.reversion
    out = []
    h, mu, level = vol2, 0.0, 0.0  # level: log-price relative to the start
    for shock, innovation in zip(shocks.tolist(), innovations.tolist(), strict=True):
        mu = rho * mu + innovation  # a recursion: plain floats, ~0.3 µs a bar
        noise = math.sqrt(h) * shock
        r = mu + noise - kappa * level
        out.append(r)
        level += r
        h = omega + alpha * noise * noise + beta * h
    return np.array(out)


def _to_ticks(prices: np.ndarray, tick: float) -> np.ndarray:
    return np.maximum(np.round(prices / tick), 1)


def _stable_hash(text: str) -> int:
    """A seed component from a pair's name that, unlike ``hash``, is the same in every process."""
    return int.from_bytes(text.encode()[:8].ljust(8, b"\0"), "little")


__all__ = ["CandleProfile", "candles_as_trades", "synthetic_candles"]
