"""A measurement compared with a warning threshold, reported once per episode.

Re-alerting on every check while CPU stays high would bury the one message that matters, so an
alarm reports the crossing up ("raised") and, once the value has fallen clearly below the
threshold, the crossing down ("cleared"). The gap between the two (hysteresis) keeps a value
hovering at the threshold from flapping.
"""

from __future__ import annotations

from enum import StrEnum


class Crossing(StrEnum):
    RAISED = "raised"
    CLEARED = "cleared"


class ThresholdAlarm:
    def __init__(self, threshold: float, *, hysteresis: float = 0.1) -> None:
        if threshold <= 0 or not 0 <= hysteresis < 1:
            raise ValueError(f"need threshold > 0 and 0 <= hysteresis < 1, got {threshold}, {hysteresis}")
        self.threshold = threshold
        self.clear_below = threshold * (1 - hysteresis)
        self.active = False

    def update(self, value: float) -> Crossing | None:
        if not self.active and value >= self.threshold:
            self.active = True
            return Crossing.RAISED
        if self.active and value < self.clear_below:
            self.active = False
            return Crossing.CLEARED
        return None
