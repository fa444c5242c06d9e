"""``BacktestEngine``: replay a feed through the trading kernel on a SyncBus and a SimClock.

    engine = BacktestEngine(settings, instruments, StrategySpec(StrategyKind.SMA), seed=7)
    result = engine.run(feed)          # -> BacktestResult (metrics, trades, orders, equity, ...)

The loop, for every market event in time order:
1. record the equity of every grid point the event lies beyond (``equity``);
2. advance the clock to the event's timestamp — timers due in between (entry timeouts, time exits,
   bar closes, cancels taking effect) fire first, in time order;
3. hand the event to the venue, which matches working orders against it and publishes their fills
   (see ``kernel``: the exchange reports before anyone reacts to the event);
4. publish the event: portfolio marks, HALT triggers, bar aggregation, features and predictions,
   strategies — and whatever they decide runs to completion before the next event (SyncBus).

Nothing else touches the kernel: what the result shows is what these objects did. The same inputs
and seed give the same result, order and fill ids included.

Batch mode (``batch=True``, the default): over bars, with a feature set computed from bars alone,
the feature vectors of the whole feed — and, where that is exact, the model's predictions — are
computed up front (``FeatureEngine.precompute``, ``PredictionService.precompute``); the replay then
publishes the very events streaming would, at the same moments. ``batch=False`` computes them bar
by bar, as live; tests run both and compare every event.
"""

from __future__ import annotations

import gc
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal

from galfriday.backtest.equity import EquitySampler
from galfriday.backtest.errors import BacktestError
from galfriday.backtest.feeds import DataKind, Feed
from galfriday.backtest.fingerprint import trade_fingerprint
from galfriday.backtest.kernel import Kernel, PredictorFactory, build_kernel
from galfriday.backtest.metrics import compute_metrics
from galfriday.backtest.recorder import RunRecorder
from galfriday.backtest.result import BacktestResult, Halt, OpenPosition, RunMeta, SignalCounts
from galfriday.backtest.rows import build_rows
from galfriday.backtest.strategies import StrategySpec
from galfriday.config import Settings, config_hash
from galfriday.core.bus import SyncBus
from galfriday.core.clock import NS_PER_S, SimClock
from galfriday.core.events import BarClosed, Command, Event, HaltTriggered, SignalApproved, SignalRejected
from galfriday.core.instruments import Instrument
from galfriday.features import FeatureSet, Source

#: Called every ``PROGRESS_EVERY`` events with the number replayed so far.
Progress = Callable[[int], None]
PROGRESS_EVERY = 8192
_EVERY = PROGRESS_EVERY - 1  # a mask: PROGRESS_EVERY is a power of two
#: Snapshots kept per run (between this and twice as many, evenly spaced): enough for a dashboard
#: chart, few enough to write in seconds (each is one database transaction).
MAX_SNAPSHOTS = 200


class BacktestEngine:
    def __init__(
        self,
        settings: Settings,
        instruments: Mapping[str, Instrument],
        strategy: StrategySpec,
        *,
        seed: int = 0,
        feature_set: FeatureSet | None = None,
        predictor: PredictorFactory | None = None,
        progress: Progress | None = None,
        batch: bool = True,
    ) -> None:
        if strategy.needs_predictions and (predictor is None or feature_set is None):
            raise BacktestError(
                "the model strategy needs a prediction component and its feature set: pass predictor= and "
                "feature_set= (the CLI loads the production models of the registry)"
            )
        self.settings = settings
        self.instruments = dict(instruments)
        self.strategy = strategy
        self.seed = seed
        self._feature_set = feature_set
        self._predictor = predictor
        self._progress = progress
        self._batch = batch

    def run(self, feed: Feed) -> BacktestResult:
        events = iter(feed)
        up_front: list[Event] | None = None
        bar_only = self._feature_set is not None and self._feature_set.sources == {Source.BAR}
        if self._batch and feed.kind is DataKind.BARS and bar_only:
            up_front = list(events)  # every bar, to compute the features of all at once
            events = iter(up_front)
        first = next(events, None)
        if first is None:
            raise BacktestError("the feed holds no market data in the requested window: widen --from/--to")
        interval_ns = feed.bar_interval_s * NS_PER_S
        start_ns = (first.ts_event - 1) // interval_ns * interval_ns
        clock = SimClock(start_ns)
        bus = SyncBus()
        recorder = RunRecorder()
        kernel = build_kernel(
            bus,
            clock,
            self.settings,
            self.instruments,
            self.strategy,
            kind=feed.kind,
            bar_interval_s=feed.bar_interval_s,
            venue_publish=recorder.tap_reports(bus.publish),
            seed=self.seed,
            feature_set=self._feature_set,
            predictor=self._predictor,
        )
        if up_front is not None and kernel.features is not None:
            _precompute(kernel, up_front)
        bus.subscribe(
            Command, recorder.tap_commands(kernel.venue.on_command), name="venue.commands", critical=True
        )
        recorder.attach(bus)
        closes: defaultdict[str, list[tuple[int, Decimal]]] = defaultdict(list)  # for the price chart
        if feed.kind is not DataKind.BARS:  # bars built from trades (a bar feed's: see _replay)
            bus.subscribe(
                BarClosed,
                lambda bar: closes[bar.pair].append((bar.ts_event, bar.close)),
                name="backtest.closes",
            )
        sampler = EquitySampler(
            clock,
            kernel.portfolio,
            interval_ns=interval_ns,
            start_ns=start_ns,
            snapshot_interval_ns=int(self.settings.portfolio.snapshot_interval_s * NS_PER_S),
            max_snapshots=MAX_SNAPSHOTS,
        )
        replay = itertools.chain((first,), events)
        bar_closes = closes if feed.kind is DataKind.BARS else None
        with _YoungGarbage() as garbage:
            count, last_ns = self._replay(replay, clock, bus, kernel, sampler, garbage, bar_closes)
        sampler.finish(last_ns)
        meta = RunMeta(
            strategy=self.strategy.describe(),
            pairs=tuple(self.instruments),
            data_kind=feed.kind.value,
            bar_interval_s=feed.bar_interval_s,
            data=feed.descriptions,
            seed=self.seed,
            config_hash=config_hash(self.settings),
            quote_currency=self.settings.portfolio.quote_currency,
            initial_cash=self.settings.backtest.initial_cash,
            first_event_ns=first.ts_event,
            last_event_ns=last_ns,
            events=count,
        )
        return _result(meta, kernel, recorder, sampler, closes)

    def _replay(
        self,
        events: Iterator[Event],
        clock: SimClock,
        bus: SyncBus,
        kernel: Kernel,
        sampler: EquitySampler,
        garbage: _YoungGarbage,
        bar_closes: defaultdict[str, list[tuple[int, Decimal]]] | None,
    ) -> tuple[int, int]:
        """The loop a backtest spends its time in (see the module docstring). ``bar_closes``: a
        bar feed's closes for the price chart, taken here (every event is a bar, and nothing else
        publishes one) rather than through a bus subscription."""
        advance, match, publish = clock.advance_to, kernel.venue.on_market, bus.publish  # Kernel.match
        sample_until, next_sample = sampler.sample_until, sampler.next_ns
        progress = self._progress
        count, ts = 0, clock.timestamp_ns()
        for event in events:
            ts = event.ts_event
            if ts > next_sample:
                next_sample = sample_until(ts)
            advance(ts)
            match(event)
            publish(event)
            if bar_closes is not None:
                bar_closes[event.pair].append((ts, event.close))  # type: ignore[attr-defined]
            count += 1
            if not count & _EVERY:
                garbage.collect(count)
                if progress is not None:
                    progress(count)
        if progress is not None:
            progress(count)
        if kernel.bars is not None:
            kernel.bars.stop()
        return count, ts


