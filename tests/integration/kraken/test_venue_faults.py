"""The venue under Kraken's failures, injected by the simulator: lost replies, 5xx, rejections,
a dropped private stream and rate limits. Never a duplicate order, never a lost or double fill."""

from __future__ import annotations

import asyncio
import time
import uuid
from decimal import Decimal

from galfriday.core.events import OrderAccepted, OrderCanceled, OrderFilled, OrderRejected
from galfriday.core.types import OrderStatus, OrderType, Side
from galfriday.core.venue import is_local_rejection
from galfriday.kraken.ws_public import ReconnectPolicy
from galfriday.sim.server import ExchangeSimulator
from galfriday.sim.server.faults import parse_faults
from galfriday.storage.db.database import Database
from tests.integration.kraken._desk import INSTRUMENTS, LiveDesk

XRP = INSTRUMENTS["XRP/USD"]


def fault(sim: ExchangeSimulator, text: str) -> None:
    sim.exchange.faults.add(parse_faults(text))


async def test_a_lost_reply_is_resolved_as_placed_and_the_order_exists_once(
    sim: ExchangeSimulator, database: Database
) -> None:
    fault(sim, '{"kind": "accept_then_drop", "via": "rest", "times": 1}')
    desk = await LiveDesk(sim, database).start()
    try:
        bid, _ = desk.best()
        command = desk.submit(Side.BUY, Decimal(50), price=XRP.round_price(bid * Decimal("0.9")))
        await desk.until(lambda: bool(desk.of(OrderAccepted, command.client_order_id)))
        await desk.settled()
        row = await desk.orders.get_by_client_order_id(uuid.UUID(command.client_order_id))
    finally:
        await desk.close()
    on_exchange = [r for r in desk.account.ledger.by_txid.values() if r.cl_ord_id == command.client_order_id]
    assert len(on_exchange) == 1 and on_exchange[0].is_open
    assert len(desk.of(OrderAccepted, command.client_order_id)) == 1
    assert row is not None and (row.status, row.exchange_order_id) == (OrderStatus.NEW, on_exchange[0].txid)
    assert sim.exchange.faults.active() == []


async def test_a_5xx_before_placement_is_resolved_as_not_placed(
    sim: ExchangeSimulator, database: Database
) -> None:
    fault(sim, '{"kind": "rest_error", "method": "AddOrder", "http_status": 503, "times": 1}')
    desk = await LiveDesk(sim, database).start()
    try:
        bid, _ = desk.best()
        command = desk.submit(Side.BUY, Decimal(50), price=XRP.round_price(bid * Decimal("0.9")))
        await desk.until(lambda: bool(desk.of(OrderRejected, command.client_order_id)))
        await desk.settled()
        row = await desk.orders.get_by_client_order_id(uuid.UUID(command.client_order_id))
    finally:
        await desk.close()
    (rejected,) = desk.of(OrderRejected, command.client_order_id)
    assert rejected.reason.startswith("kraken: order not placed") and not is_local_rejection(rejected.reason)
    assert not [r for r in desk.account.ledger.by_txid.values() if r.cl_ord_id == command.client_order_id]
    assert row is not None and row.status is OrderStatus.REJECTED
    assert desk.halt.triggers["api_errors"].consecutive_failures == 1  # counted as a failed order


async def test_krakens_rejection_is_published_with_its_string_and_counted(
    sim: ExchangeSimulator, database: Database
) -> None:
    fault(sim, '{"kind": "reject_order", "error": "EOrder:Insufficient funds", "times": 1}')
    desk = await LiveDesk(sim, database).start()
    try:
        command = desk.submit(Side.BUY, Decimal(50), order_type=OrderType.MARKET)
        await desk.until(lambda: bool(desk.of(OrderRejected, command.client_order_id)))
        await desk.settled()
        row = await desk.orders.get_by_client_order_id(uuid.UUID(command.client_order_id))
    finally:
        await desk.close()
    (rejected,) = desk.of(OrderRejected, command.client_order_id)
    assert rejected.reason == "EOrder:Insufficient funds"
    assert row is not None and (row.status, row.error_message) == (
        OrderStatus.REJECTED,
        "EOrder:Insufficient funds",
    )
    assert desk.halt.triggers["api_errors"].consecutive_failures == 1 and not desk.halt.is_halted


