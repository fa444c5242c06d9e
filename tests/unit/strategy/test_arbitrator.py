"""StrategyArbitrator: when it proposes entries, and how every exit reason becomes a ClosePosition."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest

from galfriday.config.sections.signal import Confirmation, StrategySettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import (
    ClosePosition,
    FeatureVectorComputed,
    OrderCanceled,
    OrderRejected,
    PositionChanged,
    SignalApproved,
    SignalProposed,
    SignalRejected,
)
from galfriday.core.types import ExitReason, OrderType, Side
from galfriday.portfolio.order_tags import OrderTag, OrderTagRegistry
from galfriday.strategy.arbitrator import StrategyArbitrator
from galfriday.strategy.pair_state import Phase
from tests.unit.portfolio._kit import INSTRUMENTS, MINUTE, SECOND, T0, D, Recorder, bar, book, prediction

ZERO = Decimal(0)


class Strategy:
    def __init__(self, **settings: object) -> None:
        self.clock = SimClock(T0)
        self.bus = SyncBus()
        self.recorder = Recorder(self.bus)
        self.tags = OrderTagRegistry()
        self.arbitrator = StrategyArbitrator(
            StrategySettings(**settings), INSTRUMENTS, self.clock, self.bus.publish, self.tags,
            watch_stops=True,  # these tests exercise the strategy-side stops
        )
        self.arbitrator.attach(self.bus)
        self.bus.publish(book("XRP/USD", "0.49999", "0.50001"))

    def proposals(self) -> list[SignalProposed]:
        return self.recorder.of(SignalProposed)

    def exits(self) -> list[tuple[str, ExitReason]]:
        return [(c.pair, c.reason) for c in self.recorder.of(ClosePosition)]

    def approve(self, proposal: SignalProposed, sl: str | None = None, tp: str | None = None) -> None:
        self.bus.publish(
            SignalApproved(
                ts_event=T0,
                ts_init=T0,
                signal_id=proposal.signal_id,
                pair=proposal.pair,
                strategy_id="default",
                side=Side.BUY,
                entry_type=proposal.entry_type,
                qty=D(1000),
                entry_price=proposal.entry_price,
                sl_price=D(sl) if sl else proposal.sl_price,
                tp_price=D(tp) if tp else proposal.tp_price,
            )
        )

    def position(self, qty: str, pair: str = "XRP/USD") -> None:
        self.bus.publish(
            PositionChanged(
                ts_event=T0,
                ts_init=T0,
                pair=pair,
                qty=D(qty),
                avg_price=D("0.5"),
                realized_pnl=ZERO,
                unrealized_pnl=ZERO,
            )
        )

    def open_long(self) -> SignalProposed:
        self.bus.publish(prediction("XRP/USD", 0.8))
        proposal = self.proposals()[-1]
        self.approve(proposal)
        self.position("1000")
        return proposal


@pytest.fixture
def s() -> Strategy:
    return Strategy()


# -- entries -----------------------------------------------------------------------------------


def test_a_confident_prediction_proposes_a_passive_long_with_a_cost_aware_bracket(s: Strategy) -> None:
    s.bus.publish(book("XRP/USD", "0.51233", "0.51236"))  # mid 0.512345
    s.bus.publish(prediction("XRP/USD", 0.71))
    (proposal,) = s.proposals()
    assert (proposal.side, proposal.entry_type, proposal.strategy_id) == (
        Side.BUY,
        OrderType.LIMIT,
        "default",
    )
    assert proposal.entry_price == D("0.51234")  # the mid rounded down: never crosses the spread
    assert (proposal.sl_price, proposal.tp_price) == (D("0.50209"), D("0.53284"))
    assert proposal.prediction_value == 0.71
    assert proposal.prediction_event_id is not None
    assert s.arbitrator.state("XRP/USD").phase is Phase.PROPOSED


@pytest.mark.parametrize("p_up", [0.65, 0.5, 0.36])
def test_no_entry_at_or_below_the_buy_threshold(s: Strategy, p_up: float) -> None:
    s.bus.publish(prediction("XRP/USD", p_up))
    assert s.proposals() == [] and s.exits() == []


def test_market_entries_have_no_price_and_a_bracket_around_the_mid() -> None:
    s = Strategy(entry_order_type="MARKET")
    s.bus.publish(prediction("XRP/USD", 0.9))
    (proposal,) = s.proposals()
    assert proposal.entry_type is OrderType.MARKET and proposal.entry_price is None
    assert (proposal.sl_price, proposal.tp_price) == (D("0.49000"), D("0.52000"))


def test_one_position_per_pair_nothing_new_while_pending_or_open(s: Strategy) -> None:
    s.bus.publish(prediction("XRP/USD", 0.8))
    s.bus.publish(prediction("XRP/USD", 0.9))  # pending
    assert len(s.proposals()) == 1
    s.approve(s.proposals()[0])
    s.bus.publish(prediction("XRP/USD", 0.9))  # approved, awaiting the fill
    s.position("1000")
    s.bus.publish(prediction("XRP/USD", 0.9))  # open
    assert len(s.proposals()) == 1
    s.bus.publish(book("DOGE/USD", "0.1500000", "0.1500010"))
    s.bus.publish(prediction("DOGE/USD", 0.9))  # another pair is free
    assert [p.pair for p in s.proposals()] == ["XRP/USD", "DOGE/USD"]


def test_a_rejected_signal_frees_the_pair(s: Strategy) -> None:
    s.bus.publish(prediction("XRP/USD", 0.8))
    (proposal,) = s.proposals()
    s.bus.publish(
        SignalRejected(
            ts_event=T0,
            ts_init=T0,
            signal_id=proposal.signal_id,
            pair="XRP/USD",
            stage="exposure",
            reason="cap",
        )
    )
    s.bus.publish(prediction("XRP/USD", 0.8))
    assert len(s.proposals()) == 2


def test_an_entry_that_ends_unfilled_frees_the_pair(s: Strategy) -> None:
    s.bus.publish(prediction("XRP/USD", 0.8))
    proposal = s.proposals()[0]
    s.approve(proposal)
    s.tags.register("e1", OrderTag.entry(proposal.signal_id, "default"))
    s.bus.publish(
        OrderCanceled(
            ts_event=T0,
            ts_init=T0,
            client_order_id="e1",
            exchange_order_id="O",
            pair="XRP/USD",
            reason="entry timeout",
        )
    )
    assert s.arbitrator.state("XRP/USD").phase is Phase.FLAT
    s.bus.publish(prediction("XRP/USD", 0.8))
    assert len(s.proposals()) == 2


def test_confirmations_must_all_hold_and_missing_features_do_not_confirm() -> None:
    s = Strategy(
        confirmations=(
            Confirmation(feature="rsi_14", op="<", value=70),
            Confirmation(feature="spread_bps", op="<=", value=5),
        )
    )
    s.bus.publish(prediction("XRP/USD", 0.9))
    assert s.proposals() == []  # no feature vector yet
    vector = FeatureVectorComputed(
        ts_event=T0,
        ts_init=T0,
        pair="XRP/USD",
        feature_set_id="v1",
        names=("rsi_14", "spread_bps"),
        values=(75.0, 2.0),
    )
    s.bus.publish(vector)
    s.bus.publish(prediction("XRP/USD", 0.9))
    assert s.proposals() == []
    s.bus.publish(
        FeatureVectorComputed(
            ts_event=T0,
            ts_init=T0,
            pair="XRP/USD",
            feature_set_id="v1",
            names=("rsi_14", "spread_bps"),
            values=(55.0, math.nan),
        )
    )
    s.bus.publish(prediction("XRP/USD", 0.9))
    assert s.proposals() == []
    s.bus.publish(
        FeatureVectorComputed(
            ts_event=T0,
            ts_init=T0,
            pair="XRP/USD",
            feature_set_id="v1",
            names=("rsi_14", "spread_bps"),
            values=(55.0, 5.0),
        )
    )
    s.bus.publish(prediction("XRP/USD", 0.9))
    assert len(s.proposals()) == 1


def test_a_sell_prediction_without_a_position_does_nothing(s: Strategy) -> None:
    s.bus.publish(prediction("XRP/USD", 0.1))
    assert s.proposals() == [] and s.exits() == []


def test_no_price_no_entry() -> None:
    s = Strategy()
    s.bus.publish(prediction("DOGE/USD", 0.9))
    assert s.proposals() == [] and s.arbitrator.refusals == 1


# -- exits -------------------------------------------------------------------------------------


def test_stop_loss_on_the_bid(s: Strategy) -> None:
    s.open_long()  # SL 0.49000, TP 0.52000
    s.bus.publish(book("XRP/USD", "0.49001", "0.49010"))
    assert s.exits() == []
    s.bus.publish(book("XRP/USD", "0.49000", "0.49010"))
    assert s.exits() == [("XRP/USD", ExitReason.SL_HIT)]


def test_take_profit_on_a_bar_high(s: Strategy) -> None:
    s.open_long()
    s.bus.publish(bar("XRP/USD", "0.51500", high="0.52000", low="0.50500"))
    assert s.exits() == [("XRP/USD", ExitReason.TP_HIT)]


def test_a_bar_spanning_both_is_a_stop_loss(s: Strategy) -> None:
    s.open_long()
    s.bus.publish(bar("XRP/USD", "0.50000", high="0.53000", low="0.48000"))
    assert s.exits() == [("XRP/USD", ExitReason.SL_HIT)]


def test_the_approved_bracket_is_the_one_watched(s: Strategy) -> None:
    s.bus.publish(prediction("XRP/USD", 0.8))
    s.approve(s.proposals()[0], sl="0.49500", tp="0.53000")
    s.position("1000")
    s.bus.publish(book("XRP/USD", "0.49500", "0.49600"))
    assert s.exits() == [("XRP/USD", ExitReason.SL_HIT)]


def test_time_exit_fires_from_the_clock_without_market_data() -> None:
    s = Strategy(max_holding_s=600)
    s.open_long()
    s.clock.advance_to(T0 + 10 * MINUTE - 1)
    assert s.exits() == []
    s.clock.advance_to(T0 + 10 * MINUTE)
    assert s.exits() == [("XRP/USD", ExitReason.TIME_EXIT)]


def test_reversal_exit_below_the_sell_threshold(s: Strategy) -> None:
    s.open_long()
    s.bus.publish(prediction("XRP/USD", 0.35))
    assert s.exits() == []
    s.bus.publish(prediction("XRP/USD", 0.34))
    assert s.exits() == [("XRP/USD", ExitReason.REVERSAL)]


def test_no_reversal_exit_when_disabled() -> None:
    s = Strategy(exit_on_reversal=False)
    s.open_long()
    s.bus.publish(prediction("XRP/USD", 0.1))
    assert s.exits() == []


def test_an_exit_is_sent_once_and_re_armed_if_the_exit_order_fails(s: Strategy) -> None:
    s.open_long()
    s.bus.publish(book("XRP/USD", "0.48000", "0.48010"))
    s.bus.publish(book("XRP/USD", "0.47000", "0.47010"))
    s.bus.publish(prediction("XRP/USD", 0.1))
    assert s.exits() == [("XRP/USD", ExitReason.SL_HIT)]

    s.tags.register("x1", OrderTag.exit(ExitReason.SL_HIT))
    s.bus.publish(OrderRejected(ts_event=T0, ts_init=T0, client_order_id="x1", pair="XRP/USD", reason="busy"))
    s.bus.publish(book("XRP/USD", "0.47000", "0.47010"))
    assert s.exits() == [("XRP/USD", ExitReason.SL_HIT)] * 2


def test_flat_again_after_the_exit_fills_and_the_time_exit_is_cancelled() -> None:
    s = Strategy(max_holding_s=600)
    s.open_long()
    s.bus.publish(prediction("XRP/USD", 0.1))
    s.position("0")
    assert s.arbitrator.state("XRP/USD").phase is Phase.FLAT
    s.clock.advance_to(T0 + 20 * MINUTE)
    assert s.exits() == [("XRP/USD", ExitReason.REVERSAL)]
    s.bus.publish(book("XRP/USD", "0.49999", "0.50001", ts=T0 + 20 * MINUTE + SECOND))
    s.bus.publish(prediction("XRP/USD", 0.9))
    assert len(s.proposals()) == 2


def test_a_restart_watches_the_open_position_again_with_its_stops_and_age() -> None:
    s = Strategy(max_holding_s=600)
    s.open_long()
    saved = json.loads(json.dumps(s.arbitrator.to_state()))

    restarted = Strategy(max_holding_s=600)
    restarted.clock.advance_to(T0 + 5 * MINUTE)
    restarted.arbitrator.restore(saved)
    restarted.bus.publish(prediction("XRP/USD", 0.9))
    assert restarted.proposals() == []  # the pair is taken
    restarted.clock.advance_to(T0 + 10 * MINUTE)  # the original entry time counts
    assert restarted.exits() == [("XRP/USD", ExitReason.TIME_EXIT)]

    other = Strategy()
    other.arbitrator.restore(saved)
    other.bus.publish(book("XRP/USD", "0.49000", "0.49010"))
    assert other.exits() == [("XRP/USD", ExitReason.SL_HIT)]


def test_dust_left_after_an_exit_frees_the_pair_but_a_small_entry_fill_does_not() -> None:
    """XRP/USD ordermin is 10: 3 XRP left after an exit cannot be sold, so the pair is flat again;
    the same 3 XRP as the first partial fill of an entry is a position like any other."""
    s = Strategy()
    s.open_long()
    s.bus.publish(prediction("XRP/USD", 0.1))  # reversal: EXITING
    assert s.arbitrator.state("XRP/USD").phase is Phase.EXITING
    s.position("3")
    assert s.arbitrator.state("XRP/USD").phase is Phase.FLAT

    fresh = Strategy()
    fresh.bus.publish(prediction("XRP/USD", 0.9))
    fresh.position("3")
    assert fresh.arbitrator.state("XRP/USD").phase is Phase.OPEN
