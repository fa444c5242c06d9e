"""The trading kernel wired on a bus and a clock: the very objects a live session runs.

``build_kernel`` creates and attaches, in the order a session does, the ``PortfolioManager``
(before the ``HaltCoordinator``, which reads the marks and drawdowns it keeps), the
``HaltCoordinator``, the ``RiskManager``, optionally the ``FeatureEngine`` and a prediction
component, the ``StrategyArbitrator`` and the ``ExecutionHandler``, plus a ``SimulatedVenue`` on
the shared matching engine and, for tick feeds, the ``BarAggregator`` that builds the bars
strategies read. It is bus-agnostic: the backtest runs it on a ``SyncBus``, the paper replay
(``paper``) on an ``AsyncBus`` behind the write-ahead order journal.

What it leaves to the caller, because the two environments differ exactly there:
- how commands reach the venue (backtest: a bus subscription; paper: the order journal), and how
  the venue's reports come back (``venue_publish``);
- how market data reaches the venue: the runner hands each event to the venue *before*
  publishing it (``Kernel.match``), so fills caused by an event — a bar's open filling the order
  sent at the previous close — are known before anyone reacts to the event itself, as they are
  live, where the exchange's execution report precedes the bar the clock closes later. It also
  keeps the bars built from trades away from the venue: ``SimulatedVenue.attach`` would subscribe
  it to ``BarClosed`` as well as the trades, and one matching engine refuses to fill on both;
- the portfolio's snapshot timer: a runner takes snapshots at its own pace.

Client order ids come from a seeded ``EventIds`` so the same inputs give the same orders, ids
included (the signal and trade ids of the kernel stay random per process: results never show them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from galfriday.backtest.feeds import DataKind
from galfriday.backtest.strategies import StrategySpec
from galfriday.config import Settings
from galfriday.core.clock import Clock
from galfriday.core.events import Event, MarketTradeReceived
from galfriday.core.instruments import Instrument
from galfriday.execution import ExecutionHandler
from galfriday.features import FeatureEngine, FeatureSet
from galfriday.marketdata.bars import BarAggregator, EmptyBarPolicy
from galfriday.portfolio.manager import PortfolioManager
from galfriday.risk.halt import HaltCoordinator
from galfriday.risk.manager import RiskManager
from galfriday.sim.ids import EventIds
from galfriday.sim.matching import Account
from galfriday.sim.venue import SimulatedVenue, fill_model_config
from galfriday.strategy import StrategyArbitrator

Publish = Callable[[Event], None]
#: Builds the prediction component on (bus, clock): it subscribes to ``FeatureVectorComputed`` and
#: publishes ``PredictionMade`` (``PredictionService`` in inline mode, or any stand-in).
PredictorFactory = Callable[[Any, Clock], object]


@dataclass
class Kernel:
    portfolio: PortfolioManager
    halt: HaltCoordinator
    risk: RiskManager
    strategy: StrategyArbitrator
    execution: ExecutionHandler
    venue: SimulatedVenue
    account: Account
    features: FeatureEngine | None = None
    predictor: object | None = None
    bars: BarAggregator | None = None

    def match(self, event: Event) -> None:
        """Hand a market event to the venue (before it is published: see the module docstring)."""
        self.venue.on_market(event)  # type: ignore[arg-type]


def build_kernel(
    bus: Any,
    clock: Clock,
    settings: Settings,
    instruments: Mapping[str, Instrument],
    strategy: StrategySpec,
    *,
    kind: DataKind,
    bar_interval_s: int,
    venue_publish: Publish,
    seed: int = 0,
    feature_set: FeatureSet | None = None,
    predictor: PredictorFactory | None = None,
) -> Kernel:
    """Create and attach the kernel (see the module docstring); the venue is not attached."""
    quote = settings.portfolio.quote_currency
    cash = settings.backtest.initial_cash
    portfolio_settings = settings.portfolio.model_copy(update={"initial_cash": cash})
    portfolio = PortfolioManager(portfolio_settings, instruments, clock, bus.publish)
    halt = HaltCoordinator(settings.risk, clock, bus.publish, portfolio)
    risk = RiskManager(settings.risk, instruments, portfolio, halt, clock, bus.publish)
    tags = portfolio.order_tags
    arbitrator = StrategyArbitrator(
        settings.strategy, instruments, clock, bus.publish, tags, sources=strategy.sources(settings.strategy)
    )
    execution = ExecutionHandler(
        settings.strategy, instruments, clock, bus.publish, tags, ids=EventIds(f"backtest:{seed}:orders")
    )
    account = Account({quote: cash})
    venue = SimulatedVenue(
        instruments, account, clock, venue_publish, config=fill_model_config(settings.backtest), seed=seed
    )
    kernel = Kernel(portfolio, halt, risk, arbitrator, execution, venue, account)
    portfolio.attach(bus)
    halt.attach(bus)
    risk.attach(bus)
    if kind is DataKind.TICKS:
        kernel.bars = BarAggregator(clock, bus, interval_s=bar_interval_s, empty_policy=EmptyBarPolicy.SKIP)
        bus.subscribe(MarketTradeReceived, kernel.bars.on_trade, name="bars.aggregator")
        kernel.bars.start()
    if feature_set is not None:
        kernel.features = FeatureEngine(bus, clock, feature_set, interval_s=bar_interval_s)
        kernel.features.start()
    if predictor is not None:
        kernel.predictor = predictor(bus, clock)
    arbitrator.attach(bus)
    execution.attach(bus)
    return kernel
