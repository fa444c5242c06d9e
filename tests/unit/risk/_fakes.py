"""A PortfolioView whose every figure the test sets directly, and a HALT state to flip."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from galfriday.portfolio.drawdown import Drawdowns
from galfriday.risk.halt_record import HaltRecord

ZERO = Decimal(0)


@dataclass
class FakePortfolio:
    equity_value: Decimal = Decimal(100_000)
    free: Decimal = Decimal(100_000)
    prices: dict[str, Decimal] = field(default_factory=lambda: {"XRP/USD": Decimal("0.50000")})
    positions: dict[str, Decimal] = field(default_factory=dict)
    exposures: dict[str, Decimal] = field(default_factory=dict)
    dd: Drawdowns = field(default_factory=lambda: Drawdowns(ZERO, ZERO, ZERO))
    entry_orders: list[tuple[str, str]] = field(default_factory=list)
    seen: int = 0
    quote_currency: str = "USD"

    def equity(self) -> Decimal:
        return self.equity_value

    def free_balance(self) -> Decimal:
        return self.free

    def reference_price(self, pair: str) -> Decimal | None:
        return self.prices.get(pair)

    def position_qty(self, pair: str) -> Decimal:
        return self.positions.get(pair, ZERO)

    def exposure(self, pair: str) -> Decimal:
        return self.exposures.get(pair, ZERO)

    def total_exposure(self) -> Decimal:
        return sum(self.exposures.values(), ZERO)

    def drawdowns(self) -> Drawdowns:
        return self.dd

    def open_positions(self) -> dict[str, Decimal]:
        return {p: q for p, q in self.positions.items() if q}

    def open_entry_orders(self) -> list[tuple[str, str]]:
        return list(self.entry_orders)

    def approvals_seen(self) -> int:
        return self.seen


@dataclass
class FakeHalt:
    current: HaltRecord | None = None

    @property
    def is_halted(self) -> bool:
        return self.current is not None
