"""Host CPU and memory use and the process's resident memory, measured with psutil.

Host-wide figures are what the thresholds compare: a trading process starved by another process
on the same machine is as late as one that is busy itself. The sampler is a plain callable so
tests (and the SimClock) inject their own measurements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import psutil


@dataclass(frozen=True, slots=True)
class ResourceSample:
    cpu_ratio: float  # host CPU use since the previous sample, 0–1
    memory_ratio: float  # host memory in use, 0–1
    process_rss_bytes: int


ResourceSampler = Callable[[], ResourceSample]


class PsutilSampler:
    def __init__(self) -> None:
        self._process = psutil.Process()
        psutil.cpu_percent(interval=None)  # the first reading is meaningless; prime it

    def __call__(self) -> ResourceSample:
        return ResourceSample(
            cpu_ratio=psutil.cpu_percent(interval=None) / 100.0,
            memory_ratio=psutil.virtual_memory().percent / 100.0,
            process_rss_bytes=self._process.memory_info().rss,
        )
