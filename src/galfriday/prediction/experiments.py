"""A/B experiments: a treatment model against the control (production) model, on real trades.

Allocation decides which model predicts for a given (pair, bar):
- ``random``: a seeded generator, so a replay with the same seed allocates the same way;
- ``hash``: SHA-256 of (experiment id, pair, bar time) — stable across restarts and processes,
  and independent of the order in which bars arrive.

Each closed trade is an outcome of the arm whose prediction opened it: a win when its net P&L is
positive. The decision is a two-sided two-proportion z-test on the win rates (pooled standard
error), taken only once **both arms have at least ``min_samples_per_arm`` (30) trades**; below that
nothing is concluded about which model is better. The mean and total net P&L per arm are reported
alongside. The experiment stops by itself when
- the test is significant (p < ``alpha``, 0.05): the arm with the higher win rate wins;
- its time limit is reached: inconclusive unless significant;
- the treatment's summed net P&L falls below ``-loss_limit``: a money guard, which applies from the
  first trade because losing money does not need statistics to be stopped.
"""

from __future__ import annotations

import enum
import hashlib
import math
import random
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

from scipy.stats import norm

from galfriday.storage.db.records_ml import ExperimentRecord, ExperimentStatus

NS_PER_S = 1_000_000_000


class Arm(enum.StrEnum):
    CONTROL = "control"
    TREATMENT = "treatment"


@dataclass(frozen=True)
class ExperimentConfig:
    experiment_id: str
    control_model_id: str
    treatment_model_id: str
    allocation: Literal["random", "hash"] = "hash"
    treatment_share: float = 0.5
    seed: int = 7
    min_samples_per_arm: int = 30
    alpha: float = 0.05
    max_duration_s: float | None = 14 * 86_400
    loss_limit: float | None = 0.05  # summed net trade returns of the treatment, as a fraction

    def __post_init__(self) -> None:
        if self.control_model_id == self.treatment_model_id:
            raise ValueError("an experiment needs two different models")
        if self.allocation not in ("random", "hash"):
            raise ValueError(f"allocation must be 'random' or 'hash', got {self.allocation!r}")
        if not 0 < self.treatment_share < 1:
            raise ValueError(f"treatment_share must be between 0 and 1, got {self.treatment_share}")
        if self.min_samples_per_arm < 30:
            raise ValueError("min_samples_per_arm must be >= 30: fewer trades cannot support a z-test")


@dataclass(frozen=True)
class ArmStats:
    n: int
    wins: int
    total_pnl: float

    @property
    def win_rate(self) -> float | None:
        return self.wins / self.n if self.n else None

    @property
    def mean_pnl(self) -> float | None:
        return self.total_pnl / self.n if self.n else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"win_rate": self.win_rate, "mean_pnl": self.mean_pnl}


@dataclass(frozen=True)
class ZTest:
    z: float  # positive when the treatment's win rate is higher
    p_value: float  # two-sided


def two_proportion_z_test(control: ArmStats, treatment: ArmStats) -> ZTest:
    """Pooled two-proportion z-test of treatment vs control win rates."""
    pooled = (control.wins + treatment.wins) / (control.n + treatment.n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / treatment.n))
    if se == 0:
        return ZTest(0.0, 1.0)
    z = ((treatment.wins / treatment.n) - (control.wins / control.n)) / se
    return ZTest(z, float(2 * norm.sf(abs(z))))


@dataclass(frozen=True)
class Decision:
    stop: bool
    reason: str | None
    winner: Arm | None
    control: ArmStats
    treatment: ArmStats
    test: ZTest | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "stop": self.stop,
            "reason": self.reason,
            "winner": self.winner.value if self.winner else None,
            "control": self.control.to_dict(),
            "treatment": self.treatment.to_dict(),
            "z": self.test.z if self.test else None,
            "p_value": self.test.p_value if self.test else None,
        }


class Experiment:
    def __init__(self, config: ExperimentConfig, started_at_ns: int) -> None:
        self.config = config
        self.started_at_ns = started_at_ns
        self._rng = random.Random(config.seed)
        self._outcomes: dict[Arm, list[float]] = {Arm.CONTROL: [], Arm.TREATMENT: []}
        self._final: Decision | None = None

    @property
    def stopped(self) -> bool:
        return self._final is not None

    def assign(self, pair: str, ts_ns: int) -> Arm:
        """Which model predicts ``pair`` for the bar at ``ts_ns``."""
        if self.config.allocation == "random":
            draw = self._rng.random()
        else:
            key = f"{self.config.experiment_id}|{pair}|{ts_ns}".encode()
            draw = int.from_bytes(hashlib.sha256(key).digest()[:8], "big") / 2**64
        return Arm.TREATMENT if draw < self.config.treatment_share else Arm.CONTROL

    def model_of(self, arm: Arm) -> str:
        return self.config.treatment_model_id if arm is Arm.TREATMENT else self.config.control_model_id

    def record(self, arm: Arm, net_pnl: float) -> None:
        """A closed trade of ``arm`` with its net P&L (a fraction of the entry value)."""
        if not self.stopped:
            self._outcomes[arm].append(float(net_pnl))

    def stats(self, arm: Arm) -> ArmStats:
        pnl = self._outcomes[arm]
        return ArmStats(len(pnl), sum(1 for x in pnl if x > 0), float(sum(pnl)))

    def evaluate(self, now_ns: int) -> Decision:
        """The decision now; once it says stop, it is final."""
        if self._final is not None:
            return self._final
        c, t, cfg = self.stats(Arm.CONTROL), self.stats(Arm.TREATMENT), self.config
        test = two_proportion_z_test(c, t) if min(c.n, t.n) >= cfg.min_samples_per_arm else None
        if cfg.loss_limit is not None and t.total_pnl <= -cfg.loss_limit:
            reason = f"loss limit: the treatment lost {-t.total_pnl:.2%} (limit {cfg.loss_limit:.2%})"
            return self._stop(reason, Arm.CONTROL, c, t, test)
        if test is not None and test.p_value < cfg.alpha:
            winner = Arm.TREATMENT if test.z > 0 else Arm.CONTROL
            return self._stop(f"significant: p={test.p_value:.4f} < {cfg.alpha}", winner, c, t, test)
        if cfg.max_duration_s is not None and now_ns - self.started_at_ns >= cfg.max_duration_s * NS_PER_S:
            return self._stop(
                f"time limit of {cfg.max_duration_s:g} s reached, inconclusive", None, c, t, test
            )
        return Decision(False, None, None, c, t, test)

    def _stop(
        self, reason: str, winner: Arm | None, c: ArmStats, t: ArmStats, test: ZTest | None
    ) -> Decision:
        self._final = Decision(True, reason, winner, c, t, test)
        return self._final

    def to_record(self, decision: Decision, *, started_at: datetime, now: datetime) -> ExperimentRecord:
        """The experiment as the ``experiments`` table stores it."""
        cfg = self.config
        return ExperimentRecord(
            experiment_id=cfg.experiment_id,
            control_model_id=cfg.control_model_id,
            treatment_model_id=cfg.treatment_model_id,
            allocation=cfg.allocation,
            status=ExperimentStatus.STOPPED if decision.stop else ExperimentStatus.RUNNING,
            config=asdict(cfg),
            results=decision.to_dict(),
            started_at=started_at,
            updated_at=now,
            stop_reason=decision.reason,
            ended_at=now if decision.stop else None,
        )
