"""SIGTERM and SIGINT: the first asks for a graceful stop, a second one forces the exit.

A graceful stop cancels orders and flushes every recorder, which takes a few seconds; an operator
who cannot wait (a hung exchange) sends the signal again and the process exits at once with
``EXIT_FORCED``, after saying what it skipped. Handlers are installed on the running loop, so
they run between callbacks, never inside a handler of the bus.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from galfriday.monitoring import shutdown_logging

logger = logging.getLogger(__name__)

EXIT_FORCED = 130
SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def stop_on_signals(
    request_stop: Callable[[str], None], *, force_exit: Callable[[int], object] = os._exit
) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    received = 0

    def on_signal(signum: signal.Signals) -> None:
        nonlocal received
        received += 1
        if received == 1:
            logger.warning("%s received: stopping gracefully (send it again to exit at once)", signum.name)
            request_stop(f"{signum.name} received")
            return
        logger.critical(
            "%s received again: exiting now without finishing the shutdown; open orders may still "
            "work and unwritten records are lost: reconcile before the next start",
            signum.name,
        )
        shutdown_logging()
        force_exit(EXIT_FORCED)

    for sig in SIGNALS:
        loop.add_signal_handler(sig, on_signal, sig)
    try:
        yield
    finally:
        for sig in SIGNALS:
            loop.remove_signal_handler(sig)
