"""A fixed-size ring of past values: the value ``lag`` updates ago, in O(1)."""

from __future__ import annotations


class Lag:
    """``past`` is the value seen ``lag`` updates before the newest one, or None until there is one."""

    __slots__ = ("_buf", "_count", "_pos", "lag")

    def __init__(self, lag: int) -> None:
        if lag < 1:
            raise ValueError(f"lag must be >= 1, got {lag}")
        self.lag = lag
        self._buf = [0.0] * (lag + 1)
        self._pos = 0
        self._count = 0

    def update(self, x: float) -> None:
        self._buf[self._pos] = x
        self._pos = (self._pos + 1) % (self.lag + 1)
        self._count += 1

    @property
    def past(self) -> float | None:
        # The slot the next update will overwrite holds the value from `lag` updates before the newest.
        return self._buf[self._pos] if self._count > self.lag else None
