"""Progress on the terminal for studies: one rich bar per stage ("optimising window 2", "walk-forward
windows", "trials"), created the first time a stage reports. The backtest's own ``progress_bar``
shows a single stage; a walk-forward that re-optimises has one per window plus the tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import TaskID

from galfriday.backtest.progress import progress_display

Update = Callable[[str, int, int], None]


@contextmanager
def progress_board(console: Console) -> Iterator[Update]:
    """Yields ``update(stage, done, total)``."""
    with progress_display(console) as progress:
        stages: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            task = stages.get(stage)
            if task is None:
                task = stages[stage] = progress.add_task(stage, total=total)
            progress.update(task, completed=done, total=total)

        yield update