class _YoungGarbage:
    """The cyclic garbage collector, paused for the replay and run by hand every 64 Ki events.

    A replay allocates and frees millions of short-lived objects (events, reports, tuples), and the
    collector's automatic passes — each scanning the young objects, now and then the growing result
    lists too — cost about a tenth of a long backtest. Refcounting frees all but the few cycles a
    trade leaves behind (tens of objects); those are collected on the hand-run passes, which scan
    only what is young. A collector the caller disabled stays disabled and is not run.
    """

    COLLECT_EVERY = 1 << 16

    def __enter__(self) -> _YoungGarbage:
        self.paused = gc.isenabled()
        if self.paused:
            gc.disable()
        return self

    def __exit__(self, *_: object) -> None:
        if self.paused:
            gc.enable()

    def collect(self, count: int) -> None:
        if self.paused and not count % self.COLLECT_EVERY:
            gc.collect(1)


def _precompute(kernel: Kernel, bars: list[Event]) -> None:
    """Batch mode: the feature vectors of every bar, then (if the predictor can) their predictions."""
    assert kernel.features is not None
    vectors = kernel.features.precompute(b for b in bars if isinstance(b, BarClosed))
    predictions = getattr(kernel.predictor, "precompute", None)  # PredictionService; a stand-in may lack it
    if predictions is not None:
        for pair, pair_vectors in vectors.items():
            predictions(pair, pair_vectors.ts_ns, pair_vectors.matrix)


def _result(
    meta: RunMeta,
    kernel: Kernel,
    recorder: RunRecorder,
    sampler: EquitySampler,
    closes: Mapping[str, list[tuple[int, Decimal]]],
) -> BacktestResult:
    rows = build_rows(recorder.kernel_log, recorder.venue_log)
    ledger = kernel.portfolio.ledger
    open_trades = kernel.portfolio.open_trades()
    open_positions = tuple(
        OpenPosition(pair, pos.qty, pos.avg_price, ledger.marks.get(pair), open_trades[pair].entry_time_ns)
        for pair, pos in ledger.positions.items()
        if pos.qty and pair in open_trades
    )
    metrics = compute_metrics(
        sampler.points,
        rows.trades,
        interval_s=meta.bar_interval_s,
        fees_paid=ledger.fees_paid,
        open_since_ns=[p.entry_time_ns for p in open_positions],
    )
    verdicts = [e for e in recorder.kernel_log if isinstance(e, SignalApproved | SignalRejected)]
    rejected = [e for e in verdicts if isinstance(e, SignalRejected)]
    by_stage: dict[str, int] = {}
    for event in rejected:
        by_stage[event.stage] = by_stage.get(event.stage, 0) + 1
    return BacktestResult(
        meta=meta,
        metrics=metrics,
        fingerprint=trade_fingerprint(rows.trades),
        trades=rows.trades,
        orders=rows.orders,
        fills=rows.fills,
        equity=tuple(sampler.points),
        open_positions=open_positions,
        signals=SignalCounts(
            len(rows.signal_numbers), len(verdicts) - len(rejected), len(rejected), by_stage
        ),
        halts=tuple(
            Halt(e.ts_event, e.trigger, e.reason) for e in recorder.kernel_log if isinstance(e, HaltTriggered)
        ),
        failures=tuple(f"{f.subscription} on {f.event_type}: {f.error!r}" for f in recorder.failures),
        snapshots=tuple(sampler.snapshots),
        venue_log=tuple(recorder.venue_log),
        kernel_log=tuple(recorder.kernel_log),
        closes={pair: tuple(points) for pair, points in closes.items()},
    )
