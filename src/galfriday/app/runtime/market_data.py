"""The market-data path of a session: WS client → DataIngestor → bus, and trades → bars.

``KrakenPublicWsClient`` connects to ``exchange.ws_public_url`` (Kraken's public feed or the
exchange simulator's) and hands every decoded message to the ``DataIngestor``, which verifies the
books and publishes ``OrderBookUpdated``/``MarketTradeReceived``/``InstrumentUpdated``; the client
is the ingestor's resubscriber for fresh snapshots after a checksum mismatch. The
``BarAggregator`` turns trades into ``BarClosed`` on the clock's interval boundaries.

With an ``AcceleratedClock`` the messages pass the clock first (``follow``), so the session's time
is the data's. The WS client's task is supervised: if it ever ends while the session runs, the
feed is dead, and ``on_dead`` is told (the session HALTs rather than trade blind).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from galfriday.app.runtime.clock import AcceleratedClock, SessionClock
from galfriday.config.schema import Settings
from galfriday.core.events import MarketTradeReceived
from galfriday.core.instruments import Instrument
from galfriday.kraken.ws_public import FeedConsumer, KrakenPublicWsClient, ReconnectPolicy
from galfriday.kraken.ws_schemas import BookMessage, TradeMessage, WsMessage
from galfriday.marketdata.bars import BarAggregator, EmptyBarPolicy
from galfriday.marketdata.ingestor import DataIngestor

logger = logging.getLogger(__name__)


class _FollowingConsumer:
    """Shows each message's exchange time to the accelerated clock, then hands it on."""

    def __init__(self, consumer: DataIngestor, clock: AcceleratedClock) -> None:
        self._consumer = consumer
        self._clock = clock

    def on_message(self, msg: WsMessage) -> None:
        if isinstance(msg, BookMessage):
            latest = max((u.ts_ns for u in msg.books if u.ts_ns is not None), default=None)
        elif isinstance(msg, TradeMessage):
            latest = max((t.ts_ns for t in msg.trades), default=None)
        else:
            latest = None
        if latest is not None:
            self._clock.follow(latest)
        self._consumer.on_message(msg)

    def on_connection_lost(self, reason: str) -> None:
        self._consumer.on_connection_lost(reason)

    def on_malformed(self, detail: str) -> None:
        self._consumer.on_malformed(detail)


class MarketData:
    def __init__(
        self,
        settings: Settings,
        pairs: Sequence[str],
        instruments: dict[str, Instrument],
        clock: SessionClock,
        bus: Any,
    ) -> None:
        md = settings.market_data
        self.ingestor = DataIngestor(
            bus, clock, pairs, depth=md.book_depth, stale_after_s=md.stale_after_s, instruments=instruments
        )
        consumer: FeedConsumer = (
            _FollowingConsumer(self.ingestor, clock) if isinstance(clock, AcceleratedClock) else self.ingestor
        )
        self.client = KrakenPublicWsClient(
            pairs,
            consumer,
            url=settings.exchange.ws_public_url,
            book_depth=md.book_depth,
            heartbeat_timeout_s=md.heartbeat_timeout_s,
            connect_timeout_s=settings.exchange.request_timeout_s,
            reconnect=ReconnectPolicy(initial_s=md.reconnect_initial_s, max_s=md.reconnect_max_s),
        )
        self.ingestor.resubscriber = self.client
        self.bars = BarAggregator(
            clock,
            bus,
            interval_s=md.bar_interval_s,
            empty_policy=EmptyBarPolicy(md.empty_bar_policy),
            close_delay_ms=min(md.bar_close_grace_ms, md.bar_interval_s * 1000 // 2),
        )
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def attach(self, bus: Any) -> None:
        bus.subscribe(MarketTradeReceived, self.bars.on_trade, name="bars.trade", critical=True)

    def start(self, on_dead: Callable[[str], None]) -> None:
        """Arm staleness, start the bars' timer and connect."""
        self.ingestor.start()
        self.bars.start()
        self._task = self.client.start()

        def watch(task: asyncio.Task[None]) -> None:
            if self._stopping or task.cancelled():
                return  # stopped by us, or the loop itself is going away
            error = task.exception()
            on_dead(f"the market-data client stopped unexpectedly ({error!r})")

        self._task.add_done_callback(watch)
        logger.info(
            "market data: %s for %s (book depth %d, %ds bars)",
            self.client.url,
            ", ".join(self.client.pairs),
            self.client.book_depth,
            self.bars.interval_s,
        )

    async def stop(self) -> None:
        """Disconnect and disarm: no staleness report may HALT a session that is stopping."""
        self._stopping = True
        self.ingestor.stop()
        self.bars.stop()
        await self.client.close()
