"""Nonces strictly increase: across coroutines, threads, processes and restarts; corrupt files refuse."""

from __future__ import annotations

import asyncio
import functools
import json
import multiprocessing
import os
import threading
import time
from pathlib import Path

import pytest

from galfriday.kraken import nonce as nonce_module
from galfriday.kraken.nonce import FILE_FORMAT, FileNonceSource, NonceFileError, NonceGuard, read_high_water

T0_US = 1_700_000_000_000_000


def frozen(value_us: int = T0_US) -> int:
    """A clock that never moves: every nonce must then come from ``last + 1``."""
    return value_us


async def test_first_start_begins_at_the_clock_and_persists_ahead(tmp_path: Path) -> None:
    path = tmp_path / "state" / "kraken.nonce"
    with FileNonceSource(path) as source:
        before = time.time_ns() // 1000
        first = await source.next_nonce()
        assert before <= first <= time.time_ns() // 1000
        high = read_high_water(path)
        assert high is not None and high > first  # written before the nonce was handed out
    assert json.loads(path.read_text())["format"] == FILE_FORMAT


async def test_thousand_concurrent_calls_strictly_increase(tmp_path: Path) -> None:
    with FileNonceSource(tmp_path / "n") as source:
        issued = await asyncio.gather(*(source.next_nonce() for _ in range(1000)))
    assert len(set(issued)) == 1000
    assert issued == sorted(issued)  # served in call order, each above the previous


async def test_frozen_clock_counts_up_from_last(tmp_path: Path) -> None:
    with FileNonceSource(tmp_path / "n", now_us=frozen) as source:
        issued = [await source.next_nonce() for _ in range(3)]
    assert issued == [T0_US, T0_US + 1, T0_US + 2]


def test_threads_never_share_a_nonce(tmp_path: Path) -> None:
    results: list[list[int]] = [[] for _ in range(4)]
    with FileNonceSource(tmp_path / "n", reserve_us=50, now_us=frozen) as source:

        def work(out: list[int]) -> None:
            out.extend(source.next_nonce_sync() for _ in range(500))

        threads = [threading.Thread(target=work, args=(r,)) for r in results]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    merged = sorted(n for r in results for n in r)
    assert merged == list(range(T0_US, T0_US + 2000))
    assert all(r == sorted(r) for r in results)


async def test_restart_never_goes_back_even_with_the_clock_rewound(tmp_path: Path) -> None:
    path = tmp_path / "n"
    with FileNonceSource(path, now_us=frozen) as source:
        last = [await source.next_nonce() for _ in range(10)][-1]
    # Clean restart, a clock an hour behind.
    hour_ago = functools.partial(frozen, T0_US - 3_600_000_000)
    with FileNonceSource(path, now_us=hour_ago) as source:
        after_restart = await source.next_nonce()
    assert after_restart > last
    # Crash: the object is dropped without close(), the lock file keeps a stale record.
    crashed = FileNonceSource(path, now_us=hour_ago)
    before_crash = await crashed.next_nonce()
    os.close(crashed._fd)  # type: ignore[arg-type]  # simulate the process dying
    crashed._fd = None
    (tmp_path / "n.lock").write_bytes(b"garbage left by a crash")
    with FileNonceSource(path, now_us=hour_ago) as source:
        assert await source.next_nonce() > before_crash


async def test_high_water_is_written_in_blocks_not_per_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[int] = []
    real_write = nonce_module._write_high_water

    def counting_write(path: Path, high: int) -> None:
        writes.append(high)
        real_write(path, high)

    monkeypatch.setattr(nonce_module, "_write_high_water", counting_write)
    with FileNonceSource(tmp_path / "n", reserve_us=1000, now_us=frozen) as source:
        issued = [await source.next_nonce() for _ in range(5000)]
    assert len(writes) == 5  # one durable write per 1000 nonces
    assert all(n < read_high_water(tmp_path / "n") for n in issued)  # type: ignore[operator]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"garbage",
        b'{"format": "galfriday-kraken-nonce/1", "high_water_us": 17000',  # truncated
        b'{"format": "something-else", "high_water_us": 1}',
        b'{"format": "galfriday-kraken-nonce/1", "high_water_us": -5}',
        b'{"format": "galfriday-kraken-nonce/1", "high_water_us": "1700"}',
        b'{"format": "galfriday-kraken-nonce/1", "high_water_us": 1.5e15}',
        b"\xff\xfe binary",
    ],
)
def test_corrupt_file_refuses_to_start(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "kraken.nonce"
    path.write_bytes(content)
    with pytest.raises(NonceFileError, match="corrupt") as info:
        FileNonceSource(path)
    assert str(path) in str(info.value)
    assert "refusing to start" in str(info.value)


def test_unreadable_file_refuses_to_start(tmp_path: Path) -> None:
    path = tmp_path / "kraken.nonce"
    path.mkdir()  # exists but cannot be read as a file
    with pytest.raises(NonceFileError, match="cannot read"):
        FileNonceSource(path)


async def test_source_refuses_after_fork_and_after_close(tmp_path: Path) -> None:
    source = FileNonceSource(tmp_path / "n")
    source._pid = -1  # what a forked child would see
    with pytest.raises(NonceFileError, match="fork"):
        await source.next_nonce()
    source._pid = os.getpid()
    source.close()
    with pytest.raises(NonceFileError, match="closed"):
        await source.next_nonce()


def _hammer(path: str, count: int, opened: threading.Barrier, out: multiprocessing.Queue[list[int]]) -> None:
    async def run() -> list[int]:
        with FileNonceSource(path, reserve_us=25, now_us=frozen) as source:
            opened.wait()  # both have opened the file before either issues
            return [await source.next_nonce() for _ in range(count)]

    out.put(asyncio.run(run()))


def test_two_processes_sharing_the_file_never_collide_or_go_back(tmp_path: Path) -> None:
    """With a frozen clock every nonce is ``last + 1`` of the *shared* state: the union of both
    processes' nonces must be one gap-free run, which only holds if every issue saw the other
    process's latest nonce (a stale read would repeat a value). Both open the file first: a
    process that opens later starts above the durable mark, which is safe but leaves a gap."""
    ctx = multiprocessing.get_context("spawn")
    opened, out = ctx.Barrier(2), ctx.Queue()
    count = 1000
    procs = [ctx.Process(target=_hammer, args=(str(tmp_path / "n"), count, opened, out)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=10)
        assert p.exitcode == 0
    first = min(min(r) for r in results)
    assert sorted(results[0] + results[1]) == list(range(first, first + 2 * count))
    assert all(r == sorted(r) for r in results)
    assert sum(1 for r in results if len(r) == count) == 2
    assert read_high_water(tmp_path / "n") > first + 2 * count - 1  # type: ignore[operator]


def test_guard_accepts_only_increasing_nonces_per_key() -> None:
    guard = NonceGuard()
    assert guard.accept("key-a", 10)
    assert not guard.accept("key-a", 10)
    assert not guard.accept("key-a", 9)
    assert guard.accept("key-b", 5)  # keys are independent
    assert guard.accept("key-a", 11)
