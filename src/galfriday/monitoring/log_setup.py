"""Install Gal-Friday's log sinks on the root logger: a rotating JSON file and a console stream.

Every sink gets the same protection: the redaction filter runs before its formatter, and its
formatter is wrapped so registered secrets are masked in the finished line. Handlers installed
here are marked, so calling ``configure_logging`` again (config reload, tests) replaces them
instead of stacking a second copy that would write every line twice.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

from galfriday.monitoring.log_console import ConsoleFormatter
from galfriday.monitoring.log_json import JsonFormatter
from galfriday.monitoring.log_redaction import RedactionFilter, SecretMaskingFormatter
from galfriday.monitoring.redaction import DEFAULT_REDACTOR, Redactor

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_BACKUP_COUNT = 5

_OWNED_MARK = "_galfriday_owned"


def _protect(handler: logging.Handler, formatter: logging.Formatter, redactor: Redactor) -> logging.Handler:
    """Give a sink both redaction layers: the record filter and the final-line secret mask."""
    handler.addFilter(RedactionFilter(redactor))
    handler.setFormatter(SecretMaskingFormatter(formatter, redactor))
    return handler


def json_file_handler(
    path: str | Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    backup_count: int = DEFAULT_BACKUP_COUNT,
    redactor: Redactor = DEFAULT_REDACTOR,
) -> logging.Handler:
    """A redacting JSON-lines sink that rotates at ``max_bytes`` and keeps ``backup_count`` old files."""
    file_path = Path(path)
    file_path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(file_path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8")
    return _protect(handler, JsonFormatter(), redactor)


def console_handler(
    stream: TextIO | None = None, json_format: bool = False, redactor: Redactor = DEFAULT_REDACTOR
) -> logging.Handler:
    """A redacting console sink on ``stream`` (stderr by default), human-readable or JSON lines."""
    formatter = JsonFormatter() if json_format else ConsoleFormatter()
    return _protect(logging.StreamHandler(stream), formatter, redactor)


def _level_number(level: str | int) -> int:
    if isinstance(level, int):
        return level
    levels = logging.getLevelNamesMapping()
    try:
        return levels[level.upper()]
    except KeyError:
        raise ValueError(f"unknown log level {level!r}; expected one of {sorted(levels)}") from None


def configure_logging(
    level: str | int = "INFO",
    json_file: str | Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    backup_count: int = DEFAULT_BACKUP_COUNT,
    console: bool = True,
    console_json: bool = False,
) -> None:
    """Replace the sinks installed by an earlier call with the ones asked for here.

    New sinks are opened before old ones are closed, so a bad level or an unwritable path raises
    and leaves the previous logging setup untouched.
    """
    root_level = _level_number(level)
    handlers: list[logging.Handler] = []
    if json_file is not None:
        handlers.append(json_file_handler(json_file, max_bytes, backup_count))
    if console:
        handlers.append(console_handler(json_format=console_json))
    shutdown_logging()
    root = logging.getLogger()
    root.setLevel(root_level)
    for handler in handlers:
        setattr(handler, _OWNED_MARK, True)
    # First in line, so the redaction filter has cleaned each record (it edits it in place) before
    # any other root handler, such as a test capture or a third-party sink, formats it.
    root.handlers[0:0] = handlers


def shutdown_logging() -> None:
    """Remove and close the sinks ``configure_logging`` installed (flushes the file on exit)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OWNED_MARK, False)]:
        root.removeHandler(handler)
        handler.close()
