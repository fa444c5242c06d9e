"""HALT and the way back: ``POST /api/halt``, the recovery checklist, ``POST /api/resume``.

A HALT is never refused (halting is always the safe direction; while already halted it is
recorded on the HALT in force and the checklist starts again). Resuming is refused with 409 and
the missing items until every checklist item is recorded with who completed it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, StringConstraints

from galfriday.app.api.deps import ApiDeps
from galfriday.app.api.views import checklist_json, halt_json
from galfriday.risk.halt_record import CHECKLIST_ITEMS, HaltError, HaltRecord, IncompleteChecklistError

logger = logging.getLogger(__name__)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class HaltRequest(BaseModel):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    by: Name = "control-api"


class ChecklistItemRequest(BaseModel):
    by: Name
    note: Text = ""


class ResumeRequest(BaseModel):
    by: Name


def _conflict(message: str, **extra: Any) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, detail={"message": message, **extra})


def halt_router(deps: ApiDeps, guard: Callable[..., None]) -> APIRouter:
    router = APIRouter(prefix="/api", dependencies=[Depends(guard)])
    halt = deps.halt

    def current_or_409() -> HaltRecord:
        record = halt.current
        if record is None:
            raise _conflict("the system is not halted: there is no recovery checklist")
        return record

    @router.post("/halt")
    async def post_halt(request: HaltRequest) -> dict[str, Any]:
        already = halt.current is not None
        logger.warning("HALT requested through the control API by %s: %s", request.by, request.reason)
        halt.halt(request.reason, request.by)
        record = current_or_409()
        note = "already halted: recorded on the HALT in force; the checklist starts again" if already else ""
        return {"halted": True, "note": note, "halt": halt_json(record)}

    @router.get("/resume/checklist")
    async def get_checklist() -> dict[str, Any]:
        record = halt.current
        if record is None:
            return {"halted": False, "items": [], "missing_items": []}
        return {"halted": True, "items": checklist_json(record), "missing_items": list(record.missing_items)}

    @router.post("/resume/checklist/{item}")
    async def post_item(item: str, request: ChecklistItemRequest) -> dict[str, Any]:
        if item not in CHECKLIST_ITEMS:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                detail={"message": f"unknown checklist item {item!r}", "items": list(CHECKLIST_ITEMS)},
            )
        current_or_409()
        try:
            missing = halt.complete_checklist_item(item, request.by, request.note)
        except HaltError as exc:
            raise _conflict(str(exc), missing_items=list(current_or_409().missing_items)) from None
        logger.info("HALT checklist item %s completed by %s", item, request.by)
        return {"item": item, "missing_items": list(missing), "items": checklist_json(current_or_409())}

    @router.post("/resume")
    async def post_resume(request: ResumeRequest) -> dict[str, Any]:
        current_or_409()
        try:
            record = halt.resume(request.by)
        except IncompleteChecklistError as exc:
            raise _conflict(str(exc), missing_items=list(exc.missing)) from None
        except HaltError as exc:
            raise _conflict(str(exc)) from None
        return {"resumed": True, "by": request.by, "halt": halt_json(record)}

    return router
