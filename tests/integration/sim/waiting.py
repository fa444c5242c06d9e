"""Waiting for the simulator's state to change (it has no events to await from outside)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def eventually(predicate: Callable[[], bool], within_s: float = 10.0, step_s: float = 0.02) -> None:
    """Return once ``predicate()`` holds; ``TimeoutError`` after ``within_s``."""
    async with asyncio.timeout(within_s):
        while not predicate():  # noqa: ASYNC110 - polling simulator state, there is no event to wait on
            await asyncio.sleep(step_s)
