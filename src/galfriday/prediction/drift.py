"""Drift: has the live world moved away from what the model was trained and validated on?

Three signals, each against a reference stored with the model when it was trained
(``DriftReference``):

- **data drift** per feature: PSI over the training set's decile bins, and the two-sample
  Kolmogorov–Smirnov statistic against a sample of training values (both on the scale-free inputs
  the model sees — raw prices would "drift" every time the market moves);
- **prediction drift**: PSI of live P(up) against the out-of-sample walk-forward predictions,
  over ten equal bins of [0, 1];
- **performance decay**: rolling accuracy (and AUC) on realised labels against validation.

Levels follow ``prediction.drift``: PSI above 0.1 warn (logged), 0.15 alert, 0.2 retrain; accuracy
more than 0.05 below validation is retrain. KS is reported with its p-value alongside PSI; the
configured thresholds are PSI's, so KS does not set the level on its own.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import ks_2samp
from sklearn.metrics import roc_auc_score

from galfriday.config.sections.signal import DriftSettings

PSI_FLOOR = 1e-4  # an empty bin counts as this share: log(0) would make any PSI infinite
PREDICTION_EDGES = np.linspace(0.1, 0.9, 9)


class DriftLevel(enum.IntEnum):
    OK = 0
    WARN = 1
    ALERT = 2
    RETRAIN = 3


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population stability index of two bin-share vectors: Σ (a − e) · ln(a / e)."""
    e = np.clip(np.asarray(expected, dtype=np.float64), PSI_FLOOR, None)
    a = np.clip(np.asarray(actual, dtype=np.float64), PSI_FLOOR, None)
    return float(np.sum((a - e) * np.log(a / e)))


