"""Round trips: from the fill that opens a position to the fill that brings it back to zero.

A trade carries what the ledger alone cannot know — its signal, strategy and exit reason — from
the order tags, and sums what the fills did: units and value in and out, every fee on both legs,
and the net realised P&L. It closes when the position returns to zero; a fill that flips the
position closes the trade and opens the next one with the remainder.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from galfriday.core.types import ExitReason, Side
from galfriday.portfolio.position import ZERO, FillEffect


@dataclass(slots=True)
class OpenTrade:
    pair: str
    side: Side  # side of the entry: BUY for a long
    signal_id: str | None
    strategy_id: str
    entry_time_ns: int
    entry_qty: Decimal = ZERO
    entry_value: Decimal = ZERO
    exit_qty: Decimal = ZERO
    exit_value: Decimal = ZERO
    fees: Decimal = ZERO
    realized_pnl: Decimal = ZERO

    def add(self, effect: FillEffect, price: Decimal) -> None:
        if effect.closed:
            self.exit_qty += effect.closed
            self.exit_value += effect.closed * price
            self.fees += effect.fee_on_close
            self.realized_pnl += effect.realized
        elif effect.fee_on_close:  # a fill that moved no units still cost its fee
            self.fees += effect.fee_on_close
            self.realized_pnl += effect.realized
        if effect.opened and not effect.flipped:
            self.entry_qty += effect.opened
            self.entry_value += effect.opened * price
            self.fees += effect.fee_on_open

    def close(self, exit_time_ns: int, reason: ExitReason) -> ClosedTrade:
        return ClosedTrade(
            pair=self.pair,
            side=self.side,
            signal_id=self.signal_id,
            strategy_id=self.strategy_id,
            qty=self.entry_qty,
            avg_entry_price=self.entry_value / self.entry_qty,
            avg_exit_price=self.exit_value / self.exit_qty,
            entry_time_ns=self.entry_time_ns,
            exit_time_ns=exit_time_ns,
            fees=self.fees,
            realized_pnl=self.realized_pnl,
            realized_pnl_pct=float(self.realized_pnl / self.entry_value),
            exit_reason=reason,
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: str(v) if isinstance(v, Decimal) else v for k, v in data.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OpenTrade:
        decimals = ("entry_qty", "entry_value", "exit_qty", "exit_value", "fees", "realized_pnl")
        values = {k: Decimal(v) if k in decimals else v for k, v in data.items()}
        values["side"] = Side(values["side"])
        return cls(**values)


@dataclass(frozen=True, slots=True)
class ClosedTrade:
    pair: str
    side: Side
    signal_id: str | None
    strategy_id: str
    qty: Decimal
    avg_entry_price: Decimal
    avg_exit_price: Decimal
    entry_time_ns: int
    exit_time_ns: int
    fees: Decimal
    realized_pnl: Decimal
    realized_pnl_pct: float
    exit_reason: ExitReason


def open_trade_for(
    pair: str, effect: FillEffect, price: Decimal, signal_id: str | None, strategy_id: str, now_ns: int
) -> OpenTrade:
    """The trade a fill opens (from flat, or with the remainder of a flip)."""
    return OpenTrade(
        pair=pair,
        side=Side.BUY if effect.qty_after > 0 else Side.SELL,
        signal_id=signal_id,
        strategy_id=strategy_id,
        entry_time_ns=now_ns,
        entry_qty=effect.opened,
        entry_value=effect.opened * price,
        fees=effect.fee_on_open,
    )
