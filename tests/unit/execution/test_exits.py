"""Exits: take-profit legs sized to the fills, the handler's stop, client-side OCO and closes."""

from __future__ import annotations

import pytest

from galfriday.core.events import BarClosed, ClosePosition, SubmitOrder
from galfriday.core.types import ExitReason, OrderStatus, OrderType, Side
from galfriday.portfolio.order_tags import OrderTag
from tests.unit.execution._kit import SECOND, D, Desk


def close(desk: Desk, reason: ExitReason, pair: str = "XRP/USD") -> None:
    now = desk.clock.timestamp_ns()
    desk.bus.publish(ClosePosition(ts_event=now, ts_init=now, pair=pair, reason=reason))


def opened(desk: Desk, qty: str = "1000") -> tuple[SubmitOrder, SubmitOrder]:
    """An entry filled completely and its acknowledged take-profit leg."""
    entry = desk.entry(qty)
    desk.fill(entry, qty)
    leg = desk.last_submit("take_profit")
    desk.accept(leg)
    return entry, leg


def test_an_entry_fill_places_a_take_profit_for_the_filled_quantity_and_arms_the_stop() -> None:
    desk = Desk()
    approved = desk.approve("1000", sl="0.49000", tp="0.52000")
    entry = desk.last_submit("entry")
    desk.accept(entry)
    desk.fill(entry, "400")
    (leg,) = desk.submits("take_profit")
    assert (leg.side, leg.order_type, leg.qty) == (Side.SELL, OrderType.LIMIT, D(400))
    assert leg.limit_price == D("0.52")
    assert leg.correlation_id == approved.signal_id
    assert desk.tags.get(leg.client_order_id) == OrderTag.take_profit(approved.signal_id, "test")
    bracket = desk.handler.bracket("XRP/USD")
    assert bracket is not None and (bracket.held, bracket.sl) == (D(400), D("0.49000"))


def test_a_later_partial_fill_adds_a_leg_for_the_new_quantity() -> None:
    desk = Desk()
    entry = desk.entry("1000")
    desk.fill(entry, "400")
    desk.fill(entry, "350")
    assert [leg.qty for leg in desk.submits("take_profit")] == [D(400), D(350)]
    assert desk.cancels() == []  # additional legs, not cancel-replace
    bracket = desk.handler.bracket("XRP/USD")
    assert bracket is not None and bracket.held == bracket.take_profit_cover == D(750)


def test_a_fill_below_the_exchange_minimum_waits_for_the_next_one() -> None:
    desk = Desk()  # XRP/USD ordermin is 10
    entry = desk.entry("1000")
    desk.fill(entry, "6")
    assert desk.submits("take_profit") == []
    desk.fill(entry, "7")
    assert [leg.qty for leg in desk.submits("take_profit")] == [D(13)]


def test_the_stop_cancels_the_take_profit_then_sells_what_is_held_at_market() -> None:
    desk = Desk()
    entry, leg = opened(desk)
    desk.trade("0.49500")
    assert desk.cancels() == []
    desk.trade("0.49000")  # touches the stop
    (cancel,) = desk.cancels()
    assert (cancel.client_order_id, cancel.reason) == (leg.client_order_id, "oco: stop-loss triggered")
    assert desk.submits("stop_loss") == []  # the leg still holds the coins
    desk.fill(leg, "100")  # the leg fills a little while the cancel travels
    desk.canceled(leg)
    stop = desk.last_submit("stop_loss")
    assert (stop.side, stop.order_type, stop.qty) == (Side.SELL, OrderType.MARKET, D(900))
    assert desk.tags.get(stop.client_order_id) == OrderTag.stop_loss(entry.signal_id, "test")
    desk.accept(stop)
    desk.fill(stop, "900", "0.48990")
    assert desk.handler.bracket("XRP/USD") is None
    assert all(desk.handler.order(s.client_order_id).is_terminal for s in desk.submits())


def test_a_complete_take_profit_fill_disarms_the_stop() -> None:
    desk = Desk()
    _, leg = opened(desk)
    desk.fill(leg, "1000")
    assert desk.handler.bracket("XRP/USD") is None
    desk.trade("0.48000")
    assert desk.cancels() == [] and desk.submits("stop_loss") == []


