"""What a reconciliation run is told (``ReconcileOptions``) and what it answers (``ReconciliationReport``).

``Findings`` collects the discrepancies of one run as they are found, stamped with the run id and
the run's clock, in the shape the reconciliation journal stores (``NewDiscrepancy``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from galfriday.config.sections.risk import PortfolioSettings
from galfriday.core.errors import GalFridayError
from galfriday.storage.db.records_reconciliation import DiscrepancyKind, NewDiscrepancy, RunStatus, RunTrigger


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconcileOptions:
    """How reconciliation compares; the defaults are what a careful operator would choose.

    - ``balance_tolerance``: largest |ours - Kraken's| per asset that still counts as equal
      (Kraken rounds fees in its history; our ledger books them as reported).
    - ``foreign_orders``: an open order on the account that is not ours is ``leave``-d on Kraken
      and reported unresolved (the account must be dedicated to this system), or ``cancel``-ed.
    - ``pending_grace_s``: a PENDING_NEW younger than this may still be on its way (AddOrder
      carries a 5 s deadline), so it is not judged yet.
    - ``start_settle_s``: at start the previous process is gone, so its PENDING_NEW rows are
      judged after at most this long: AddOrder's deadline plus the clock skew (``live`` sets it
      from the client's), after which Kraken refuses the order if it has not placed it.
    - ``initial_lookback_s``: how far back the first run ever reads Kraken's history.
    - ``balance_checks`` / ``balance_settle_s``: balances are compared again after a pause when
      they differ, so fills published a moment ago (or made meanwhile) can reach the portfolio.
    """

    interval_s: float = 3600.0
    balance_tolerance: Decimal = Decimal("0.01")
    foreign_orders: Literal["leave", "cancel"] = "leave"
    pending_grace_s: float = 30.0
    start_settle_s: float = 7.0
    initial_lookback_s: float = 86_400.0
    clock_skew_s: float = 2.0
    max_pages: int = 40
    balance_checks: int = 3
    balance_settle_s: float = 1.0
    exchange: str = "kraken"

    def __post_init__(self) -> None:
        if (
            self.interval_s <= 0
            or self.balance_checks < 1
            or self.max_pages < 1
            or self.balance_tolerance < 0
        ):
            raise ValueError(
                "reconciliation needs interval_s > 0, balance_checks >= 1, max_pages >= 1 and a "
                "non-negative balance_tolerance"
            )

    @classmethod
    def from_settings(cls, settings: PortfolioSettings, **overrides: Any) -> ReconcileOptions:
        """The options the configuration sets (``portfolio.reconcile_*``); ``overrides`` add the rest."""
        configured: dict[str, Any] = {
            "interval_s": settings.reconcile_interval_s,
            "balance_tolerance": settings.reconcile_balance_tolerance,
            "foreign_orders": settings.reconcile_foreign_orders,
            "pending_grace_s": settings.reconcile_pending_grace_s,
            "initial_lookback_s": settings.reconcile_lookback_s,
        }
        return cls(**(configured | overrides))


class Findings:
    """The discrepancies of one run, in the order they were found."""

    def __init__(self, run_id: UUID, now: datetime) -> None:
        self.run_id = run_id
        self.now = now
        self.items: list[NewDiscrepancy] = []

    def add(
        self,
        kind: DiscrepancyKind,
        action: str,
        *,
        resolved: bool,
        client_order_id: str | None = None,
        exchange_order_id: str | None = None,
        trading_pair: str | None = None,
        local: Any | None = None,
        exchange: Any | None = None,
    ) -> None:
        self.items.append(
            NewDiscrepancy(
                run_id=self.run_id,
                kind=kind,
                action=action,
                resolved=resolved,
                detected_at=self.now,
                client_order_id=client_order_id,
                exchange_order_id=exchange_order_id,
                trading_pair=trading_pair,
                local_value=local,
                exchange_value=exchange,
                resolved_at=self.now if resolved else None,
            )
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconciliationReport:
    run_id: UUID
    trigger: RunTrigger
    status: RunStatus
    started_at: datetime
    finished_at: datetime
    window_start: datetime
    discrepancies: tuple[NewDiscrepancy, ...] = field(default_factory=tuple)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(d.kind.value for d in self.discrepancies))

    @property
    def unresolved(self) -> tuple[NewDiscrepancy, ...]:
        return tuple(d for d in self.discrepancies if not d.resolved)

    @property
    def ok(self) -> bool:
        return self.status is RunStatus.OK

    def summary(self) -> str:
        counts = ", ".join(f"{kind} {n}" for kind, n in sorted(self.counts.items())) or "no differences"
        text = f"reconciliation {self.run_id} ({self.trigger}): {self.status}; {counts}"
        for d in self.unresolved:
            subject = d.client_order_id or d.exchange_order_id or d.trading_pair or ""
            text += f"\n  unresolved {d.kind} {subject}: {d.action}"
        return text


class ReconciliationMismatchError(GalFridayError):
    """Our records and Kraken disagree in a way reconciliation could not settle: do not trade."""

    def __init__(self, report: ReconciliationReport) -> None:
        self.report = report
        super().__init__(
            f"{report.summary()}\nTrading stays stopped. Look at reconciliation_events for run "
            f"{report.run_id}, settle each unresolved item on Kraken or in the records, then start again"
        )
