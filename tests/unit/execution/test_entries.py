"""Entries: the order-tag contract, the entry timeout (cancel or market), HALT and refusals."""

from __future__ import annotations

from galfriday.core.events import HaltResumed, HaltTriggered, OrderCanceled, OrderRejected
from galfriday.core.types import HaltBehaviour, OrderStatus, OrderType
from galfriday.portfolio.order_tags import OrderPurpose, OrderTag
from tests.unit.execution._kit import D, Desk


def test_a_limit_entry_is_tagged_then_announced_then_sent_with_the_signal_as_correlation_id() -> None:
    desk = Desk()
    approved = desk.approve("1000", entry="0.50000")
    (command,) = desk.submits()
    assert (command.order_type, command.qty, command.limit_price) == (OrderType.LIMIT, D(1000), D("0.50000"))
    assert command.purpose == "entry" and command.signal_id == approved.signal_id
    assert command.correlation_id == approved.signal_id  # not the prediction's id
    cid = command.client_order_id
    assert desk.trace == [("register", cid), ("OrderSubmitted", cid), ("SubmitOrder", cid)]
    assert desk.tags.get(cid) == OrderTag.entry(approved.signal_id, "test")
    assert len(cid) == 36 and cid.count("-") == 4  # a UUID: Kraken's cl_ord_id accepts it


def test_every_order_of_a_bracket_is_registered_before_it_is_published() -> None:
    desk = Desk(on_entry_timeout="market")
    entry = desk.entry("1000")
    desk.fill(entry, "400")  # a take-profit leg for the 400
    desk.at(15)  # timeout: the replacement is registered, then the limit canceled
    desk.canceled(entry)  # the replacement is sent
    desk.accept(desk.last_submit("entry"))
    desk.fill(desk.last_submit("entry"), "600", "0.50010")  # a second take-profit leg
    desk.trade("0.48900")  # the stop: both legs canceled ...
    for leg in desk.submits("take_profit"):
        desk.canceled(leg)  # ... then the stop's market order
    purposes = [s.purpose for s in desk.submits()]
    assert purposes == ["entry", "take_profit", "entry", "take_profit", "stop_loss"]
    trace = desk.trace
    for index, (what, cid) in enumerate(trace):
        if what in ("OrderSubmitted", "SubmitOrder", "CancelOrder"):
            assert ("register", cid) in trace[:index], f"{what} {cid} published before its tag"
    replacement = desk.submits("entry")[1].client_order_id
    assert trace.index(("register", replacement)) < trace.index(("CancelOrder", entry.client_order_id))


def test_timeout_cancels_an_unfilled_limit_entry() -> None:
    desk = Desk(entry_timeout_s=15, on_entry_timeout="cancel")
    entry = desk.entry()
    desk.at(14.9)
    assert desk.cancels() == []
    desk.at(15)
    (cancel,) = desk.cancels()
    assert cancel.client_order_id == entry.client_order_id and cancel.reason == "entry timeout"
    assert desk.handler.order(entry.client_order_id).status is OrderStatus.PENDING_CANCEL
    desk.canceled(entry)
    assert desk.handler.bracket("XRP/USD") is None  # flat, nothing working: forgotten
    assert len(desk.submits()) == 1


def test_timeout_with_a_partial_fill_cancels_the_rest_and_keeps_the_position_protected() -> None:
    desk = Desk(on_entry_timeout="cancel")
    entry = desk.entry()
    desk.fill(entry, "300")
    desk.at(15)
    desk.canceled(entry)
    bracket = desk.handler.bracket("XRP/USD")
    assert bracket is not None and bracket.held == D(300)
    assert [s.qty for s in desk.submits("take_profit")] == [D(300)]


