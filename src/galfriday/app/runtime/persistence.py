"""Everything a session writes to disk, built together, started early and flushed last.

- the time-series writer (``timeseries.backend``: DuckDB or InfluxDB), behind which the market
  data, features, predictions, portfolio metrics and system metrics are buffered;
- the write-ahead ``OrderJournal`` (orders and fills; it is attached to the venue later, when the
  venue exists), the signal, trade and portfolio-snapshot recorders and the HALT journal, each
  writing behind its own queue so no trading handler ever awaits the database.

They are started before any trading component so nothing a component publishes at start is lost,
and closed after the bus has drained so everything published is written.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from galfriday.config.schema import Settings
from galfriday.core.errors import StorageError
from galfriday.core.events import BarClosed, OrderBookUpdated
from galfriday.storage.db.database import Database
from galfriday.storage.db.repositories import (
    FillRepository,
    HaltRepository,
    OrderRepository,
    PortfolioSnapshotRepository,
    SignalRepository,
    TradeRepository,
)
from galfriday.storage.recorders.halts import HaltJournal
from galfriday.storage.recorders.orders import OrderJournal
from galfriday.storage.recorders.portfolio_snapshots import PortfolioSnapshotRecorder
from galfriday.storage.recorders.signals import SignalRecorder
from galfriday.storage.recorders.trades import TradeRecorder
from galfriday.storage.timeseries import BufferedTimeSeriesWriter, create_timeseries_writer
from galfriday.storage.timeseries.market_recorder import MarketDataRecorder

logger = logging.getLogger(__name__)


def timeseries_writer(settings: Settings) -> BufferedTimeSeriesWriter:
    """The configured store behind a ``BufferedTimeSeriesWriter``."""
    backend = settings.timeseries.backend
    if backend == "duckdb":
        return create_timeseries_writer(backend, duckdb_path=settings.timeseries.duckdb_path)
    influx = settings.influxdb
    secret = {
        name: value.get_secret_value()
        for name, value in (("token", influx.token), ("password", influx.password))
        if value is not None
    }
    return create_timeseries_writer(
        backend,
        url=influx.url,
        api_version=influx.api_version,
        database=influx.database,
        username=influx.username,
        org=influx.org,
        bucket=influx.bucket,
        retention=influx.retention.model_dump(),
        batch_size=influx.batch_size,
        flush_interval_s=influx.flush_interval_s,
        **secret,
    )


class Persistence:
    def __init__(self, settings: Settings, database: Database, publish: Any, *, record_as: str) -> None:
        """``record_as`` tags the signal/order/fill/trade rows: the exchange's name live, "paper" in
        paper mode, so paper and live sessions sharing a database never read each other's orders."""
        sessions = database.sessions
        exchange = record_as
        self.writer = timeseries_writer(settings)
        self.signals = SignalRecorder(SignalRepository(sessions), exchange=exchange)
        self.orders = OrderJournal(
            OrderRepository(sessions),
            FillRepository(sessions),
            publish,
            exchange=exchange,
            signals_written=self.signals.queue.flush,  # an order row links its signal's
        )
        self.trades = TradeRecorder(TradeRepository(sessions), exchange=exchange)
        self.snapshots = PortfolioSnapshotRecorder(
            PortfolioSnapshotRepository(sessions), submit_point=self.writer.submit
        )
        self.halts = HaltJournal(HaltRepository(sessions))
        self.market = MarketDataRecorder(self.writer.submit, exchange=settings.exchange.name)
        self._queues = (self.signals.queue, self.trades.queue, self.snapshots.queue, self.halts.queue)

    def start(self) -> None:
        self.writer.start()
        for queue in self._queues:
            queue.start()

    def attach(self, bus: Any) -> None:
        """The recorders' subscriptions (the order journal attaches with the venue)."""
        self.signals.attach(bus)
        self.trades.attach(bus)
        self.snapshots.attach(bus)
        bus.subscribe(OrderBookUpdated, self.market.on_book, name="timeseries.book", group="timeseries")
        bus.subscribe(BarClosed, self.market.on_bar, name="timeseries.bar", group="timeseries")

    async def close(self, timeout_s: float) -> list[str]:
        """Write everything still queued; returns what could not be written (empty when all was)."""
        problems: list[str] = []
        closers: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("orders", lambda: self.orders.close(timeout_s)),
            *((queue.name, partial(queue.close, timeout_s)) for queue in self._queues),
            ("time series", self.writer.close),
        ]
        for name, close in closers:
            try:
                await close()
            except StorageError as exc:
                logger.error("%s not fully written at shutdown: %s", name, exc)
                problems.append(f"{name}: {exc}")
        stats = self.writer.stats()
        logger.info(
            "time series flushed: %d point(s) written, %d dropped, %d rejected",
            stats.written,
            stats.dropped,
            stats.rejected,
        )
        return problems
