"""The control and dashboard API (FastAPI): probes, metrics, status and HALT control.

- ``deps``: the five interfaces the API is built from, and ``ApiDeps``.
- ``app``: ``create_api(deps, api_key=...)``; ``auth``: the ``X-API-Key`` guard.
- ``routes_probes`` / ``routes_status`` / ``routes_halt`` / ``dashboard``: the routes.
- ``views``: JSON of the status, the HALT record and its checklist.
- ``server``: ``ApiServer``, uvicorn on the session's own event loop.
"""

from galfriday.app.api.app import create_api
from galfriday.app.api.deps import ApiDeps, HaltControl, HealthReader, PortfolioReader, StatusProvider
from galfriday.app.api.server import ApiServer, ApiServerError

__all__ = [
    "ApiDeps",
    "ApiServer",
    "ApiServerError",
    "HaltControl",
    "HealthReader",
    "PortfolioReader",
    "StatusProvider",
    "create_api",
]
