"""Latency and no look-ahead: an order fills only on data stamped strictly after it became active."""

from __future__ import annotations

from galfriday.core.types import OrderStatus, Side
from galfriday.sim.matching import ExecType
from tests.unit.sim._kit import MIN, D, bar, book, engine, kinds, limit, market, std_book, trade, trades_of

LAT = 50_000_000  # 50 ms


def test_order_is_active_only_after_the_latency_and_fills_only_on_later_data() -> None:
    e = engine(latency_ns=LAT)
    (accepted,) = e.submit(market(Side.BUY, "10"), 1_000)
    assert accepted.exec_type is ExecType.PENDING_NEW and accepted.status is OrderStatus.PENDING_NEW
    active = 1_000 + LAT
    cheap = book(1_500, [("0.1", "1")], [("0.40000", "1000")])  # a juicy book before activation
    assert e.on_book(cheap) == []
    assert e.on_book(book(active, [("0.1", "1")], [("0.41000", "1000")])) == []  # at activation: no
    (new, fill) = e.on_book(book(active + 1, [("0.1", "1")], [("0.42000", "1000")]))
    assert new.exec_type is ExecType.NEW and new.ts_event == active + 1
    assert fill.last_price == D("0.42000") and fill.ts_event == active + 1


def test_zero_latency_still_needs_data_strictly_after_submission() -> None:
    e = engine()
    e.on_book(std_book(5))
    e.submit(market(Side.BUY, "10"), 5)
    assert e.on_book(std_book(5)) == []
    assert len(trades_of(e.on_book(std_book(6)))) == 1


def test_resting_limit_is_not_filled_by_prints_before_it_reached_the_book() -> None:
    e = engine(latency_ns=LAT)
    e.on_book(std_book(1))
    e.submit(limit(Side.BUY, "10", "0.49995"), 10)
    assert e.on_trade(trade(20, "0.49000", "100", Side.SELL)) == []  # before active
    assert e.on_trade(trade(10 + LAT + 5, "0.49000", "100", Side.SELL)) == []  # active, not on the book yet
    e.on_book(std_book(10 + LAT + 6))
    assert len(trades_of(e.on_trade(trade(10 + LAT + 7, "0.49000", "100", Side.SELL)))) == 1


def test_bar_that_opened_before_activation_cannot_fill() -> None:
    e = engine(latency_ns=LAT)
    e.submit(market(Side.BUY, "10"), 0)
    assert e.on_bar(bar(0, "0.5", "0.6", "0.4", "0.5", "1000")) == []
    (new, fill) = e.on_bar(bar(MIN, "0.51", "0.6", "0.4", "0.5", "1000"))
    assert new.exec_type is ExecType.NEW and fill.last_qty == D("10")


def test_cancel_takes_effect_after_the_latency_and_fills_may_happen_meanwhile() -> None:
    e = engine(latency_ns=LAT)
    e.submit(limit(Side.BUY, "100", "0.50000"), 0)
    e.on_book(std_book(LAT + 1))
    (ack,) = e.cancel(LAT + 2, order_id=e.open_orders()[0].order_id)
    assert ack.exec_type is ExecType.PENDING_CANCEL and ack.status is OrderStatus.NEW
    fills = trades_of(e.on_trade(trade(LAT + 3, "0.49000", "40", Side.SELL)))
    assert fills[0].last_qty == D("40")
    reports = e.on_trade(trade(2 * LAT + 2, "0.49000", "40", Side.SELL))  # cancel due at 2*LAT+2
    assert kinds(reports) == [ExecType.CANCELED] and reports[0].cum_qty == D("40")


def test_cancel_of_an_order_that_filled_meanwhile_reports_nothing_more() -> None:
    e = engine(latency_ns=LAT)
    e.submit(market(Side.BUY, "10"), 0)
    order_id = e.open_orders()[0].order_id
    e.cancel(10, order_id=order_id)  # due at LAT + 10
    assert trades_of(e.on_book(std_book(LAT + 1)))[0].status is OrderStatus.FILLED
    assert e.advance_to(10 * LAT) == []


def test_seeded_jitter_delays_activation_reproducibly() -> None:
    def activation(seed: int) -> int:
        e = engine(latency_ns=LAT, latency_jitter_ns=LAT, seed=seed)
        e.submit(market(Side.BUY, "10"), 0)
        for ts in range(LAT, 2 * LAT + 2, 1_000_000):
            if e.on_book(std_book(ts)):
                return ts
        raise AssertionError("never filled")

    assert activation(1) == activation(1)
    assert len({activation(seed) for seed in range(6)}) > 1
