"""Acceptance gates: a strong model passes, a random one fails with reasons; production comparison."""

from __future__ import annotations

import numpy as np
import pytest

from galfriday.prediction.backtest import CostModel, TradingRules
from galfriday.prediction.datasets import Dataset, WalkForwardConfig, build_dataset, walk_forward
from galfriday.prediction.evaluation import WindowResult, evaluate_window
from galfriday.prediction.gates import GateConfig, evaluate_gates
from galfriday.prediction.labels import LabelSpec
from tests.unit.prediction import stubs
from tests.unit.prediction.synthetic import candles_from


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    rng = np.random.default_rng(3)
    closes = 1.0 * np.exp(np.cumsum(rng.normal(0, 0.004, 1500)))
    return build_dataset(
        candles_from(list(closes), 3, wick=0.002), stubs.bars_v1(), LabelSpec(horizon=6), pair="X/USD"
    )


def windows(dataset: Dataset, predict) -> list[WindowResult]:
    rows = dataset.usable()
    splits = walk_forward(rows, WalkForwardConfig(windows=3), dataset.label.horizon)
    rules = TradingRules.for_interval(dataset.interval_s)
    return [
        evaluate_window(
            s.index, len(s.train), s.test, predict(dataset.labels[s.test]), dataset, rules, CostModel()
        )
        for s in splits
    ]


def strong(labels: np.ndarray) -> np.ndarray:
    """Knows the label 85 % of the time, with confident probabilities."""
    rng = np.random.default_rng(1)
    right = rng.random(len(labels)) < 0.85
    guess = np.where(right, labels, 1 - labels)
    return np.clip(0.15 + 0.7 * guess + rng.normal(0, 0.05, len(labels)), 0, 1)


def coin(labels: np.ndarray) -> np.ndarray:
    return np.random.default_rng(2).random(len(labels))


def test_a_strong_model_passes(dataset: Dataset) -> None:
    decision = evaluate_gates(windows(dataset, strong))
    assert decision.passed and decision.reasons == ()
    assert decision.candidate["auc"] > 0.8 and decision.candidate["precision"] > 0.6
    assert decision.production is None


def test_a_random_model_fails_with_reasons(dataset: Dataset) -> None:
    decision = evaluate_gates(windows(dataset, coin))
    assert not decision.passed
    assert any(r.startswith("AUC 0.") and r.endswith("is not above 0.55") for r in decision.reasons)
    assert any(r.startswith("precision ") and r.endswith("is not above 0.6") for r in decision.reasons)
    assert evaluate_gates(windows(dataset, coin), GateConfig(min_auc=0.0, min_precision=0.0)).passed


def test_the_candidate_must_beat_production_on_the_same_windows(dataset: Dataset) -> None:
    good, random = windows(dataset, strong), windows(dataset, coin)
    beats = evaluate_gates(good, production=random, production_id="prod-1")
    assert beats.passed and beats.production["model_id"] == "prod-1"
    assert beats.production["auc"] < beats.candidate["auc"]
    same = evaluate_gates(good, production=good, production_id="prod-1")
    assert not same.passed
    [reason] = same.reasons
    assert reason.startswith("not better than production model prod-1 on the same windows")
    assert "need +5%" in reason and "need +3%" in reason
    # with no required gain, matching production's AUC is enough
    lenient = GateConfig(min_auc_gain=0.0, min_sharpe_gain=0.0)
    assert evaluate_gates(good, lenient, production=good, production_id="p").passed
    with pytest.raises(ValueError, match="same rows"):
        evaluate_gates(good, production=good[:2])
