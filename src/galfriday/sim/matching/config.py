"""The fill model's settings, with the defaults of DESIGN §7 and ``config.sections.backtest``.

One frozen object per engine, so a backtest, a paper session and the exchange simulator built from
the same settings fill identically.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from galfriday.sim.errors import SimError


class RemainderPolicy(StrEnum):
    """What happens to a market order's unfilled rest when the book's depth runs out.

    ``cancel`` is what Kraken does with a market order it cannot fill; ``keep`` lets the rest take
    liquidity from later book updates (useful for thin recorded books). IOC is always canceled and
    bar fills always carry a market rest to the next bar (the volume cap, not depth, stopped them).
    """

    CANCEL = "cancel"
    KEEP = "keep"


@dataclass(frozen=True, slots=True, kw_only=True)
class FillModelConfig:
    """How pessimistic the simulated fills are.

    - ``latency_ns``: an accepted order (or cancel) reaches the matching engine this much later;
      ``latency_jitter_ns`` adds a uniform 0..jitter drawn from the engine's seeded RNG.
    - ``slippage_bps``: adverse move applied to taker fills where no book shows the real price
      (bars and trade-only feeds); the slipped price is rounded to the tick away from the trader.
    - ``max_bar_volume_share``: at most this share of a bar's volume fills our orders in that bar.
    - ``limit_fill_on_touch``: a resting limit fills when a bar or a trade print merely *touches*
      its price; by default the market must trade *through* it (queue position is unknown).
    - ``market_remainder``: see ``RemainderPolicy``.
    - ``fee_decimals``: the fee is rounded up to this many decimals of the quote currency
      (Kraken's AssetPairs ``cost_decimals``, 5 for the USD pairs).
    """

    latency_ns: int = 100_000_000
    latency_jitter_ns: int = 0
    slippage_bps: Decimal = Decimal(5)
    max_bar_volume_share: Decimal = Decimal("0.1")
    limit_fill_on_touch: bool = False
    market_remainder: RemainderPolicy = RemainderPolicy.CANCEL
    fee_decimals: int = 5

    def __post_init__(self) -> None:
        if self.latency_ns < 0 or self.latency_jitter_ns < 0:
            raise SimError("latency_ns and latency_jitter_ns must be >= 0 (use 0 for no delay)")
        for name in ("slippage_bps", "max_bar_volume_share"):
            if not isinstance(getattr(self, name), Decimal):
                raise SimError(f"{name} must be a Decimal, e.g. Decimal('5'); floats are not money")
        if self.slippage_bps < 0:
            raise SimError(f"slippage_bps must be >= 0, got {self.slippage_bps}")
        if not Decimal(0) < self.max_bar_volume_share <= 1:
            raise SimError(f"max_bar_volume_share must be in (0, 1], got {self.max_bar_volume_share}")
        if self.fee_decimals < 0:
            raise SimError(f"fee_decimals must be >= 0, got {self.fee_decimals}")
