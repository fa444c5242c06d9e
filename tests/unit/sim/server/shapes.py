"""A JSON shape comparer: same keys and same JSON types, recursively (values are ignored).

Used to hold the simulator's responses against real recorded Kraken responses. Conventions:

- types are JSON's: null, bool, int, float (a number with a fraction or exponent), str, list, dict;
  ``numeric_text=True`` lets a numeric string match a number (for hand-written samples that write
  as numbers what Kraken's recordings write as strings);
- dicts must have the same keys, except under a path listed in ``ids``: there the keys are ids
  (pair names, txids) — every key not in the path's set of fixed keys is compared against the
  expected side's first id key;
- a list whose expected elements all share one shape (or that has one element) is homogeneous:
  every actual element is compared with the first expected one; otherwise it is a tuple (same
  length, position by position). Empty lists on either side say nothing about element shapes;
- a path in ``ignore`` is skipped. Paths look like ``$.result.*.descr``, ``*`` standing for an id.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any


def kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float | Decimal):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "dict"
    raise TypeError(f"not a JSON value: {value!r}")


def _numeric(value: Any) -> bool:
    if isinstance(value, str):
        try:
            Decimal(value)
        except InvalidOperation:
            return False
        return True
    return kind(value) in ("int", "float")


def signature(value: Any) -> Any:
    """A hashable description of a value's shape (for the homogeneous-list test)."""
    if isinstance(value, dict):
        return ("dict", tuple(sorted((k, signature(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("list", tuple(signature(v) for v in value))
    return kind(value)


def shape_diff(
    actual: Any,
    expected: Any,
    *,
    ids: Mapping[str, set[str]] | None = None,
    ignore: set[str] | None = None,
    numeric_text: bool = False,
    path: str = "$",
) -> list[str]:
    """Every place where ``actual`` differs in shape from ``expected`` (empty when they agree)."""
    ids, ignore = ids or {}, ignore or set()
    if path in ignore:
        return []
    a, e = kind(actual), kind(expected)
    if a != e:
        if numeric_text and _numeric(actual) and _numeric(expected):
            return []
        return [f"{path}: {a} where the recording has {e}"]
    recurse = {"ids": ids, "ignore": ignore, "numeric_text": numeric_text}
    if a == "dict":
        return _dicts(actual, expected, path, ids.get(path), recurse)
    if a == "list":
        return _lists(actual, expected, path, recurse)
    return []


def _dicts(actual: dict, expected: dict, path: str, fixed: set[str] | None, recurse: dict) -> list[str]:
    out: list[str] = []
    if fixed is None:
        missing = sorted(set(expected) - set(actual))
        extra = sorted(set(actual) - set(expected))
        out += [f"{path}.{k}: missing" for k in missing if f"{path}.{k}" not in recurse["ignore"]]
        out += [f"{path}.{k}: not in the recording" for k in extra if f"{path}.{k}" not in recurse["ignore"]]
        for key in set(actual) & set(expected):
            out += shape_diff(actual[key], expected[key], path=f"{path}.{key}", **recurse)
        return out
    expected_ids = [k for k in expected if k not in fixed]
    actual_ids = [k for k in actual if k not in fixed]
    if expected_ids and not actual_ids:
        out.append(f"{path}: no id keys to compare (the recording has {expected_ids[:3]})")
    for key in fixed:
        if (key in actual) != (key in expected):
            out.append(f"{path}.{key}: {'missing' if key in expected else 'not in the recording'}")
        elif key in actual:
            out += shape_diff(actual[key], expected[key], path=f"{path}.{key}", **recurse)
    if expected_ids:
        for key in actual_ids:
            out += shape_diff(actual[key], expected[expected_ids[0]], path=f"{path}.*", **recurse)
    return out


def _lists(actual: list, expected: list, path: str, recurse: dict) -> list[str]:
    if not actual or not expected:
        return []
    if len({signature(v) for v in expected}) == 1:  # a one-element list counts as homogeneous
        out: list[str] = []
        for item in actual:
            out += shape_diff(item, expected[0], path=f"{path}[]", **recurse)
        return out
    if len(actual) != len(expected):
        return [f"{path}: {len(actual)} elements where the recording has {len(expected)}"]
    out = []
    for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
        out += shape_diff(a, e, path=f"{path}[{i}]", **recurse)
    return out
