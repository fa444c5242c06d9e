"""KrakenVenue without a network: Kraken's answers and reports in, the kernel's order events out.

The fake client answers AddOrder / CancelOrder / look-ups as the test says; the tests feed the
``executions`` stream's messages straight into the venue (``on_executions``) and read what it
published. The socket side is covered against the simulator in tests/integration/kraken.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from galfriday.core.bus import AsyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import (
    CancelOrder,
    Event,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    SubmitOrder,
    new_id,
)
from galfriday.core.instruments import default_instruments
from galfriday.core.types import LiquiditySide, OrderType, Side
from galfriday.core.venue import is_local_rejection
from galfriday.kraken.circuit_breaker import CircuitOpenError
from galfriday.kraken.orders_wire import (
    AddOrderRequest,
    ClosedOrdersPage,
    ExecutionsMessage,
    KrakenOrder,
    TradesHistoryPage,
    decode_executions,
    parse_order,
    parse_trade,
)
from galfriday.kraken.rest_private import (
    KrakenOrderRateLimitError,
    KrakenOrderRejectedError,
    OrderOutcomeUnknownError,
    OrderPlacement,
    PlacementOutcome,
)
from galfriday.kraken.rest_public import KrakenAPIError, KrakenError
from galfriday.kraken.trading_limits import TradeAction, TradingLimits, TradingRateLimitError
from galfriday.kraken.venue import KrakenVenue
from galfriday.kraken.venue_orders import TrackedOrder

INSTRUMENTS = default_instruments()
T0 = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z


class FakeHalt:
    def __init__(self) -> None:
        self.api_errors: list[str] = []
        self.fired: list[tuple[str, str]] = []

    def record_api_error(self, detail: str) -> None:
        self.api_errors.append(detail)

    def fire(self, trigger: str, reason: str) -> None:
        self.fired.append((trigger, reason))


Answer = OrderPlacement | Exception | Callable[[AddOrderRequest], Any]


class FakeKraken:
    """The private client's surface the venue uses; every answer is set by the test."""

    def __init__(self) -> None:
        self.trading_limits = TradingLimits.for_tier("pro")
        self.order_deadline_s = 5.0
        self.clock_skew_s = 0.0
        self.sent: list[AddOrderRequest] = []
        self.answers: list[Answer] = []
        self.resolutions: list[OrderPlacement | Exception] = []
        self.cancels: list[str] = []
        self.cancel_answers: list[int | Exception] = []
        self.orders: dict[str, KrakenOrder] = {}
        self.trades: list[Any] = []

    async def add_order_safely(self, request: AddOrderRequest) -> OrderPlacement:
        self.sent.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            answer = await answer(request)
        if answer.placed and answer.txid:  # as the real client does: the order rests from now on
            self.trading_limits.orders.opened(request.instrument.symbol, answer.txid, request.cl_ord_id)
        return answer

    async def resolve_order(self, request: AddOrderRequest, *, sent_at_s: float) -> OrderPlacement:
        answer = self.resolutions.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def cancel_order(self, *, txid: str | None = None, cl_ord_id: str | None = None) -> int:
        self.cancels.append(txid or cl_ord_id or "")
        answer = self.cancel_answers.pop(0) if self.cancel_answers else 1
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def query_orders(self, txids: Any = (), *, trades: bool = False) -> tuple[KrakenOrder, ...]:
        return tuple(self.orders[t] for t in txids if t in self.orders)

    async def trades_history(self, *, start: Any = None, ofs: Any = None) -> TradesHistoryPage:
        return TradesHistoryPage(tuple(self.trades), len(self.trades))

    async def closed_orders(self, **_: Any) -> ClosedOrdersPage:
        return ClosedOrdersPage((), 0)

    async def get_websockets_token(self) -> Any:
        raise AssertionError("no socket in these tests")


