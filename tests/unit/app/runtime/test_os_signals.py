"""The first SIGTERM/SIGINT asks for a graceful stop; a second forces the exit (code 130)."""

from __future__ import annotations

import asyncio
import os
import signal

from galfriday.app.runtime.os_signals import EXIT_FORCED, stop_on_signals


async def test_first_signal_stops_gracefully_second_forces_exit() -> None:
    stops: list[str] = []
    exits: list[int] = []
    with stop_on_signals(stops.append, force_exit=exits.append):
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.sleep(0.05)
        assert stops == ["SIGTERM received"] and exits == []
        os.kill(os.getpid(), signal.SIGINT)
        await asyncio.sleep(0.05)
    assert exits == [EXIT_FORCED] and len(stops) == 1
