"""Runners: results in input order, progress per task, and a failing task named by its input."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from galfriday.backtest.research.errors import ResearchError, TaskFailed
from galfriday.backtest.research.runner import InlineRunner, ProcessRunner, Runner, make_runner


def later_first(x: int) -> tuple[int, int]:
    """Later inputs finish first, so completion order is not input order."""
    time.sleep(0.05 * (4 - x))
    return x * x, os.getpid()


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three is bad")
    return x


@pytest.fixture(scope="module")
def process_runner() -> Iterator[ProcessRunner]:
    with ProcessRunner(2) as runner:
        yield runner


@pytest.fixture(params=["inline", "process"])
def runner(request: pytest.FixtureRequest, process_runner: ProcessRunner) -> Runner:
    return InlineRunner() if request.param == "inline" else process_runner


def test_results_come_back_in_input_order_with_progress_per_task(runner: Runner) -> None:
    seen: list[tuple[int, int]] = []
    results = runner.map(later_first, [0, 1, 2, 3, 4], progress=lambda done, n: seen.append((done, n)))
    assert [square for square, _ in results] == [0, 1, 4, 9, 16]
    assert seen == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    pids = {pid for _, pid in results}
    assert pids == {os.getpid()} if runner.name == "inline" else os.getpid() not in pids


def test_a_failing_task_names_its_input_and_carries_the_worker_traceback(runner: Runner) -> None:
    with pytest.raises(TaskFailed) as caught:
        runner.map(fail_on_three, [1, 2, 3, 4], label=lambda x: f"input {x}")
    failure = caught.value
    assert failure.index == 2 and failure.label == "input 3"
    assert str(failure) == "task 2 (input 3) failed: ValueError: three is bad"
    assert "fail_on_three" in failure.remote and "raise ValueError" in failure.remote
    assert runner.map(fail_on_three, [5, 6]) == [5, 6]  # the runner is still usable


def test_a_task_that_cannot_be_sent_to_a_process_says_so(process_runner: ProcessRunner) -> None:
    with pytest.raises(TaskFailed, match=r"task 0 \(7\) failed: .*must be picklable"):
        process_runner.map(lambda x: x, [7])


def test_make_runner_picks_the_runner_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(make_runner("inline"), InlineRunner)
    assert isinstance(make_runner("auto", workers=1), InlineRunner)
    process = make_runner("process", workers=3)
    assert isinstance(process, ProcessRunner) and process.workers == 3
    monkeypatch.setattr("galfriday.backtest.research.runner.ray_available", lambda: False)
    assert isinstance(make_runner("auto", workers=2), ProcessRunner)  # no Ray: local processes
    with pytest.raises(ResearchError, match="unknown runner 'dask': use one of auto, ray, process, inline"):
        make_runner("dask")
    with pytest.raises(ResearchError, match="--workers must be at least 1"):
        make_runner("process", workers=0)


def test_asking_for_ray_without_it_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_ray(name: str, *args: object, **kwargs: object) -> object:
        if name == "ray":
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(ResearchError, match=r"pip install 'galfriday\[ray\]'"):
        make_runner("ray")


def die(x: int) -> int:
    if x == 1:
        os._exit(3)  # a worker killed mid-task (out of memory, a segfault in a native library)
    return x


def test_a_dead_worker_is_reported_and_the_next_map_gets_a_fresh_pool() -> None:
    with ProcessRunner(1) as runner:
        with pytest.raises(TaskFailed, match=r"task 1 \(1\) failed: BrokenProcessPool"):
            runner.map(die, [0, 1, 2])
        assert runner.map(die, [0, 2]) == [0, 2]