async def test_repeated_rejections_halt_trading(sim: ExchangeSimulator, database: Database) -> None:
    fault(sim, '{"kind": "reject_order", "error": "EOrder:Insufficient funds"}')
    desk = await LiveDesk(sim, database).start()
    try:
        for _ in range(3):
            command = desk.submit(Side.BUY, Decimal(50), order_type=OrderType.MARKET)
            await desk.until(lambda c=command: bool(desk.of(OrderRejected, c.client_order_id)))
        await desk.until(lambda: desk.halt.is_halted)
    finally:
        await desk.close()
    record = desk.halt.current
    assert record is not None and record.trigger == "order_failures"
    assert "EOrder:Insufficient funds" in record.reason


async def test_a_dropped_private_stream_reconnects_with_a_new_token_and_replays_fills_once(
    sim: ExchangeSimulator, database: Database
) -> None:
    desk = LiveDesk(sim, database, reconnect=ReconnectPolicy(initial_s=1.0, max_s=1.0, jitter=0.0))
    tokens: list[str] = []
    issue = desk.client.get_websockets_token

    async def counting_issue():  # type: ignore[no-untyped-def]
        token = await issue()
        tokens.append(token.token)
        return token

    desk.client.get_websockets_token = counting_issue  # type: ignore[method-assign]
    await desk.start()
    try:
        before = desk.submit(Side.BUY, Decimal(60), order_type=OrderType.MARKET)  # filled while connected
        await desk.until(lambda: any(f.leaves_qty == 0 for f in desk.of(OrderFilled, before.client_order_id)))
        fault(sim, '{"kind": "ws_drop", "target": "private", "after": 0, "times": 1}')
        await desk.until(lambda: not desk.venue.stream.ready)
        during = desk.submit(Side.BUY, Decimal(70), order_type=OrderType.MARKET)  # REST works; WS is away
        await desk.until(lambda: bool(desk.of(OrderAccepted, during.client_order_id)))
        await desk.until(lambda: any(f.leaves_qty == 0 for f in desk.of(OrderFilled, during.client_order_id)))
        await desk.settled()
        fills = {
            f.fill_id
            for cid in (before.client_order_id, during.client_order_id)
            for row in [await desk.orders.get_by_client_order_id(uuid.UUID(cid))]
            if row is not None
            for f in await desk.fills.list_by_order(row.order_pk)
        }
    finally:
        await desk.close()
    stream = desk.venue.stream.stats()
    assert stream["connections"] == 2 and len(tokens) == 2 and tokens[0] != tokens[1]
    assert stream["duplicate_fills"] >= 1  # the snapshot repeated the fill seen before the drop
    exchange_fills = {f.txid for f in desk.account.ledger.fills}
    assert fills == exchange_fills
    published = [f.fill_id for f in desk.of(OrderFilled)]
    assert sorted(published) == sorted(set(published))  # each fill published once


async def test_rate_limits_are_waited_out(sim: ExchangeSimulator, database: Database) -> None:
    desk = await LiveDesk(sim, database).start()
    try:
        # A read call told "EAPI:Rate limit exceeded" waits and retries (the REST counter pauses).
        fault(
            sim,
            '{"kind": "rest_error", "method": "OpenOrders", "error": "EAPI:Rate limit exceeded", "times": 2}',
        )
        assert await desk.client.open_orders() == ()
        # AddOrder told "EOrder:Rate limit exceeded" is rejected, never resent; the pair's counter is
        # now full in our model too, so the next order waits for room instead of being refused again.
        fault(sim, '{"kind": "reject_order", "error": "EOrder:Rate limit exceeded", "times": 1}')
        first = desk.submit(Side.BUY, Decimal(50), order_type=OrderType.MARKET)
        await desk.until(lambda: bool(desk.of(OrderRejected, first.client_order_id)))
        started = time.perf_counter()
        second = desk.submit(Side.BUY, Decimal(50), order_type=OrderType.MARKET)
        await desk.until(lambda: bool(desk.of(OrderAccepted, second.client_order_id)))
        waited = time.perf_counter() - started
    finally:
        await desk.close()
    assert desk.of(OrderRejected, first.client_order_id)[0].reason == "EOrder:Rate limit exceeded"
    assert waited >= 0.2  # pro tier: the full counter drains 1 point in 1/3.75 s
    assert len([r for r in desk.account.ledger.by_txid.values() if r.cl_ord_id == first.client_order_id]) == 0


