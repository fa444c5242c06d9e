"""SimulatedVenue on the backtest kernel (SyncBus + SimClock): commands in, the Venue contract out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from galfriday.config.sections.backtest import BacktestSettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import (
    CancelOrder,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    SubmitOrder,
    encode_event,
)
from galfriday.core.instruments import default_instruments
from galfriday.core.types import LiquiditySide, OrderType, Side, TimeInForce
from galfriday.sim.matching import Account, FillModelConfig
from galfriday.sim.venue import UNKNOWN_PAIR, SimulatedVenue, fill_model_config
from tests.unit.portfolio._kit import Recorder
from tests.unit.sim._kit import MIN, NS, STD_ASKS, STD_BIDS, bar, book, trade

D = Decimal
T0 = 1_700_000_000 * NS
MS = NS // 1000
Levels = list[tuple[str, str]]
REPORTS = (OrderAccepted, OrderRejected, OrderFilled, OrderCanceled, OrderExpired)


class Venue:
    """A venue with 100 ms latency, fed and driven like a backtest does."""

    def __init__(self, *, latency_ms: int = 100, seed: int = 7, data: str = "ticks", **config: Any) -> None:
        self.clock = SimClock(T0)
        self.bus = SyncBus()
        self.events = Recorder(self.bus)
        self.account = Account({"USD": "10000", "XRP": "5000"})
        fill_config = FillModelConfig(latency_ns=latency_ms * MS, **config)
        self.venue = SimulatedVenue(
            default_instruments(), self.account, self.clock, self.bus.publish, config=fill_config, seed=seed
        )
        self.venue.attach(self.bus, data=data)

    def at(self, ms: int) -> int:
        self.clock.advance_to(T0 + ms * MS)
        return self.clock.timestamp_ns()

    def book(self, ms: int, bids: Levels = STD_BIDS, asks: Levels = STD_ASKS) -> None:
        self.bus.publish(book(self.at(ms), bids, asks))

    def submit(
        self, cid: str, side: Side, qty: str, *, price: str | None = None, pair: str = "XRP/USD", **kw: Any
    ) -> SubmitOrder:
        now = self.clock.timestamp_ns()
        command = SubmitOrder(
            ts_event=now,
            ts_init=now,
            correlation_id=f"signal-{cid}",
            client_order_id=cid,
            pair=pair,
            side=side,
            order_type=OrderType.LIMIT if price else OrderType.MARKET,
            qty=D(qty),
            limit_price=D(price) if price else None,
            **kw,
        )
        self.bus.publish(command)
        return command

    def cancel(self, cid: str) -> None:
        now = self.clock.timestamp_ns()
        self.bus.publish(
            CancelOrder(
                ts_event=now, ts_init=now, correlation_id=f"signal-{cid}", client_order_id=cid, pair="XRP/USD"
            )
        )


def test_a_market_order_is_accepted_then_fills_walking_the_book_after_the_latency() -> None:
    v = Venue()
    v.book(0)
    v.submit("c1", Side.BUY, "250")
    (accepted,) = v.events.of(OrderAccepted)
    assert accepted.client_order_id == "c1" and accepted.exchange_order_id.startswith("O")
    assert accepted.correlation_id == "signal-c1" and accepted.ts_event == T0
    v.book(50)  # before the order reaches the engine: no look-ahead
    assert v.events.of(OrderFilled) == []
    v.book(150)
    fills = v.events.of(OrderFilled)
    assert [(f.qty, f.price) for f in fills] == [(D(100), D("0.50010")), (D(150), D("0.50020"))]
    assert [(f.cum_qty, f.leaves_qty) for f in fills] == [(D(100), D(150)), (D(250), D(0))]
    first = fills[0]
    assert first.liquidity is LiquiditySide.TAKER and first.fee_currency == "USD"
    assert first.fee == D("0.13003")  # 100 × 0.50010 × 0.26 %, rounded up to 5 decimals
    assert first.fill_id.startswith("T") and first.fill_id != fills[1].fill_id
    assert {f.correlation_id for f in fills} == {"signal-c1"} and first.ts_event == T0 + 150 * MS
    assert v.account.total("XRP") == D(5250)


def test_a_resting_limit_fills_as_maker_in_pieces() -> None:
    v = Venue()
    v.book(0)
    v.submit("c1", Side.BUY, "300", price="0.50000")
    v.book(150)  # rests below the ask
    assert v.events.of(OrderFilled) == []
    v.bus.publish(trade(v.at(200), "0.49990", "120", Side.SELL))  # a seller trades through our bid
    v.book(300, asks=[("0.49990", "500")])  # the ask falls through our limit
    fills = v.events.of(OrderFilled)
    assert [(f.qty, f.price, f.liquidity) for f in fills] == [
        (D(120), D("0.50000"), LiquiditySide.MAKER),
        (D(180), D("0.50000"), LiquiditySide.MAKER),
    ]
    assert fills[-1].leaves_qty == 0


def test_refusals_carry_krakens_reason() -> None:
    v = Venue()
    v.book(0)
    v.submit("small", Side.BUY, "5", price="0.50000")
    v.submit("broke", Side.BUY, "100000", price="0.50000")
    v.submit("elsewhere", Side.BUY, "100", price="1.0", pair="BTC/USD")
    reasons = {e.client_order_id: e.reason for e in v.events.of(OrderRejected)}
    assert reasons == {
        "small": "EGeneral:Invalid arguments:volume minimum not met",
        "broke": "EOrder:Insufficient funds",
        "elsewhere": UNKNOWN_PAIR,
    }
    assert v.events.of(OrderAccepted) == []
    assert {e.correlation_id for e in v.events.of(OrderRejected)} == {
        "signal-small",
        "signal-broke",
        "signal-elsewhere",
    }


def test_a_cancel_lands_after_the_latency_even_without_market_data() -> None:
    v = Venue()
    v.book(0)
    v.submit("c1", Side.BUY, "100", price="0.49000")
    v.at(1000)
    v.cancel("c1")
    assert v.events.of(OrderCanceled) == []
    v.at(1099)
    assert v.events.of(OrderCanceled) == []
    v.at(5000)  # the clock passes the due time: the venue's alert wakes the engine at 1100 ms
    (canceled,) = v.events.of(OrderCanceled)
    assert canceled.ts_event == T0 + 1100 * MS and canceled.reason == "User requested"
    assert canceled.correlation_id == "signal-c1"
    assert v.account.held("USD") == 0


def test_cancelling_an_order_twice_or_after_it_ended_publishes_nothing_more() -> None:
    v = Venue()
    v.book(0)
    v.submit("c1", Side.BUY, "100", price="0.49000")
    v.cancel("c1")
    v.cancel("c1")
    v.at(500)
    assert len(v.events.of(OrderCanceled)) == 1
    v.cancel("c1")  # ended: the venue answers nothing (Kraken: EOrder:Unknown order)
    v.cancel("never-sent")
    v.at(1000)
    assert len(v.events.of(OrderCanceled)) == 1


def test_a_post_only_order_refused_after_acceptance_ends_canceled() -> None:
    v = Venue()
    v.book(0)
    v.submit("c1", Side.BUY, "100", price="0.50020", post_only=True)
    v.book(150)
    assert [type(e).__name__ for e in v.events.events if isinstance(e, REPORTS)] == [
        "OrderAccepted",
        "OrderCanceled",
    ]
    assert v.events.last(OrderCanceled).reason == "EOrder:Post only order"


def test_a_gtd_order_expires_on_time() -> None:
    v = Venue()
    v.book(0)
    v.submit(
        "c1", Side.BUY, "100", price="0.49000", time_in_force=TimeInForce.GTD, expire_time_ns=T0 + 2000 * MS
    )
    v.at(10_000)
    (expired,) = v.events.of(OrderExpired)
    assert expired.ts_event == T0 + 2000 * MS and expired.correlation_id == "signal-c1"


def test_bars_fill_with_slippage() -> None:
    v = Venue(slippage_bps=D(10), data="bars")
    open_time = T0 + MIN
    v.submit("c1", Side.BUY, "100")
    v.clock.advance_to(open_time + MIN)
    v.bus.publish(bar(open_time, "0.50000", "0.50100", "0.49900", "0.50050", "100000"))
    (fill,) = v.events.of(OrderFilled)
    assert fill.price == D("0.50050") and fill.liquidity is LiquiditySide.TAKER  # open + 10 bp


def _session(seed: int) -> list[bytes]:
    v = Venue(seed=seed, latency_jitter_ns=50 * MS)
    v.book(0)
    v.submit("a", Side.BUY, "250")
    v.submit("b", Side.SELL, "150", price="0.50100")
    v.book(400)
    v.cancel("b")
    v.book(800, bids=[("0.50100", "100")], asks=[("0.50200", "100")])
    v.at(2000)
    return [encode_event(e) for e in v.events.events if isinstance(e, REPORTS)]


def test_the_same_seed_gives_byte_identical_events() -> None:
    assert _session(3) == _session(3)
    assert _session(3) != _session(4)


def test_the_fill_model_comes_from_the_backtest_section() -> None:
    settings = BacktestSettings(latency_ms=250, slippage_bps=D("7.5"), max_bar_volume_share=0.2)
    config = fill_model_config(settings)
    assert (config.latency_ns, config.slippage_bps, config.max_bar_volume_share) == (
        250_000_000,
        D("7.5"),
        D("0.2"),
    )
