"""Runners: map one picklable task over many inputs — in this process, on local processes, or on Ray.

Walk-forward windows and optimisation trials are independent backtests, so they fan out. Every
runner has the same contract, so results never depend on where they were computed:

- results come back in input order, whatever order the tasks finish in;
- ``progress(done, total)`` is called as each task completes;
- the first failing task stops the map with ``TaskFailed``, which names the input (its index and
  ``label(input)``) and carries the worker's traceback; tasks not started yet are cancelled.

The process and Ray runners send the task and each input to other processes, so both must be
picklable: a module-level function, or an instance of a module-level class. ``InlineRunner`` runs
everything here, one after the other — for debugging (breakpoints work) and tests.

``make_runner("auto")``: Ray when ``import ray`` works (the optional extra: ``pip install
'galfriday[ray]'``), otherwise local processes; a single worker runs inline.
"""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context
from types import TracebackType
from typing import Any, Literal, Protocol, TypeVar

from galfriday.backtest.research.errors import ResearchError, TaskFailed

T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[int, int], None]
Label = Callable[[Any], str]
RunnerKind = Literal["auto", "ray", "process", "inline"]
RUNNER_KINDS: tuple[str, ...] = ("auto", "ray", "process", "inline")
RAY_HINT = "install it with `pip install 'galfriday[ray]'` (or `pip install ray`), or use --runner process"


class Runner(Protocol):
    name: str
    workers: int

    def map(
        self,
        task: Callable[[T], R],
        inputs: Sequence[T],
        *,
        progress: Progress | None = None,
        label: Label | None = None,
    ) -> list[R]: ...

    def close(self) -> None: ...


class _Lifecycle:
    """``with runner: ...`` closes it (shuts the pool or the Ray session it started)."""

    def close(self) -> None:
        return None

    def __enter__(self) -> Any:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


@dataclass(frozen=True)
class _Failure:
    """What a task raised, as text: exceptions of other processes do not always unpickle."""

    error: str
    remote: str


def run_guarded(task: Callable[[Any], Any], item: Any) -> Any:
    """Run one task in a worker process; an exception comes back as a ``_Failure``, not raised."""
    _quiet_logging()
    try:
        return task(item)
    except Exception as exc:
        return _Failure(f"{type(exc).__name__}: {exc}", traceback.format_exc())


def _quiet_logging() -> None:
    """A worker process without logging configured would print every kernel warning (HALTs, loss
    streaks) to stderr through Python's last-resort handler, over the progress bars; the results
    record them anyway. (Inline tasks log as the calling process has configured.)"""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.NullHandler())


def _label_of(label: Label | None, item: Any) -> str:
    if label is not None:
        return label(item)
    text = repr(item)
    return text if len(text) <= 120 else text[:117] + "..."


def _checked(result: Any, index: int, item: Any, label: Label | None) -> Any:
    if isinstance(result, _Failure):
        raise TaskFailed(index, _label_of(label, item), result.error, result.remote)
    return result


class InlineRunner(_Lifecycle):
    name = "inline"
    workers = 1

    def map(
        self,
        task: Callable[[T], R],
        inputs: Sequence[T],
        *,
        progress: Progress | None = None,
        label: Label | None = None,
    ) -> list[R]:
        results = []
        for index, item in enumerate(inputs):
            try:
                results.append(task(item))
            except Exception as exc:  # chained, so a debugger's post-mortem lands in the task
                error = f"{type(exc).__name__}: {exc}"
                raise TaskFailed(index, _label_of(label, item), error, traceback.format_exc()) from exc
            if progress is not None:
                progress(index + 1, len(inputs))
        return results


