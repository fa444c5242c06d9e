"""Reconciliation: our orders, fills and balances against Kraken's, at start and every hour.

DESIGN §1.5/§7: at start, trading must not begin while our view and the exchange's disagree;
during operation, a disagreement HALTs. The write-ahead journal leaves enough on disk after any
crash for a run to settle what happened (``storage.recorders.orders``); this module does it.

A run (``Reconciler.run``):

1. opens a ``reconciliation_runs`` row (status ``running``);
2. reads Kraken (``reconcile_exchange``): open orders, orders closed and fills made since the
   window start — the oldest order still open in our records, or the last successful run,
   whichever is earlier (the first run ever looks back ``initial_lookback_s``);
3. settles every order open in our records, then every Kraken order no open row matched
   (``reconcile_orders``): missing acknowledgements and fills are recorded and published,
   intents that never reached Kraken are rejected, our orders are adopted, foreign ones flagged;
4. compares balances (``reconcile_balances``) once the published fills could reach the
   portfolio: a difference beyond tolerance is unresolved;
5. records every discrepancy found in ``reconciliation_events`` and closes the run: ``ok``,
   ``mismatch`` (something unresolved) or ``failed`` (Kraken or the database could not be read:
   nothing was verified, which is unresolved too).

Wiring: ``await reconciler.reconcile_at_start()`` once the bus runs with the journal, portfolio
and venue attached, before the system goes RUNNING — it raises ``ReconciliationMismatchError``
on anything unresolved; then ``start_periodic()``, which HALTs (trigger ``reconciliation``) on an
unresolved run; ``await stop()`` at shutdown. Runs never overlap.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from galfriday.core.clock import Clock
from galfriday.core.events import Event
from galfriday.core.instruments import Instrument
from galfriday.core.types import OrderStatus
from galfriday.execution.reconcile_balances import LedgerOwner, balance_differences, ledger_holdings
from galfriday.execution.reconcile_exchange import ExchangeView, KrakenAccount, read_exchange
from galfriday.execution.reconcile_orders import OrderSettler, OrderTracker
from galfriday.execution.reconcile_report import (
    Findings,
    ReconcileOptions,
    ReconciliationMismatchError,
    ReconciliationReport,
)
from galfriday.kraken.venue_errors import HaltPort
from galfriday.storage.db.records import OrderRecord
from galfriday.storage.db.records_reconciliation import (
    DiscrepancyKind,
    ReconciliationRun,
    RunStatus,
    RunTrigger,
)
from galfriday.storage.db.repositories import FillRepository, OrderRepository, ReconciliationRepository
from galfriday.storage.recorders.write_behind import utc_datetime

logger = logging.getLogger(__name__)

Publish = Callable[[Event], None]
HALT_TRIGGER = "reconciliation"


class Reconciler:
    def __init__(
        self,
        client: KrakenAccount,
        orders: OrderRepository,
        fills: FillRepository,
        journal: ReconciliationRepository,
        portfolio: LedgerOwner,
        instruments: Mapping[str, Instrument],
        publish: Publish,
        *,
        clock: Clock,
        halt: HaltPort | None = None,
        tracker: OrderTracker | None = None,
        options: ReconcileOptions | None = None,
        exchange: str = "kraken",
    ) -> None:
        self._exchange = exchange  # the orders table also holds backtest runs: read only ours
        self._client = client
        self._orders = orders
        self._journal = journal
        self._portfolio = portfolio
        self._instruments = dict(instruments)
        self._clock = clock
        self._halt = halt
        self.options = options or ReconcileOptions()
        self._settler = OrderSettler(
            client, orders, fills, publish, clock, self._instruments, self.options, tracker
        )
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    # -- the three ways to run ----------------------------------------------------------------------

    async def reconcile_at_start(self) -> ReconciliationReport:
        """Run once before trading; raises ``ReconciliationMismatchError`` if anything is unresolved.

        Intents the previous process left PENDING_NEW are settled before trading, however young:
        that process is gone, so once AddOrder's deadline has passed (``start_settle_s``) an intent
        Kraken does not show was never placed. Those the first run could not judge yet get a second
        run after that wait."""
        report = await self.run(RunTrigger.START)
        wait = await self._wait_for_unjudged_intents()
        if report.ok and wait is not None:
            await asyncio.sleep(wait)
            report = await self.run(RunTrigger.START, pending_grace_s=0.0)
        if not report.ok:
            raise ReconciliationMismatchError(report)
        return report

    async def reconcile_during_operation(self) -> ReconciliationReport:
        """Run while trading; an unresolved discrepancy HALTs (trigger ``reconciliation``)."""
        try:
            report = await self.run(RunTrigger.PERIODIC)
        except Exception as exc:  # the journal itself failed: nothing was verified
            logger.exception("periodic reconciliation could not run")
            if self._halt is not None:
                self._halt.fire(HALT_TRIGGER, f"reconciliation could not run: {exc}")
            raise
        if not report.ok and self._halt is not None:
            self._halt.fire(HALT_TRIGGER, report.summary())
        return report

    def start_periodic(self) -> None:
        """Reconcile every ``options.interval_s`` in the background until ``stop``."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._every_interval(), name="reconciliation")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _every_interval(self) -> None:
        while True:
            await asyncio.sleep(self.options.interval_s)
            try:
                await self.reconcile_during_operation()
            except Exception:  # already HALTed and logged; try again next interval
                continue

    # -- one run ------------------------------------------------------------------------------------

    async def _wait_for_unjudged_intents(self) -> float | None:
        """How long until the PENDING_NEW rows a run left unjudged (too young) can be (None: none)."""
        now = utc_datetime(self._clock.timestamp_ns())
        grace = timedelta(seconds=self.options.pending_grace_s)
        young = [
            r
            for r in await self._orders.list_open(exchange=self._exchange)
            if r.status == OrderStatus.PENDING_NEW and not r.exchange_order_id and now - r.created_at < grace
        ]
        if not young:
            return None
        left = max((grace - (now - r.created_at)).total_seconds() for r in young)
        wait = min(self.options.start_settle_s, left)
        logger.info(
            "%d order intent(s) of the previous process not on Kraken: judged in %.1fs, after AddOrder's "
            "deadline",
            len(young),
            wait,
        )
        return wait

    async def run(
        self, trigger: RunTrigger = RunTrigger.MANUAL, *, pending_grace_s: float | None = None
    ) -> ReconciliationReport:
        """One run; ``pending_grace_s`` overrides the options' (a PENDING_NEW younger is not judged)."""
        grace = self.options.pending_grace_s if pending_grace_s is None else pending_grace_s
        async with self._lock:
            started = utc_datetime(self._clock.timestamp_ns())
            local_open = await self._orders.list_open(exchange=self._exchange)
            window_start = await self._window_start(started, local_open)
            run_id = uuid.uuid4()
            await self._journal.start_run(
                ReconciliationRun(
                    run_id=run_id, trigger=trigger, started_at=started, window_start=window_start, counts={}
                )
            )
            findings = Findings(run_id, started)
            error = None
            try:
                await self._compare(window_start, findings, grace)
            except Exception as exc:  # fail closed: a comparison that did not finish verified nothing
                logger.exception("reconciliation %s stopped", run_id)
                error = f"{type(exc).__name__}: {exc}"
                findings.add(
                    DiscrepancyKind.READ_FAILED,
                    f"comparison stopped ({error}); nothing after this point was verified",
                    resolved=False,
                )
                if self._halt is not None:
                    self._halt.record_api_error(f"reconciliation failed: {error}")
            return await self._finish(trigger, started, window_start, findings, error)

    async def _window_start(self, now: datetime, local_open: list[OrderRecord]) -> datetime:
        return await _window_start(self._journal, self.options, now, local_open)

    async def _compare(self, window_start: datetime, findings: Findings, grace: float) -> None:
        view = await read_exchange(
            self._client, int(window_start.timestamp()), max_pages=self.options.max_pages
        )
        matched = await self._settle_local(view, findings, grace)
        for order in list(view.orders.values()):
            if order.txid not in matched:
                await self._settler.settle_unmatched(order, view, findings)
        await self._compare_balances(findings)

    async def _settle_local(self, view: ExchangeView, findings: Findings, grace: float) -> set[str]:
        """Settle every order open in our records (read after Kraken); the txids they matched."""
        by_cl_ord_id = view.by_cl_ord_id()
        matched: set[str] = set()
        for record in await self._orders.list_open(exchange=self._exchange):
            exchange = None
            if record.exchange_order_id:
                exchange = view.orders.get(record.exchange_order_id)
            else:
                candidates = by_cl_ord_id.get(str(record.client_order_id), [])
                exchange = candidates[0] if len(candidates) == 1 else None
            txid = await self._settler.settle_open(record, exchange, view, findings, pending_grace_s=grace)
            if txid is not None:
                matched.add(txid)
        return matched

    async def _compare_balances(self, findings: Findings) -> None:
        checks = self.options.balance_checks
        for check in range(1, checks + 1):
            kraken = await self._client.balance()
            expected = ledger_holdings(self._portfolio.ledger, self._instruments)
            differences = balance_differences(expected, kraken, self.options.balance_tolerance)
            if not differences:
                return
            if check < checks:
                await asyncio.sleep(self.options.balance_settle_s)
        tolerance = self.options.balance_tolerance
        for asset, (ours, theirs) in differences.items():
            findings.add(
                DiscrepancyKind.BALANCE_MISMATCH,
                f"{asset}: the ledger says {ours}, Kraken {theirs} (tolerance {tolerance}) "
                "after every missing fill was booked: a deposit, withdrawal or trade outside this system; "
                "book it in the portfolio or settle the account, then reconcile again",
                resolved=False,
                local={"asset": asset, "balance": ours},
                exchange={"asset": asset, "balance": theirs},
            )

    async def _finish(
        self,
        trigger: RunTrigger,
        started: datetime,
        window_start: datetime,
        findings: Findings,
        error: str | None,
    ) -> ReconciliationReport:
        await self._journal.record(findings.items)
        unresolved = sum(not d.resolved for d in findings.items)
        status = RunStatus.FAILED if error else RunStatus.MISMATCH if unresolved else RunStatus.OK
        finished = utc_datetime(self._clock.timestamp_ns())
        report = ReconciliationReport(
            run_id=findings.run_id,
            trigger=trigger,
            status=status,
            started_at=started,
            finished_at=finished,
            window_start=window_start,
            discrepancies=tuple(findings.items),
        )
        await self._journal.finish_run(
            findings.run_id,
            status=status,
            finished_at=finished,
            counts=report.counts,
            unresolved=unresolved,
            error=error,
        )
        log = logger.info if report.ok else logger.error
        log("%s", report.summary())
        return report


async def reconcile_window_start(
    orders: OrderRepository, journal: ReconciliationRepository, options: ReconcileOptions, now: datetime
) -> datetime:
    """Where a run starting ``now`` reads Kraken's history from (what our records may lack is later)."""
    return await _window_start(journal, options, now, await orders.list_open(exchange=options.exchange))


async def _window_start(
    journal: ReconciliationRepository, options: ReconcileOptions, now: datetime, local_open: list[OrderRecord]
) -> datetime:
    """The oldest order still open in our records, or the last successful run, whichever is earlier."""
    candidates = [record.created_at for record in local_open]
    last_ok = await journal.last_run(status=RunStatus.OK)
    if last_ok is not None:
        candidates.append(last_ok.started_at)
    start = min(candidates) if candidates else now - timedelta(seconds=options.initial_lookback_s)
    return start - timedelta(seconds=options.clock_skew_s)
