"""The contract between execution and the ledger: why each order exists.

A fill says what was traded, not why. A closed trade must name its signal, its strategy and its
exit reason (TP_HIT, SL_HIT, TIME_EXIT, REVERSAL, MANUAL_CLOSE, HALT), and the ledger must know
which orders are entries of which signal to reserve cash for them. So the execution side tags
every order it creates, *before* it sends it (the same moment it writes the PENDING_NEW row):

    order_tags.register(client_order_id, OrderTag.entry(signal_id, strategy_id))
    order_tags.register(client_order_id, OrderTag.stop_loss(signal_id, strategy_id))
    order_tags.register(client_order_id, OrderTag.take_profit(signal_id, strategy_id))
    order_tags.register(client_order_id, OrderTag.exit(close_position.reason, signal_id, strategy_id))

``purpose`` values equal ``SubmitOrder.purpose``. The rest of the contract:
- every order ends in a terminal event the bus carries (``OrderFilled`` with ``leaves_qty == 0``,
  ``OrderCanceled``, ``OrderExpired`` or ``OrderRejected``); the cash reserved for an approved entry
  is released when all entry orders of its signal have ended, so an approved signal the execution
  side decides not to send still gets a registered order and an ``OrderRejected``;
- a replacement entry order (limit timed out → market) is registered before the original's
  cancel is published, so the signal's entry never looks finished in between;
- ``ClosePosition`` is idempotent per pair: strategy exits and HALT may both ask for the same
  position to be closed, and only one exit order may result;
- an order that was never tagged (a person trading on the exchange, an order from before a
  restart) is still booked; a trade it closes is recorded as MANUAL_CLOSE.

One registry is shared by the execution side (writes), the PortfolioManager and the
StrategyArbitrator (read, and mark orders finished as their terminal events arrive). All callers
run on the event loop's thread, so no lock is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from galfriday.core.errors import GalFridayError
from galfriday.core.types import ExitReason


class OrderPurpose(StrEnum):
    ENTRY = "entry"
    STOP_LOSS = "stop_loss"
    TAKE_PROFIT = "take_profit"
    EXIT = "exit"  # a ClosePosition: time exit, reversal, manual close, HALT


_PURPOSE_REASON = {OrderPurpose.STOP_LOSS: ExitReason.SL_HIT, OrderPurpose.TAKE_PROFIT: ExitReason.TP_HIT}


class OrderTagError(GalFridayError):
    """An order tag that contradicts itself or an earlier registration."""


@dataclass(frozen=True, slots=True)
class OrderTag:
    purpose: OrderPurpose
    signal_id: str | None = None
    strategy_id: str = ""
    exit_reason: ExitReason | None = None

    def __post_init__(self) -> None:
        expected = _PURPOSE_REASON.get(self.purpose)
        if self.purpose is OrderPurpose.ENTRY and self.exit_reason is not None:
            raise OrderTagError("an entry order has no exit reason; tag exits with OrderTag.exit(reason)")
        if expected is not None and self.exit_reason not in (None, expected):
            raise OrderTagError(f"a {self.purpose} order exits with {expected}, not {self.exit_reason}")
        if self.purpose is OrderPurpose.EXIT and self.exit_reason is None:
            raise OrderTagError("an exit order needs the ClosePosition's reason: OrderTag.exit(reason, ...)")

    @classmethod
    def entry(cls, signal_id: str | None, strategy_id: str) -> OrderTag:
        return cls(OrderPurpose.ENTRY, signal_id, strategy_id)

    @classmethod
    def stop_loss(cls, signal_id: str | None, strategy_id: str) -> OrderTag:
        return cls(OrderPurpose.STOP_LOSS, signal_id, strategy_id, ExitReason.SL_HIT)

    @classmethod
    def take_profit(cls, signal_id: str | None, strategy_id: str) -> OrderTag:
        return cls(OrderPurpose.TAKE_PROFIT, signal_id, strategy_id, ExitReason.TP_HIT)

    @classmethod
    def exit(cls, reason: ExitReason, signal_id: str | None = None, strategy_id: str = "") -> OrderTag:
        return cls(OrderPurpose.EXIT, signal_id, strategy_id, reason)

    @property
    def closes_with(self) -> ExitReason:
        """The exit reason of a trade this order closes (entries only close flips: MANUAL_CLOSE)."""
        if self.exit_reason is not None:
            return self.exit_reason
        return _PURPOSE_REASON.get(self.purpose, ExitReason.MANUAL_CLOSE)

    def to_json(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose.value,
            "signal_id": self.signal_id,
            "strategy_id": self.strategy_id,
            "exit_reason": None if self.exit_reason is None else self.exit_reason.value,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OrderTag:
        reason = data.get("exit_reason")
        return cls(
            OrderPurpose(data["purpose"]),
            data.get("signal_id"),
            data.get("strategy_id", ""),
            None if reason is None else ExitReason(reason),
        )


class OrderTagRegistry:
    """client_order_id → OrderTag, plus which orders have reached a terminal state.

    Finished orders are kept for the ``retain_finished`` most recent ones, so every subscriber that
    reacts to the same terminal event can still look the tag up, whatever order it runs in, while
    memory stays bounded however long the process runs.
    """

    def __init__(self, *, retain_finished: int = 10_000) -> None:
        if retain_finished < 1:
            raise ValueError("retain_finished must be >= 1")
        self._tags: dict[str, OrderTag] = {}
        self._entries_by_signal: dict[str, set[str]] = {}
        self._finished: dict[str, None] = {}  # insertion-ordered set: oldest first
        self._retain = retain_finished

    def register(self, client_order_id: str, tag: OrderTag) -> None:
        """Tag an order before it is sent. Re-registering the same tag is a no-op; a different one
        is refused, because the ledger may already have booked fills under the first."""
        known = self._tags.get(client_order_id)
        if known is not None:
            if known != tag:
                raise OrderTagError(
                    f"order {client_order_id} is already tagged {known}; use a new client_order_id"
                )
            return
        self._tags[client_order_id] = tag
        if tag.purpose is OrderPurpose.ENTRY and tag.signal_id:
            self._entries_by_signal.setdefault(tag.signal_id, set()).add(client_order_id)

    def get(self, client_order_id: str) -> OrderTag | None:
        return self._tags.get(client_order_id)

    def mark_finished(self, client_order_id: str) -> None:
        """Record that an order can no longer fill (filled, cancelled, expired or rejected)."""
        if client_order_id not in self._tags or client_order_id in self._finished:
            return
        self._finished[client_order_id] = None
        if len(self._finished) > self._retain:
            self._drop(next(iter(self._finished)))

    def is_finished(self, client_order_id: str) -> bool:
        return client_order_id in self._finished

    def entry_finished(self, signal_id: str) -> bool:
        """True once the signal had an entry order and every one of them is finished."""
        orders = self._entries_by_signal.get(signal_id)
        return bool(orders) and all(cid in self._finished for cid in orders)  # type: ignore[union-attr]

    def open_entry_orders(self, signal_id: str) -> list[str]:
        return [cid for cid in self._entries_by_signal.get(signal_id, ()) if cid not in self._finished]

    def open_orders(self) -> dict[str, OrderTag]:
        return {cid: tag for cid, tag in self._tags.items() if cid not in self._finished}

    def _drop(self, client_order_id: str) -> None:
        self._finished.pop(client_order_id, None)
        tag = self._tags.pop(client_order_id, None)
        if tag is not None and tag.signal_id and tag.signal_id in self._entries_by_signal:
            orders = self._entries_by_signal[tag.signal_id]
            orders.discard(client_order_id)
            if not orders:
                del self._entries_by_signal[tag.signal_id]

    def __len__(self) -> int:
        return len(self._tags)

    def to_json(self) -> dict[str, Any]:
        """Open (unfinished) orders only: finished ones are not needed after a restart."""
        return {cid: tag.to_json() for cid, tag in self.open_orders().items()}

    def restore(self, data: dict[str, Any]) -> None:
        for cid, tag in data.items():
            self.register(cid, OrderTag.from_json(tag))
