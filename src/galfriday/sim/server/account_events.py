"""What happens to an account, as the WS private channels need to hear it.

``ExecutionUpdate`` is one ``executions`` report in Kraken's vocabulary (``exec_type`` as the
channel names it, including the separate ``filled`` report after a completing trade);
``BalanceChange`` is one ledger entry of the ``balances`` channel. ``record`` is the live order
record (for its fixed fields); the cumulative fields and status are copied at the moment of the
event, because one engine call can produce several fills of the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from galfriday.sim.server.orders import FillRecord, OrderRecord


@dataclass(frozen=True, slots=True)
class ExecutionUpdate:
    exec_type: str  # pending_new | new | trade | filled | canceled | expired | status
    record: OrderRecord
    ts_ns: int  # wall
    status: str  # the record's Kraken status at this event
    cum_qty: Decimal
    cum_cost: Decimal
    cum_fee: Decimal
    fill: FillRecord | None = None
    reason: str | None = None

    @classmethod
    def of(
        cls, exec_type: str, record: OrderRecord, ts_ns: int, fill: FillRecord | None = None
    ) -> ExecutionUpdate:
        return cls(
            exec_type,
            record,
            ts_ns,
            record.status,
            record.vol_exec,
            record.cost,
            record.fee,
            fill,
            record.reason,
        )


@dataclass(frozen=True, slots=True)
class BalanceChange:
    asset: str  # common code (USD, XRP)
    amount: Decimal  # signed change
    fee: Decimal
    balance: Decimal  # total after the change
    ref_id: str  # the trade's txid
    ledger_id: str
    ts_ns: int  # wall


class AccountListener(Protocol):
    """A private WS session following an account; called on the event loop, must not block."""

    def on_executions(self, updates: list[ExecutionUpdate]) -> None: ...

    def on_balances(self, changes: list[BalanceChange]) -> None: ...