class Desk:
    def __init__(self) -> None:
        self.client = FakeKraken()
        self.halt = FakeHalt()
        self.events: list[Event] = []
        self.venue = KrakenVenue(
            self.client,  # type: ignore[arg-type]  # the fake has the surface the venue uses
            INSTRUMENTS,
            self.events.append,
            self.halt,
            ws_url="ws://127.0.0.1:1/unused",
            clock=SimClock(T0),
            retry_delay_s=0.01,
        )

    def command(self, qty: str = "100", price: str | None = "0.50000", pair: str = "XRP/USD") -> SubmitOrder:
        return SubmitOrder(
            ts_event=T0,
            ts_init=T0,
            correlation_id="signal-1",
            client_order_id=new_id(),
            pair=pair,
            side=Side.BUY,
            order_type=OrderType.LIMIT if price else OrderType.MARKET,
            qty=Decimal(qty),
            limit_price=Decimal(price) if price else None,
        )

    async def placed(self, txid: str = "O-1", **kw: Any) -> SubmitOrder:
        command = self.command(**kw)
        self.client.answers.append(placement(command, txid))
        await self.venue.submit(command)
        return command

    async def cancel(self, command: SubmitOrder) -> None:
        await self.venue.cancel(
            CancelOrder(
                ts_event=T0,
                ts_init=T0,
                client_order_id=command.client_order_id,
                pair=command.pair,
                reason="test",
            )
        )

    def of(self, kind: type[Event]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    async def idle(self) -> None:
        for _ in range(20):
            await asyncio.sleep(0.01)

    async def close(self) -> None:
        await self.venue.close()


def placement(command: SubmitOrder, txid: str, **kw: Any) -> OrderPlacement:
    return OrderPlacement(outcome=PlacementOutcome.PLACED, cl_ord_id=command.client_order_id, txid=txid, **kw)


def executions(*reports: dict[str, Any], snapshot: bool = False) -> ExecutionsMessage:
    data = [{"timestamp": "2026-01-01T00:00:01Z", **r} for r in reports]
    kind = "snapshot" if snapshot else "update"
    return decode_executions(json.dumps({"channel": "executions", "type": kind, "data": data}))


def report(exec_type: str, command: SubmitOrder, txid: str = "O-1", **fields: Any) -> dict[str, Any]:
    return {"exec_type": exec_type, "order_id": txid, "cl_ord_id": command.client_order_id, **fields}


def trade(
    command: SubmitOrder, exec_id: str, qty: str, cum: str, liquidity: str = "m", **kw: Any
) -> dict[str, Any]:
    return report(
        "trade",
        command,
        exec_id=exec_id,
        trade_id=int(exec_id[-1]),
        last_qty=qty,
        last_price="0.5",
        cost="1",
        liquidity_ind=liquidity,
        fees=[{"asset": "USD", "qty": "0.01"}],
        order_qty=str(command.qty),
        cum_qty=cum,
        order_status="partially_filled",
        **kw,
    )


def kraken_order(
    txid: str, status: str, cl_ord_id: str, *, trades: list[str], vol_exec: str = "0"
) -> KrakenOrder:
    return parse_order(
        txid,
        {
            "status": status,
            "descr": {"pair": "XRPUSD", "type": "buy", "ordertype": "limit", "price": "0.5"},
            "vol": "100",
            "vol_exec": vol_exec,
            "cost": "0",
            "fee": "0",
            "price": "0.5",
            "opentm": 1767225600.0,
            "closetm": 1767225660.0,
            "cl_ord_id": cl_ord_id,
            "trades": trades,
            "reason": "User requested" if status == "canceled" else None,
        },
    )


def history_trade(txid: str, order_txid: str, qty: str) -> Any:
    return parse_trade(
        txid,
        {
            "ordertxid": order_txid,
            "pair": "XXRPZUSD",
            "time": 1767225630.5,
            "type": "buy",
            "ordertype": "limit",
            "price": "0.5",
            "cost": "15",
            "fee": "0.02",
            "vol": qty,
            "maker": True,
        },
    )


@pytest.fixture
async def desk() -> Any:
    d = Desk()
    yield d
    await d.close()


# -- reports in --------------------------------------------------------------------------------


async def test_reports_become_events_each_once(desk: Desk) -> None:
    command = await desk.placed()
    desk.venue.on_executions(executions(report("pending_new", command), report("new", command)))
    desk.venue.on_executions(executions(trade(command, "T-1", "40", "40")))
    desk.venue.on_executions(executions(trade(command, "T-1", "40", "40")))  # a repeat
    desk.venue.on_executions(executions(trade(command, "T-2", "60", "100", liquidity="t")))  # completes it
    assert desk.client.trading_limits.orders.pair_of("O-1") == "XRP/USD"  # still resting: no ``filled`` yet
    desk.venue.on_executions(executions(report("filled", command, cum_qty="100", order_status="filled")))

    kinds = [type(e).__name__ for e in desk.events]
    assert kinds == ["OrderAccepted", "OrderFilled", "OrderFilled"]
    first, second = desk.of(OrderFilled)
    assert (first.fill_id, first.qty, first.cum_qty, first.leaves_qty) == ("T-1", 40, 40, 60)
    assert (first.liquidity, first.fee, first.fee_currency) == (LiquiditySide.MAKER, Decimal("0.01"), "USD")
    assert (second.liquidity, second.cum_qty, second.leaves_qty) == (LiquiditySide.TAKER, 100, 0)
    assert all(e.correlation_id == "signal-1" for e in desk.events)
    assert desk.client.trading_limits.orders.pair_of("O-1") is None  # ``filled`` ended it
    assert desk.halt.api_errors == []


async def test_a_report_that_overtakes_the_reply_is_acknowledged_first(desk: Desk) -> None:
    command = desk.command()
    reply = asyncio.Event()

    async def slow_reply(request: AddOrderRequest) -> OrderPlacement:
        await reply.wait()
        return placement(command, "O-1")

    desk.client.answers.append(slow_reply)
    sending = asyncio.create_task(desk.venue.submit(command))
    await asyncio.sleep(0.01)
    desk.venue.on_executions(executions(trade(command, "T-1", "100", "100")))
    reply.set()
    await sending
    assert [type(e).__name__ for e in desk.events] == ["OrderAccepted", "OrderFilled"]
    assert desk.events[0].exchange_order_id == "O-1"  # type: ignore[attr-defined]


async def test_cancels_and_expiries_end_orders(desk: Desk) -> None:
    canceled_one = await desk.placed("O-1")
    expired_one = await desk.placed("O-2")
    desk.venue.on_executions(
        executions(report("canceled", canceled_one, "O-1", reason="User requested", cum_qty="0"))
    )
    desk.venue.on_executions(executions(report("expired", expired_one, "O-2", cum_qty="0")))
    desk.venue.on_executions(executions(report("canceled", canceled_one, "O-1", reason="again", cum_qty="0")))
    (canceled,) = desk.of(OrderCanceled)
    (expired,) = desk.of(OrderExpired)
    assert (canceled.client_order_id, canceled.reason) == (canceled_one.client_order_id, "User requested")
    assert expired.client_order_id == expired_one.client_order_id


async def test_reports_of_orders_nobody_handed_over_are_only_counted(desk: Desk) -> None:
    stranger = desk.command()
    desk.venue.on_executions(executions(report("new", stranger, "O-X")))
    assert desk.events == [] and desk.venue.stats()["untracked_reports"] == 1


async def test_a_tracked_order_continues_where_reconciliation_left_it(desk: Desk) -> None:
    command = desk.command()
    desk.venue.track(
        TrackedOrder(
            client_order_id=command.client_order_id,
            pair="XRP/USD",
            side=Side.BUY,
            qty=Decimal(100),
            txid="O-7",
            correlation_id="signal-7",
            cum_qty=Decimal(40),
            fill_ids=frozenset({"T-1"}),
        )
    )
    desk.venue.on_executions(executions(trade(command, "T-1", "40", "40", order_id="O-7")))
    desk.venue.on_executions(
        executions(report("new", command, "O-7"), trade(command, "T-2", "60", "100", order_id="O-7"))
    )
    (fill,) = desk.of(OrderFilled)
    assert (fill.fill_id, fill.cum_qty, fill.leaves_qty, fill.correlation_id) == ("T-2", 100, 0, "signal-7")
    assert desk.of(OrderAccepted) == []  # it was acknowledged before the restart


# -- AddOrder failures: the venue_errors table ---------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "reason", "local"),
    [
        (
            KrakenOrderRejectedError("AddOrder", ["EOrder:Insufficient funds"]),
            "EOrder:Insufficient funds",
            False,
        ),
        (KrakenAPIError("AddOrder", ["EAPI:Invalid nonce"]), "EAPI:Invalid nonce", False),
        (CircuitOpenError("kraken-private", 12.0), "kraken: circuit open, order not sent", False),
        (TradingRateLimitError("XRP/USD", "counter full"), "execution: counter full", True),
    ],
)
async def test_add_order_failures_are_rejections(
    desk: Desk, failure: Exception, reason: str, local: bool
) -> None:
    command = desk.command()
    desk.client.answers.append(failure)
    await desk.venue.submit(command)
    (rejected,) = desk.of(OrderRejected)
    assert rejected.reason.startswith(reason) and is_local_rejection(rejected.reason) is local
    assert rejected.correlation_id == "signal-1"
    assert desk.halt.api_errors == [] and desk.halt.fired == []  # the API-error trigger counts the event


