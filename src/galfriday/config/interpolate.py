"""``${VAR}`` substitution in configuration strings, so secrets stay out of the file.

Syntax (a subset of the shell's, on purpose):
- ``${VAR}``: the variable's value; unset is an error naming the variable and the key.
- ``${VAR:-default}``: the default when VAR is unset *or empty* (as in the shell).
- ``$${``: a literal ``${``.
Only string values are interpolated, never keys, and substituted text is not re-scanned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from galfriday.config.problems import Problem, format_loc

_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_REFERENCE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$", re.DOTALL)


def _expand(text: str, env: Mapping[str, str], path: str, problems: list[Problem]) -> str:
    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "$${":
            return "${"
        body = match.group(1)
        if body is None:
            problems.append(Problem(path, "has '${' without a closing '}' (write $${ for a literal ${)"))
            return token
        reference = _REFERENCE.match(body)
        if reference is None:
            problems.append(
                Problem(path, f"has an invalid placeholder ${{{body}}}; use ${{NAME}} or ${{NAME:-default}}")
            )
            return token
        name, default = reference.groups()
        value = env.get(name)
        if default is not None and not value:
            return default
        if value is None:
            problems.append(
                Problem(
                    path,
                    f"environment variable {name} is not set (referenced as ${{{name}}}); "
                    f"set it or give a default: ${{{name}:-default}}",
                )
            )
            return token
        return value

    return _TOKEN.sub(replace, text)


def interpolate(data: Any, env: Mapping[str, str]) -> tuple[Any, list[Problem]]:
    """A copy of ``data`` with every placeholder resolved, and the problems found on the way."""
    problems: list[Problem] = []

    def walk(value: Any, loc: tuple[str | int, ...]) -> Any:
        if isinstance(value, str):
            return _expand(value, env, format_loc(loc), problems)
        if isinstance(value, dict):
            return {key: walk(item, (*loc, str(key))) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item, (*loc, index)) for index, item in enumerate(value)]
        return value

    return walk(data, ()), problems
