"""Reading YAML the way a trading configuration needs it.

Differences from ``yaml.safe_load``, each preventing a silent surprise:
- decimals stay exact: ``0.0016`` becomes ``Decimal("0.0016")``, never a binary float;
- a key given twice in one mapping is an error instead of "last one wins";
- syntax errors name the line and column without echoing the line (it may hold a secret).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from galfriday.core.errors import ConfigError

_FILE_HINT = (
    "hint: check indentation and quoting near that line (quote values containing ': ' or ' #'); "
    "src/galfriday/config/example.yaml shows a valid file."
)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader with exact decimals and duplicate-key detection."""


def _construct_decimal(loader: _StrictLoader, node: yaml.ScalarNode) -> Decimal | float:
    try:
        return Decimal(str(loader.construct_scalar(node)).replace("_", ""))
    except InvalidOperation:
        # .inf/.nan (refused later as "not a finite number") and YAML 1.1 base-60 floats.
        return loader.construct_yaml_float(node)


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            first = seen[key].start_mark.line + 1
            raise ConstructorError(
                None, None, f"duplicate key {key!r} (first given on line {first})", key_node.start_mark
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def describe_yaml_error(exc: yaml.YAMLError) -> str:
    """``line L, column C: problem`` (1-based) without the offending source text."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "invalid YAML"
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    if context and context_mark is not None:
        context += f" started on line {context_mark.line + 1}"
    return f"{where}{problem}" + (f" ({context})" if context else "")


def parse_yaml(text: str) -> Any:
    """Parse one YAML document; raises ``yaml.YAMLError`` (see ``describe_yaml_error``)."""
    return yaml.load(text, Loader=_StrictLoader)  # safe: _StrictLoader derives from SafeLoader


def _read_text(path: Path) -> str:
    # Each ConfigError is raised after its `except` block ends so it carries no __context__:
    # chained exceptions can quote file contents, which may hold secrets.
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = (
            f"configuration file not found: {path}\n"
            "hint: pass an existing file, or copy src/galfriday/config/example.yaml and edit it."
        )
    except IsADirectoryError:
        problem = f"configuration path is a directory, not a file: {path}"
    except PermissionError:
        problem = f"configuration file is not readable: {path}\nhint: check its permissions for this user."
    except UnicodeDecodeError as exc:
        problem = f"configuration file is not UTF-8 text: {path} (byte {exc.start})\nhint: save it as UTF-8."
    except OSError as exc:
        problem = f"cannot read configuration file {path}: {exc.strerror}"
    raise ConfigError(problem)


def read_yaml_file(path: Path) -> dict[str, Any]:
    """The top-level mapping of a YAML config file; every failure is a ConfigError naming the file."""
    text = _read_text(path)
    try:
        data = parse_yaml(text)
    except yaml.YAMLError as exc:
        problem = f"YAML error in {path}, {describe_yaml_error(exc)}"
    else:
        if data is None:
            return {}
        if isinstance(data, dict):
            return data
        problem = (
            f"{path}: the top level must be a mapping of sections (exchange:, risk:, …), "
            f"not a {type(data).__name__}"
        )
    raise ConfigError(f"{problem}\n{_FILE_HINT}")
