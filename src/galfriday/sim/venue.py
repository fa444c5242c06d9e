"""SimulatedVenue: the ``core.venue.Venue`` of backtests and paper trading, on the one fill model.

One ``MatchingEngine`` per pair over one shared ``Account`` (XRP/USD and DOGE/USD spend the same
USD). Orders go in at the clock's time; market data (``OrderBookUpdated``,
``MarketTradeReceived``, ``BarClosed``) is matched by its own timestamp; every execution report
becomes an order event (``venue_reports``) carrying the command's correlation id, published
through ``publish``. The same class serves both environments:

- backtest: a ``SyncBus`` and a ``SimClock``; ``attach(bus)`` subscribes it to the commands and the
  market data, and everything happens synchronously inside the replay loop;
- paper: an ``AsyncBus``, a ``LiveClock`` and live market data; the write-ahead journal
  (``storage.recorders.orders``) takes the commands, records them, then calls ``submit``/``cancel``,
  and is the ``publish`` the reports go through (``attach_market_data(bus)`` only).

Cancels take effect after the configured latency; a clock alert wakes the engine then, so the
``OrderCanceled`` arrives on time even when no market data does. GTD orders are woken the same way
at their expire time. The latency jitter and every id come from ``seed``: the same seed and the
same inputs give the same events, event ids included.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from galfriday.config.sections.backtest import BacktestSettings
from galfriday.core.clock import Clock
from galfriday.core.events import (
    BarClosed,
    CancelOrder,
    Command,
    Event,
    MarketTradeReceived,
    OrderBookUpdated,
    OrderRejected,
    SubmitOrder,
    TimeEvent,
)
from galfriday.core.instruments import Instrument
from galfriday.sim.errors import UnknownOrderError
from galfriday.sim.ids import EventIds
from galfriday.sim.matching import Account, ExecutionReport, FillModelConfig, MatchingEngine, OrderRequest
from galfriday.sim.venue_reports import report_event

logger = logging.getLogger(__name__)

Publish = Callable[[Event], None]
UNKNOWN_PAIR = "EQuery:Unknown asset pair"
#: what the venue matches on: tick data (books and trades) or bars, never both — bars built from
#: the same trades would hand the engine the same liquidity twice (it refuses mixing the two)
_MARKET_DATA = {"ticks": (OrderBookUpdated, MarketTradeReceived), "bars": (BarClosed,)}


def fill_model_config(settings: BacktestSettings) -> FillModelConfig:
    """The fill model configured by the ``backtest`` section (latency, slippage, bar volume share)."""
    return FillModelConfig(
        latency_ns=settings.latency_ms * 1_000_000,
        slippage_bps=settings.slippage_bps,
        max_bar_volume_share=Decimal(str(settings.max_bar_volume_share)),
    )


class SimulatedVenue:
    def __init__(
        self,
        instruments: Mapping[str, Instrument],
        account: Account,
        clock: Clock,
        publish: Publish,
        *,
        config: FillModelConfig | None = None,
        seed: int = 0,
    ) -> None:
        self._config = config or FillModelConfig()
        self._engines = {
            pair: MatchingEngine(instrument, account, self._config, seed=seed)
            for pair, instrument in instruments.items()
        }
        self._clock = clock
        self._publish = publish
        self._event_ids = EventIds(f"simulated-venue:{seed}")
        self._wakes = itertools.count()
        self._correlation: dict[str, str] = {}  # client order id -> correlation id, while open

    def engine(self, pair: str) -> MatchingEngine:
        """The pair's matching engine: its open orders are what the simulated exchange holds."""
        return self._engines[pair]

    # -- wiring ---------------------------------------------------------------------------------

    def attach(self, bus: Any, *, data: str = "ticks") -> None:
        """Backtest wiring: commands (one subscription, in publish order) and market data."""
        bus.subscribe(Command, self.on_command, name="venue.commands", critical=True, group="venue")
        self.attach_market_data(bus, data=data)

    def attach_market_data(self, bus: Any, *, data: str = "ticks") -> None:
        """Match on ``data``: "ticks" (books and trades: live and paper) or "bars" (candle replays)."""
        if data not in _MARKET_DATA:
            raise ValueError(f"data must be one of {sorted(_MARKET_DATA)}, got {data!r}")
        for event_type in _MARKET_DATA[data]:
            bus.subscribe(event_type, self.on_market, name=f"venue.{event_type.__name__}", group="venue")

    def on_command(self, command: Command) -> None:
        if isinstance(command, SubmitOrder):
            self.submit(command)
        elif isinstance(command, CancelOrder):
            self.cancel(command)

    # -- the Venue port -------------------------------------------------------------------------

    def submit(self, command: SubmitOrder) -> None:
        now = self._clock.timestamp_ns()
        engine = self._engines.get(command.pair)
        if engine is None:
            self._publish(
                OrderRejected(
                    ts_event=now,
                    ts_init=now,
                    event_id=self._event_ids(),
                    correlation_id=command.correlation_id,
                    client_order_id=command.client_order_id,
                    pair=command.pair,
                    reason=UNKNOWN_PAIR,
                )
            )
            return
        self._correlation[command.client_order_id] = command.correlation_id
        self._emit(engine.submit(OrderRequest.from_command(command), now))
        if command.expire_time_ns is not None:
            self._wake(engine, command.expire_time_ns)

    def cancel(self, command: CancelOrder) -> None:
        engine = self._engines.get(command.pair)
        if engine is None:
            logger.warning("cancel of %s on unknown pair %s ignored", command.client_order_id, command.pair)
            return
        now = self._clock.timestamp_ns()
        try:
            reports = engine.cancel(now, client_order_id=command.client_order_id)
        except UnknownOrderError:
            logger.info(
                "cancel of %s: not open on the venue (already ended); nothing to do",
                command.client_order_id,
                extra={"correlation_id": command.correlation_id},
            )
            return
        self._emit(reports)
        self._wake(engine, now + self._config.latency_ns + self._config.latency_jitter_ns)

    # -- market data and time -------------------------------------------------------------------

    def on_market(self, event: OrderBookUpdated | MarketTradeReceived | BarClosed) -> None:
        engine = self._engines.get(event.pair)
        if engine is not None:
            # a bar goes straight to on_bar: this runs once per bar of a backtest
            is_bar = event.__class__ is BarClosed
            reports = engine.on_bar(event) if is_bar else engine.on_event(event)  # type: ignore[arg-type]
            if reports:
                self._emit(reports)

    def _wake(self, engine: MatchingEngine, at_ns: int) -> None:
        """Let the engine catch up at ``at_ns`` (a cancel or an expiry falls due then)."""
        if at_ns <= self._clock.timestamp_ns():
            return

        def wake(_: TimeEvent) -> None:
            self._emit(engine.advance_to(self._clock.timestamp_ns()))

        self._clock.set_time_alert(f"venue.wake.{next(self._wakes)}", at_ns, wake)

    def _emit(self, reports: list[ExecutionReport]) -> None:
        for report in reports:
            cid = report.client_order_id
            correlation_id = self._correlation.get(cid, "")
            if report.status.is_terminal:
                self._correlation.pop(cid, None)
            event = report_event(
                report,
                correlation_id=correlation_id,
                ts_init=self._clock.timestamp_ns(),
                event_id=self._event_ids,
            )
            if event is not None:
                self._publish(event)
