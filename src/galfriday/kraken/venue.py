"""KrakenVenue: the ``core.venue.Venue`` of live trading — real orders on Kraken.

Wiring (behind the write-ahead journal, exactly like the SimulatedVenue of paper trading)::

    journal = OrderJournal(orders, fills, bus.publish)
    venue = KrakenVenue(client, instruments, journal.on_report, halt, ws_url=settings.exchange.ws_private_url)
    journal.attach(bus, venue)        # the journal takes the commands, records, then calls the venue
    await venue.start()               # private stream connected and its first snapshot handled

Orders out. ``submit`` sends AddOrder once through ``KrakenPrivateClient.add_order_safely`` with
``cl_ord_id`` = the client order id (a UUID) and a ``deadline``; the client's trading-rate
counter and circuit breaker apply. A lost reply is settled by looking the order up, never by
sending it again. What each failure becomes — an ``OrderRejected`` with Kraken's string, a local
refusal, or an unknown outcome — is the table in ``venue_errors``. An outcome is unknown when
neither the look-ups nor the stream show the order: that HALTs trading (trigger
``order_outcome_unknown``) — the order may be live while nobody can see it — and the venue keeps
looking it up in the background, reporting it accepted or rejected as soon as Kraken answers.
The row stays PENDING_NEW meanwhile, which is what reconciliation settles after a restart. While
AddOrder settles a lost reply (up to its deadline plus the clock skew), the journal, which awaits
the send, holds the commands and reports queued behind it; none is lost.

``cancel`` cancels by txid (or ``cl_ord_id`` before the txid is known) and collapses repeats: the
HALT coordinator and the ExecutionHandler may both cancel one entry. A cancel that fails for a
transient reason is sent again (up to ``cancel_attempts``); each failure is an API error.

Reports in. The ``executions`` stream (``ws_private``) is the source of every fill and every end:
the first report of an order (or the AddOrder reply, whichever comes first) is its
``OrderAccepted``; ``trade`` -> ``OrderFilled``; ``canceled`` -> ``OrderCanceled``; ``expired``
-> ``OrderExpired``. ``filled`` publishes nothing itself — the fill that completed the order
carried ``leaves_qty == 0`` — but it is what ends the order for the venue: a ``trade`` report's
``order_status`` can say ``partially_filled`` even when it completed the order, so completion is
never inferred from it. Events carry the order's correlation id (from its ``SubmitOrder``, or
from ``TrackedOrder`` for orders reconciliation hands over). Reports of orders the venue does not
follow (another program's, or an old order nobody handed over) are counted and kept: when
reconciliation hands such an order over (``track``) a moment after reading Kraken, what the stream
reported for it in between is applied then.

When the stream may have missed something — an order absent from a reconnect snapshot, or a
terminal report with more filled than the venue saw — ``venue_catchup`` asks Kraken how the order
ended and publishes the missing fills, then the end.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any

import msgspec

from galfriday.core.clock import Clock, LiveClock
from galfriday.core.crashpoints import crashpoint
from galfriday.core.events import CancelOrder, Command, Event, OrderRejected, SubmitOrder
from galfriday.core.instruments import Instrument
from galfriday.core.types import OrderStatus
from galfriday.core.venue import LOCAL_REJECTION_PREFIX
from galfriday.kraken.orders_wire import (
    AddOrderRequest,
    ExecutionReport,
    ExecutionsMessage,
    InvalidOrderError,
    add_order_fields,
)
from galfriday.kraken.rest_private import (
    KrakenOrderRateLimitError,
    KrakenPrivateClient,
    OrderOutcomeUnknownError,
    OrderPlacement,
)
from galfriday.kraken.venue_catchup import Ended, ended_orders
from galfriday.kraken.venue_errors import HaltPort, add_order_refusal, is_transient, is_unknown_order
from galfriday.kraken.venue_orders import LiveOrder, LiveOrders, TrackedOrder
from galfriday.kraken.venue_reports import accepted, canceled, expired, history_fill, stream_fill
from galfriday.kraken.ws_private import KrakenPrivateWsClient

logger = logging.getLogger(__name__)

Publish = Callable[[Event], None]
UNKNOWN_OUTCOME_TRIGGER = "order_outcome_unknown"
STREAM_DOWN_TRIGGER = "private_stream_down"
_STREAM_DOWN_TIMER = "kraken.private-stream-down"
NS_PER_S = 1_000_000_000
UNTRACKED_KEPT = 1_000  # reports of orders nobody follows yet, kept for ``track``
_TERMINAL_EXEC_TYPES = frozenset({"filled", "canceled", "expired"})


class VenueNotReadyError(RuntimeError):
    """The private stream did not deliver its first snapshot in time: do not start trading."""


class KrakenVenue:
    def __init__(
        self,
        client: KrakenPrivateClient,
        instruments: Mapping[str, Instrument],
        publish: Publish,
        halt: HaltPort,
        *,
        ws_url: str,
        clock: Clock | None = None,
        cancel_attempts: int = 3,
        retry_delay_s: float = 1.0,
        stream_options: Mapping[str, Any] | None = None,
        stream_down_halt_s: float = 0.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if cancel_attempts < 1 or retry_delay_s <= 0:
            raise ValueError("cancel_attempts must be >= 1 and retry_delay_s > 0")
        self._client = client
        self._instruments = dict(instruments)
        self._publish = publish
        self._halt = halt
        self._clock = clock or LiveClock()
        self._cancel_attempts = cancel_attempts
        self._retry_delay_s = retry_delay_s
        self._sleep = sleep
        self._stream_down_halt_ns = int(stream_down_halt_s * NS_PER_S)
        self._stream_down_since: int | None = None
        self._orders = LiveOrders()
        self._tasks: set[asyncio.Task[None]] = set()
        self.untracked_reports = 0
        self._untracked: deque[ExecutionReport] = deque(maxlen=UNTRACKED_KEPT)
        self.stream = KrakenPrivateWsClient(
            client, self, url=ws_url, on_error=halt.record_api_error, **dict(stream_options or {})
        )

    # -- lifecycle ------------------------------------------------------------------------------

    def attach(self, bus: Any) -> None:
        """Take the commands straight off ``bus`` (without the journal: tests, tools only)."""
        bus.subscribe(Command, self.on_command, name="venue.commands", critical=True, group="venue")

    async def on_command(self, command: Command) -> None:
        if isinstance(command, SubmitOrder):
            await self.submit(command)
        elif isinstance(command, CancelOrder):
            await self.cancel(command)

    async def start(self, *, ready_timeout_s: float = 10.0) -> None:
        """Connect the private stream and handle its first snapshot; raises ``VenueNotReadyError``."""
        self.stream.start()
        try:
            await self.stream.wait_ready(ready_timeout_s)
        except TimeoutError:
            raise VenueNotReadyError(
                f"Kraken's private executions stream gave no snapshot within {ready_timeout_s}s "
                f"({self.stream.stats()}); check the API key's WebSocket permission and the network"
            ) from None

    async def close(self) -> None:
        """Stop the stream and the background work (look-ups, cancel retries, catch-ups)."""
        self._stream_back()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.stream.close()

    def track(self, order: TrackedOrder) -> None:
        """Follow an order this process did not submit (handed over by reconciliation); the reports
        the stream brought for it before — after reconciliation read Kraken — are applied now."""
        self._follow(order)
        cid, txid = order.client_order_id, order.txid
        replay = [r for r in self._untracked if r.order_id == txid or r.cl_ord_id == cid]
        for report in replay:
            self._untracked.remove(report)
        for report in replay:
            self._on_report(report)  # fills already known are repeats: not published again

    def _follow(self, order: TrackedOrder) -> None:
        known = self._orders.get(order.client_order_id)
        if known is None:
            live = self._orders.add(LiveOrder.from_tracked(order))
            if live.ended:
                self._orders.finished(live)
            else:
                self._client.trading_limits.orders.opened(order.pair, order.txid, order.client_order_id)
            return
        if not known.txid:
            self._orders.bind(known, order.txid)
        known.fill_ids |= order.fill_ids
        known.cum_qty = max(known.cum_qty, order.cum_qty)
        known.accepted = True
        if not order.is_open and not known.ended:
            self._finish(known)

    def stats(self) -> dict[str, int]:
        return {
            "live_orders": len(self._orders.live()),
            "unresolved_orders": len(self._orders.unresolved()),
            "untracked_reports": self.untracked_reports,
            **{f"stream_{k}": v for k, v in self.stream.stats().items()},
        }

    # -- orders out -----------------------------------------------------------------------------

    async def submit(self, command: SubmitOrder) -> None:
        if self._orders.get(command.client_order_id) is not None:
            logger.error("order %s submitted twice; the repeat is not sent", command.client_order_id)
            return  # the first submission's events answer it; sending again could double the order
        instrument = self._instruments.get(command.pair)
        if instrument is None:
            self._reject_command(
                command, f"{LOCAL_REJECTION_PREFIX}no instrument for {command.pair} on Kraken"
            )
            return
        try:
            request = AddOrderRequest.from_submit_order(command, instrument)
            add_order_fields(request)  # off-grid price or size, bad combination: refused before sending
        except InvalidOrderError as exc:
            self._reject_command(command, f"{LOCAL_REJECTION_PREFIX}{exc}")
            return
        deadline_ns = int((time.time() + self._client.order_deadline_s) * NS_PER_S)
        request = msgspec.structs.replace(request, deadline_ns=deadline_ns)
        order = self._orders.add(LiveOrder.from_command(command))
        sent_at_s = time.time()
        try:
            placement = await self._client.add_order_safely(request)
        except OrderOutcomeUnknownError as exc:
            if order.txid:  # the stream showed the order meanwhile: placed, whatever REST could not tell
                logger.warning(
                    "order %s: AddOrder's look-ups failed, but the stream shows it placed", order.txid
                )
                return
            self._outcome_unknown(order, request, sent_at_s, str(exc))
            return
        except Exception as exc:  # every failure is sorted; an unexpected one fails closed
            refusal = add_order_refusal(exc)
            if refusal is None:
                logger.exception("AddOrder %s: unexpected failure", command.client_order_id)
                self._outcome_unknown(order, request, sent_at_s, f"unexpected {type(exc).__name__}: {exc}")
                return
            if isinstance(exc, KrakenOrderRateLimitError):
                self._saturate(instrument.symbol)
            self._reject(order, refusal.reason)
            return
        crashpoint("venue.add_order_answered")
        self._settle_placement(order, placement)

    def _settle_placement(self, order: LiveOrder, placement: OrderPlacement) -> None:
        if not placement.placed or placement.txid is None:
            self._reject(order, f"kraken: order not placed ({placement.reason})")
            return
        if not order.txid:
            self._orders.bind(order, placement.txid)
        if not order.accepted:
            now = self._clock.timestamp_ns()
            self._publish(accepted(order, ts_event=now, ts_init=now))
        if order.ended:  # the stream already reported its end: it rests no more
            self._client.trading_limits.orders.closed(placement.txid)
        elif placement.order is not None and not placement.order.is_open:
            # Found by a look-up after a lost reply, already over: the stream may not have shown it.
            self._spawn(self._settle_gone([order]), f"catch-up {order.client_order_id}")

    def _outcome_unknown(
        self, order: LiveOrder, request: AddOrderRequest, sent_at_s: float, detail: str
    ) -> None:
        order.unresolved = True
        self._halt.record_api_error(detail)
        self._halt.fire(
            UNKNOWN_OUTCOME_TRIGGER,
            f"order {order.client_order_id} ({order.pair} {order.side} {order.qty}) may or may not be on "
            f"Kraken and was NOT resent: {detail}. It is looked up by cl_ord_id until Kraken answers",
        )
        self._spawn(self._resolve(order, request, sent_at_s), f"resolve {order.client_order_id}")

    async def _resolve(self, order: LiveOrder, request: AddOrderRequest, sent_at_s: float) -> None:
        while order.unresolved:
            await self._sleep(self._retry_delay_s)
            if not order.unresolved:
                return  # the stream showed it
            try:
                placement = await self._client.resolve_order(request, sent_at_s=sent_at_s)
            except Exception as exc:  # Kraken still unreachable: keep asking
                logger.warning("order %s: outcome still unknown (%s)", order.client_order_id, exc)
                continue
            if order.unresolved:
                order.unresolved = False
                logger.warning(
                    "order %s: unknown outcome settled: %s", order.client_order_id, placement.outcome
                )
                self._settle_placement(order, placement)

    async def cancel(self, command: CancelOrder) -> None:
        order = self._orders.get(command.client_order_id)
        if order is None or order.ended or order.cancel_requested:
            return  # unknown here, over, or already being canceled: nothing to do
        order.cancel_requested = True
        if not await self._cancel_once(order, attempt=1):
            self._spawn(self._retry_cancel(order), f"cancel {order.client_order_id}")

    async def _cancel_once(self, order: LiveOrder, *, attempt: int) -> bool:
        """One CancelOrder; True when nothing more is to be done (sent, over, or hopeless)."""
        try:
            if order.txid:
                await self._client.cancel_order(txid=order.txid)
            else:
                await self._client.cancel_order(cl_ord_id=order.client_order_id)
            crashpoint("venue.cancel_sent")
            return True  # the end arrives on the stream
        except Exception as exc:  # sorted below: over, transient, or given up
            if is_unknown_order(exc):
                return True  # it ended already; its own report says how
            detail = f"cancel of {order.client_order_id} ({order.txid or 'no txid yet'}) failed: {exc}"
            self._halt.record_api_error(detail)
            if is_transient(exc) and attempt < self._cancel_attempts and not order.ended:
                logger.warning("%s; trying again", detail)
                return False
            logger.critical("%s; the order may still be working on Kraken", detail)
            order.cancel_requested = False  # a later CancelOrder may try again
            return True

    async def _retry_cancel(self, order: LiveOrder) -> None:
        for attempt in range(2, self._cancel_attempts + 1):
            await self._sleep(self._retry_delay_s)
            if order.ended or await self._cancel_once(order, attempt=attempt):
                return

    # -- reports in -----------------------------------------------------------------------------

    def on_executions(self, message: ExecutionsMessage) -> None:
        """The private stream's consumer: one message of the ``executions`` channel."""
        for report in message.reports:
            self._on_report(report)
        if message.is_snapshot:
            self._stream_back()
            still_open = {r.order_id for r in message.reports if r.exec_type != "trade"}
            gone = [o for o in self._orders.live() if o.txid not in still_open]
            if gone:
                logger.warning("%d orders ended while the stream was away; asking Kraken how", len(gone))
                self._spawn(self._settle_gone(gone), "catch-up after snapshot")

    def on_connection_lost(self, reason: str) -> None:
        logger.warning("Kraken executions stream lost (%s); a snapshot follows the reconnect", reason)
        if self._stream_down_halt_ns and self._stream_down_since is None:
            self._stream_down_since = now = self._clock.timestamp_ns()
            self._clock.set_time_alert(
                _STREAM_DOWN_TIMER, now + self._stream_down_halt_ns, lambda _event: self._stream_still_down()
            )

    def _stream_back(self) -> None:
        """A snapshot arrived (or the venue stops): the outage, if any, is over."""
        if self._stream_down_since is not None:
            self._stream_down_since = None
            self._clock.cancel_timer(_STREAM_DOWN_TIMER)

    def _stream_still_down(self) -> None:
        """Blind to fills and ends for too long: new entries would be placed on a stale picture."""
        if self._stream_down_since is None:
            return
        down_s = (self._clock.timestamp_ns() - self._stream_down_since) / NS_PER_S
        self._halt.fire(
            STREAM_DOWN_TRIGGER,
            f"Kraken's private executions stream has been down for {down_s:.0f}s ({self.stream.stats()}): "
            "fills and order ends are not seen. It keeps reconnecting; check the network and the API "
            "key's WebSocket permission, then resume through the checklist",
        )

    def _on_report(self, report: ExecutionReport) -> None:
        order = self._orders.find(report.cl_ord_id, report.order_id)
        if order is None:
            self.untracked_reports += 1
            self._untracked.append(report)
            logger.debug(
                "report %s of order %s, not one this venue follows", report.exec_type, report.order_id
            )
            return
        if not order.txid:
            self._orders.bind(order, report.order_id)
        elif order.txid != report.order_id:
            self._halt.record_api_error(
                f"order {order.client_order_id} is {order.txid} but a report names {report.order_id}"
            )
            return
        if order.unresolved:
            order.unresolved = False
            logger.warning("order %s: unknown outcome settled by the stream: placed", order.client_order_id)
        now = self._clock.timestamp_ns()
        if not order.accepted:
            self._publish(accepted(order, ts_event=report.ts_ns, ts_init=now))
        if report.exec_type == "trade":
            quote = self._quote(order.pair)
            fill = stream_fill(order, report, quote, ts_init=now)
            if fill is not None:
                self._publish(fill)
        elif report.exec_type in _TERMINAL_EXEC_TYPES and not order.ended:
            self._on_end(order, report)

    def _on_end(self, order: LiveOrder, report: ExecutionReport) -> None:
        self._finish(order)
        reported = order.qty if report.exec_type == "filled" else report.cum_qty
        if reported is not None and reported > order.cum_qty:
            self._spawn(self._end_after_catch_up(order, report), f"catch-up {order.client_order_id}")
        else:
            self._publish_end(order, report.exec_type, report.reason, report.ts_ns)

    async def _end_after_catch_up(self, order: LiveOrder, report: ExecutionReport) -> None:
        ended = [e for e in await self._fetch_ended([order]) if e.order is order]
        if ended:
            self._publish_ended(ended, already_finished=True)
        else:  # Kraken did not say more: the stream's word stands, reconciliation adds the fills
            self._publish_end(order, report.exec_type, report.reason, report.ts_ns)

    async def _settle_gone(self, orders: Sequence[LiveOrder]) -> None:
        self._publish_ended(await self._fetch_ended(orders), already_finished=False)

    async def _fetch_ended(self, orders: Sequence[LiveOrder]) -> list[Ended]:
        for attempt in range(1, self._cancel_attempts + 1):
            try:
                return await ended_orders(self._client, orders, clock_skew_s=self._client.clock_skew_s)
            except Exception as exc:  # Kraken unreachable: retry, then leave it to reconciliation
                self._halt.record_api_error(f"catching up on {len(orders)} orders failed: {exc}")
                if attempt == self._cancel_attempts:
                    logger.error("catch-up gave up; reconciliation will settle %d orders", len(orders))
                    return []
                await self._sleep(self._retry_delay_s)
        return []

    def _publish_ended(self, ended: list[Ended], *, already_finished: bool) -> None:
        now = self._clock.timestamp_ns()
        for item in ended:
            order, exchange = item.order, item.exchange
            if order.ended and not already_finished:
                continue  # the stream reported its end meanwhile
            for trade in item.missing_fills:
                fill = history_fill(order, trade, self._quote(order.pair), ts_init=now)
                if fill is not None:
                    self._publish(fill)
            self._finish(order)
            status = exchange.order_status
            kind = {OrderStatus.CANCELED: "canceled", OrderStatus.EXPIRED: "expired"}.get(status, "filled")
            self._publish_end(order, kind, exchange.reason, exchange.close_ns or now)

    def _publish_end(self, order: LiveOrder, kind: str, reason: str | None, ts_event: int) -> None:
        now = self._clock.timestamp_ns()
        if kind == "canceled":
            self._publish(canceled(order, reason or "", ts_event=ts_event, ts_init=now))
        elif kind == "expired":
            self._publish(expired(order, ts_event=ts_event, ts_init=now))
        elif order.cum_qty < order.qty:
            self._halt.record_api_error(
                f"order {order.client_order_id} filled on Kraken but only {order.cum_qty} of {order.qty} "
                "was reported; reconciliation must add the missing fills"
            )

    # -- helpers --------------------------------------------------------------------------------

    def _finish(self, order: LiveOrder) -> None:
        self._orders.finished(order)
        if order.txid:
            self._client.trading_limits.orders.closed(order.txid)

    def _reject(self, order: LiveOrder, reason: str) -> None:
        self._orders.finished(order)
        now = self._clock.timestamp_ns()
        self._publish(
            OrderRejected(
                ts_event=now,
                ts_init=now,
                correlation_id=order.correlation_id,
                client_order_id=order.client_order_id,
                pair=order.pair,
                reason=reason,
            )
        )

    def _reject_command(self, command: SubmitOrder, reason: str) -> None:
        logger.error("order %s refused before sending: %s", command.client_order_id, reason)
        self._reject(self._orders.add(LiveOrder.from_command(command)), reason)

    def _saturate(self, pair: str) -> None:
        """Kraken says the pair's counter is full: make our model agree, so the next order waits."""
        counter = self._client.trading_limits.counter
        counter.record(pair, max(0.0, counter.threshold - counter.level(pair)))

    def _quote(self, pair: str) -> str:
        instrument = self._instruments.get(pair)
        return instrument.quote if instrument is not None else pair.partition("/")[2]

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.get_running_loop().create_task(work, name=f"kraken-venue {name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
