"""The exchange's record of an account's orders and fills: what OpenOrders, ClosedOrders,
QueryOrders, TradesHistory and the WS ``executions`` snapshot report.

The matching engine forgets an order once it ends; Kraken remembers it. ``OrderRecord`` is the
exchange-side order (Kraken's status strings, cumulative fills, open/close times in wall ns) and
``OrderLedger`` indexes them by txid, ``cl_ord_id`` (unique among *open* orders, as on Kraken)
and ``userref``. Both are msgspec structs so the state file stores them as they are.

``engine_id`` is the matching engine's id of the order: the txid itself, except for an order
re-submitted after a simulator restart, whose remainder got a new engine id; ``base_*`` then hold
what had filled before the restart.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import msgspec

from galfriday.core.types import OrderType, Side, TimeInForce

ZERO = Decimal(0)
OPEN_STATUSES = frozenset({"pending", "open"})


class OrderRecord(msgspec.Struct, kw_only=True):
    txid: str
    pair: str  # WS v2 symbol
    side: Side
    order_type: OrderType
    qty: Decimal
    limit_price: Decimal | None = None
    trigger_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    post_only: bool = False
    expire_wall_ns: int | None = None
    cl_ord_id: str = ""
    userref: int = 0
    oflags: tuple[str, ...] = ()
    status: str = "pending"  # Kraken's: pending | open | closed | canceled | expired
    open_ns: int = 0  # wall
    close_ns: int | None = None
    vol_exec: Decimal = ZERO
    cost: Decimal = ZERO
    fee: Decimal = ZERO
    reason: str | None = None
    trades: list[str] = msgspec.field(default_factory=list)
    triggered: bool = False
    engine_id: str = ""
    base_exec: Decimal = ZERO
    base_cost: Decimal = ZERO
    base_fee: Decimal = ZERO
    restoring: bool = False  # re-submitted after a restart; its engine pending_new/new are not news

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def avg_price(self) -> Decimal:
        return self.cost / self.vol_exec if self.vol_exec else ZERO

    @property
    def leaves(self) -> Decimal:
        return self.qty - self.vol_exec


class FillRecord(msgspec.Struct, kw_only=True, frozen=True):
    """One of the account's fills (TradesHistory entry, WS ``trade`` execution)."""

    txid: str  # Kraken trade id, TXXXXX-XXXXX-XXXXXX
    order_txid: str
    pair: str
    time_ns: int  # wall
    side: Side
    order_type: OrderType
    price: Decimal
    qty: Decimal
    cost: Decimal
    fee: Decimal
    maker: bool
    trade_id: int  # integer id, as in Kraken's trade_id fields


class OrderLedger:
    """All orders of one account, with the look-ups Kraken's endpoints need."""

    def __init__(self) -> None:
        self.by_txid: dict[str, OrderRecord] = {}
        self.by_engine_id: dict[str, OrderRecord] = {}
        self.open_by_cl_ord_id: dict[str, OrderRecord] = {}
        self.fills: list[FillRecord] = []

    def add(self, record: OrderRecord) -> None:
        self.by_txid[record.txid] = record
        self.by_engine_id[record.engine_id or record.txid] = record
        if record.cl_ord_id and record.is_open:
            self.open_by_cl_ord_id[record.cl_ord_id] = record

    def rebind(self, record: OrderRecord, engine_id: str) -> None:
        """The order's remainder lives under a new engine id (after a restart)."""
        self.by_engine_id.pop(record.engine_id, None)
        record.engine_id = engine_id
        self.by_engine_id[engine_id] = record

    def closed(self, record: OrderRecord) -> None:
        """Call once ``record`` reached a terminal status."""
        self.by_engine_id.pop(record.engine_id, None)
        if self.open_by_cl_ord_id.get(record.cl_ord_id) is record:
            del self.open_by_cl_ord_id[record.cl_ord_id]

    def open_orders(self) -> Iterator[OrderRecord]:
        return (r for r in self.by_txid.values() if r.is_open)

    def closed_orders(self) -> list[OrderRecord]:
        """Newest first by close time, as ClosedOrders lists them."""
        done = [r for r in self.by_txid.values() if not r.is_open]
        done.sort(key=lambda r: (r.close_ns or 0, r.open_ns), reverse=True)
        return done

    def find_open(self, key: str) -> OrderRecord | None:
        """An open order by txid or cl_ord_id."""
        record = self.by_txid.get(key) or self.open_by_cl_ord_id.get(key)
        return record if record is not None and record.is_open else None
