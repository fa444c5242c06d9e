"""The queries the rest of the system relies on, on a migrated database."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from galfriday.core.errors import StorageError
from galfriday.core.types import LogLevel, OrderStatus, OrderType, Side, SignalStatus
from galfriday.storage.db.database import Database
from galfriday.storage.db.models import FillRow, SystemLogRow
from galfriday.storage.db.records import FillInsert
from galfriday.storage.db.repositories import (
    ConfigurationRepository,
    FillRepository,
    OrderRepository,
    PortfolioSnapshotRepository,
    SignalRepository,
    SystemLogRepository,
    TradeRepository,
)
from tests.unit.storage import factories as f
from tests.unit.storage.contracts.base import BackendContract


async def count(database: Database, model: type) -> int:
    async with database.engine.connect() as connection:
        total: int = await connection.scalar(sa.select(sa.func.count()).select_from(model))
        return total


class SignalRepositoryContract(BackendContract):
    async def test_proposed_then_approved(self, database: Database) -> None:
        signals = SignalRepository(database.sessions)
        proposed = await signals.insert_proposed(f.new_signal())
        assert proposed.status is SignalStatus.PROPOSED
        assert proposed.side is Side.BUY and proposed.entry_type is OrderType.LIMIT

        approved = await signals.mark_approved(proposed.signal_id, {"size_usd": Decimal("78.22")})
        assert approved.status is SignalStatus.APPROVED
        assert approved.rejection_reason is None
        assert await signals.get(proposed.signal_id) == approved
        assert approved.risk_check_details == {"size_usd": "78.22"}
        assert approved.proposed_entry_price == Decimal("0.52150")

    async def test_rejected_with_reason(self, database: Database) -> None:
        signals = SignalRepository(database.sessions)
        proposed = await signals.insert_proposed(
            f.new_signal(entry_type=OrderType.MARKET, proposed_entry_price=None)
        )
        rejected = await signals.mark_rejected(
            proposed.signal_id, "exposure cap 10%", {"exposure_pct": "10.4"}
        )
        assert (rejected.status, rejected.rejection_reason) == (SignalStatus.REJECTED, "exposure cap 10%")
        assert rejected.risk_check_details == {"exposure_pct": "10.4"}
        with pytest.raises(ValueError, match="reason"):
            await signals.mark_rejected(proposed.signal_id, "")

    async def test_a_decision_is_final(self, database: Database) -> None:
        signals = SignalRepository(database.sessions)
        proposed = await signals.insert_proposed(f.new_signal())
        approved = await signals.mark_approved(proposed.signal_id, {"ok": True})
        assert await signals.mark_approved(proposed.signal_id, {"ok": "retried"}) == approved
        with pytest.raises(StorageError, match="already APPROVED"):
            await signals.mark_rejected(proposed.signal_id, "too late")
        assert await signals.get(proposed.signal_id) == approved

    async def test_unknown_and_duplicate_signals(self, database: Database) -> None:
        signals = SignalRepository(database.sessions)
        assert await signals.get(uuid.uuid4()) is None
        with pytest.raises(StorageError, match="no such signal"):
            await signals.mark_approved(uuid.uuid4())
        signal = f.new_signal()
        await signals.insert_proposed(signal)
        with pytest.raises(StorageError, match=f"recording signal {signal.signal_id} failed"):
            await signals.insert_proposed(signal)


class OrderRepositoryContract(BackendContract):
    async def test_write_ahead_then_acknowledged(self, database: Database) -> None:
        signal = await SignalRepository(database.sessions).insert_proposed(f.new_signal())
        orders = OrderRepository(database.sessions)
        intent = await orders.insert_intent(f.new_order(signal_id=signal.signal_id))
        assert intent.status is OrderStatus.PENDING_NEW
        assert intent.exchange_order_id is None and intent.submitted_at is None
        assert intent.last_updated_at == intent.created_at == f.T0

        sent_at = f.T0 + timedelta(milliseconds=40)
        acked_at = f.T0 + timedelta(milliseconds=95)
        acked = await orders.update(
            intent.client_order_id,
            status=OrderStatus.NEW,
            at=acked_at,
            exchange_order_id="OQCLML-BW3P3-BUCMWZ",
            submitted_at=sent_at,
        )
        assert (acked.status, acked.exchange_order_id) == (OrderStatus.NEW, "OQCLML-BW3P3-BUCMWZ")
        assert (acked.submitted_at, acked.last_updated_at) == (sent_at, acked_at)
        assert acked.order_pk == intent.order_pk
        assert await orders.get_by_client_order_id(intent.client_order_id) == acked
        assert await orders.get_by_exchange_order_id("OQCLML-BW3P3-BUCMWZ") == acked

        filled = await orders.update(intent.client_order_id, status=OrderStatus.FILLED, at=acked_at)
        assert filled.exchange_order_id == "OQCLML-BW3P3-BUCMWZ"  # kept when not given
        assert filled.submitted_at == sent_at

    async def test_rejection_keeps_the_error(self, database: Database) -> None:
        orders = OrderRepository(database.sessions)
        intent = await orders.insert_intent(f.new_order())
        rejected = await orders.update(
            intent.client_order_id,
            status=OrderStatus.REJECTED,
            at=f.T0,
            error_message="EOrder:Insufficient funds",
        )
        assert (rejected.status, rejected.error_message) == (
            OrderStatus.REJECTED,
            "EOrder:Insufficient funds",
        )

    async def test_exchange_order_id_never_changes(self, database: Database) -> None:
        orders = OrderRepository(database.sessions)
        intent = await orders.insert_intent(f.new_order())
        await orders.update(intent.client_order_id, status=OrderStatus.NEW, at=f.T0, exchange_order_id="OA")
        with pytest.raises(StorageError, match="has exchange order id OA, not OB"):
            await orders.update(
                intent.client_order_id, status=OrderStatus.NEW, at=f.T0, exchange_order_id="OB"
            )
        stored = await orders.get_by_client_order_id(intent.client_order_id)
        assert stored is not None and stored.exchange_order_id == "OA"

    async def test_unknown_order(self, database: Database) -> None:
        orders = OrderRepository(database.sessions)
        assert await orders.get_by_client_order_id(uuid.uuid4()) is None
        assert await orders.get_by_exchange_order_id("ONOPE") is None
        with pytest.raises(StorageError, match="no such order"):
            await orders.update(uuid.uuid4(), status=OrderStatus.NEW, at=f.T0)

    async def test_a_refused_update_changes_nothing(self, database: Database) -> None:
        orders = OrderRepository(database.sessions)
        first = await orders.insert_intent(f.new_order())
        second = await orders.insert_intent(f.new_order())
        await orders.update(first.client_order_id, status=OrderStatus.NEW, at=f.T0, exchange_order_id="OA")
        with pytest.raises(StorageError, match="failed"):  # OA belongs to the first order
            await orders.update(
                second.client_order_id, status=OrderStatus.NEW, at=f.T0, exchange_order_id="OA"
            )
        assert await orders.get_by_client_order_id(second.client_order_id) == second

    async def test_list_open_orders(self, database: Database) -> None:
        orders = OrderRepository(database.sessions)
        by_status = {}
        for minute, status in enumerate(OrderStatus):
            order = await orders.insert_intent(f.new_order(created_at=f.T0 + timedelta(minutes=minute)))
            if status is not OrderStatus.PENDING_NEW:
                await orders.update(order.client_order_id, status=status, at=f.T0)
            by_status[status] = order.client_order_id
        doge = await orders.insert_intent(f.new_order(trading_pair="DOGE/USD", created_at=f.T0))

        open_orders = await orders.list_open()
        assert [o.status for o in open_orders if o.trading_pair == "XRP/USD"] == [
            OrderStatus.PENDING_NEW,
            OrderStatus.NEW,
            OrderStatus.PARTIALLY_FILLED,
            OrderStatus.PENDING_CANCEL,
        ]
        assert open_orders[0].client_order_id == by_status[OrderStatus.PENDING_NEW]
        assert [o.client_order_id for o in await orders.list_open("DOGE/USD")] == [doge.client_order_id]


class FillRepositoryContract(BackendContract):
    async def test_a_fill_is_recorded_once(self, database: Database) -> None:
        order = await OrderRepository(database.sessions).insert_intent(f.new_order())
        fills = FillRepository(database.sessions)
        first = await fills.record(f.new_fill(order.order_pk))
        assert first.already_recorded is False
        again = await fills.record(f.new_fill(order.order_pk, filled_at=f.T0 + timedelta(seconds=3)))
        assert again == FillInsert(fill_pk=first.fill_pk, already_recorded=True)
        assert await count(database, FillRow) == 1

    async def test_same_trade_id_on_another_exchange_is_another_fill(self, database: Database) -> None:
        order = await OrderRepository(database.sessions).insert_intent(f.new_order())
        fills = FillRepository(database.sessions)
        await fills.record(f.new_fill(order.order_pk))
        other = await fills.record(f.new_fill(order.order_pk, exchange="simulator"))
        assert other.already_recorded is False
        assert await count(database, FillRow) == 2

    async def test_a_conflicting_repeat_is_an_error(self, database: Database) -> None:
        order = await OrderRepository(database.sessions).insert_intent(f.new_order())
        fills = FillRepository(database.sessions)
        await fills.record(f.new_fill(order.order_pk))
        with pytest.raises(
            StorageError, match=r"already recorded with different values \(quantity_filled 50"
        ):
            await fills.record(f.new_fill(order.order_pk, quantity_filled=Decimal("51")))
        same_value_other_scale = f.new_fill(order.order_pk, quantity_filled=Decimal("50"))
        assert (await fills.record(same_value_other_scale)).already_recorded
        assert await count(database, FillRow) == 1

    async def test_a_fill_needs_an_id(self, database: Database) -> None:
        with pytest.raises(ValueError, match="fill id"):
            await FillRepository(database.sessions).record(f.new_fill(1, fill_id=""))

    async def test_concurrent_repeats_make_one_row(self, database: Database) -> None:
        order = await OrderRepository(database.sessions).insert_intent(f.new_order())
        fills = FillRepository(database.sessions)
        outcomes = await asyncio.gather(*(fills.record(f.new_fill(order.order_pk)) for _ in range(8)))
        assert sorted(outcome.already_recorded for outcome in outcomes) == [False] + [True] * 7
        assert len({outcome.fill_pk for outcome in outcomes}) == 1
        assert await count(database, FillRow) == 1

    async def test_list_by_order(self, database: Database) -> None:
        orders = OrderRepository(database.sessions)
        order = await orders.insert_intent(f.new_order())
        other = await orders.insert_intent(f.new_order())
        fills = FillRepository(database.sessions)
        late = f.new_fill(order.order_pk, fill_id="T2", filled_at=f.T0 + timedelta(seconds=9))
        early = f.new_fill(order.order_pk, fill_id="T1", filled_at=f.T0 + timedelta(seconds=1))
        for fill in (late, early, f.new_fill(other.order_pk, fill_id="T3")):
            await fills.record(fill)
        listed = await fills.list_by_order(order.order_pk)
        assert [fill.fill_id for fill in listed] == ["T1", "T2"]
        assert listed[0].quantity_filled == Decimal("50.00000000")
        assert listed[0].side is Side.BUY and listed[0].liquidity_type is not None
        assert await fills.list_by_order(999) == []


class TradeRepositoryContract(BackendContract):
    async def test_list_closed_by_pair_and_time(self, database: Database) -> None:
        trades = TradeRepository(database.sessions)
        closes = [f.T0 + timedelta(hours=hour) for hour in (3, 1, 2)]
        for close in closes:
            await trades.insert(f.new_trade(entry_timestamp=f.T0, exit_timestamp=close))
        await trades.insert(f.new_trade(trading_pair="DOGE/USD", exit_timestamp=f.T0 + timedelta(hours=2)))

        xrp = await trades.list_closed("XRP/USD")
        assert [t.exit_timestamp for t in xrp] == sorted(closes)
        window = await trades.list_closed(
            "XRP/USD", closed_from=f.T0 + timedelta(hours=1), closed_before=f.T0 + timedelta(hours=3)
        )
        assert [t.exit_timestamp for t in window] == [f.T0 + timedelta(hours=1), f.T0 + timedelta(hours=2)]
        assert len(await trades.list_closed(closed_from=f.T0 + timedelta(hours=2))) == 3
        assert window[0].realized_pnl == Decimal("2.79211")

    async def test_trade_links_to_its_orders(self, database: Database) -> None:
        orders = OrderRepository(database.sessions)
        entry = await orders.insert_intent(f.new_order())
        exit_ = await orders.insert_intent(f.new_order(side=Side.SELL))
        trades = TradeRepository(database.sessions)
        stored = await trades.insert(f.new_trade(entry_order_pk=entry.order_pk, exit_order_pk=exit_.order_pk))
        assert (stored.entry_order_pk, stored.exit_order_pk) == (entry.order_pk, exit_.order_pk)
        with pytest.raises(StorageError):
            await trades.insert(f.new_trade(trade_id=stored.trade_id))


class SystemLogRepositoryContract(BackendContract):
    async def test_bulk_insert(self, database: Database) -> None:
        logs = SystemLogRepository(database.sessions)
        batch = [f.log_entry(message=f"line {n}", signal_id=uuid.uuid4(), order_pk=n) for n in range(250)]
        assert await logs.insert_many(batch) == 250
        assert await logs.insert_many([]) == 0
        assert await count(database, SystemLogRow) == 250
        async with database.engine.connect() as connection:
            context = await connection.scalar(sa.select(SystemLogRow.context).limit(1))
        assert context == {"exposure": "0.0950"}

    async def test_a_bad_line_rejects_the_whole_batch(self, database: Database) -> None:
        logs = SystemLogRepository(database.sessions)
        batch = [f.log_entry(), f.log_entry(log_level=LogLevel.INFO), f.log_entry(log_level="TRACE")]
        with pytest.raises(StorageError, match="writing 3 log lines failed"):
            await logs.insert_many(batch)
        assert await count(database, SystemLogRow) == 0


class PortfolioSnapshotRepositoryContract(BackendContract):
    async def test_latest(self, database: Database) -> None:
        snapshots = PortfolioSnapshotRepository(database.sessions)
        assert await snapshots.latest() is None
        for minutes, equity in ((5, "10001"), (15, "10003"), (10, "10002")):
            await snapshots.insert(
                f.new_snapshot(
                    snapshot_timestamp=f.T0 + timedelta(minutes=minutes), total_equity=Decimal(equity)
                )
            )
        latest = await snapshots.latest()
        assert latest is not None
        assert (latest.snapshot_timestamp, latest.total_equity) == (
            f.T0 + timedelta(minutes=15),
            Decimal("10003"),
        )
        assert latest.positions[0]["qty"] == "150"

    async def test_one_snapshot_per_instant(self, database: Database) -> None:
        snapshots = PortfolioSnapshotRepository(database.sessions)
        await snapshots.insert(f.new_snapshot())
        with pytest.raises(StorageError):
            await snapshots.insert(f.new_snapshot())


class ConfigurationRepositoryContract(BackendContract):
    async def test_only_the_last_recorded_configuration_is_active(self, database: Database) -> None:
        configurations = ConfigurationRepository(database.sessions)
        assert await configurations.get_active() is None
        a = await configurations.record(
            f.CONFIG_HASH_A, {"risk": {"per_trade": Decimal("0.005")}}, loaded_at=f.T0
        )
        active = await configurations.get_active()
        assert active is not None
        assert (active.config_pk, active.config_content) == (a, {"risk": {"per_trade": "0.005"}})

        b = await configurations.record(f.CONFIG_HASH_B, {"risk": {"per_trade": "0.01"}})
        assert b != a
        active = await configurations.get_active()
        assert active is not None and active.config_pk == b

        later = f.T0 + timedelta(days=1)
        assert await configurations.record(f.CONFIG_HASH_A, {"ignored": "same hash"}, loaded_at=later) == a
        active = await configurations.get_active()
        assert active is not None
        assert (active.config_pk, active.loaded_at, active.is_active) == (a, later, True)
        assert active.config_content == {"risk": {"per_trade": "0.005"}}
        async with database.engine.connect() as connection:
            rows = (
                await connection.execute(sa.text("SELECT config_pk, is_active FROM configurations"))
            ).all()
        assert sorted((pk, bool(flag)) for pk, flag in rows) == [(a, True), (b, False)]

    async def test_recording_the_active_configuration_again_is_idempotent(self, database: Database) -> None:
        configurations = ConfigurationRepository(database.sessions)
        first = await configurations.record(f.CONFIG_HASH_A, {"pairs": ["XRP/USD"]})
        assert await configurations.record(f.CONFIG_HASH_A, {"pairs": ["XRP/USD"]}) == first
        active = await configurations.get_active()
        assert active is not None and active.config_pk == first

    async def test_a_malformed_hash_is_refused(self, database: Database) -> None:
        with pytest.raises(StorageError, match="failed"):
            await ConfigurationRepository(database.sessions).record("not-a-sha256", {})
