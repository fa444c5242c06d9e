"""Fault specs: parsing (with errors that name the problem) and how each kind is consumed."""

from __future__ import annotations

from pathlib import Path

import pytest

from galfriday.sim.errors import SimError
from galfriday.sim.server.faults import FaultInjector, RestError, WsDrop, faults_argument, parse_faults


def injector(text: str, seed: int = 1) -> FaultInjector:
    faults = FaultInjector(seed)
    faults.add(parse_faults(text))
    return faults


def test_one_fault_or_a_list_and_the_file_form(tmp_path: Path) -> None:
    assert [type(f) for f in parse_faults('{"kind": "ws_drop", "after": 3}')] == [WsDrop]
    spec = '[{"kind": "rest_error"}, {"kind": "reject_order", "symbol": "XRP/USD"}]'
    assert len(parse_faults(spec)) == 2
    path = tmp_path / "faults.json"
    path.write_text(spec)
    assert faults_argument(str(path)) == spec
    assert faults_argument(spec) == spec
    assert parse_faults("") == []


@pytest.mark.parametrize(
    ("spec", "hint"),
    [
        ('{"kind": "earthquake"}', "earthquake"),
        ('{"kind": "ws_drop"}', "after"),
        ('{"kind": "ws_drop", "after": 1, "probability": 0.5}', "either"),
        ('{"kind": "rest_error", "times": 0}', "times"),
        ('{"kind": "stall"}', "channel"),
        ('{"kind": "rest_error", "colour": "red"}', "colour"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec: str, hint: str) -> None:
    with pytest.raises(SimError, match=hint):
        parse_faults(spec)


def test_missing_fault_file() -> None:
    with pytest.raises(SimError, match="neither JSON nor a readable file"):
        faults_argument("/nonexistent/faults.json")


def test_times_counts_uses_and_retires_the_fault() -> None:
    faults = injector('{"kind": "rest_error", "method": "*Orders", "error": "EService:Busy", "times": 2}')
    assert faults.rest_error("Balance") is None
    first = faults.rest_error("OpenOrders")
    assert isinstance(first, RestError) and first.error == "EService:Busy"
    assert faults.rest_error("ClosedOrders") is not None
    assert faults.rest_error("OpenOrders") is None and faults.active() == []


def test_websocket_questions() -> None:
    faults = injector(
        '[{"kind": "stall", "channel": "book", "symbol": "XRP/USD", "target": "public"},'
        ' {"kind": "ws_delay", "ms": 250, "channel": "trade"},'
        ' {"kind": "ws_drop", "after": 5, "target": "private", "times": 1},'
        ' {"kind": "corrupt_checksum", "times": 1}]'
    )
    assert faults.stalled("public", "book", "XRP/USD") and not faults.stalled("public", "book", "DOGE/USD")
    assert not faults.stalled("private", "book", "XRP/USD")
    assert faults.delay_s("public", "trade") == 0.25 and faults.delay_s("public", "book") == 0.0
    assert not faults.drop("public", 10) and not faults.drop("private", 4)
    assert faults.drop("private", 5) and not faults.drop("private", 6)  # used up
    assert faults.corrupt_checksum("DOGE/USD") and not faults.corrupt_checksum("DOGE/USD")


def test_random_drops_are_seeded() -> None:
    def pattern(seed: int) -> list[bool]:
        faults = injector('{"kind": "ws_drop", "probability": 0.3}', seed)
        return [faults.drop("public", n) for n in range(50)]

    assert pattern(7) == pattern(7) and pattern(7) != pattern(8) and any(pattern(7))


def test_orders_faults() -> None:
    faults = injector(
        '[{"kind": "reject_order", "symbol": "DOGE/USD", "times": 1},'
        ' {"kind": "accept_then_drop", "via": "ws", "times": 1}]'
    )
    assert faults.order_rejection("XRP/USD") is None
    assert faults.order_rejection("DOGE/USD") == "EOrder:Insufficient funds"
    assert (
        not faults.accept_then_drop("rest")
        and faults.accept_then_drop("ws")
        and not faults.accept_then_drop("ws")
    )
