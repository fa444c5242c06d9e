"""The control API of a running session: dashboard, status, HALT and resume, probes, metrics.

``create_api`` is built from the session's own objects (``SessionStatus``, the
``HaltCoordinator``, the ``PortfolioManager``, the metrics registry and the ``HealthRegistry``)
and served by ``ApiServer`` on the session's event loop, so its routes read and act on them
without locks. Off when ``dashboard.enabled`` is false.
"""

from __future__ import annotations

import logging

from galfriday.app.api import ApiDeps, ApiServer, create_api
from galfriday.config.schema import Settings
from galfriday.monitoring.health import HealthRegistry
from galfriday.monitoring.metrics import Metrics
from galfriday.monitoring.session_status import SessionStatus
from galfriday.portfolio.manager import PortfolioManager
from galfriday.risk.halt import HaltCoordinator

logger = logging.getLogger(__name__)


async def start_control_api(
    settings: Settings,
    status: SessionStatus,
    halt: HaltCoordinator,
    portfolio: PortfolioManager,
    metrics: Metrics,
    health: HealthRegistry,
) -> ApiServer | None:
    dashboard = settings.dashboard
    if not dashboard.enabled:
        logger.warning(
            "control API off (dashboard.enabled: false): nobody can HALT or resume this session "
            "from outside, and a HALT it latches can only be resumed by a session with the API on"
        )
        return None
    deps = ApiDeps(status=status, halt=halt, portfolio=portfolio, metrics=metrics.registry, health=health)
    server = ApiServer(create_api(deps, api_key=dashboard.api_key), dashboard.host, dashboard.port)
    await server.start()
    return server
