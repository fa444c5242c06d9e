"""Taking over after a restart: a position and the working orders an earlier process left become an
ordinary bracket — its stop watched, its take-profit placed or followed, closable, canceled on HALT.

Before ``ExecutionHandler.take_over`` existed the handler started empty: a ClosePosition for such a
position was ignored ("nothing held"), no stop fired and no take-profit was ever placed for it.
"""

from __future__ import annotations

import pytest

from galfriday.core.events import ClosePosition, SubmitOrder
from galfriday.core.types import ExitReason, OrderStatus, OrderType, Side
from galfriday.execution.order_state import OrderState
from galfriday.execution.takeover import RestoredBracket
from galfriday.portfolio.order_tags import OrderPurpose, OrderTag
from tests.unit.execution._kit import SECOND, D, Desk

SIGNAL = "00000000-0000-0000-0000-0000000000a1"


def restored(held: str, *orders: OrderState, qty: str = "1000") -> RestoredBracket:
    return RestoredBracket(
        pair="XRP/USD",
        signal_id=SIGNAL,
        strategy_id="test",
        side=Side.BUY,
        qty=D(qty),
        sl=D("0.49000"),
        tp=D("0.52000"),
        held=D(held),
        orders=orders,
    )


def working(
    cid: str, purpose: OrderPurpose, qty: str, *, side: Side = Side.SELL, filled: str = "0"
) -> OrderState:
    return OrderState(
        client_order_id=cid,
        pair="XRP/USD",
        side=side,
        order_type=OrderType.LIMIT,
        qty=D(qty),
        purpose=purpose.value,
        correlation_id=SIGNAL,
        status=OrderStatus.PARTIALLY_FILLED if D(filled) else OrderStatus.NEW,
        exchange_order_id=f"O-{cid}",
        cum_qty=D(filled),
        fill_ids={f"T-{cid}-1"} if D(filled) else set(),
    )


def as_command(order: OrderState, limit: str) -> SubmitOrder:
    """The SubmitOrder the earlier process sent, for the desk's report builders."""
    return SubmitOrder(
        ts_event=0,
        ts_init=0,
        correlation_id=SIGNAL,
        client_order_id=order.client_order_id,
        pair=order.pair,
        side=order.side,
        order_type=order.order_type,
        qty=order.qty,
        limit_price=D(limit),
        signal_id=SIGNAL,
        purpose=order.purpose,
    )


def test_a_position_left_without_orders_gets_its_take_profit_and_its_stop() -> None:
    desk = Desk()
    desk.handler.take_over(restored("800"))
    (leg,) = desk.submits("take_profit")
    assert (leg.side, leg.qty, leg.limit_price) == (Side.SELL, D(800), D("0.52000"))
    assert desk.tags.get(leg.client_order_id) == OrderTag.take_profit(SIGNAL, "test")
    desk.accept(leg)
    desk.trade("0.48990")  # the stop: the leg is canceled first (OCO), then the rest sold at market
    assert [c.client_order_id for c in desk.cancels()] == [leg.client_order_id]
    desk.canceled(leg)
    exit_order = desk.last_submit("stop_loss")
    assert (exit_order.order_type, exit_order.qty) == (OrderType.MARKET, D(800))


def test_a_working_take_profit_is_followed_not_doubled() -> None:
    desk = Desk()
    leg = working("tp1", OrderPurpose.TAKE_PROFIT, "800", filled="300")
    desk.handler.take_over(restored("500", leg))
    assert desk.submits() == []  # the leg still covers the 500 held
    assert desk.tags.get("tp1") == OrderTag.take_profit(SIGNAL, "test")
    desk.fill(as_command(leg, "0.52000"), "500")
    assert desk.handler.bracket("XRP/USD") is None  # flat, nothing working: done


def test_a_close_request_closes_a_taken_over_position() -> None:
    desk = Desk()
    leg = working("tp1", OrderPurpose.TAKE_PROFIT, "800")
    desk.handler.take_over(restored("800", leg))
    now = desk.clock.timestamp_ns()
    desk.bus.publish(ClosePosition(ts_event=now, ts_init=now, pair="XRP/USD", reason=ExitReason.HALT))
    assert [c.client_order_id for c in desk.cancels()] == ["tp1"]
    desk.canceled(as_command(leg, "0.52000"))
    exit_order = desk.last_submit("exit")
    assert (exit_order.side, exit_order.order_type, exit_order.qty) == (Side.SELL, OrderType.MARKET, D(800))


def test_a_working_entry_gets_a_fresh_timeout_and_its_fills_grow_the_position() -> None:
    desk = Desk(entry_timeout_s=15)
    entry = working("e1", OrderPurpose.ENTRY, "1000", side=Side.BUY, filled="200")
    desk.handler.take_over(restored("200", entry))
    assert desk.tags.get("e1") == OrderTag.entry(SIGNAL, "test")
    desk.fill(as_command(entry, "0.50000"), "100")
    bracket = desk.handler.bracket("XRP/USD")
    assert bracket is not None and bracket.held == D(300)
    desk.at(14)
    assert desk.cancels() == []
    desk.at(15 + 1 / SECOND)
    assert [c.client_order_id for c in desk.cancels()] == ["e1"]


def test_a_pair_already_worked_cannot_be_taken_over() -> None:
    desk = Desk()
    desk.handler.take_over(restored("800"))
    with pytest.raises(ValueError, match="already works"):
        desk.handler.take_over(restored("800"))
