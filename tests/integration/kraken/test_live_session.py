"""A live session on the simulator: orders placed, filled (also partially), canceled; afterwards
our database, our portfolio and the exchange agree on every order, fill and balance."""

from __future__ import annotations

import uuid
from decimal import ROUND_DOWN, Decimal

from galfriday.config.sections.signal import StrategySettings
from galfriday.core.events import (
    ClosePosition,
    OrderAccepted,
    OrderCanceled,
    OrderFilled,
    OrderRejected,
    SignalApproved,
    SubmitOrder,
    TradeClosed,
    new_id,
)
from galfriday.core.types import ExitReason, OrderStatus, OrderType, Side
from galfriday.execution import ExecutionHandler
from galfriday.execution.reconcile_balances import ledger_holdings
from galfriday.sim.server import ExchangeSimulator
from galfriday.storage.db.database import Database
from tests.integration.kraken._desk import INSTRUMENTS, LiveDesk

XRP = INSTRUMENTS["XRP/USD"]
KRAKEN_STATUS = {"closed": OrderStatus.FILLED, "canceled": OrderStatus.CANCELED, "open": OrderStatus.NEW}


async def test_orders_fill_partially_fully_and_cancel_and_everything_agrees(
    sim: ExchangeSimulator, database: Database
) -> None:
    desk = await LiveDesk(sim, database).start()
    try:
        # 1. a buy at the best ask for five times the size there: part fills now, the rest rests
        bid, ask = desk.best()
        partial = desk.submit(Side.BUY, XRP.round_qty(desk.top_ask_qty() * 5), price=ask)
        await desk.until(lambda: any(f.leaves_qty > 0 for f in desk.of(OrderFilled, partial.client_order_id)))
        desk.cancel(partial)
        await desk.until(lambda: bool(desk.of(OrderCanceled, partial.client_order_id)))
        # 2. a market buy: filled completely
        market = desk.submit(Side.BUY, Decimal(120), order_type=OrderType.MARKET)
        await desk.until(lambda: any(f.leaves_qty == 0 for f in desk.of(OrderFilled, market.client_order_id)))
        # 3. a bid far below the market rests; it is canceled twice (handler and HALT both ask)
        low = XRP.round_price(bid * Decimal("0.9"))
        resting = desk.submit(Side.BUY, Decimal(50), price=low)
        await desk.until(lambda: bool(desk.of(OrderAccepted, resting.client_order_id)))
        desk.cancel(resting, "entry timeout")
        desk.cancel(resting, "HALT")
        await desk.until(lambda: bool(desk.of(OrderCanceled, resting.client_order_id)))
        await desk.settled()
        ledger_now = ledger_holdings(desk.portfolio.ledger, INSTRUMENTS)
        report = await desk.reconciler.run()
    finally:
        await desk.close()

    commands = (partial, market, resting)
    for command in commands:
        cid = command.client_order_id
        assert len(desk.of(OrderAccepted, cid)) == 1
        assert not desk.of(OrderRejected, cid)
    partial_fills = desk.of(OrderFilled, partial.client_order_id)
    assert partial_fills and all(f.leaves_qty > 0 for f in partial_fills)
    assert [f.cum_qty for f in partial_fills] == [
        sum((f.qty for f in partial_fills[: i + 1]), Decimal(0)) for i in range(len(partial_fills))
    ]
    assert len(desk.of(OrderCanceled, resting.client_order_id)) == 1
    assert not desk.of(OrderFilled, resting.client_order_id)
    assert desk.halt.triggers["api_errors"].consecutive_failures == 0 and not desk.halt.is_halted

    # The database and the exchange agree on every order and every fill.
    ledger = desk.account.ledger
    for command in commands:
        row = await desk.orders.get_by_client_order_id(uuid.UUID(command.client_order_id))
        assert row is not None and row.exchange_order_id is not None
        exchange = ledger.by_txid[row.exchange_order_id]
        assert exchange.cl_ord_id == command.client_order_id
        assert row.status is KRAKEN_STATUS[exchange.status]
        ours = {
            (f.fill_id, f.quantity_filled, f.fill_price, f.commission)
            for f in await desk.fills.list_by_order(row.order_pk)
        }
        theirs = {(f.txid, f.qty, f.price, f.fee) for f in ledger.fills if f.order_txid == exchange.txid}
        assert ours == theirs
    assert {row.status for row in (await desk.orders.list_open())} == set()

    # ... and the portfolio holds what the account holds.
    balances = desk.account.account.balances()
    for asset, amount in ledger_now.items():
        assert abs(amount - balances.get(asset, Decimal(0))).quantize(Decimal("1e-8"), ROUND_DOWN) == 0
    assert report.ok and report.discrepancies == (), report.summary()


async def test_the_trading_core_runs_a_bracket_on_kraken(sim: ExchangeSimulator, database: Database) -> None:
    """ExecutionHandler on the live path: entry filled, take-profit resting on Kraken, then a close
    cancels the leg and sells at market; the portfolio ends flat and matches the account."""
    desk = LiveDesk(sim, database)
    tags = desk.portfolio.order_tags
    handler = ExecutionHandler(StrategySettings(), INSTRUMENTS, desk.clock, desk.bus.publish, tags)
    handler.attach(desk.bus)
    await desk.start()
    try:
        _, ask = desk.best()
        now = desk.clock.timestamp_ns()
        desk.bus.publish(
            SignalApproved(
                ts_event=now,
                ts_init=now,
                correlation_id="prediction-1",
                signal_id=new_id(),
                pair="XRP/USD",
                strategy_id="live-test",
                side=Side.BUY,
                entry_type=OrderType.LIMIT,
                qty=Decimal(100),
                entry_price=ask,
                sl_price=XRP.round_price(ask * Decimal("0.9")),
                tp_price=XRP.round_price(ask * Decimal("1.1")),
            )
        )
        await desk.until(lambda: any(s.purpose == "take_profit" for s in desk.of(SubmitOrder)))
        (leg,) = [s for s in desk.of(SubmitOrder) if s.purpose == "take_profit"]
        await desk.until(lambda: bool(desk.of(OrderAccepted, leg.client_order_id)))
        assert desk.portfolio.position_qty("XRP/USD") == Decimal(100)
        desk.bus.publish(
            ClosePosition(ts_event=now, ts_init=now, pair="XRP/USD", reason=ExitReason.MANUAL_CLOSE)
        )
        await desk.until(lambda: bool(desk.of(TradeClosed)))
        await desk.settled()
        report = await desk.reconciler.run()
    finally:
        await desk.close()
    assert desk.of(OrderCanceled, leg.client_order_id)
    (trade,) = desk.of(TradeClosed)
    assert trade.exit_reason is ExitReason.MANUAL_CLOSE and trade.qty == Decimal(100)
    assert desk.portfolio.position_qty("XRP/USD") == 0 and handler.bracket("XRP/USD") is None
    assert report.ok and report.discrepancies == (), report.summary()
