"""``GALFRIDAY__SECTION__KEY=value`` environment overrides, applied on top of the file.

Keys are matched case-insensitively and checked against the schema *before* validation, so a
misspelt variable is an error instead of a setting that silently never applies. Values are YAML
(``4``, ``true``, ``["XRP/USD"]``) except for text fields (strings, secrets, paths), which are
taken verbatim so a secret such as ``0123`` or ``yes`` is not turned into a number or a boolean.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import yaml
from pydantic import BaseModel

from galfriday.config.introspect import holds_text, section_model
from galfriday.config.problems import Problem, format_loc, unknown_key_problem
from galfriday.config.yaml_source import describe_yaml_error, parse_yaml

PREFIX = "GALFRIDAY__"


class _Rejected(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _resolve(root: type[BaseModel], variable: str) -> tuple[tuple[str, ...], bool]:
    """The key path a variable addresses and whether its value is taken verbatim."""
    parts = variable[len(PREFIX) :].lower().split("__")
    if "" in parts:
        raise _Rejected(Problem(variable, "is not of the form GALFRIDAY__SECTION__KEY (empty part)"))
    model: type[BaseModel] | None = root
    path: tuple[str, ...] = ()
    verbatim = False
    for part in parts:
        if model is None:
            raise _Rejected(Problem(variable, f"{format_loc(path)} has no sub-keys"))
        path = (*path, part)
        field = model.model_fields.get(part)
        if field is None:
            raise _Rejected(unknown_key_problem(root, path, source=f" [set by {variable}]"))
        model, verbatim = section_model(field.annotation), holds_text(field)
    return path, verbatim


def _parse(variable: str, raw: str, path: tuple[str, ...]) -> Any:
    try:
        return parse_yaml(raw)
    except yaml.YAMLError as exc:
        raise _Rejected(
            Problem(format_loc(path), f"value of {variable} is not valid YAML: {describe_yaml_error(exc)}")
        ) from None


def _merge(target: dict[str, Any], path: tuple[str, ...], value: Any, variable: str) -> None:
    node = target
    for depth, key in enumerate(path[:-1]):
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        elif not isinstance(child, dict):
            where = format_loc(path[: depth + 1])
            raise _Rejected(
                Problem(where, f"is not a mapping in the file, so {variable} cannot set a key in it")
            )
        node = child
    node[path[-1]] = _deep_merge(node.get(path[-1]), value)


def _deep_merge(existing: Any, value: Any) -> Any:
    """A mapping override adds to what the file says for that section; anything else replaces it."""
    if not (isinstance(existing, dict) and isinstance(value, dict)):
        return value
    merged = dict(existing)
    for key, item in value.items():
        merged[key] = _deep_merge(existing.get(key), item)
    return merged


def apply_env_overrides(
    root: type[BaseModel], data: dict[str, Any], env: Mapping[str, str]
) -> tuple[dict[str, Any], dict[tuple[str, ...], str], list[Problem]]:
    """``data`` with every override applied, which variable set which key path, and the problems."""
    result: dict[str, Any] = copy.deepcopy(data)
    sources: dict[tuple[str, ...], str] = {}
    problems: list[Problem] = []
    for variable in sorted(name for name in env if name.upper().startswith(PREFIX)):
        raw = env[variable]
        try:
            path, verbatim = _resolve(root, variable)
            if path in sources:
                raise _Rejected(Problem(format_loc(path), f"is set by both {sources[path]} and {variable}"))
            value = raw if verbatim else _parse(variable, raw, path)
            _merge(result, path, value, variable)
        except _Rejected as rejected:
            problems.append(rejected.problem)
            continue
        sources[path] = variable
    return result, sources, problems