class ProcessRunner(_Lifecycle):
    """A ``ProcessPoolExecutor``, started on first use and kept for every ``map`` until ``close``.

    Workers come from a *fork server* where the platform has one (Linux, macOS), else are spawned:
    either way a fresh, single-threaded interpreter, which inherits none of this process's threads
    (the progress display runs one), locks, open connections or OpenMP state (forking after XGBoost
    trained here can hang the child). The fork server imports the backtest and training stack once
    (``PRELOAD``), and each worker forks from it warm, instead of paying the imports (~3 s) itself.
    """

    name = "process"
    PRELOAD = ("galfriday.backtest.research.walk_forward",)

    def __init__(self, workers: int | None = None, *, start_method: str | None = None) -> None:
        self.workers = _workers(workers)
        methods = get_all_start_methods()
        self._start_method = start_method or ("forkserver" if "forkserver" in methods else "spawn")
        self._pool: ProcessPoolExecutor | None = None

    def map(
        self,
        task: Callable[[T], R],
        inputs: Sequence[T],
        *,
        progress: Progress | None = None,
        label: Label | None = None,
    ) -> list[R]:
        if self._pool is None:
            context = get_context(self._start_method)
            if self._start_method == "forkserver":
                context.set_forkserver_preload(list(self.PRELOAD))
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
        futures: dict[Future[Any], int] = {
            self._pool.submit(run_guarded, task, item): i for i, item in enumerate(inputs)
        }
        results: list[Any] = [None] * len(inputs)
        pending, done_count = set(futures), 0
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=futures.__getitem__):
                    index = futures[future]
                    results[index] = _checked(_outcome(future), index, inputs[index], label)
                    done_count += 1
                    if progress is not None:
                        progress(done_count, len(inputs))
        except BaseException:
            for future in pending:
                future.cancel()
            if any(_broke(f) for f in futures):
                self.close()  # a worker died and took the pool with it: the next map starts a new one
            raise
        return results

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _broke(future: Future[Any]) -> bool:
    return future.done() and not future.cancelled() and isinstance(future.exception(), BrokenProcessPool)


def _outcome(future: Future[Any]) -> Any:
    """The task's result, or a ``_Failure`` when the task never ran or its result never came back."""
    try:
        return future.result()
    except Exception as exc:  # a dead worker, or an unpicklable task, input or result
        hint = (
            " (tasks, inputs and results must be picklable: module-level functions or instances of "
            "module-level classes)"
            if "pickle" in repr(exc).lower()
            else ""
        )
        return _Failure(f"{type(exc).__name__}: {exc}{hint}", traceback.format_exc())


class RayRunner(_Lifecycle):
    """Tasks on Ray: the local machine's cores (a Ray session started here and shut down by
    ``close``), or a running cluster given its ``address`` (left running)."""

    name = "ray"

    def __init__(self, workers: int | None = None, *, address: str | None = None) -> None:
        ray = import_ray()
        self._ray = ray
        self._owned = not ray.is_initialized()
        if self._owned:
            # no dashboard, and no worker output or Ray's own notices between the progress bars
            options: dict[str, Any] = {
                "include_dashboard": False,
                "log_to_driver": False,
                "logging_level": logging.ERROR,
            }
            if address is None:
                options["num_cpus"] = _workers(workers)
            ray.init(address=address, **options)
        self.workers = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._remote = ray.remote(run_guarded)

    def map(
        self,
        task: Callable[[T], R],
        inputs: Sequence[T],
        *,
        progress: Progress | None = None,
        label: Label | None = None,
    ) -> list[R]:
        ray = self._ray
        shared = ray.put(task)  # sent once, not once per input
        refs = [self._remote.remote(shared, item) for item in inputs]
        index = {ref: i for i, ref in enumerate(refs)}
        results: list[Any] = [None] * len(inputs)
        pending, done_count = list(refs), 0
        try:
            while pending:
                done, pending = ray.wait(pending, num_returns=1)
                for ref in done:
                    i = index[ref]
                    results[i] = _checked(self._get(ref), i, inputs[i], label)
                    done_count += 1
                    if progress is not None:
                        progress(done_count, len(inputs))
        except BaseException:
            for ref in pending:
                ray.cancel(ref)
            raise
        return results

    def _get(self, ref: Any) -> Any:
        try:
            return self._ray.get(ref)
        except Exception as exc:  # the worker died, or the result could not be sent back
            return _Failure(f"{type(exc).__name__}: {exc}", traceback.format_exc())

    def close(self) -> None:
        if self._owned and self._ray.is_initialized():
            self._ray.shutdown()
        self._owned = False


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ResearchError(f"the Ray runner needs Ray, which is not installed: {RAY_HINT}") from None
    return ray


def ray_available() -> bool:
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


def make_runner(kind: str = "auto", workers: int | None = None) -> Runner:
    """The runner ``kind`` names (see the module docstring for ``auto``)."""
    if kind not in RUNNER_KINDS:
        raise ResearchError(f"unknown runner {kind!r}: use one of {', '.join(RUNNER_KINDS)}")
    if workers is not None and workers < 1:
        raise ResearchError(f"--workers must be at least 1, got {workers}")
    if kind == "inline" or (kind == "auto" and workers == 1):
        return InlineRunner()
    if kind == "ray" or (kind == "auto" and ray_available()):
        return RayRunner(workers)
    return ProcessRunner(workers)


def _workers(workers: int | None) -> int:
    if workers is not None:
        return workers
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (a container's share)
    except AttributeError:
        return os.cpu_count() or 1