async def test_cancels_collapse_and_a_failed_cancel_is_sent_again(
    sim: ExchangeSimulator, database: Database
) -> None:
    desk = await LiveDesk(sim, database).start()
    try:
        bid, _ = desk.best()
        command = desk.submit(Side.BUY, Decimal(50), price=XRP.round_price(bid * Decimal("0.9")))
        await desk.until(lambda: bool(desk.of(OrderAccepted, command.client_order_id)))
        fault(
            sim,
            '{"kind": "rest_error", "method": "CancelOrder", "error": "EService:Unavailable", "times": 1}',
        )
        for reason in ("entry timeout", "HALT", "HALT"):
            desk.cancel(command, reason)
        await desk.until(lambda: bool(desk.of(OrderCanceled, command.client_order_id)))
        await asyncio.sleep(0.2)
    finally:
        await desk.close()
    assert len(desk.of(OrderCanceled, command.client_order_id)) == 1
    assert sim.exchange.faults.active() == []
    assert desk.halt.triggers["api_errors"].consecutive_failures == 0  # cancels are not failed orders


async def test_an_unknown_outcome_halts_is_never_resent_and_is_settled_when_kraken_answers(
    sim: ExchangeSimulator, database: Database
) -> None:
    # The reply is lost, so are the four look-ups that would settle it, and the stream is silent.
    desk = await LiveDesk(sim, database).start()
    fault(sim, '{"kind": "accept_then_drop", "via": "rest", "times": 1}')
    fault(sim, '{"kind": "rest_error", "method": "*Orders", "http_status": 502, "times": 4}')
    fault(sim, '{"kind": "stall", "target": "private", "channel": "executions"}')
    try:
        bid, _ = desk.best()
        command = desk.submit(Side.BUY, Decimal(50), price=XRP.round_price(bid * Decimal("0.9")))
        await desk.until(lambda: desk.halt.is_halted)
        assert not desk.of(OrderAccepted, command.client_order_id)  # nobody knows yet
        sim.exchange.faults.clear()  # Kraken answers again
        await desk.until(lambda: bool(desk.of(OrderAccepted, command.client_order_id)))
        await desk.settled()
        row = await desk.orders.get_by_client_order_id(uuid.UUID(command.client_order_id))
    finally:
        await desk.close()
    record = desk.halt.current
    assert record is not None and record.trigger == "order_outcome_unknown"
    assert "NOT resent" in record.reason and not desk.of(OrderRejected, command.client_order_id)
    on_exchange = [r for r in desk.account.ledger.by_txid.values() if r.cl_ord_id == command.client_order_id]
    assert len(on_exchange) == 1
    assert row is not None and (row.status, row.exchange_order_id) == (OrderStatus.NEW, on_exchange[0].txid)


async def test_a_private_stream_that_stays_down_halts_trading(
    sim: ExchangeSimulator, database: Database
) -> None:
    desk = LiveDesk(
        sim, database, reconnect=ReconnectPolicy(initial_s=0.2, max_s=0.2, jitter=0.0), stream_down_halt_s=1.5
    )
    await desk.start()
    try:
        fault(sim, '{"kind": "ws_drop", "target": "private", "after": 0}')  # every connection, until removed
        await desk.until(lambda: not desk.venue.stream.ready)
        await desk.until(lambda: desk.halt.is_halted)
        connections = desk.venue.stream.stats()["connections"]
    finally:
        await desk.close()
    record = desk.halt.current
    assert record is not None and record.trigger == "private_stream_down"
    assert "private executions stream has been down for" in record.reason
    assert connections >= 3  # it kept reconnecting all along


async def test_a_private_stream_back_within_the_limit_does_not_halt(
    sim: ExchangeSimulator, database: Database
) -> None:
    desk = LiveDesk(
        sim, database, reconnect=ReconnectPolicy(initial_s=0.3, max_s=0.3, jitter=0.0), stream_down_halt_s=1.5
    )
    await desk.start()
    try:
        fault(sim, '{"kind": "ws_drop", "target": "private", "after": 0, "times": 1}')
        await desk.until(lambda: not desk.venue.stream.ready)
        await desk.until(lambda: desk.venue.stream.ready)  # back, with a new snapshot
        await asyncio.sleep(2.0)  # past the limit the first loss armed
        halted = desk.halt.is_halted
    finally:
        await desk.close()
    assert not halted
