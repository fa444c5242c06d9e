"""Walk-forward training on real and synthetic candles, every model type, the report."""

from __future__ import annotations

import importlib.util
import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from galfriday.prediction.artifacts import ArtifactStore
from galfriday.prediction.comparison import score_on_windows
from galfriday.prediction.datasets import WalkForwardConfig, build_dataset
from galfriday.prediction.estimators import make_estimator
from galfriday.prediction.gates import evaluate_gates
from galfriday.prediction.labels import LabelSpec
from galfriday.prediction.report import render_report
from galfriday.prediction.training import TrainingConfig, train
from tests.unit.prediction import stubs
from tests.unit.prediction.synthetic import learnable_dataset

SMALL = {"n_estimators": 30}


def test_xgboost_on_real_candles_is_scored_out_of_sample_net_of_fees(xrp_5m: pa.Table) -> None:
    ds = build_dataset(xrp_5m, stubs.bars_v1(), LabelSpec(horizon=12), pair="XRP/USDT")
    steps: list[tuple[str, int, int]] = []
    result = train(ds, TrainingConfig(hyperparameters=SMALL), progress=lambda *s: steps.append(s))
    assert [w.index for w in result.windows] == [0, 1, 2, 3] and steps[-1] == ("done", 5, 5)
    assert result.training_rows == len(ds.usable()) and result.data_start_ns < result.data_end_ns
    assert all(w.train_rows < len(ds.usable()) / 2 + 3 * len(w.rows) for w in result.windows)
    for a, b in zip(result.windows, result.windows[1:], strict=False):
        assert a.rows[-1] < b.rows[0]
    assert set(result.summary) >= {
        "auc",
        "precision",
        "recall",
        "f1",
        "log_loss",
        "sharpe",
        "profit_factor",
        "win_rate",
    }
    assert result.rules.max_holding_bars == 12  # one hour of 5-minute bars, as the strategy holds
    assert set(result.importance) == set(ds.names)
    json.dumps(result.metrics_document(), allow_nan=False)  # storable as JSONB
    p = result.bundle.predict(ds.windows(ds.usable()[-5:], 1))
    assert ((p >= 0) & (p <= 1)).all()
    decision = evaluate_gates(result.windows)
    html = render_report(result, decision, "xgboost-XRPUSDT-test")
    assert html.count("<svg") == 3 and "Acceptance gates" in html and "net of fees" in html
    for reason in decision.reasons:
        assert reason in html


def test_a_learnable_market_gives_a_model_that_passes_the_gates() -> None:
    ds = learnable_dataset()
    result = train(ds, TrainingConfig(hyperparameters=SMALL, walk_forward=WalkForwardConfig(windows=3)))
    decision = evaluate_gates(result.windows)
    assert decision.passed, decision.reasons
    assert result.summary["auc"] > 0.7 and result.summary["sharpe"] > 0
    assert max(result.importance, key=result.importance.get) in ("roc_5", "rsi_14", "macd_hist_12_26_9")


def test_production_is_scored_on_the_candidates_windows() -> None:
    ds = learnable_dataset()
    candidate = train(ds, TrainingConfig(hyperparameters=SMALL, walk_forward=WalkForwardConfig(windows=3)))
    weak = train(
        learnable_dataset(seed=9), TrainingConfig(hyperparameters={"n_estimators": 2, "max_depth": 1})
    )
    mine, theirs = score_on_windows(
        weak.bundle, stubs.bars_v1(), ds, candidate.windows, candidate.rules, candidate.costs
    )
    assert [w.rows.tolist() for w in theirs] == [w.rows.tolist() for w in candidate.windows]
    assert [w.labels.tolist() for w in theirs] == [w.labels.tolist() for w in mine]
    decision = evaluate_gates(mine, production=theirs, production_id="weak")
    assert decision.production["auc"] < decision.candidate["auc"]


@pytest.mark.parametrize("kind", ["random_forest", "ensemble"])
def test_other_tree_models_train_and_pickle(kind: str) -> None:
    params = (
        {"n_estimators": 20}
        if kind == "random_forest"
        else {"xgboost": SMALL, "random_forest": {"n_estimators": 20}}
    )
    ds = learnable_dataset(800)
    result = train(
        ds, TrainingConfig(model_type=kind, hyperparameters=params, walk_forward=WalkForwardConfig(windows=2))
    )
    windows = ds.windows(ds.usable()[-20:], 1)
    again = pickle.loads(pickle.dumps(result.bundle))
    np.testing.assert_array_equal(again.predict(windows), result.bundle.predict(windows))
    assert result.summary["auc"] > 0.6


def test_unknown_types_and_hyperparameters_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown model type 'svm'"):
        make_estimator("svm")
    with pytest.raises(ValueError, match=r"unknown xgboost hyperparameter.*max_dept.*known: .*max_depth"):
        make_estimator("xgboost", {"max_dept": 3})


def test_the_lstm_trains_on_sequences_and_round_trips() -> None:
    pytest.importorskip("torch")
    ds = learnable_dataset(700)
    params = {"sequence_length": 4, "hidden_size": 8, "epochs": 4}
    result = train(
        ds,
        TrainingConfig(model_type="lstm", hyperparameters=params, walk_forward=WalkForwardConfig(windows=2)),
    )
    assert result.bundle.sequence_length == 4
    assert result.training_rows == len(ds.usable(4))
    windows = ds.windows(ds.usable(4)[-10:], 4)
    again = pickle.loads(pickle.dumps(result.bundle))
    np.testing.assert_allclose(again.predict(windows), result.bundle.predict(windows))
    assert result.summary["auc"] > 0.55


def test_prediction_works_without_torch(tmp_path: Path) -> None:
    """With torch unimportable: the package imports, trees work, an LSTM is refused with what to install,
    and a saved LSTM artefact fails to load with the same hint instead of a stack trace."""
    artefact = ""
    if importlib.util.find_spec("torch") is not None:
        lstm = make_estimator("lstm", {"sequence_length": 2, "epochs": 1, "hidden_size": 2})
        lstm.fit(np.random.default_rng(0).normal(size=(40, 2, 14)), np.arange(40) % 2)
        sha, relative = ArtifactStore(tmp_path).put(stubs.bundle(lstm))
        artefact = f"{tmp_path / relative}|{sha}"
    code = f"""
import importlib.abc, sys
class NoTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] == 'torch':
            raise ModuleNotFoundError(f'No module named {{name!r}}', name=name)
sys.meta_path.insert(0, NoTorch())
import galfriday.prediction, galfriday.prediction.cli
from galfriday.prediction.estimators import make_estimator, torch_available
assert not torch_available()
make_estimator('xgboost')
try:
    make_estimator('lstm')
except Exception as exc:
    print(type(exc).__name__, exc)
if {artefact!r}:
    from pathlib import Path
    from galfriday.prediction.artifacts import load_verified
    path, sha = {artefact!r}.split('|')
    try:
        load_verified(Path(path), sha)
    except Exception as exc:
        print(type(exc).__name__, exc)
assert 'torch' not in sys.modules
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert lines[0].startswith("ModelUnavailableError the LSTM needs PyTorch") and "torch==2.13.0" in lines[0]
    if artefact:
        assert lines[1].startswith("ArtifactIntegrityError model artefact") and "needs torch" in lines[1]
        assert "pip install torch==2.13.0" in lines[1]
