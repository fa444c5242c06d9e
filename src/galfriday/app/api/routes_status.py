"""``GET /api/status``: mode, state, HALT record, portfolio, drawdowns, P&L, open orders, uptime."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends

from galfriday.app.api.deps import ApiDeps
from galfriday.app.api.views import status_json


def status_router(deps: ApiDeps, guard: Callable[..., None]) -> APIRouter:
    router = APIRouter(prefix="/api", dependencies=[Depends(guard)])

    @router.get("/status")
    async def status() -> dict[str, Any]:
        return status_json(deps.status.snapshot(), deps.portfolio.snapshot(), deps.halt.current)

    return router
