"""Inference runners: the process pool is started before the first bar, not by it."""

from __future__ import annotations

from galfriday.prediction.inference import ProcessRunner


def test_warm_up_starts_every_worker_process() -> None:
    runner = ProcessRunner(2)
    try:
        assert not runner._pool._processes  # a process pool spawns lazily, on its first request
        runner.warm_up(timeout_s=120)
        processes = runner._pool._processes
        assert processes is not None and len(processes) == 2
        assert all(p.is_alive() for p in processes.values())
    finally:
        runner.shutdown()
