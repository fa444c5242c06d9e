"""The order state machine: every (status, report) pair, duplicates, partial fills, and properties
that hold over any sequence of reports."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from galfriday.core.events import OrderAccepted, OrderCanceled, OrderExpired, OrderFilled, OrderRejected
from galfriday.core.types import LiquiditySide, OrderStatus, OrderType, Side
from galfriday.execution.order_state import OrderState, Outcome

S = OrderStatus
A, IG, R = Outcome.APPLIED, Outcome.IGNORED, Outcome.REFUSED
QTY = Decimal(100)


def new_order() -> OrderState:
    return OrderState(
        client_order_id="c-1",
        pair="XRP/USD",
        side=Side.BUY,
        order_type=OrderType.LIMIT,
        qty=QTY,
        correlation_id="signal-1",
    )


def accepted(exchange_order_id: str = "O-1") -> OrderAccepted:
    return OrderAccepted(
        ts_event=1, ts_init=1, client_order_id="c-1", exchange_order_id=exchange_order_id, pair="XRP/USD"
    )


def filled(fill_id: str, qty: int | Decimal) -> OrderFilled:
    q = Decimal(qty)
    return OrderFilled(
        ts_event=1,
        ts_init=1,
        client_order_id="c-1",
        exchange_order_id="O-1",
        fill_id=fill_id,
        pair="XRP/USD",
        side=Side.BUY,
        qty=q,
        price=Decimal("0.5"),
        fee=Decimal(0),
        fee_currency="USD",
        liquidity=LiquiditySide.MAKER,
        cum_qty=q,
        leaves_qty=QTY - q,
    )


def canceled() -> OrderCanceled:
    return OrderCanceled(
        ts_event=1,
        ts_init=1,
        client_order_id="c-1",
        exchange_order_id="O-1",
        pair="XRP/USD",
        reason="User requested",
    )


def expired() -> OrderExpired:
    return OrderExpired(ts_event=1, ts_init=1, client_order_id="c-1", exchange_order_id="O-1", pair="XRP/USD")


def rejected() -> OrderRejected:
    return OrderRejected(
        ts_event=1, ts_init=1, client_order_id="c-1", pair="XRP/USD", reason="EOrder:Insufficient funds"
    )


def snapshot(order: OrderState) -> OrderState:
    return dataclasses.replace(order, fill_ids=set(order.fill_ids))


def in_status(status: OrderStatus) -> OrderState:
    order = new_order()
    if status is S.REJECTED:
        order.apply(rejected())
        return order
    if status is not S.PENDING_NEW:
        order.apply(accepted())
    if status is S.PARTIALLY_FILLED:
        order.apply(filled("T-0", 40))
    elif status is S.FILLED:
        order.apply(filled("T-0", 100))
    elif status is S.PENDING_CANCEL:
        order.request_cancel()
    elif status in (S.CANCELED, S.EXPIRED):
        order.apply(canceled() if status is S.CANCELED else expired())
    assert order.status is status
    return order


EVENTS = {
    "accepted": lambda o: o.apply(accepted()),
    "rejected": lambda o: o.apply(rejected()),
    "cancel requested": lambda o: o.request_cancel(),
    "canceled": lambda o: o.apply(canceled()),
    "expired": lambda o: o.apply(expired()),
    "fill 30": lambda o: o.apply(filled("T-new", 30)),
}

# status before -> event -> (outcome, status after)
TABLE: dict[OrderStatus, dict[str, tuple[Outcome, OrderStatus]]] = {
    S.PENDING_NEW: {
        "accepted": (A, S.NEW),
        "rejected": (A, S.REJECTED),
        "cancel requested": (A, S.PENDING_CANCEL),
        "canceled": (A, S.CANCELED),
        "expired": (A, S.EXPIRED),
        "fill 30": (A, S.PARTIALLY_FILLED),
    },
    S.NEW: {
        "accepted": (IG, S.NEW),
        "rejected": (R, S.NEW),
        "cancel requested": (A, S.PENDING_CANCEL),
        "canceled": (A, S.CANCELED),
        "expired": (A, S.EXPIRED),
        "fill 30": (A, S.PARTIALLY_FILLED),
    },
    S.PARTIALLY_FILLED: {
        "accepted": (IG, S.PARTIALLY_FILLED),
        "rejected": (R, S.PARTIALLY_FILLED),
        "cancel requested": (A, S.PENDING_CANCEL),
        "canceled": (A, S.CANCELED),
        "expired": (A, S.EXPIRED),
        "fill 30": (A, S.PARTIALLY_FILLED),
    },
    S.PENDING_CANCEL: {
        "accepted": (IG, S.PENDING_CANCEL),
        "rejected": (R, S.PENDING_CANCEL),
        "cancel requested": (IG, S.PENDING_CANCEL),
        "canceled": (A, S.CANCELED),
        "expired": (A, S.EXPIRED),
        "fill 30": (A, S.PENDING_CANCEL),  # a late fill after a cancel request is still applied
    },
    S.FILLED: {
        "accepted": (IG, S.FILLED),
        "rejected": (R, S.FILLED),
        "cancel requested": (IG, S.FILLED),
        "canceled": (R, S.FILLED),
        "expired": (R, S.FILLED),
        "fill 30": (R, S.FILLED),  # would overfill
    },
    S.CANCELED: {
        "accepted": (IG, S.CANCELED),
        "rejected": (R, S.CANCELED),
        "cancel requested": (IG, S.CANCELED),
        "canceled": (IG, S.CANCELED),
        "expired": (R, S.CANCELED),
        "fill 30": (A, S.CANCELED),  # recovered late: the coins moved, the status stays
    },
    S.EXPIRED: {
        "accepted": (IG, S.EXPIRED),
        "rejected": (R, S.EXPIRED),
        "cancel requested": (IG, S.EXPIRED),
        "canceled": (R, S.EXPIRED),
        "expired": (IG, S.EXPIRED),
        "fill 30": (A, S.EXPIRED),
    },
    S.REJECTED: {
        "accepted": (R, S.REJECTED),
        "rejected": (IG, S.REJECTED),
        "cancel requested": (IG, S.REJECTED),
        "canceled": (R, S.REJECTED),
        "expired": (R, S.REJECTED),
        "fill 30": (R, S.REJECTED),
    },
}


def test_the_table_covers_every_status_and_report() -> None:
    assert set(TABLE) == set(OrderStatus)
    assert all(set(row) == set(EVENTS) for row in TABLE.values())


@pytest.mark.parametrize(
    ("status", "event"), [(status, event) for status in TABLE for event in EVENTS], ids=lambda v: str(v)
)
def test_every_transition(status: OrderStatus, event: str) -> None:
    order = in_status(status)
    before = snapshot(order)
    outcome, after = TABLE[status][event]
    result = EVENTS[event](order)
    assert (result.outcome, order.status) == (outcome, after)
    assert result.status is order.status
    if outcome is R:
        assert result.detail and order == before  # refused: returned as an error, nothing applied
    assert order.cum_qty <= order.qty


def test_a_refused_report_is_logged_with_the_correlation_id(caplog: pytest.LogCaptureFixture) -> None:
    order = in_status(S.FILLED)
    with caplog.at_level("ERROR"):
        result = order.apply(canceled())
    assert result.refused and "after it was FILLED" in result.detail
    (record,) = caplog.records
    assert record.correlation_id == "signal-1" and "c-1" in record.getMessage()


def test_duplicate_fills_are_ignored_and_counted() -> None:
    order = in_status(S.NEW)
    assert order.apply(filled("T-1", 30)).applied
    for _ in range(3):
        result = order.apply(filled("T-1", 30))
        assert result.outcome is IG and "seen before" in result.detail
    assert (order.cum_qty, order.duplicate_fills, order.status) == (30, 3, S.PARTIALLY_FILLED)


def test_partial_fills_add_up_to_filled_and_leaves_follows() -> None:
    order = in_status(S.NEW)
    for n, qty in enumerate((10, 25, 40)):
        order.apply(filled(f"T-{n}", qty))
        assert order.status is S.PARTIALLY_FILLED and order.leaves_qty == QTY - order.cum_qty
    assert order.apply(filled("T-3", 25)).applied
    assert (order.status, order.cum_qty, order.leaves_qty) == (S.FILLED, QTY, 0)


def test_a_fill_recovered_after_the_cancel_is_applied_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    order = in_status(S.CANCELED)
    with caplog.at_level("WARNING"):
        assert order.apply(filled("T-7", 30)).applied
    assert (order.status, order.cum_qty, order.leaves_qty, order.late_fills) == (S.CANCELED, 30, 0, 1)
    assert "reported after it was CANCELED" in caplog.text


def test_a_fill_that_would_overfill_is_refused_whole() -> None:
    order = in_status(S.PARTIALLY_FILLED)  # 40 of 100
    result = order.apply(filled("T-9", 61))
    assert result.refused and "cum_qty to 101" in result.detail
    assert order.cum_qty == 40 and "T-9" not in order.fill_ids


def test_a_fill_can_overtake_the_acknowledgement() -> None:
    order = new_order()
    assert order.apply(filled("T-1", 100)).applied and order.status is S.FILLED
    assert order.exchange_order_id == "O-1"
    assert order.apply(accepted()).outcome is IG


def test_an_acknowledgement_naming_another_exchange_order_is_refused() -> None:
    order = in_status(S.NEW)
    result = order.apply(accepted("O-2"))
    assert result.refused and "two exchange orders" in result.detail and order.exchange_order_id == "O-1"


def test_cancel_requested_before_the_ack_then_rejected_is_rejected() -> None:
    order = new_order()
    order.request_cancel()
    assert order.apply(rejected()).applied and order.status is S.REJECTED and order.leaves_qty == 0


def test_fills_without_id_or_quantity_are_refused() -> None:
    order = in_status(S.NEW)
    assert order.apply(filled("", 10)).refused
    assert order.apply(filled("T-1", 0)).refused
    assert order.cum_qty == 0


# -- properties over random report sequences ------------------------------------------------------

steps = st.lists(
    st.one_of(
        st.sampled_from(["accepted", "rejected", "cancel requested", "canceled", "expired"]),
        st.tuples(st.sampled_from(["T-1", "T-2", "T-3", "T-4", "T-5"]), st.integers(1, 60)),
    ),
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(steps)
def test_any_report_sequence_keeps_the_order_consistent(sequence: list[str | tuple[str, int]]) -> None:
    order = new_order()
    applied_fills: dict[str, Decimal] = {}
    terminal_at: OrderStatus | None = None
    for step in sequence:
        before = snapshot(order)
        if isinstance(step, tuple):
            fill_id, qty = step
            result = order.apply(filled(fill_id, qty))
            if fill_id in applied_fills:
                assert result.outcome is IG and order.cum_qty == before.cum_qty  # a repeat changes nothing
            elif result.applied:
                applied_fills[fill_id] = Decimal(qty)
        else:
            result = EVENTS[step](order)
        if result.outcome is R:
            assert order == before
        if result.outcome is IG:
            assert order.status is before.status and order.cum_qty == before.cum_qty
        # invariants
        assert 0 <= order.cum_qty <= order.qty
        assert order.cum_qty == sum(applied_fills.values(), Decimal(0))
        assert order.fill_ids == set(applied_fills)
        if terminal_at is not None:
            assert order.status is terminal_at  # a terminal status never changes
        elif order.is_terminal:
            terminal_at = order.status
        if order.status is S.FILLED:
            assert order.cum_qty == order.qty
        if order.is_open:
            assert order.cum_qty < order.qty and order.leaves_qty == order.qty - order.cum_qty
        else:
            assert order.leaves_qty == 0
        if order.status is S.REJECTED:
            assert order.cum_qty == 0
