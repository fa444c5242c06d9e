"""PortfolioManager on the bus: positions, trades with their exit reasons, reservations, snapshots."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from galfriday.config.sections.risk import PortfolioSettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import (
    OrderCanceled,
    PortfolioSnapshotTaken,
    PositionChanged,
    SignalApproved,
    TradeClosed,
)
from galfriday.core.types import ExitReason, OrderType, Side
from galfriday.portfolio.manager import PortfolioManager
from galfriday.portfolio.order_tags import OrderTag
from tests.unit.portfolio._kit import INSTRUMENTS, MINUTE, T0, D, Recorder, bar, book, fill

TAKER = Decimal("0.0026")


@pytest.fixture
def clock() -> SimClock:
    return SimClock(T0)


@pytest.fixture
def bus() -> SyncBus:
    return SyncBus()


@pytest.fixture
def recorder(bus: SyncBus) -> Recorder:
    return Recorder(bus)


@pytest.fixture
def manager(clock: SimClock, bus: SyncBus) -> PortfolioManager:
    portfolio = PortfolioManager(PortfolioSettings(initial_cash=D(10000)), INSTRUMENTS, clock, bus.publish)
    portfolio.attach(bus)
    return portfolio


def approved(signal_id: str, qty: str, entry: str | None = "0.50000") -> SignalApproved:
    return SignalApproved(
        ts_event=T0,
        ts_init=T0,
        signal_id=signal_id,
        pair="XRP/USD",
        strategy_id="s1",
        side=Side.BUY,
        entry_type=OrderType.LIMIT if entry else OrderType.MARKET,
        qty=D(qty),
        entry_price=None if entry is None else D(entry),
        sl_price=D("0.49"),
        tp_price=D("0.52"),
    )


@pytest.mark.parametrize(
    ("exit_tag", "reason"),
    [
        (OrderTag.take_profit("sig-1", "s1"), ExitReason.TP_HIT),
        (OrderTag.stop_loss("sig-1", "s1"), ExitReason.SL_HIT),
        (OrderTag.exit(ExitReason.TIME_EXIT, "sig-1", "s1"), ExitReason.TIME_EXIT),
        (OrderTag.exit(ExitReason.REVERSAL), ExitReason.REVERSAL),
        (OrderTag.exit(ExitReason.HALT), ExitReason.HALT),
        (None, ExitReason.MANUAL_CLOSE),
    ],
)
def test_trade_closed_carries_signal_strategy_exit_reason_and_net_pnl(
    manager: PortfolioManager, bus: SyncBus, recorder: Recorder, exit_tag: OrderTag | None, reason: ExitReason
) -> None:
    manager.order_tags.register("entry-1", OrderTag.entry("sig-1", "s1"))
    if exit_tag is not None:
        manager.order_tags.register("exit-1", exit_tag)
    bus.publish(fill("XRP/USD", Side.BUY, "1000", "0.50000", fee="1.30", client_order_id="entry-1"))
    bus.publish(
        fill("XRP/USD", Side.SELL, "1000", "0.52000", fee="1.352", client_order_id="exit-1", ts=T0 + MINUTE)
    )

    trade = recorder.last(TradeClosed)
    assert (trade.signal_id, trade.strategy_id, trade.exit_reason) == ("sig-1", "s1", reason)
    assert (trade.qty, trade.avg_entry_price, trade.avg_exit_price) == (D(1000), D("0.5"), D("0.52"))
    assert trade.fees == D("2.652")
    assert trade.realized_pnl == D("20") - D("2.652")
    assert trade.realized_pnl_pct == pytest.approx(17.348 / 500)
    assert (trade.entry_time_ns, trade.exit_time_ns) == (T0, T0 + MINUTE)
    assert recorder.last(PositionChanged).qty == 0


def test_position_changed_after_every_fill_with_unrealised_at_the_mark(
    manager: PortfolioManager, bus: SyncBus, recorder: Recorder
) -> None:
    bus.publish(book("XRP/USD", "0.50999", "0.51001"))
    bus.publish(fill("XRP/USD", Side.BUY, "400", "0.50000", leaves="600"))
    bus.publish(fill("XRP/USD", Side.BUY, "600", "0.50500"))
    changes = recorder.of(PositionChanged)
    assert [c.qty for c in changes] == [D(400), D(1000)]
    assert changes[-1].avg_price == D("0.503")
    assert changes[-1].unrealized_pnl == D(1000) * (D("0.51") - D("0.503"))


def test_a_fill_reported_twice_is_booked_once(manager: PortfolioManager, bus: SyncBus) -> None:
    once = fill("XRP/USD", Side.BUY, "1000", "0.5", fee="1.3")
    bus.publish(once)
    bus.publish(once)
    assert manager.position_qty("XRP/USD") == D(1000)
    assert manager.ledger.quote_cash == D("9498.7")


def test_marks_come_from_book_mid_and_bar_close(manager: PortfolioManager, bus: SyncBus) -> None:
    bus.publish(book("XRP/USD", "0.49990", "0.50010"))
    assert manager.reference_price("XRP/USD") == D("0.5")
    bus.publish(bar("DOGE/USD", "0.1500000"))
    assert manager.reference_price("DOGE/USD") == D("0.15")


def test_approved_entries_reserve_cash_until_filled_or_finished(
    manager: PortfolioManager, bus: SyncBus
) -> None:
    bus.publish(approved("sig-1", "1000"))
    reserved = D(1000) * D("0.5") * (1 + TAKER)
    assert manager.free_balance() == D(10000) - reserved
    assert manager.exposure("XRP/USD") == D(500)
    assert manager.approvals_seen() == 1

    manager.order_tags.register("e1", OrderTag.entry("sig-1", "s1"))
    bus.publish(fill("XRP/USD", Side.BUY, "400", "0.50000", client_order_id="e1", leaves="600"))
    # cash paid for 400, the reservation holds the other 600: free falls by fee only
    assert manager.free_balance() == D(10000) - D(200) - D(600) * D("0.5") * (1 + TAKER)

    bus.publish(
        OrderCanceled(ts_event=T0, ts_init=T0, client_order_id="e1", exchange_order_id="O", pair="XRP/USD")
    )
    assert manager.free_balance() == D(9800)
    assert manager.exposure("XRP/USD") == D(200)


def test_a_replacement_entry_keeps_the_reservation_across_the_cancel(
    manager: PortfolioManager, bus: SyncBus
) -> None:
    bus.publish(approved("sig-1", "1000"))
    manager.order_tags.register("limit", OrderTag.entry("sig-1", "s1"))
    assert manager.open_entry_orders() == [("limit", "XRP/USD")]
    manager.order_tags.register("market", OrderTag.entry("sig-1", "s1"))  # before the cancel
    bus.publish(
        OrderCanceled(ts_event=T0, ts_init=T0, client_order_id="limit", exchange_order_id="O", pair="XRP/USD")
    )
    assert manager.free_balance() == D(10000) - D(500) * (1 + TAKER)
    assert manager.open_entry_orders() == [("market", "XRP/USD")]
    bus.publish(fill("XRP/USD", Side.BUY, "1000", "0.50000", client_order_id="market"))
    assert manager.free_balance() == D(9500)
    assert manager.open_entry_orders() == []


def test_snapshots_on_the_clock_timer(
    manager: PortfolioManager, clock: SimClock, bus: SyncBus, recorder: Recorder
) -> None:
    manager.start()
    bus.publish(fill("XRP/USD", Side.BUY, "1000", "0.50000"))
    bus.publish(book("XRP/USD", "0.48999", "0.49001"))
    clock.advance_to(T0 + 3 * MINUTE)
    snapshots = recorder.of(PortfolioSnapshotTaken)
    assert [s.ts_event for s in snapshots] == [T0 + MINUTE, T0 + 2 * MINUTE, T0 + 3 * MINUTE]
    last = snapshots[-1]
    assert last.equity == D(9990) and last.cash == D(9500)
    assert last.exposure_pct == pytest.approx(490 / 9990)
    assert last.total_drawdown_pct == pytest.approx(10 / 10000)
    assert [(p.pair, p.qty, p.market_price, p.unrealized_pnl) for p in last.positions] == [
        ("XRP/USD", D(1000), D("0.49"), D(-10))
    ]
    manager.stop()
    clock.advance_to(T0 + 10 * MINUTE)
    assert len(recorder.of(PortfolioSnapshotTaken)) == 3


def test_state_survives_a_json_round_trip_and_continues_identically(
    manager: PortfolioManager, clock: SimClock, bus: SyncBus
) -> None:
    manager.order_tags.register("entry-1", OrderTag.entry("sig-1", "s1"))
    bus.publish(approved("sig-2", "500"))
    bus.publish(fill("XRP/USD", Side.BUY, "1000", "0.50000", fee="1.3", client_order_id="entry-1"))
    bus.publish(book("XRP/USD", "0.50999", "0.51001"))
    state = json.loads(json.dumps(manager.to_state()))

    restored_bus = SyncBus()
    restored_recorder = Recorder(restored_bus)
    restored = PortfolioManager.from_state(
        state, PortfolioSettings(initial_cash=D(10000)), INSTRUMENTS, clock, restored_bus.publish
    )
    assert restored.to_state() == state
    assert (restored.equity(), restored.free_balance(), restored.drawdowns()) == (
        manager.equity(),
        manager.free_balance(),
        manager.drawdowns(),
    )

    exit_fill = fill("XRP/USD", Side.SELL, "1000", "0.51000", fee="1.326")
    restored.order_tags.register(exit_fill.client_order_id, OrderTag.take_profit("sig-1", "s1"))
    restored.on_order_filled(exit_fill)
    trade = restored_recorder.last(TradeClosed)
    assert (trade.signal_id, trade.exit_reason, trade.fees) == ("sig-1", ExitReason.TP_HIT, D("2.626"))
    assert trade.realized_pnl == D(10) - D("2.626")


def test_replay_books_fills_without_publishing(manager: PortfolioManager, recorder: Recorder) -> None:
    manager.replay([fill("XRP/USD", Side.BUY, "10", "0.5"), fill("XRP/USD", Side.SELL, "10", "0.6")])
    assert manager.ledger.quote_cash == D(10001)
    assert recorder.events == []
