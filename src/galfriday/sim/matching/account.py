"""The simulated account: per-asset balances and the part of each held for open orders.

One ``Account`` is shared by the engines of every pair (XRP/USD and DOGE/USD both spend USD), so a
hold placed by one pair's order is unavailable to the other's. Invariant, checked on every change:
``0 <= held <= total`` for every asset, so no balance ever goes negative; a caller that would
break it has a bug and gets a ``SimError`` instead of a silently wrong balance.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from galfriday.core.instruments import to_decimal
from galfriday.sim.errors import SimError
from galfriday.sim.matching.money import EXACT

ZERO = Decimal(0)


class Account:
    """Balances and holds; amounts are exact Decimals (strings and ints are accepted on input)."""

    __slots__ = ("_held", "_total")

    def __init__(self, balances: Mapping[str, Decimal | str | int] | None = None) -> None:
        self._total: dict[str, Decimal] = {}
        self._held: dict[str, Decimal] = {}
        for asset, amount in (balances or {}).items():
            self.deposit(asset, amount)

    # -- reading ----------------------------------------------------------------------------------

    def total(self, asset: str) -> Decimal:
        return self._total.get(asset, ZERO)

    def held(self, asset: str) -> Decimal:
        return self._held.get(asset, ZERO)

    def available(self, asset: str) -> Decimal:
        return EXACT.subtract(self._total.get(asset, ZERO), self._held.get(asset, ZERO))

    def balances(self) -> dict[str, Decimal]:
        """Total per asset (what Kraken's ``Balance`` returns)."""
        return dict(self._total)

    # -- funding (tests, the exchange simulator's accounts) --------------------------------------

    def deposit(self, asset: str, amount: Decimal | str | int) -> None:
        amount = to_decimal(amount)
        if amount < 0:
            raise SimError(f"deposit of {amount} {asset}: amounts must be >= 0 (use withdraw to take)")
        self._total[asset] = EXACT.add(self.total(asset), amount)

    def withdraw(self, asset: str, amount: Decimal | str | int) -> None:
        amount = to_decimal(amount)
        if amount < 0 or amount > self.available(asset):
            raise SimError(
                f"withdraw {amount} {asset}: only {self.available(asset)} is available "
                "(cancel open orders to release holds)"
            )
        self._total[asset] = EXACT.subtract(self.total(asset), amount)

    # -- holds and settlement (the matching engine) ----------------------------------------------

    def try_hold(self, asset: str, amount: Decimal) -> bool:
        """Reserve ``amount`` for an order; False (and nothing held) if not enough is available."""
        if amount > self.available(asset):
            return False
        self._held[asset] = EXACT.add(self.held(asset), amount)
        return True

    def release(self, asset: str, amount: Decimal) -> None:
        held = EXACT.subtract(self.held(asset), amount)
        if amount < 0 or held < 0:
            raise SimError(f"release {amount} {asset} exceeds the held {self.held(asset)} (engine bug)")
        self._held[asset] = held

    def pay_from_hold(self, asset: str, amount: Decimal) -> None:
        """Spend ``amount`` that an order had reserved (a fill's cost, fee or sold base)."""
        self.release(asset, amount)
        self._total[asset] = EXACT.subtract(self.total(asset), amount)

    def pay(self, asset: str, amount: Decimal) -> None:
        """Spend ``amount`` from what is available (the part of a fill its hold did not cover)."""
        if amount < 0 or amount > self.available(asset):
            raise SimError(f"pay {amount} {asset} exceeds the available {self.available(asset)} (engine bug)")
        self._total[asset] = EXACT.subtract(self.total(asset), amount)

    def receive(self, asset: str, amount: Decimal) -> None:
        if amount < 0:
            raise SimError(f"receive {amount} {asset}: amounts must be >= 0 (engine bug)")
        self._total[asset] = EXACT.add(self.total(asset), amount)
