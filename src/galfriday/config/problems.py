"""Turning everything wrong with a configuration into one readable, secret-free message.

Each problem is printed as ``section.key: what is wrong (got <value>)``. Values are shown only
when they are safe to show: never for secret fields, never whole mappings (they may contain
secrets), never for unknown keys (a misspelt ``api_secert`` holds a secret), and URL passwords
are masked.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel, ValidationError

from galfriday.config.base import CrossFieldError
from galfriday.config.introspect import field_at, holds_secret, model_at
from galfriday.config.redact import mask_url_password

_MAX_SHOWN = 80


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the configuration; ``got`` is already safe to print."""

    path: str
    message: str
    got: str | None = None

    def __str__(self) -> str:
        suffix = f" (got {self.got})" if self.got is not None else ""
        return f"{self.path or '(top level)'}: {self.message}{suffix}"


def format_loc(loc: Sequence[str | int]) -> str:
    """``("strategy", "confirmations", 0, "op")`` → ``strategy.confirmations[0].op``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _scalar(value: Any) -> str | None:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, str | PurePath):
        text = mask_url_password(str(value))
        return repr(text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "…")
    return None


def shown_value(value: Any, *, secret: bool) -> str | None:
    """How a rejected value may be echoed: masked for secrets, omitted for mappings."""
    if secret:
        return "<hidden>"
    if isinstance(value, list | tuple):
        items = [_scalar(item) for item in value]
        shown = [item for item in items if item is not None]
        return f"[{', '.join(shown)}]" if len(shown) == len(items) else None
    return _scalar(value)


# A section or list entry given as the wrong type: the input may be anything, including a secret
# that slipped out of its mapping, so it is not echoed.
_WHOLE_SECTION_ERRORS = frozenset({"model_type", "model_attributes_type", "dict_type"})


def _unknown_key_message(root: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    owner = model_at(root, loc[:-1])
    key = str(loc[-1])
    if owner is None:
        return "unknown key"
    close = difflib.get_close_matches(key.lower(), list(owner.model_fields), n=1, cutoff=0.6)
    return f"unknown key (did you mean '{close[0]}'?)" if close else "unknown key"


def unknown_key_problem(root: type[BaseModel], loc: tuple[str | int, ...], *, source: str = "") -> Problem:
    return Problem(format_loc(loc), _unknown_key_message(root, loc) + source)


def problems_from_validation(
    root: type[BaseModel], exc: ValidationError, sources: Mapping[tuple[str, ...], str]
) -> list[Problem]:
    """One Problem per pydantic error; cross-field errors expand to one per offending key.

    ``sources`` maps key paths set by environment overrides to the variable that set them, so
    the message says where a bad value came from.
    """
    problems: list[Problem] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        origin = error.get("ctx", {}).get("error")
        if isinstance(origin, CrossFieldError):
            for violation in origin.violations:
                key_loc = (*loc, *violation.key.split("."))
                got = shown_value(violation.got, secret=False) if violation.shows_value else None
                problems.append(
                    Problem(format_loc(key_loc), violation.message + _source(key_loc, sources), got)
                )
            continue
        if error["type"] == "extra_forbidden":
            problems.append(unknown_key_problem(root, loc, source=_source(loc, sources)))
            continue
        if error["type"] == "missing":
            problems.append(Problem(format_loc(loc), "is required" + _source(loc, sources)))
            continue
        if error["type"] in _WHOLE_SECTION_ERRORS:
            message, got = "must be a mapping of keys (indented 'key: value' lines)", None
        else:
            message = str(error["msg"]).removeprefix("Value error, ")
            got = shown_value(error["input"], secret=holds_secret(field_at(root, loc)))
        problems.append(Problem(format_loc(loc), message + _source(loc, sources), got))
    return problems


def _source(loc: tuple[str | int, ...], sources: Mapping[tuple[str, ...], str]) -> str:
    keys = tuple(str(part) for part in loc)
    for length in range(len(keys), 0, -1):
        variable = sources.get(keys[:length])
        if variable is not None:
            return f" [set by {variable}]"
    return ""


def render(problems: Sequence[Problem], *, origin: str) -> str:
    """The full ConfigError message: a header, one line per problem, and what to do next."""
    count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
    lines = [f"invalid configuration ({origin}): {count}"]
    lines += [f"  {problem}" for problem in problems]
    lines.append(
        "hint: fix each key above in the file or in the GALFRIDAY__SECTION__KEY environment variable "
        "named; every key is documented in src/galfriday/config/example.yaml, and "
        "`galfriday config validate FILE` re-checks without starting anything."
    )
    return "\n".join(lines)
