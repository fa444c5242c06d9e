"""The passive watchers of a session, subscribed before anything trades so they miss nothing.

``SessionStatus`` (the control API's state, open orders, session P&L), ``MarketDataFreshness``,
the Prometheus ``Metrics`` fed by ``MetricsRecorder``, the trade lifecycle log and the
latest-state publisher (Redis or in process) only listen. Subscribing them first means the
start-up's own events — a HALT restored from the journal, the first snapshot — reach them too;
the active monitoring (timers, probes, alerts, servers) starts last, once there is something to
watch (``runtime.monitoring``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from galfriday.app.api.views import status_json
from galfriday.app.runtime.redis_state import LatestState, LatestStatePublisher
from galfriday.app.runtime.trade_log import TradeLifecycleLog
from galfriday.config.schema import Settings
from galfriday.core.clock import Clock
from galfriday.monitoring.freshness import MarketDataFreshness
from galfriday.monitoring.metrics import Metrics
from galfriday.monitoring.metrics_recorder import MetricsRecorder
from galfriday.monitoring.session_status import SessionStatus
from galfriday.portfolio.manager import PortfolioManager
from galfriday.risk.halt import HaltCoordinator


class Observers:
    def __init__(
        self,
        settings: Settings,
        mode: str,
        config_hash: str,
        clock: Clock,
        pairs: Sequence[str],
        latest_state: LatestState,
    ) -> None:
        self.status = SessionStatus(mode, config_hash, clock)
        self.freshness = MarketDataFreshness(clock, pairs)
        self.metrics = Metrics()
        self.metrics_recorder = MetricsRecorder(self.metrics)
        self.trade_log = TradeLifecycleLog(settings.strategy)
        self.latest_state = LatestStatePublisher(latest_state, self.status_json)
        self._portfolio: PortfolioManager | None = None
        self._halt: HaltCoordinator | None = None

    def attach(self, bus: Any) -> None:
        self.status.attach(bus)
        self.freshness.attach(bus)
        self.metrics_recorder.attach(bus)
        self.trade_log.attach(bus)
        self.latest_state.attach(bus)

    def watch(self, portfolio: PortfolioManager, halt: HaltCoordinator) -> None:
        """Give the status its portfolio and HALT coordinator once they exist."""
        self._portfolio = portfolio
        self._halt = halt

    def status_json(self) -> dict[str, Any]:
        """What ``/api/status`` answers now (the latest-state publisher writes the same)."""
        if self._portfolio is None or self._halt is None:  # still starting: no portfolio yet
            status = self.status.snapshot()
            return {"mode": status.mode, "system_state": status.system_state.value}
        return status_json(self.status.snapshot(), self._portfolio.snapshot(), self._halt.current)