def test_timeout_converts_the_rest_to_market_registered_before_the_cancel_is_published() -> None:
    desk = Desk(entry_timeout_s=15, on_entry_timeout="market")
    entry = desk.entry("1000")
    desk.fill(entry, "250")
    desk.at(15)
    (cancel,) = desk.cancels()
    assert cancel.reason == "entry timeout: the rest goes at market"
    signal_id = entry.signal_id
    assert signal_id is not None
    open_entries = desk.tags.open_entry_orders(signal_id)
    assert len(open_entries) == 2  # the replacement is registered while the limit is being canceled
    assert desk.submits("entry") == [entry]  # ... but not sent before the limit has ended
    desk.fill(entry, "150")  # a fill while the cancel travels is still applied
    desk.canceled(entry)
    market = desk.last_submit("entry")
    assert market.order_type is OrderType.MARKET and market.qty == D(600)  # 1000 - 250 - 150
    assert market.client_order_id in open_entries
    assert desk.tags.get(market.client_order_id) == OrderTag.entry(signal_id, "test")


def test_a_replacement_no_longer_needed_is_withdrawn_not_rejected() -> None:
    desk = Desk(on_entry_timeout="market")
    entry = desk.entry("1000")
    desk.at(15)
    desk.fill(entry, "1000")  # the limit filled completely before the cancel arrived
    withdrawn = desk.events.last(OrderCanceled)
    assert "the limit filled completely" in withdrawn.reason
    assert desk.submits("entry") == [entry] and desk.events.of(OrderRejected) == []
    assert desk.tags.get(withdrawn.client_order_id) == OrderTag.entry(entry.signal_id, "test")
    assert withdrawn.correlation_id == entry.signal_id


def test_a_market_entry_has_no_timeout() -> None:
    desk = Desk()
    desk.approve("1000", entry=None)
    (command,) = desk.submits()
    assert command.order_type is OrderType.MARKET and command.limit_price is None
    desk.accept(command)
    desk.at(60)
    assert desk.cancels() == []


def test_halt_cancels_working_entries_and_a_halted_handler_sends_no_new_entry() -> None:
    desk = Desk(on_entry_timeout="market")
    entry = desk.entry()
    now = desk.clock.timestamp_ns()
    desk.bus.publish(
        HaltTriggered(ts_event=now, ts_init=now, trigger="manual", reason="t", behaviour=HaltBehaviour.CLOSE)
    )
    (cancel,) = desk.cancels()
    assert cancel.client_order_id == entry.client_order_id and cancel.reason == "HALT: manual"
    desk.at(15)  # the timeout finds the entry being canceled: no market conversion
    assert len(desk.cancels()) == 1
    desk.canceled(entry)
    assert desk.submits("entry") == [entry]

    refused = desk.approve("500", pair="DOGE/USD", entry="0.1500000", sl="0.1400000", tp="0.1600000")
    rejection = desk.events.last(OrderRejected)
    assert rejection.reason == "execution: trading is HALTED"
    assert rejection.correlation_id == refused.signal_id
    tag = desk.tags.get(rejection.client_order_id)
    assert tag == OrderTag.entry(refused.signal_id, "test") and tag.purpose is OrderPurpose.ENTRY

    desk.bus.publish(HaltResumed(ts_event=now, ts_init=now, resumed_by="alice"))
    desk.approve("500", pair="DOGE/USD", entry="0.1500000", sl="0.1400000", tp="0.1600000")
    assert desk.last_submit("entry").pair == "DOGE/USD"


def test_a_second_signal_for_a_pair_still_being_worked_is_refused() -> None:
    desk = Desk()
    desk.entry()
    second = desk.approve()
    rejection = desk.events.last(OrderRejected)
    assert rejection.correlation_id == second.signal_id and "one position per pair" in rejection.reason
    assert len(desk.submits()) == 1


def test_an_entry_the_venue_rejects_ends_the_bracket() -> None:
    desk = Desk()
    desk.approve()
    desk.rejected(desk.last_submit("entry"))
    assert desk.handler.bracket("XRP/USD") is None
    desk.at(15)
    assert desk.cancels() == []
