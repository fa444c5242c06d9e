"""Building the effective ``Settings``: defaults ← YAML file ← ``${VAR}`` ← ``GALFRIDAY__*`` overrides.

Every problem found is collected and raised together as one ``ConfigError`` so a user fixes the
whole file in one pass, and no message ever contains a secret.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from galfriday.config.interpolate import interpolate
from galfriday.config.overrides import apply_env_overrides
from galfriday.config.problems import Problem, problems_from_validation, render
from galfriday.config.schema import Settings
from galfriday.config.yaml_source import read_yaml_file
from galfriday.core.errors import ConfigError


def load_config(path: str | Path | None = None, *, env: Mapping[str, str] | None = None) -> Settings:
    """Load and validate the configuration.

    ``path`` is a YAML file; None means the built-in defaults only. ``env`` supplies both the
    ``${VAR}`` values and the ``GALFRIDAY__SECTION__KEY`` overrides (default: ``os.environ``).
    Raises ConfigError listing every problem.
    """
    environment = os.environ if env is None else env
    origin = str(path) if path is not None else "built-in defaults and environment"
    raw: dict[str, Any] = read_yaml_file(Path(path)) if path is not None else {}

    data, problems = interpolate(raw, environment)
    data, sources, override_problems = apply_env_overrides(Settings, data, environment)
    problems += override_problems
    result = _validate(data, sources)
    if isinstance(result, Settings) and not problems:
        return result
    if not isinstance(result, Settings):
        # Validation runs despite earlier problems so the user sees everything at once; errors on
        # keys already reported (e.g. an unresolved ${VAR}) would only repeat them.
        reported = tuple(problem.path for problem in problems)
        problems += [p for p in result if not any(_within(p.path, path) for path in reported)]
    raise ConfigError(render(problems, origin=origin))


def _validate(data: dict[str, Any], sources: Mapping[tuple[str, ...], str]) -> Settings | list[Problem]:
    """The Settings, or the problems; the ValidationError itself never escapes (its text shows inputs)."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        return problems_from_validation(Settings, exc, sources)


def _within(path: str, ancestor: str) -> bool:
    return path == ancestor or path.startswith((f"{ancestor}.", f"{ancestor}["))