def test_a_partial_take_profit_fill_reduces_what_the_stop_sells() -> None:
    desk = Desk()
    _, leg = opened(desk)
    desk.fill(leg, "600")
    bracket = desk.handler.bracket("XRP/USD")
    assert bracket is not None and bracket.held == D(400)
    desk.trade("0.48900")
    desk.canceled(leg)
    assert desk.last_submit("stop_loss").qty == D(400)


def test_the_stop_watches_the_mid_until_trades_are_seen_then_the_last_trade() -> None:
    desk = Desk()
    opened(desk)
    desk.book("0.48990", "0.49030")  # mid 0.49010: bid below the stop, mid above
    assert desk.cancels() == []
    desk.book("0.48980", "0.49020")  # mid 0.49000
    assert len(desk.cancels()) == 1

    desk2 = Desk()
    opened(desk2)
    desk2.trade("0.49100")
    desk2.book("0.48000", "0.48100")  # once trades are seen, books do not move the stop
    assert desk2.cancels() == []


def test_the_stop_fires_on_a_bar_low() -> None:
    desk = Desk()
    opened(desk)
    now = desk.clock.timestamp_ns()
    desk.bus.publish(
        BarClosed(
            ts_event=now,
            ts_init=now,
            pair="XRP/USD",
            interval_s=60,
            open_time_ns=now - 60 * SECOND,
            open=D("0.50"),
            high=D("0.501"),
            low=D("0.489"),
            close=D("0.4995"),
            volume=D(1),
            vwap=D("0.5"),
            trade_count=1,
        )
    )
    assert [c.reason for c in desk.cancels()] == ["oco: stop-loss triggered"]


def test_close_position_cancels_legs_and_entry_then_flattens_at_market() -> None:
    desk = Desk()
    entry = desk.entry("1000")
    desk.fill(entry, "600")
    leg = desk.last_submit("take_profit")
    desk.accept(leg)
    close(desk, ExitReason.TIME_EXIT)
    cancels = {c.client_order_id: c.reason for c in desk.cancels()}
    assert cancels == dict.fromkeys((entry.client_order_id, leg.client_order_id), "closing (TIME_EXIT)")
    desk.canceled(leg)
    assert desk.submits("exit") == []  # the entry may still fill
    desk.fill(entry, "100")  # and it does, before its cancel lands
    desk.canceled(entry)
    exit_ = desk.last_submit("exit")
    assert (exit_.order_type, exit_.side, exit_.qty) == (OrderType.MARKET, Side.SELL, D(700))
    tag = OrderTag.exit(ExitReason.TIME_EXIT, entry.signal_id, "test")
    assert desk.tags.get(exit_.client_order_id) == tag
    desk.accept(exit_)
    desk.fill(exit_, "700", "0.50100")
    assert desk.handler.bracket("XRP/USD") is None
    assert desk.submits("take_profit") == [leg]  # no leg for the late entry fill while closing


def test_two_close_requests_make_one_close() -> None:
    desk = Desk()
    _, leg = opened(desk)
    close(desk, ExitReason.TIME_EXIT)
    close(desk, ExitReason.HALT)  # the strategy and HALT both ask
    desk.canceled(leg)
    close(desk, ExitReason.HALT)
    desk.trade("0.48000")  # the stop finds a close under way
    (exit_,) = desk.submits("exit")
    assert desk.submits("stop_loss") == [] and len(desk.cancels()) == 1
    assert desk.tags.get(exit_.client_order_id).exit_reason is ExitReason.TIME_EXIT


def test_a_rejected_close_is_given_up_and_the_stop_is_armed_again() -> None:
    desk = Desk()
    _, leg = opened(desk)
    close(desk, ExitReason.REVERSAL)
    desk.canceled(leg)
    desk.rejected(desk.last_submit("exit"), "EService:Unavailable")
    bracket = desk.handler.bracket("XRP/USD")
    assert bracket is not None and not bracket.closing and bracket.held == D(1000)
    renewed = desk.last_submit("take_profit")  # the position is covered again
    assert renewed is not leg and renewed.qty == D(1000)
    desk.trade("0.48900")
    desk.canceled(renewed)
    assert desk.last_submit("stop_loss").qty == D(1000)