async def test_orders_that_cannot_be_sent_are_refused_locally(desk: Desk) -> None:
    await desk.venue.submit(desk.command(price="0.500001"))  # off the 0.00001 tick
    await desk.venue.submit(desk.command(pair="BTC/USD"))
    assert desk.client.sent == []
    assert [is_local_rejection(e.reason) for e in desk.of(OrderRejected)] == [True, True]


async def test_an_engine_rate_limit_makes_the_next_order_wait(desk: Desk) -> None:
    counter = desk.client.trading_limits.counter
    assert counter.wait_s("XRP/USD", desk.client.trading_limits.cost_of(TradeAction.ADD)) == 0
    desk.client.answers.append(KrakenOrderRateLimitError("AddOrder", ["EOrder:Rate limit exceeded"]))
    await desk.venue.submit(desk.command())
    assert desk.of(OrderRejected)[0].reason == "EOrder:Rate limit exceeded"
    assert counter.wait_s("XRP/USD", 1) > 0


async def test_an_unknown_outcome_halts_and_is_resolved_later(desk: Desk) -> None:
    command = desk.command()
    desk.client.answers.append(OrderOutcomeUnknownError(command.client_order_id, "look-ups failed"))
    desk.client.resolutions += [
        OrderOutcomeUnknownError(command.client_order_id, "still down"),
        placement(command, "O-9", resolved_by_lookup=True),
    ]
    await desk.venue.submit(command)
    assert desk.events == [] and len(desk.client.sent) == 1  # neither accepted nor rejected, not resent
    assert [t for t, _ in desk.halt.fired] == ["order_outcome_unknown"] and len(desk.halt.api_errors) == 1
    assert desk.venue.stats()["unresolved_orders"] == 1
    await desk.idle()
    (accepted,) = desk.of(OrderAccepted)
    assert accepted.exchange_order_id == "O-9" and desk.client.resolutions == []
    assert desk.venue.stats()["unresolved_orders"] == 0 and len(desk.client.sent) == 1


