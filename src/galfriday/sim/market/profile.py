"""What a synthetic market looks like, per pair: start price, book shape, volatility, activity.

Prices and sizes inside the generator are integers (ticks and lots of the instrument), so every
emitted price and quantity is exactly on the instrument's grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from galfriday.core.instruments import Instrument, default_instruments
from galfriday.sim.errors import SimError


@dataclass(frozen=True, slots=True, kw_only=True)
class PairProfile:
    """One pair's synthetic market.

    Book: ``depth`` levels a side (Kraken serves 10/25/100/...), spread drawn from
    ``spread_ticks`` (min, max) whenever a side re-quotes, gaps between adjacent levels from
    ``level_gap_ticks``, level sizes log-normal around ``level_qty`` (base units).
    Trades: arrivals follow a Hawkes process (baseline ``trade_rate_hz``, each trade adds
    ``hawkes_jump_hz`` to the intensity, decaying at ``hawkes_decay_hz``; stationary while
    jump < decay), sizes log-normal around ``trade_qty``. Between trades, book updates (adds,
    cancels, quote improvements) arrive as a Poisson process at ``book_update_hz``.
    Volatility: the fair price takes a log-return per trade with GARCH(1,1) variance
    ``h' = garch_omega + garch_alpha * r**2 + garch_beta * h``; aggressive flow chases the fair
    price through the book, so calm and stormy periods cluster.
    """

    instrument: Instrument
    start_price: Decimal
    depth: int = 25
    spread_ticks: tuple[int, int] = (1, 3)
    level_gap_ticks: tuple[int, int] = (1, 2)
    level_qty: Decimal = Decimal(2000)
    trade_qty: Decimal = Decimal(400)
    trade_rate_hz: float = 0.5
    hawkes_jump_hz: float = 2.0
    hawkes_decay_hz: float = 2.5
    book_update_hz: float = 8.0
    garch_omega: float = 4e-11
    garch_alpha: float = 0.08
    garch_beta: float = 0.9

    def __post_init__(self) -> None:
        name = self.instrument.symbol
        if self.depth < 10:
            raise SimError(f"{name}: depth must be >= 10 (the book checksum covers 10 levels)")
        lo, hi = self.spread_ticks
        if not 1 <= lo <= hi:
            raise SimError(f"{name}: spread_ticks must be (min, max) with 1 <= min <= max")
        glo, ghi = self.level_gap_ticks
        if not 1 <= glo <= ghi:
            raise SimError(f"{name}: level_gap_ticks must be (min, max) with 1 <= min <= max")
        if not 0 <= self.hawkes_jump_hz < self.hawkes_decay_hz:
            raise SimError(f"{name}: hawkes_jump_hz must be below hawkes_decay_hz, or trades explode")
        if self.garch_alpha + self.garch_beta >= 1 or min(self.garch_alpha, self.garch_beta) < 0:
            raise SimError(f"{name}: need garch_alpha + garch_beta < 1 (both >= 0) for a finite variance")
        if min(self.trade_rate_hz, self.book_update_hz, self.garch_omega) <= 0:
            raise SimError(f"{name}: trade_rate_hz, book_update_hz and garch_omega must be > 0")
        if self.start_price <= 0 or self.level_qty <= 0 or self.trade_qty <= 0:
            raise SimError(f"{name}: start_price, level_qty and trade_qty must be > 0")
        if self.start_price < 100 * self.depth * ghi * self.instrument.tick:
            raise SimError(
                f"{name}: start_price {self.start_price} is too close to zero for a book of depth "
                f"{self.depth} with gaps up to {ghi} ticks; raise it or narrow level_gap_ticks"
            )


def default_profiles() -> tuple[PairProfile, ...]:
    """XRP/USD and DOGE/USD with Kraken's tick/lot sizes; prices near their 2024 levels.

    DOGE's tick (1e-7 at ~0.12) is a tiny fraction of its price, so its levels sit further apart
    in ticks than XRP's; per-trade volatility is set so a typical move spans a few levels.
    """
    instruments = default_instruments()
    return (
        PairProfile(instrument=instruments["XRP/USD"], start_price=Decimal("0.52000")),
        PairProfile(
            instrument=instruments["DOGE/USD"],
            start_price=Decimal("0.1200000"),
            spread_ticks=(2, 10),
            level_gap_ticks=(2, 20),
            level_qty=Decimal(20000),
            trade_qty=Decimal(5000),
            trade_rate_hz=0.4,
            book_update_hz=6.0,
            garch_omega=2e-11,
        ),
    )
