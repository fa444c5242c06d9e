"""``run_session``: start a session, run it until a signal or ``--for`` elapses, stop it; an exit code.

Exit codes: 0 clean stop; 1 the session refused to start (database, exchange, instruments, live
prerequisites) or could not finish its shutdown cleanly; 2 invalid configuration; 130 a second
signal forced the exit (``os_signals``).
"""

from __future__ import annotations

import sys

from galfriday.app.runtime.options import RunOptions
from galfriday.app.runtime.os_signals import stop_on_signals
from galfriday.app.runtime.session import Session
from galfriday.core.errors import ConfigError, GalFridayError

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


async def run_session(options: RunOptions) -> int:
    """Start, serve until stopped, stop: the whole ``galfriday run``."""
    session = Session(options)
    try:
        await session.start()
    except ConfigError as exc:
        _tell(f"error: {exc}")
        return EXIT_CONFIG
    except GalFridayError as exc:
        _tell(f"error: the session did not start: {exc}")
        return EXIT_FAILED
    return await serve(session)


async def serve(session: Session) -> int:
    """Run a started session until SIGTERM/SIGINT, ``request_stop`` or ``--for``; stop it."""
    with stop_on_signals(session.request_stop):
        reason = await session.wait()
        problems = await session.stop(reason)
    if problems:
        _tell("error: shutdown incomplete:\n  " + "\n  ".join(problems))
        return EXIT_FAILED
    return EXIT_OK


def _tell(message: str) -> None:
    print(message, file=sys.stderr)  # noqa: T201  (logging may not be configured yet)
