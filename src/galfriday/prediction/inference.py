"""Where inference runs: inline, in a thread pool, or in a process pool (``prediction.inference_mode``).

Every runner returns a ``concurrent.futures.Future`` so the service treats them alike:

- ``inline``: computed at once in the caller (backtests on the ``SyncBus``: deterministic order);
- ``thread``: a thread pool; cheap to start, shares the models, but Python code holds the GIL;
- ``process``: a process pool started with *spawn* (no fork of a threaded process); each worker loads
  a model from its artefact the first time it is asked for it — verifying the SHA-256 again, so a
  file swapped after start-up is refused there too — and keeps it, keyed by that hash. A request
  names its model by path and hash, so a hot swap needs nothing from the workers: requests made
  before it still name (and finish on) the old model, later ones the new.
"""

from __future__ import annotations

import multiprocessing
from collections import OrderedDict
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from galfriday.prediction.artifacts import load_verified
from galfriday.prediction.bundle import ModelBundle
from galfriday.prediction.loaded import LoadedModel

InferenceMode = Literal["process", "thread", "inline"]
WORKER_CACHE_SIZE = 8  # models kept per worker process: current ones plus a few just swapped out


class InferenceRunner(Protocol):
    def submit(self, model: LoadedModel, windows: np.ndarray) -> Future[np.ndarray]: ...

    def warm_up(self, timeout_s: float) -> None: ...

    def shutdown(self) -> None: ...


class InlineRunner:
    def submit(self, model: LoadedModel, windows: np.ndarray) -> Future[np.ndarray]:
        future: Future[np.ndarray] = Future()
        try:
            future.set_result(model.predict(windows))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def warm_up(self, timeout_s: float) -> None:
        return None

    def shutdown(self) -> None:
        return None


class ThreadRunner:
    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="inference")

    def submit(self, model: LoadedModel, windows: np.ndarray) -> Future[np.ndarray]:
        return self._pool.submit(model.predict, windows)

    def warm_up(self, timeout_s: float) -> None:
        return None

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class ProcessRunner:
    def __init__(self, workers: int, preload: Iterable[LoadedModel] = ()) -> None:
        models = [(str(m.artifact_path), m.artifact_sha256) for m in preload]
        self._workers = workers
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_preload,
            initargs=(models,),
        )

    def submit(self, model: LoadedModel, windows: np.ndarray) -> Future[np.ndarray]:
        return self._pool.submit(_predict, str(model.artifact_path), model.artifact_sha256, windows)

    def warm_up(self, timeout_s: float) -> None:
        """Start every worker and load its models now, not on the first bar: a spawned worker
        takes seconds to import and load, and predictions queued behind it arrive too late to act on."""
        futures = [self._pool.submit(_ready) for _ in range(self._workers)]
        wait(futures, timeout=timeout_s)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def make_runner(mode: InferenceMode, workers: int, preload: Iterable[LoadedModel] = ()) -> InferenceRunner:
    if mode == "inline":
        return InlineRunner()
    if mode == "thread":
        return ThreadRunner(workers)
    if mode == "process":
        return ProcessRunner(workers, preload)
    raise ValueError(f"unknown inference mode {mode!r}; use process, thread or inline")


# ---------------------------------------------------------------- inside the worker processes

_models: OrderedDict[str, ModelBundle] = OrderedDict()


def _preload(models: list[tuple[str, str]]) -> None:
    for path, sha in models:
        try:
            _model(path, sha)
        except Exception:
            continue  # the first request for this model reports the error, as an alert


def _model(path: str, sha: str) -> ModelBundle:
    bundle = _models.get(sha)
    if bundle is None:
        bundle = load_verified(Path(path), sha)
        _models[sha] = bundle
        while len(_models) > WORKER_CACHE_SIZE:
            _models.popitem(last=False)
    else:
        _models.move_to_end(sha)
    return bundle


def _ready() -> bool:
    return True  # running means spawned and initialised (``_preload`` ran first)


def _predict(path: str, sha: str, windows: np.ndarray) -> np.ndarray:
    return _model(path, sha).predict(windows)
