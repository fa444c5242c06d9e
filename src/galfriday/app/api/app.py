"""``create_api``: the FastAPI app serving the dashboard, probes, metrics and HALT control."""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import SecretStr

from galfriday import __version__
from galfriday.app.api.auth import api_key_guard
from galfriday.app.api.dashboard import dashboard_router
from galfriday.app.api.deps import ApiDeps
from galfriday.app.api.routes_halt import halt_router
from galfriday.app.api.routes_probes import probes_router
from galfriday.app.api.routes_status import status_router


def create_api(deps: ApiDeps, *, api_key: SecretStr | None, metrics_public: bool = True) -> FastAPI:
    """The control API. ``api_key`` is ``dashboard.api_key``; every route but ``/health/live``, the
    dashboard page and (unless ``metrics_public`` is False) ``/metrics`` requires it."""
    app = FastAPI(
        title="Gal-Friday control API", version=__version__, docs_url=None, redoc_url=None, openapi_url=None
    )
    guard = api_key_guard(api_key)
    app.include_router(dashboard_router())
    app.include_router(probes_router(deps, guard, metrics_public=metrics_public))
    app.include_router(status_router(deps, guard))
    app.include_router(halt_router(deps, guard))
    return app