def test_a_close_cut_short_by_the_book_sends_the_rest() -> None:
    desk = Desk()
    _, leg = opened(desk)
    close(desk, ExitReason.TIME_EXIT)
    desk.canceled(leg)
    first = desk.last_submit("exit")
    desk.accept(first)
    desk.fill(first, "700")
    desk.canceled(first, "Market order: book depth exhausted")
    second = desk.last_submit("exit")
    assert second is not first and second.qty == D(300)


def test_dust_below_the_exchange_minimum_stays_on_its_resting_take_profit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Canceling the leg would strand 5 XRP that no order may sell: it keeps working instead."""
    desk = Desk()
    _, leg = opened(desk)
    desk.fill(leg, "995")
    with caplog.at_level("WARNING"):
        close(desk, ExitReason.TIME_EXIT)
        close(desk, ExitReason.TIME_EXIT)  # asked again: still parked, said once
    assert desk.cancels() == [] and desk.submits("exit") == []
    assert caplog.text.count("stays on its resting take-profit") == 1
    desk.fill(leg, "5")  # the take-profit sells the rest after all
    assert desk.handler.bracket("XRP/USD") is None


def test_dust_with_no_order_left_to_sell_it_is_given_up(caplog: pytest.LogCaptureFixture) -> None:
    desk = Desk()
    _, leg = opened(desk)
    desk.fill(leg, "995")
    with caplog.at_level("ERROR"):
        desk.canceled(leg, "expired")  # the leg ended by itself: 5 XRP, too few for a new one
        close(desk, ExitReason.TIME_EXIT)
    assert desk.submits("exit") == [] and desk.handler.bracket("XRP/USD") is None
    assert "below the exchange minimum" in caplog.text


def test_a_close_request_for_a_pair_without_a_bracket_does_nothing() -> None:
    desk = Desk()
    close(desk, ExitReason.HALT)
    assert desk.submits() == [] and desk.cancels() == []


def test_duplicate_fill_reports_move_the_position_once() -> None:
    desk = Desk()
    entry = desk.entry("1000")
    fill = desk.fill(entry, "400")
    desk.bus.publish(fill)
    desk.bus.publish(fill)
    bracket = desk.handler.bracket("XRP/USD")
    order = desk.handler.order(entry.client_order_id)
    assert bracket is not None and order is not None
    assert (bracket.held, order.cum_qty, order.duplicate_fills) == (D(400), D(400), 2)
    assert order.status is OrderStatus.PARTIALLY_FILLED and len(desk.submits("take_profit")) == 1


def test_a_rejected_take_profit_leg_is_not_placed_again() -> None:
    desk = Desk()
    entry = desk.entry("1000")
    desk.fill(entry, "400")
    desk.rejected(desk.last_submit("take_profit"))
    desk.fill(entry, "600")
    assert len(desk.submits("take_profit")) == 1  # no loop of legs the venue keeps refusing
    desk.trade("0.48900")  # the stop still protects the whole position
    assert desk.last_submit("stop_loss").qty == D(1000)


def test_after_repeated_failed_closes_the_stop_no_longer_fires_by_itself() -> None:
    desk = Desk()
    _, leg = opened(desk)
    desk.trade("0.48900")
    desk.canceled(leg)
    for attempt in range(1, 4):
        desk.rejected(desk.last_submit("stop_loss"), "EService:Unavailable")
        renewed = desk.last_submit("take_profit")  # not closing any more: covered again
        desk.trade("0.48800")  # beyond the stop again: it fires while fewer than 3 closes failed
        if attempt < 3:
            desk.canceled(renewed)
        assert len(desk.submits("stop_loss")) == min(attempt + 1, 3)
    bracket = desk.handler.bracket("XRP/USD")
    assert bracket is not None and bracket.failed_closes == 3 and not bracket.closing
    close(desk, ExitReason.HALT)  # an explicit request still closes
    desk.canceled(desk.last_submit("take_profit"))
    assert desk.last_submit("exit").qty == D(1000)