async def test_an_unknown_outcome_found_absent_is_rejected(desk: Desk) -> None:
    command = desk.command()
    desk.client.answers.append(OrderOutcomeUnknownError(command.client_order_id, "look-ups failed"))
    desk.client.resolutions.append(
        OrderPlacement(
            outcome=PlacementOutcome.NOT_PLACED, cl_ord_id=command.client_order_id, reason="absent"
        )
    )
    await desk.venue.submit(command)
    await desk.idle()
    (rejected,) = desk.of(OrderRejected)
    assert rejected.reason == "kraken: order not placed (absent)"


async def test_the_stream_can_settle_an_unknown_outcome(desk: Desk) -> None:
    command = desk.command()
    desk.client.answers.append(OrderOutcomeUnknownError(command.client_order_id, "look-ups failed"))
    await desk.venue.submit(command)
    desk.venue.on_executions(executions(report("new", command, "O-3")))
    await desk.idle()
    assert [e.exchange_order_id for e in desk.of(OrderAccepted)] == ["O-3"]
    assert desk.client.resolutions == []  # never needed a look-up


# -- cancels ------------------------------------------------------------------------------------


async def test_repeated_cancels_collapse_and_an_ended_order_is_left_alone(desk: Desk) -> None:
    working = await desk.placed("O-1")
    for _ in range(3):
        await desk.cancel(working)
    done = await desk.placed("O-2")
    desk.venue.on_executions(executions(report("canceled", done, "O-2", cum_qty="0")))
    await desk.cancel(done)
    await desk.cancel(desk.command())  # never submitted here
    assert desk.client.cancels == ["O-1"]


async def test_a_cancel_that_fails_transiently_is_sent_again(desk: Desk) -> None:
    command = await desk.placed()
    desk.client.cancel_answers += [KrakenAPIError("CancelOrder", ["EService:Unavailable"]), 1]
    await desk.cancel(command)
    await desk.idle()
    assert desk.client.cancels == ["O-1", "O-1"] and len(desk.halt.api_errors) == 1


