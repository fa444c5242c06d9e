"""``FeatureEngine``: market data in, one ``FeatureVectorComputed`` per closed bar out.

Plain synchronous handlers, so the same engine runs on the ``SyncBus`` of a backtest and the
``AsyncBus`` of live and paper trading. Book updates and trades only update state; each
``BarClosed`` of the configured interval computes the feature set at the bar's close time
(``ts_event``) from what was stamped at or before it, and publishes the vector: the registry's
names in order, floats, NaN where an indicator is still warming up (unless imputed).

When a ``submit`` callable is given (``BufferedTimeSeriesWriter.submit``), each vector is also
handed over as a point of the ``features`` measurement; the writer only buffers, so storage stays
off the trading path, and a vector the schema refuses is logged, never raised.

Backtests over bars may hand the engine every bar up front (``precompute``): the vectors are then
computed at once by the batch twins (``features.batch``, equal to the streaming calculators bit for
bit) and ``on_bar`` publishes each when its bar arrives — the same events at the same moments,
without a bar's worth of indicator updates per bar. Only for sets computed from bars alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import numpy as np

from galfriday.core.clock import Clock
from galfriday.core.errors import StorageError
from galfriday.core.events import BarClosed, FeatureVectorComputed, MarketTradeReceived, OrderBookUpdated
from galfriday.features.batch import compute_features
from galfriday.features.candles import CandleColumns
from galfriday.features.catalogue import Source
from galfriday.features.errors import FeatureInputError
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
        self._state: dict[str, PairFeatures | PrecomputedVectors] = {}
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

    def precompute(self, bars: Iterable[BarClosed]) -> dict[str, PrecomputedVectors]:
        """Batch mode: compute, per pair, the vectors of ``bars`` — every bar this engine will be
        given, in the order it will be given them — and publish those from then on.

        The bars a streaming engine would ignore (another interval, a pair not served, a bar not
        newer than the pair's last) are left out the same way, so row ``k`` of a pair is the vector
        streaming would publish for the ``k``-th bar it accepts. A pair's vectors are then only
        valid for exactly those bars: ``on_bar`` raises ``FeatureInputError`` on any other. Needs a
        feature set computed from bars alone and a pair without history (call before the replay).
        """
        if self.feature_set.sources - {Source.BAR}:
            raise FeatureInputError(
                f"feature set {self.feature_set.id!r} needs order-book or trade data: it cannot be "
                "computed from bars up front"
            )
        accepted: dict[str, list[BarClosed]] = {}
        for bar in bars:
            if bar.interval_s != self.interval_s or (self._pairs is not None and bar.pair not in self._pairs):
                continue
            rows = accepted.setdefault(bar.pair, [])
            if not rows or bar.open_time_ns > rows[-1].open_time_ns:
                rows.append(bar)
        computed = {}
        for pair, rows in accepted.items():
            if pair in self._state:
                raise FeatureInputError(f"{pair} has streamed bars already: precompute before the first bar")
            vectors = PrecomputedVectors(rows, self.feature_set)
            self._state[pair] = computed[pair] = vectors
        return computed

    def _pair(self, pair: str) -> PairFeatures | PrecomputedVectors | None:
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
            values=values if type(values) is tuple else tuple(values),
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


class PrecomputedVectors:
    """One pair's vectors for a known run of bars (``FeatureEngine.precompute``), handed out in
    order: the stand-in for ``PairFeatures`` when everything was computed up front."""

    __slots__ = (
        "_block",
        "_block_end",
        "_block_start",
        "_complete",
        "_next",
        "complete",
        "last_open_ns",
        "matrix",
        "open_ns",
        "ts_ns",
    )

    def __init__(self, bars: list[BarClosed], feature_set: FeatureSet) -> None:
        # float(Decimal), as ``BarInputs.of`` converts each bar, for every column
        candles = CandleColumns(
            np.array([bar.open_time_ns for bar in bars], dtype=np.int64),
            *(np.array([float(getattr(bar, name)) for bar in bars]) for name in _OHLCV),
        )
        columns = compute_features(candles, feature_set).columns
        #: one row per bar, in the feature set's order
        self.matrix = np.column_stack([columns[name] for name in feature_set.names])
        self.open_ns = candles.open_time_ns.tolist()
        self.ts_ns = np.array([bar.ts_event for bar in bars], dtype=np.int64)
        self._complete = np.isfinite(self.matrix).all(axis=1).tolist()
        self._block: list[list[float]] = []
        self._block_start = self._block_end = 0
        self._next = 0
        self.last_open_ns: int | None = None
        self.complete = False

    def on_bar(self, bar: BarClosed) -> tuple[float, ...] | None:
        """The next vector (``PairFeatures.on_bar``), or None for a bar not newer than the last."""
        if self.last_open_ns is not None and bar.open_time_ns <= self.last_open_ns:
            return None
        self.last_open_ns = bar.open_time_ns
        k = self._next
        if k >= len(self.open_ns) or self.open_ns[k] != bar.open_time_ns:
            raise FeatureInputError(
                f"{bar.pair} bar opened at {bar.open_time_ns} is not the next precomputed one: the engine "
                "was precomputed for other bars; give it the bars it will replay"
            )
        self._next = k + 1
        self.complete = self._complete[k]
        if k >= self._block_end:  # rows as Python floats, a block at a time (one numpy call each)
            self._block = self.matrix[k : k + _BLOCK].tolist()
            self._block_start, self._block_end = k, k + len(self._block)
        return tuple(self._block[k - self._block_start])

    def on_book(self, event: OrderBookUpdated) -> None:
        return None  # bar-only feature sets

    def on_trade(self, event: MarketTradeReceived) -> None:
        return None


_OHLCV = ("open", "high", "low", "close", "volume")
_BLOCK = 4096
