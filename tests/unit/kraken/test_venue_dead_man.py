"""The dead-man switch's schedule and failure handling, on a fake client and a recorded sleep.

Against the simulator's real timer: tests/integration/kraken/test_dead_man.py.
"""

from __future__ import annotations

import asyncio

import pytest

from galfriday.config.sections.risk import ExecutionSettings
from galfriday.kraken.dead_man import DeadManSwitch
from galfriday.kraken.rest_private import CancelAfterStatus
from galfriday.kraken.rest_public import KrakenError


class FakeClient:
    def __init__(self) -> None:
        self.timeouts: list[int] = []
        self.failures: list[Exception] = []

    async def cancel_all_orders_after(self, timeout_s: int) -> CancelAfterStatus:
        self.timeouts.append(timeout_s)
        if self.failures:
            raise self.failures.pop(0)
        return CancelAfterStatus("now", "0" if timeout_s == 0 else "later")


class FakeHalt:
    def __init__(self) -> None:
        self.api_errors: list[str] = []
        self.fired: list[str] = []

    def record_api_error(self, detail: str) -> None:
        self.api_errors.append(detail)

    def fire(self, trigger: str, reason: str) -> None:
        self.fired.append(trigger)


class RecordedSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


async def test_armed_at_start_and_refreshed_every_third_of_the_timeout() -> None:
    client, sleep = FakeClient(), RecordedSleep()
    switch = DeadManSwitch.from_settings(client, FakeHalt(), ExecutionSettings(), sleep=sleep)
    await switch.start()
    for _ in range(10):
        await asyncio.sleep(0)
    await switch.stop(keep_orders=False)
    assert client.timeouts[:3] == [60, 60, 60] and 0 not in client.timeouts  # left armed
    assert set(sleep.delays) == {20.0} and switch.refreshes == len(client.timeouts)


async def test_stopping_to_keep_the_orders_disarms_it() -> None:
    client = FakeClient()
    switch = DeadManSwitch(client, FakeHalt(), timeout_s=30, sleep=RecordedSleep())
    await switch.start()
    await switch.stop(keep_orders=True)
    assert client.timeouts[0] == 30 and client.timeouts[-1] == 0


async def test_off_when_configured_off() -> None:
    client = FakeClient()
    switch = DeadManSwitch.from_settings(client, FakeHalt(), ExecutionSettings(dead_man_switch_s=0))
    await switch.start()
    await switch.stop(keep_orders=True)
    assert not switch.enabled and client.timeouts == []


async def test_the_first_arming_must_succeed() -> None:
    client = FakeClient()
    client.failures.append(KrakenError("down"))
    with pytest.raises(KrakenError):
        await DeadManSwitch(client, FakeHalt()).start()


async def test_failed_refreshes_are_api_errors_and_repeated_ones_halt_once() -> None:
    client, halt = FakeClient(), FakeHalt()
    switch = DeadManSwitch(client, halt, timeout_s=60, max_failures=3)
    client.failures += [KrakenError("down")] * 2
    await switch.refresh()
    await switch.refresh()
    await switch.refresh()  # succeeds: the run of failures is over
    assert len(halt.api_errors) == 2 and halt.fired == [] and switch.consecutive_failures == 0
    client.failures += [KrakenError("down")] * 4
    for _ in range(4):
        await switch.refresh()
    assert len(halt.api_errors) == 6 and halt.fired == ["dead_man_switch"]
