"""Liveness, readiness and Prometheus metrics: what monitoring systems poll.

``/health/live`` answers as long as the event loop serves requests (a route on a blocked loop
cannot answer). ``/health/ready`` is 200 only while every critical check is OK, 503 otherwise,
with every component's status in the body either way.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from galfriday.app.api.deps import ApiDeps


def probes_router(deps: ApiDeps, guard: Callable[..., None], *, metrics_public: bool) -> APIRouter:
    router = APIRouter()

    @router.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "alive"}

    @router.get("/health/ready", dependencies=[Depends(guard)])
    async def ready() -> JSONResponse:
        report = deps.health.evaluate()
        return JSONResponse(report.to_json(), status_code=200 if report.ready else 503)

    @router.get("/metrics", dependencies=[] if metrics_public else [Depends(guard)])
    async def metrics() -> Response:
        return Response(generate_latest(deps.metrics), media_type=CONTENT_TYPE_LATEST)

    return router
