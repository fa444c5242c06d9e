"""The research tools' errors: a plan that cannot run, or a task that failed, named with the fix."""

from __future__ import annotations

from galfriday.backtest.errors import BacktestError


class ResearchError(BacktestError):
    """A walk-forward or optimisation plan cannot run; the message says what to change."""


class TaskFailed(ResearchError):
    """A task of a runner raised: ``index`` and ``label`` say which input, ``remote`` its traceback."""

    def __init__(self, index: int, label: str, error: str, remote: str = "") -> None:
        super().__init__(f"task {index} ({label}) failed: {error}")
        self.index = index
        self.label = label
        self.error = error
        self.remote = remote
