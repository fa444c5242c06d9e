"""``FeatureEngine``: market data in, one ``FeatureVectorComputed`` per closed bar out.

Plain synchronous handlers, so the same engine runs on the ``SyncBus`` of a backtest and the
``AsyncBus`` of live and paper trading. Book updates and trades only update state; each
``BarClosed`` of the configured interval computes the feature set at the bar's close time
(``ts_event``) from what was stamped at or before it, and publishes the vector: the registry's
names in order, floats, NaN where an indicator is still warming up (unless imputed).

When a ``submit`` callable is given (``BufferedTimeSeriesWriter.submit``), each vector is also
handed over as a point of the ``features`` measurement; the writer only buffers, so storage stays
off the trading path, and a vector the schema refuses is logged, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from galfriday.core.clock import Clock
from galfriday.core.errors import StorageError
from galfriday.core.events import BarClosed, FeatureVectorComputed, MarketTradeReceived, OrderBookUpdated
from galfriday.features.pair_state import PairFeatures
from galfriday.features.plan import FeaturePlan
from galfriday.features.spec import FeatureSet
from galfriday.storage.timeseries.point import Point

logger = logging.getLogger(__name__)
NS_PER_S = 1_000_000_000


class _Bus(Protocol):
    def subscribe(
        self,
        event_type: type,
        handler: Callable[[Any], Any],
        *,
        name: str | None = None,
        critical: bool = False,
    ) -> Any: ...

    def unsubscribe(self, sub: Any) -> None: ...

    def publish(self, event: Any) -> None: ...


class FeatureEngine:
    """Computes ``feature_set`` for every pair (or only ``pairs``) on bars of ``interval_s``."""

    def __init__(
        self,
        bus: _Bus,
        clock: Clock,
        feature_set: FeatureSet,
        *,
        interval_s: int = 60,
        pairs: Iterable[str] | None = None,
        submit: Callable[[Point], object] | None = None,
        exchange: str = "kraken",
        trade_grace_s: float = 300.0,
    ) -> None:
        if interval_s < 1:
            raise ValueError(f"interval_s must be >= 1, got {interval_s}")
        self.feature_set = feature_set
        self.interval_s = interval_s
        self._bus = bus
        self._clock = clock
        self._plan = FeaturePlan.of(feature_set)
        self._pairs = frozenset(pairs) if pairs is not None else None
        self._submit = submit
        self._exchange = exchange
        self._trade_grace_s = trade_grace_s
        self._state: dict[str, PairFeatures] = {}
        self._subscriptions: list[Any] = []

    def start(self) -> None:
        """Subscribe to bars, book updates and trades (idempotent)."""
        if self._subscriptions:
            return
        subscribe = self._bus.subscribe
        self._subscriptions = [
            subscribe(OrderBookUpdated, self.on_book, name="FeatureEngine.on_book"),
            subscribe(MarketTradeReceived, self.on_trade, name="FeatureEngine.on_trade"),
            subscribe(BarClosed, self.on_bar, name="FeatureEngine.on_bar", critical=True),
        ]

    def stop(self) -> None:
        for sub in self._subscriptions:
            self._bus.unsubscribe(sub)
        self._subscriptions = []

    def warm(self, pair: str) -> bool:
        """True when the pair's latest vector has a finite value for every feature."""
        state = self._state.get(pair)
        return state is not None and state.complete

    def _pair(self, pair: str) -> PairFeatures | None:
        state = self._state.get(pair)
        if state is None:
            if self._pairs is not None and pair not in self._pairs:
                return None
            state = self._state[pair] = PairFeatures(
                self._plan, interval_ns=self.interval_s * NS_PER_S, trade_grace_s=self._trade_grace_s
            )
        return state

    def on_book(self, event: OrderBookUpdated) -> None:
        state = self._pair(event.pair)
        if state is not None:
            state.on_book(event)

    def on_trade(self, event: MarketTradeReceived) -> None:
        state = self._pair(event.pair)
        if state is not None:
            state.on_trade(event)

    def on_bar(self, bar: BarClosed) -> None:
        if bar.interval_s != self.interval_s:
            return
        state = self._pair(bar.pair)
        if state is None:
            return
        values = state.on_bar(bar)
        if values is None:
            logger.warning("ignored %s bar opened at %d: not after the last one", bar.pair, bar.open_time_ns)
            return
        vector = FeatureVectorComputed(
            ts_event=bar.ts_event,
            ts_init=self._clock.timestamp_ns(),
            correlation_id=bar.correlation_id,
            pair=bar.pair,
            feature_set_id=self.feature_set.id,
            names=self.feature_set.names,
            values=tuple(values),
        )
        self._bus.publish(vector)
        if self._submit is not None:
            point = self._point(vector)
            if point is not None:
                self._submit(point)

    def _point(self, vector: FeatureVectorComputed) -> Point | None:
        try:
            return Point(
                "features",
                {
                    "exchange": self._exchange,
                    "trading_pair": vector.pair,
                    "feature_set_id": vector.feature_set_id,
                },
                dict(zip(vector.names, vector.values, strict=True)),
                vector.ts_event,
            )
        except StorageError as exc:
            logger.warning("feature vector of %s not stored: %s", vector.pair, exc)
            return None
