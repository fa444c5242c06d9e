"""Any value a caller puts in ``extra`` becomes JSON data without raising."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum

from galfriday.monitoring.json_safe import safe_str, to_json_safe


class _Side(Enum):
    BUY = "buy"


class _Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no str")

    def __repr__(self) -> str:
        raise RuntimeError("no repr")


class _ReprOnly:
    def __str__(self) -> str:
        raise RuntimeError("no str")

    def __repr__(self) -> str:
        return "<ReprOnly>"


def test_money_and_time_keep_their_exact_text() -> None:
    moment = datetime(2026, 11, 21, 19, 40, 1, 123000, tzinfo=UTC)
    assert to_json_safe(Decimal("0.51230")) == "0.51230"
    assert to_json_safe(moment) == "2026-11-21T19:40:01.123000+00:00"
    assert to_json_safe(date(2026, 11, 21)) == "2026-11-21"


def test_containers_become_lists_and_string_keyed_dicts() -> None:
    value = {1: (Decimal("1.5"), None), "s": {True}, "e": _Side.BUY}
    assert to_json_safe(value) == {"1": ["1.5", None], "s": [True], "e": "_Side.BUY"}


def test_non_finite_floats_become_strings_so_the_line_stays_valid_json() -> None:
    converted = to_json_safe([float("nan"), float("inf"), 1.5])
    assert converted == ["nan", "inf", 1.5]
    json.dumps(converted, allow_nan=False)


def test_cycles_and_deep_nesting_are_cut_off() -> None:
    cyclic: list[object] = [1]
    cyclic.append(cyclic)
    assert to_json_safe(cyclic) == [1, "<cycle>"]
    deep: list[object] = []
    for _ in range(100):
        deep = [deep]
    json.dumps(to_json_safe(deep))


def test_objects_whose_str_raises_still_render() -> None:
    assert safe_str(_ReprOnly()) == "<ReprOnly>"
    assert safe_str(_Unprintable()) == "<unprintable _Unprintable>"
    assert to_json_safe({"x": _Unprintable()}) == {"x": "<unprintable _Unprintable>"}
