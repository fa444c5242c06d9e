"""Values read back exactly as written: 30-digit Decimals, aware UTC timestamps, JSON money."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import StatementError

from galfriday.storage.db.database import Database
from galfriday.storage.db.models import OrderRow, SignalRow, TradeRow
from galfriday.storage.db.repositories import OrderRepository, SignalRepository, TradeRepository
from tests.unit.storage import factories as f
from tests.unit.storage.contracts.base import BackendContract

# Any sign, up to 34 significant digits, up to 30 decimal places.
decimals = st.builds(
    lambda digits, places: Decimal(f"{digits}E-{places}"),  # exact: no context rounding
    st.integers(min_value=-(10**34) + 1, max_value=10**34 - 1),
    st.integers(min_value=0, max_value=30),
)


def same_decimal(read: Decimal, written: Decimal) -> bool:
    """Equal value and equal scale (``1.50`` stays ``1.50``)."""
    return read == written and read.as_tuple().exponent == written.as_tuple().exponent


class ExactValuesContract(BackendContract):
    async def test_thirty_digit_decimal_round_trips_exactly(self, database: Database) -> None:
        orders = OrderRepository(database.sessions)
        stored = await orders.insert_intent(
            f.new_order(
                quantity_ordered=f.THIRTY_DIGITS, limit_price=Decimal("0.000000000000000000000000001")
            )
        )
        read = await orders.get_by_client_order_id(stored.client_order_id)
        assert read is not None
        assert str(read.quantity_ordered) == "12345678901234.5678901234567890"
        assert read.limit_price == Decimal("1E-27")
        async with database.engine.connect() as connection:
            raw = await connection.scalar(sa.select(OrderRow.quantity_ordered))
        assert isinstance(raw, Decimal) and str(raw) == str(f.THIRTY_DIGITS)

    async def test_scale_is_preserved(self, database: Database) -> None:
        trades = TradeRepository(database.sessions)
        await trades.insert(f.new_trade(quantity=Decimal("150.00000000"), realized_pnl=Decimal("-0.50")))
        (trade,) = await trades.list_closed()
        assert str(trade.quantity) == "150.00000000"
        assert str(trade.realized_pnl) == "-0.50"

    # The fixture is function-scoped on purpose (rows accumulate harmlessly), and the same contract
    # method runs once per backend subclass, which Hypothesis sees as different executors.
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.differing_executors],
    )
    @given(amount=decimals)
    async def test_any_decimal_round_trips(self, database: Database, amount: Decimal) -> None:
        trades = TradeRepository(database.sessions)
        stored = await trades.insert(f.new_trade(realized_pnl=amount))
        async with database.engine.connect() as connection:
            read = await connection.scalar(
                sa.select(TradeRow.realized_pnl).where(TradeRow.trade_pk == stored.trade_pk)
            )
        assert same_decimal(read, amount), (read, amount)

    async def test_floats_and_non_finite_money_are_refused(self, database: Database) -> None:
        async with database.engine.begin() as connection:
            for bad in (0.1, Decimal("NaN"), Decimal("Infinity"), "1.5"):
                with pytest.raises(StatementError):
                    await connection.execute(
                        sa.update(OrderRow).values(quantity_ordered=bad).where(OrderRow.order_pk == 1)
                    )

    async def test_timestamps_round_trip_as_aware_utc(self, database: Database) -> None:
        signals = SignalRepository(database.sessions)
        new_york = timezone(timedelta(hours=-4))
        local = datetime(2024, 5, 1, 8, 0, 0, 123456, tzinfo=new_york)
        stored = await signals.insert_proposed(f.new_signal(created_at=local))
        read = await signals.get(stored.signal_id)
        assert read is not None
        assert read.created_at == datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
        assert read.created_at.tzinfo is UTC

    async def test_naive_timestamps_are_refused(self, database: Database) -> None:
        async with database.engine.begin() as connection:
            with pytest.raises(StatementError, match="naive datetime"):
                await connection.execute(
                    sa.update(OrderRow)
                    .values(created_at=datetime(2024, 5, 1))  # noqa: DTZ001 - naive on purpose
                    .where(OrderRow.order_pk == 1)
                )

    async def test_server_default_timestamps_are_aware_utc(self, database: Database) -> None:
        """A row written without created_at gets the database's NOW(), read back as aware UTC."""
        signal = f.new_signal()
        before = datetime.now(UTC).replace(microsecond=0)
        async with database.sessions.begin() as session:
            session.add(
                SignalRow(
                    signal_id=signal.signal_id,
                    trading_pair="XRP/USD",
                    exchange="kraken",
                    strategy_id="s",
                    side="BUY",
                    entry_type="MARKET",
                    proposed_sl_price=Decimal("1"),
                    proposed_tp_price=Decimal("2"),
                    status="PROPOSED",
                )
            )
        read = await SignalRepository(database.sessions).get(signal.signal_id)
        assert read is not None
        assert read.created_at.tzinfo is UTC
        assert before <= read.created_at <= datetime.now(UTC) + timedelta(seconds=1)

    async def test_decimals_in_json_are_stored_as_strings(self, database: Database) -> None:
        signals = SignalRepository(database.sessions)
        stored = await signals.insert_proposed(f.new_signal())
        details = {"exposure": f.THIRTY_DIGITS, "checks": [{"name": "fat_finger", "limit": Decimal("0.05")}]}
        await signals.mark_approved(stored.signal_id, details)
        read = await signals.get(stored.signal_id)
        assert read is not None
        assert read.risk_check_details == {
            "exposure": "12345678901234.5678901234567890",
            "checks": [{"name": "fat_finger", "limit": "0.05"}],
        }

    async def test_null_json_is_sql_null(self, database: Database) -> None:
        signals = SignalRepository(database.sessions)
        stored = await signals.insert_proposed(f.new_signal())
        async with database.engine.connect() as connection:
            is_null = await connection.scalar(
                sa.select(SignalRow.risk_check_details.is_(None)).where(
                    SignalRow.signal_id == stored.signal_id
                )
            )
        assert is_null
