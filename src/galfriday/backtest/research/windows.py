"""Walk-forward windows: consecutive (train, test) time ranges over a span, none peeking ahead.

Every range is half-open, ``[start, end)`` in epoch ns, on a bar's *open* time. Window ``k``:

- rolling:  train ``[start + k·step, start + k·step + train)``; anchored: train starts at ``start``
  every time and grows by ``step``;
- test ``[train_end + embargo, train_end + embargo + test)``.

Only whole windows are made: the last test window ends at or before ``end``. ``step`` may not be
shorter than ``test``: overlapping test windows would count the same bars twice when the
out-of-sample results are stitched together.
"""

from __future__ import annotations

from dataclasses import dataclass

from galfriday.backtest.report.serialize import iso
from galfriday.backtest.research.errors import ResearchError
from galfriday.marketdata.bars import IntervalError, format_interval, parse_interval

NS_PER_S = 1_000_000_000


@dataclass(frozen=True)
class WindowSpec:
    train_ns: int
    test_ns: int
    step_ns: int | None = None  # None: the test length (test windows follow each other)
    embargo_ns: int = 0  # between the end of training and the start of the test
    anchored: bool = False  # True: every window trains from the start of the span

    def __post_init__(self) -> None:
        if self.train_ns <= 0 or self.test_ns <= 0:
            raise ResearchError(
                f"train and test lengths must be positive, got train {self.train_ns} ns, "
                f"test {self.test_ns} ns"
            )
        if self.embargo_ns < 0:
            raise ResearchError(f"the embargo cannot be negative, got {self.embargo_ns} ns")
        if self.step < self.test_ns:
            raise ResearchError(
                f"step {_human(self.step)} is shorter than the test window {_human(self.test_ns)}: test "
                "windows would overlap and the stitched out-of-sample result would count bars twice; "
                "use --step >= --test"
            )

    @property
    def step(self) -> int:
        return self.test_ns if self.step_ns is None else self.step_ns

    @property
    def first_window_ns(self) -> int:
        """The span one window needs: train + embargo + test."""
        return self.train_ns + self.embargo_ns + self.test_ns


@dataclass(frozen=True)
class Window:
    index: int
    train_start_ns: int
    train_end_ns: int  # exclusive
    test_start_ns: int
    test_end_ns: int  # exclusive

    def describe(self) -> str:
        return (
            f"window {self.index}: train {iso(self.train_start_ns)} → {iso(self.train_end_ns)}, "
            f"test {iso(self.test_start_ns)} → {iso(self.test_end_ns)}"
        )


def split_windows(start_ns: int, end_ns: int, spec: WindowSpec) -> tuple[Window, ...]:
    """Every whole window of ``spec`` inside ``[start_ns, end_ns)``, in time order."""
    span = max(end_ns - start_ns, 0)
    if span < spec.first_window_ns:
        raise ResearchError(
            f"the data spans {_human(span)}, less than one window needs (train {_human(spec.train_ns)} + "
            f"embargo {_human(spec.embargo_ns)} + test {_human(spec.test_ns)}): widen --from/--to or "
            "shorten --train/--test"
        )
    count = (span - spec.first_window_ns) // spec.step + 1
    windows = []
    for k in range(count):
        train_end = start_ns + spec.train_ns + k * spec.step
        test_start = train_end + spec.embargo_ns
        train_start = start_ns if spec.anchored else train_end - spec.train_ns
        windows.append(Window(k, train_start, train_end, test_start, test_start + spec.test_ns))
    return tuple(windows)


def duration_ns(text: str, what: str) -> int:
    """'3d', '12h', '90m', '1w' (or whole seconds) as ns; ``what`` names the option in errors."""
    try:
        return parse_interval(int(text) if text.isdigit() else text) * NS_PER_S
    except IntervalError as exc:
        raise ResearchError(f"{what}: {exc}") from None


def _human(ns: int) -> str:
    seconds = ns // NS_PER_S
    if seconds <= 0 or ns % NS_PER_S:
        return f"{ns / NS_PER_S:g}s"
    return format_interval(seconds)