async def test_a_cancel_of_an_order_that_already_ended_is_not_an_error(desk: Desk) -> None:
    command = await desk.placed()
    desk.client.cancel_answers.append(KrakenOrderRejectedError("CancelOrder", ["EOrder:Unknown order"]))
    await desk.cancel(command)
    await desk.idle()
    assert desk.client.cancels == ["O-1"] and desk.halt.api_errors == []


async def test_a_cancel_that_keeps_failing_may_be_asked_for_again(desk: Desk) -> None:
    command = await desk.placed()
    desk.client.cancel_answers += [KrakenError("down")] * 3
    await desk.cancel(command)
    await desk.idle()
    assert desk.client.cancels == ["O-1"] * 3 and len(desk.halt.api_errors) == 3
    await desk.cancel(command)
    assert desk.client.cancels == ["O-1"] * 4


# -- catching up --------------------------------------------------------------------------------


async def test_an_order_missing_from_a_snapshot_is_looked_up(desk: Desk) -> None:
    command = await desk.placed("O-1")
    desk.venue.on_executions(executions(trade(command, "T-1", "40", "40")))
    desk.client.orders["O-1"] = kraken_order(
        "O-1", "canceled", command.client_order_id, trades=["T-1", "T-2"], vol_exec="70"
    )
    desk.client.trades = [history_trade("T-2", "O-1", "30"), history_trade("T-3", "O-other", "5")]
    desk.venue.on_executions(executions(snapshot=True))  # it is not among the open orders any more
    await desk.idle()
    assert [type(e).__name__ for e in desk.events] == [
        "OrderAccepted",
        "OrderFilled",
        "OrderFilled",
        "OrderCanceled",
    ]
    late = desk.of(OrderFilled)[1]
    assert (late.fill_id, late.qty, late.cum_qty, late.leaves_qty, late.liquidity) == (
        "T-2",
        Decimal(30),
        Decimal(70),
        Decimal(30),
        LiquiditySide.MAKER,
    )
    assert desk.of(OrderCanceled)[0].reason == "User requested"


async def test_an_end_reporting_more_filled_than_seen_fetches_the_fills_first(desk: Desk) -> None:
    command = await desk.placed("O-1")
    desk.client.orders["O-1"] = kraken_order(
        "O-1", "canceled", command.client_order_id, trades=["T-5"], vol_exec="30"
    )
    desk.client.trades = [history_trade("T-5", "O-1", "30")]
    desk.venue.on_executions(
        executions(report("canceled", command, "O-1", cum_qty="30", reason="User requested"))
    )
    await desk.idle()
    assert [type(e).__name__ for e in desk.events] == ["OrderAccepted", "OrderFilled", "OrderCanceled"]


async def test_when_kraken_cannot_say_more_the_streams_end_stands(desk: Desk) -> None:
    command = await desk.placed("O-1")  # the fake knows no orders: the look-up finds nothing closed
    desk.venue.on_executions(executions(report("expired", command, "O-1", cum_qty="30")))
    await desk.idle()
    assert [type(e).__name__ for e in desk.events] == ["OrderAccepted", "OrderExpired"]


async def test_without_the_journal_it_takes_the_commands_off_the_bus(desk: Desk) -> None:
    bus = AsyncBus()
    desk.venue.attach(bus)
    await bus.start()
    command = desk.command()
    desk.client.answers.append(placement(command, "O-1"))
    bus.publish(command)
    await desk.idle()
    await bus.stop()
    assert [type(e) for e in desk.events] == [OrderAccepted]


async def test_a_repeated_submit_is_never_sent_twice(desk: Desk) -> None:
    command = await desk.placed()
    await desk.venue.submit(command)
    assert len(desk.client.sent) == 1 and [type(e) for e in desk.events] == [OrderAccepted]


async def test_failed_look_ups_do_not_halt_when_the_stream_already_showed_the_order(desk: Desk) -> None:
    command = desk.command()

    async def shown_then_unknown(request: AddOrderRequest) -> OrderPlacement:
        desk.venue.on_executions(executions(report("pending_new", command, "O-4")))
        raise OrderOutcomeUnknownError(command.client_order_id, "look-ups failed")

    desk.client.answers.append(shown_then_unknown)
    await desk.venue.submit(command)
    assert [e.exchange_order_id for e in desk.of(OrderAccepted)] == ["O-4"]
    assert desk.halt.fired == [] and desk.venue.stats()["unresolved_orders"] == 0