def bin_shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Share of ``values`` in each of the ``len(edges) + 1`` bins the inner ``edges`` make."""
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    counts = np.bincount(np.searchsorted(edges, finite, side="right"), minlength=len(edges) + 1)
    return counts / max(1, len(finite))


@dataclass(frozen=True)
class FeatureReference:
    name: str
    edges: np.ndarray  # inner decile edges of the training values
    shares: np.ndarray  # training share per bin
    sample: np.ndarray  # training values for the KS test


@dataclass(frozen=True)
class DriftReference:
    """What "normal" looked like in training and validation."""

    features: tuple[FeatureReference, ...]
    prediction_shares: np.ndarray
    accuracy: float | None
    auc: float | None
    threshold: float  # the decision threshold the accuracy was measured at

    @classmethod
    def build(
        cls,
        names: tuple[str, ...],
        train_inputs: np.ndarray,
        oos_p_up: np.ndarray,
        *,
        accuracy: float | None,
        auc: float | None,
        threshold: float,
        sample_size: int = 1000,
        seed: int = 7,
    ) -> DriftReference:
        rng = np.random.default_rng(seed)
        refs = []
        for i, name in enumerate(names):
            column = train_inputs[:, i]
            column = column[np.isfinite(column)]
            edges = np.unique(np.quantile(column, np.linspace(0.1, 0.9, 9))) if len(column) else np.array([])
            sample = rng.choice(column, size=min(sample_size, len(column)), replace=False)
            refs.append(FeatureReference(name, edges, bin_shares(column, edges), np.sort(sample)))
        shares = bin_shares(oos_p_up, PREDICTION_EDGES)
        return cls(tuple(refs), shares, accuracy, auc, threshold)


@dataclass(frozen=True)
class DriftThresholds:
    psi_warn: float = 0.1
    psi_alert: float = 0.15
    psi_retrain: float = 0.2
    performance_decay_max: float = 0.05

    @classmethod
    def from_settings(cls, settings: DriftSettings) -> DriftThresholds:
        return cls(
            settings.psi_warn, settings.psi_alert, settings.psi_retrain, settings.performance_decay_max
        )

    def level_of_psi(self, value: float) -> DriftLevel:
        if value > self.psi_retrain:
            return DriftLevel.RETRAIN
        if value > self.psi_alert:
            return DriftLevel.ALERT
        return DriftLevel.WARN if value > self.psi_warn else DriftLevel.OK


DEFAULT_THRESHOLDS = DriftThresholds()


@dataclass(frozen=True)
class DriftReport:
    level: DriftLevel
    reasons: tuple[str, ...]
    feature_psi: dict[str, float]
    feature_ks: dict[str, tuple[float, float]]  # statistic, p-value
    prediction_psi: float | None
    live_accuracy: float | None
    live_auc: float | None
    accuracy_decay: float | None  # validation accuracy − live accuracy
    samples: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.name.lower(),
            "reasons": list(self.reasons),
            "feature_psi": self.feature_psi,
            "feature_ks": {k: {"statistic": s, "p_value": p} for k, (s, p) in self.feature_ks.items()},
            "prediction_psi": self.prediction_psi,
            "live_accuracy": self.live_accuracy,
            "live_auc": self.live_auc,
            "accuracy_decay": self.accuracy_decay,
            "samples": self.samples,
        }


class DriftMonitor:
    """Rolling windows of live inputs, predictions and outcomes, compared with the reference."""

    def __init__(
        self,
        reference: DriftReference,
        thresholds: DriftThresholds = DEFAULT_THRESHOLDS,
        *,
        window: int = 500,
        min_samples: int = 100,
    ) -> None:
        self.reference = reference
        self.thresholds = thresholds
        self.min_samples = min_samples
        self._features: deque[np.ndarray] = deque(maxlen=window)
        self._predictions: deque[float] = deque(maxlen=window)
        self._outcomes: deque[tuple[float, int]] = deque(maxlen=window)

    def observe_features(self, inputs: np.ndarray) -> None:
        """One scale-free input vector, in the reference's feature order."""
        self._features.append(np.asarray(inputs, dtype=np.float64))

    def observe_prediction(self, p_up: float) -> None:
        self._predictions.append(float(p_up))

    def observe_outcome(self, p_up: float, label: int) -> None:
        """A prediction whose label has since been realised."""
        self._outcomes.append((float(p_up), int(label)))

    def check(self) -> DriftReport:
        t = self.thresholds
        reasons: list[str] = []
        level = DriftLevel.OK
        feature_psi: dict[str, float] = {}
        feature_ks: dict[str, tuple[float, float]] = {}
        if len(self._features) >= self.min_samples:
            live = np.vstack(self._features)
            for i, ref in enumerate(self.reference.features):
                column = live[:, i][np.isfinite(live[:, i])]
                if len(column) < self.min_samples or len(ref.sample) == 0:
                    continue
                value = psi(ref.shares, bin_shares(column, ref.edges))
                feature_psi[ref.name] = value
                ks = ks_2samp(ref.sample, column)
                feature_ks[ref.name] = (float(ks.statistic), float(ks.pvalue))
                found = t.level_of_psi(value)
                if found > DriftLevel.OK:
                    reasons.append(
                        f"feature {ref.name}: PSI {value:.3f}, KS {ks.statistic:.3f} (p={ks.pvalue:.2g})"
                    )
                level = max(level, found)
        prediction_psi = None
        if len(self._predictions) >= self.min_samples:
            prediction_psi = psi(
                self.reference.prediction_shares, bin_shares(np.array(self._predictions), PREDICTION_EDGES)
            )
            found = t.level_of_psi(prediction_psi)
            if found > DriftLevel.OK:
                reasons.append(f"predictions: PSI {prediction_psi:.3f}")
            level = max(level, found)
        live_accuracy = live_auc = decay = None
        if len(self._outcomes) >= self.min_samples:
            p, y = np.array(self._outcomes).T
            live_accuracy = float(((p > self.reference.threshold) == (y == 1)).mean())
            live_auc = float(roc_auc_score(y, p)) if np.unique(y).size == 2 else None
            if self.reference.accuracy is not None:
                decay = self.reference.accuracy - live_accuracy
                if decay > t.performance_decay_max:
                    reasons.append(
                        f"accuracy {live_accuracy:.3f} is {decay:.3f} below validation "
                        f"{self.reference.accuracy:.3f} (max {t.performance_decay_max})"
                    )
                    level = DriftLevel.RETRAIN
        samples = {
            "features": len(self._features),
            "predictions": len(self._predictions),
            "outcomes": len(self._outcomes),
        }
        return DriftReport(
            level,
            tuple(reasons),
            feature_psi,
            feature_ks,
            prediction_psi,
            live_accuracy,
            live_auc,
            decay,
            samples,
        )
