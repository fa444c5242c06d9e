"""StrategyArbitrator: turns the sources' opinions into entries and exits, under one set of rules.

Entries: an ``ENTER`` intent from a source becomes a ``SignalProposed`` (a long: spot is
long-only) when the pair is flat with nothing pending, every confirmation holds, there is a price
to enter at, and the SL/TP bracket clears round-trip fees. The entry is a limit at the mid rounded
down to the tick (never crossing the spread) or, with ``entry_order_type: MARKET``, a market
order whose SL/TP are placed around the mid.

Exits, each a ``ClosePosition`` with its ``ExitReason``, sent once per position:
- SL_HIT / TP_HIT, only with ``watch_stops=True``: the best bid (book) or the bar's low/high
  crosses the approved SL/TP — the stop first when one bar spans both, since the order of the two
  inside the bar is unknown. Off by default because the ExecutionHandler holds the bracket (a
  resting TP limit and its stop): a second, strategy-side close would cancel the maker TP leg and
  sell at market, paying the taker fee;
- TIME_EXIT: the position is older than ``max_holding_s`` (a clock alert, so it fires without
  market data too);
- REVERSAL: an ``EXIT`` intent (P(up) < ``sell_threshold``, RSI overbought, SMA cross down).

Consumes ``SignalApproved``/``SignalRejected`` (its own signals' fate), ``PositionChanged``, order
terminal events (with the shared ``OrderTagRegistry``, to see an entry end unfilled or an exit
fail), ``FeatureVectorComputed``, ``OrderBookUpdated``, ``BarClosed``, and the sources' events.
No I/O, no awaits: the same object runs in backtests and live.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from galfriday.config.sections.signal import StrategySettings
from galfriday.core.clock import NS_PER_S, Clock
from galfriday.core.events import (
    BarClosed,
    ClosePosition,
    Event,
    FeatureVectorComputed,
    OrderBookUpdated,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    PositionChanged,
    SignalApproved,
    SignalProposed,
    SignalRejected,
    new_id,
)
from galfriday.core.instruments import Instrument
from galfriday.core.types import ExitReason, OrderType, Side
from galfriday.portfolio.order_tags import OrderPurpose, OrderTagRegistry
from galfriday.strategy.confirmations import unconfirmed
from galfriday.strategy.indicators import WilderAtr
from galfriday.strategy.intents import Action, Intent, SignalSource, SourceHandler
from galfriday.strategy.pair_state import PairState, Phase
from galfriday.strategy.sources import PredictionSource
from galfriday.strategy.stops import EntryRefused, bracket

logger = logging.getLogger(__name__)

Publish = Callable[[Event], None]


class StrategyArbitrator:
    def __init__(
        self,
        settings: StrategySettings,
        instruments: Mapping[str, Instrument],
        clock: Clock,
        publish: Publish,
        order_tags: OrderTagRegistry,
        *,
        sources: Sequence[SignalSource] | None = None,
        atr_period: int = 14,
        watch_stops: bool = False,
    ) -> None:
        self._settings = settings
        self._watch_stops = watch_stops
        self._instruments = instruments
        self._clock = clock
        self._publish = publish
        self._tags = order_tags
        self._sources = list(sources) if sources is not None else [PredictionSource(settings)]
        self._entry_type = OrderType(settings.entry_order_type)
        self._atr_period = atr_period
        self._pairs: dict[str, PairState] = {}
        # The latest vector per pair, as it came (one per bar); read as a mapping only at an entry.
        self._vectors: dict[str, FeatureVectorComputed] = {}
        self._mids: dict[str, Decimal] = {}
        self._closes: dict[str, Decimal] = {}
        self._atrs: dict[str, WilderAtr] = {}
        # Only ATR stops read the ATR: the other modes skip it on every bar.
        self._needs_atr = settings.sl_tp_mode == "atr"
        # Whether a bar can trigger an exit here (watched stops, or a time exit to retry)
        self._exits_on_bars = watch_stops or settings.max_holding_s is not None
        # The last approved SL/TP per pair, kept until that pair's trade is over: on the live bus
        # an entry's cancel can overtake its partial fill, and the position must still get its stops.
        self._brackets: dict[str, tuple[Decimal, Decimal]] = {}
        self.refusals = 0

    # -- wiring ---------------------------------------------------------------------------------

    def attach(self, bus: Any) -> None:
        name = f"strategy.{self._settings.id}"
        # Market data first: a source reacting to the same bar or book must see it as the price.
        bus.subscribe(FeatureVectorComputed, self.on_features, name=f"{name}.features", group=name)
        bus.subscribe(OrderBookUpdated, self.on_book, name=f"{name}.book", group=name)
        bus.subscribe(BarClosed, self.on_bar, name=f"{name}.bar", group=name)
        for source in self._sources:
            for event_type, handler in source.subscriptions():
                bus.subscribe(
                    event_type, self._from_source(handler), name=f"{name}.{source.name}", group=name
                )
        bus.subscribe(SignalApproved, self.on_signal_approved, name=f"{name}.approved", group=name)
        bus.subscribe(SignalRejected, self.on_signal_rejected, name=f"{name}.rejected", group=name)
        bus.subscribe(PositionChanged, self.on_position_changed, name=f"{name}.position", group=name)
        for ended in (OrderCanceled, OrderExpired, OrderRejected, OrderFilled):
            bus.subscribe(ended, self.on_order_event, name=f"{name}.{ended.__name__}", group=name)

    def _from_source(self, handler: SourceHandler) -> Callable[[Any], None]:
        def run(event: Any) -> None:
            # On the live bus this may run before on_bar/on_book saw the same event: take its price.
            if isinstance(event, BarClosed):
                self._closes[event.pair] = event.close
            intent = handler(event)
            if intent is not None:
                self.on_intent(intent)

        return run

    def to_state(self) -> dict[str, Any]:
        """Open positions' stops and ages, for a restart (JSON-ready, Decimals as strings)."""
        return {
            pair: {
                "sl": str(s.sl) if s.sl is not None else None,
                "tp": str(s.tp) if s.tp is not None else None,
                "opened_at_ns": s.opened_at_ns,
                "signal_id": s.signal_id,
            }
            for pair, s in self._pairs.items()
            if s.phase in (Phase.OPEN, Phase.EXITING)
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Watch the positions of a previous run again: SL/TP, time exit (re-armed from the original
        entry time) and reversals. An exit that was in flight is re-armed: after a restart nobody
        knows whether it reached the exchange, and the execution side's ClosePosition is idempotent."""
        for pair, saved in state.items():
            pair_state = self.state(pair)
            pair_state.phase = Phase.OPEN
            pair_state.signal_id = saved["signal_id"]
            pair_state.sl = None if saved["sl"] is None else Decimal(saved["sl"])
            pair_state.tp = None if saved["tp"] is None else Decimal(saved["tp"])
            pair_state.opened_at_ns = saved["opened_at_ns"]
            if pair_state.opened_at_ns is not None:
                self._arm_time_exit(pair, pair_state.opened_at_ns)

    def state(self, pair: str) -> PairState:
        state = self._pairs.get(pair)
        if state is None:
            state = self._pairs[pair] = PairState()
        return state

    # -- intents --------------------------------------------------------------------------------

    def on_intent(self, intent: Intent) -> None:
        state = self.state(intent.pair)
        if intent.action is Action.EXIT:
            if state.phase is Phase.OPEN:
                self._exit(intent.pair, state, ExitReason.REVERSAL, intent.why)
            return
        if state.phase is not Phase.FLAT:
            return  # one position per pair: nothing new while one is pending or open
        try:
            signal = self._propose(intent)
        except EntryRefused as refusal:
            self.refusals += 1
            logger.info("%s: entry not proposed (%s): %s", intent.pair, intent.why, refusal)
            return
        state.phase, state.signal_id = Phase.PROPOSED, signal.signal_id
        self._publish(signal)

    def _propose(self, intent: Intent) -> SignalProposed:
        pair = intent.pair
        instrument = self._instruments.get(pair)
        if instrument is None:
            raise EntryRefused(f"no instrument for {pair}")
        failures = unconfirmed(self._settings.confirmations, self._features(pair))
        if failures:
            raise EntryRefused("not confirmed: " + "; ".join(failures))
        reference = self._mids.get(pair) or self._closes.get(pair)
        if reference is None:
            raise EntryRefused("no market price yet")
        limit = None
        if self._entry_type is OrderType.LIMIT:
            limit = instrument.round_price_passive(Side.BUY, reference)
        atr = self._atr(pair) if self._needs_atr else None
        stops = bracket(self._settings, instrument, limit or reference, self._entry_type, atr)
        now = self._clock.timestamp_ns()
        signal_id = new_id()
        return SignalProposed(
            ts_event=now,
            ts_init=now,
            correlation_id=intent.correlation_id or signal_id,
            signal_id=signal_id,
            pair=pair,
            strategy_id=self._settings.id,
            side=Side.BUY,
            entry_type=self._entry_type,
            entry_price=limit,
            sl_price=stops.sl,
            tp_price=stops.tp,
            prediction_event_id=intent.prediction_event_id,
            prediction_value=intent.prediction_value,
        )

    def _atr(self, pair: str) -> Decimal | None:
        """ATR from the feature vector when the FeatureEngine provides it, else from bars."""
        value = (self._features(pair) or {}).get(self._settings.atr_feature)
        if value is None or value != value:  # missing or NaN
            own = self._atrs.get(pair)
            value = None if own is None else own.value
        return None if value is None else Decimal(repr(value))

    # -- the fate of our signals and positions --------------------------------------------------

    def on_signal_rejected(self, event: SignalRejected) -> None:
        state = self._pairs.get(event.pair)
        if state is not None and state.phase is Phase.PROPOSED and state.signal_id == event.signal_id:
            state.reset()

    def on_signal_approved(self, event: SignalApproved) -> None:
        state = self._pairs.get(event.pair)
        if state is None or state.signal_id != event.signal_id:
            return
        state.sl, state.tp = event.sl_price, event.tp_price  # the risk manager's rounding is final
        self._brackets[event.pair] = (event.sl_price, event.tp_price)
        if state.phase is Phase.PROPOSED:
            state.phase = Phase.APPROVED

    def on_position_changed(self, event: PositionChanged) -> None:
        state = self.state(event.pair)
        if event.qty == 0 or (state.phase is Phase.EXITING and self._is_dust(event.pair, event.qty)):
            # While exiting, a remainder too small to sell (below Kraken's minimums) is flat for
            # the strategy: nobody can close it, and waiting for it would block the pair forever.
            if state.phase in (Phase.OPEN, Phase.EXITING):
                self._clock.cancel_timer(self._time_exit_name(event.pair))
                self._brackets.pop(event.pair, None)
                state.reset()
            return
        if state.phase in (Phase.FLAT, Phase.PROPOSED, Phase.APPROVED):
            state.phase = Phase.OPEN
            if state.sl is None and event.pair in self._brackets:
                state.sl, state.tp = self._brackets[event.pair]
            state.opened_at_ns = self._clock.timestamp_ns()
            self._arm_time_exit(event.pair, state.opened_at_ns)

    def _is_dust(self, pair: str, qty: Decimal) -> bool:
        instrument = self._instruments.get(pair)
        if instrument is None or qty <= 0:
            return qty == 0
        price = self._mids.get(pair) or self._closes.get(pair)
        return qty < instrument.ordermin or (price is not None and qty * price < instrument.costmin)

    def _arm_time_exit(self, pair: str, opened_at_ns: int) -> None:
        if self._settings.max_holding_s is None:
            return
        name = self._time_exit_name(pair)
        self._clock.cancel_timer(name)
        at = opened_at_ns + self._settings.max_holding_s * NS_PER_S
        self._clock.set_time_alert(name, at, lambda _e: self._on_time_exit(pair))

    def on_order_event(self, event: OrderCanceled | OrderExpired | OrderRejected | OrderFilled) -> None:
        if isinstance(event, OrderFilled):
            if event.leaves_qty == 0:
                self._tags.mark_finished(event.client_order_id)
            return  # a fill moves the position: PositionChanged says what it became
        self._tags.mark_finished(event.client_order_id)
        tag = self._tags.get(event.client_order_id)
        state = self._pairs.get(event.pair)
        if tag is None or state is None:
            return
        if (
            state.phase is Phase.APPROVED
            and tag.purpose is OrderPurpose.ENTRY
            and tag.signal_id == state.signal_id
            and self._tags.entry_finished(tag.signal_id)
        ):
            state.reset()  # the entry ended without (reported) fills: free to enter again
        elif state.phase is Phase.EXITING and tag.purpose is OrderPurpose.EXIT:
            state.phase = Phase.OPEN  # the exit failed: exits are armed again

    # -- market data and exits ------------------------------------------------------------------

    def on_features(self, event: FeatureVectorComputed) -> None:
        if len(event.names) != len(event.values):
            raise ValueError(
                f"feature vector of {event.pair} has {len(event.values)} values for {len(event.names)} names"
            )
        self._vectors[event.pair] = event

    def _features(self, pair: str) -> dict[str, float] | None:
        """The pair's latest feature vector by name (None before the first)."""
        vector = self._vectors.get(pair)
        return None if vector is None else dict(zip(vector.names, vector.values, strict=True))

    def on_book(self, event: OrderBookUpdated) -> None:
        if not (event.bids and event.asks):
            return
        bid = event.bids[0].price
        self._mids[event.pair] = (bid + event.asks[0].price) / 2
        state = self._pairs.get(event.pair)
        if state is not None and state.phase is Phase.OPEN:
            self._check_exits(event.pair, state, low=bid, high=bid)

    def on_bar(self, event: BarClosed) -> None:
        pair = event.pair
        self._closes[pair] = event.close
        if self._needs_atr:
            atr = self._atrs.get(pair)
            if atr is None:
                atr = self._atrs[pair] = WilderAtr(self._atr_period)
            atr.update(float(event.high), float(event.low), float(event.close))
        if not self._exits_on_bars:
            return
        state = self._pairs.get(pair)
        if state is not None and state.phase is Phase.OPEN:
            self._check_exits(pair, state, low=event.low, high=event.high)

    def _check_exits(self, pair: str, state: PairState, *, low: Decimal, high: Decimal) -> None:
        if not self._watch_stops:
            self._on_time_exit(pair)
        elif state.sl is not None and low <= state.sl:
            self._exit(pair, state, ExitReason.SL_HIT, f"price {low} at or below SL {state.sl}")
        elif state.tp is not None and high >= state.tp:
            self._exit(pair, state, ExitReason.TP_HIT, f"price {high} at or above TP {state.tp}")
        else:
            self._on_time_exit(pair)  # also catches a time exit whose first attempt failed

    def _on_time_exit(self, pair: str) -> None:
        state = self.state(pair)
        limit = self._settings.max_holding_s
        if state.phase is not Phase.OPEN or limit is None or state.opened_at_ns is None:
            return
        if self._clock.timestamp_ns() >= state.opened_at_ns + limit * NS_PER_S:
            self._exit(pair, state, ExitReason.TIME_EXIT, f"held {limit}s")

    def _time_exit_name(self, pair: str) -> str:
        return f"strategy.{self._settings.id}.time_exit.{pair}"

    def _exit(self, pair: str, state: PairState, reason: ExitReason, why: str) -> None:
        state.phase = Phase.EXITING
        now = self._clock.timestamp_ns()
        logger.info("%s: closing position (%s): %s", pair, reason, why)
        self._publish(
            ClosePosition(
                ts_event=now, ts_init=now, pair=pair, reason=reason, correlation_id=state.signal_id or ""
            )
        )
