"""Walk-forward windows: the arithmetic of rolling and anchored splits, and the plans refused."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from galfriday.backtest.research.errors import ResearchError
from galfriday.backtest.research.windows import Window, WindowSpec, duration_ns, split_windows

H = 3600 * 1_000_000_000
D = 24 * H


def test_rolling_windows_follow_each_other_by_the_test_length() -> None:
    windows = split_windows(0, 7 * D, WindowSpec(train_ns=3 * D, test_ns=D))
    assert windows == (
        Window(0, 0, 3 * D, 3 * D, 4 * D),
        Window(1, D, 4 * D, 4 * D, 5 * D),
        Window(2, 2 * D, 5 * D, 5 * D, 6 * D),
        Window(3, 3 * D, 6 * D, 6 * D, 7 * D),
    )


def test_anchored_windows_train_from_the_start_and_grow() -> None:
    windows = split_windows(0, 6 * D, WindowSpec(train_ns=3 * D, test_ns=D, anchored=True))
    assert [(w.train_start_ns, w.train_end_ns) for w in windows] == [(0, 3 * D), (0, 4 * D), (0, 5 * D)]


def test_an_embargo_separates_training_from_test_and_a_longer_step_leaves_gaps() -> None:
    windows = split_windows(0, 10 * D, WindowSpec(3 * D, D, step_ns=2 * D, embargo_ns=6 * H))
    assert [(w.train_end_ns, w.test_start_ns, w.test_end_ns) for w in windows] == [
        (3 * D, 3 * D + 6 * H, 4 * D + 6 * H),
        (5 * D, 5 * D + 6 * H, 6 * D + 6 * H),
        (7 * D, 7 * D + 6 * H, 8 * D + 6 * H),
    ]  # a fourth would end at 10 d 6 h, past the data


def test_plans_that_cannot_work_are_refused_with_the_fix() -> None:
    with pytest.raises(ResearchError, match="use --step >= --test"):
        WindowSpec(3 * D, 2 * D, step_ns=D)
    with pytest.raises(ResearchError, match="must be positive"):
        WindowSpec(0, D)
    with pytest.raises(ResearchError, match="embargo cannot be negative"):
        WindowSpec(D, D, embargo_ns=-1)
    with pytest.raises(ResearchError, match=r"the data spans 3d, less than one window needs .*shorten"):
        split_windows(0, 3 * D, WindowSpec(3 * D, D))
    with pytest.raises(ResearchError, match="the data spans 0s, less than one window needs"):
        split_windows(D, D, WindowSpec(D, D))


def test_durations_read_like_bar_intervals() -> None:
    assert duration_ns("2d", "--train") == 2 * D
    assert duration_ns("90m", "--test") == 90 * 60 * 1_000_000_000
    assert duration_ns("3600", "--step") == H
    with pytest.raises(ResearchError, match="--train: interval 'two days'"):
        duration_ns("two days", "--train")


@given(
    start=st.integers(0, 10**6),
    span=st.integers(1, 400),
    train=st.integers(1, 60),
    test=st.integers(1, 30),
    extra_step=st.integers(0, 20),
    embargo=st.integers(0, 10),
    anchored=st.booleans(),
)
def test_every_window_is_whole_ordered_and_never_trains_on_its_test(
    start: int, span: int, train: int, test: int, extra_step: int, embargo: int, anchored: bool
) -> None:
    spec = WindowSpec(train * H, test * H, (test + extra_step) * H, embargo * H, anchored)
    end = start + span * H
    if span * H < spec.first_window_ns:
        with pytest.raises(ResearchError):
            split_windows(start, end, spec)
        return
    windows = split_windows(start, end, spec)
    for k, w in enumerate(windows):
        assert w.index == k
        assert start <= w.train_start_ns < w.train_end_ns <= w.test_start_ns < w.test_end_ns <= end
        assert w.test_start_ns - w.train_end_ns == spec.embargo_ns
        assert w.test_end_ns - w.test_start_ns == spec.test_ns
        if anchored:
            assert w.train_start_ns == start
        else:
            assert w.train_end_ns - w.train_start_ns == spec.train_ns
    for a, b in itertools.pairwise(windows):
        assert b.test_start_ns - a.test_start_ns == spec.step
        assert a.test_end_ns <= b.test_start_ns  # test windows never overlap
    assert windows[-1].test_end_ns + spec.step > end  # as many as fit: one more would not
