"""Prediction: labels, training, walk-forward validation and gates, the model registry, drift,
A/B experiments, and the PredictionService.

Public API:
- ``LabelSpec`` / ``make_labels``: cost-aware forward and triple-barrier labels (``labels``);
- ``build_dataset`` / ``walk_forward``: training sets from candle files, embargoed splits (``datasets``);
- ``train`` + ``TrainingConfig``: walk-forward training of xgboost, random_forest, lstm or ensemble;
- ``evaluate_gates`` + ``GateConfig``: acceptance gates, incl. against production on the same windows;
- ``ModelRegistry``: versions and stages in the database, content-addressed artefacts on disk;
- ``run_training`` + ``TrainRequest``: the whole of ``galfriday train``;
- ``PredictionService``: FeatureVectorComputed in, PredictionMade out (process/thread/inline);
- ``DriftMonitor`` / ``DriftWatcher``: PSI, KS and performance decay with alerts;
- ``Experiment`` / ``ExperimentTracker``: A/B tests with a two-proportion z-test;
- ``galfriday.prediction.cli.register(app)``: ``galfriday train`` and ``galfriday models …``.

PyTorch is optional: it is imported only to make or load an LSTM.
"""

from galfriday.prediction.backtest import CostModel, TradingRules, mini_backtest
from galfriday.prediction.datasets import (
    Dataset,
    WalkForwardConfig,
    build_dataset,
    load_candles,
    walk_forward,
)
from galfriday.prediction.drift import DriftLevel, DriftMonitor, DriftReference, DriftReport, DriftThresholds
from galfriday.prediction.drift_watch import DriftWatcher
from galfriday.prediction.errors import (
    ArtifactIntegrityError,
    DatasetError,
    FeatureContractError,
    ModelLoadError,
    ModelUnavailableError,
    PredictionError,
)
from galfriday.prediction.experiment_tracker import ExperimentTracker
from galfriday.prediction.experiments import Arm, Experiment, ExperimentConfig, two_proportion_z_test
from galfriday.prediction.gates import GateConfig, GateDecision, evaluate_gates
from galfriday.prediction.labels import LabelKind, LabelSpec, make_labels
from galfriday.prediction.loaded import LoadedModel
from galfriday.prediction.pipeline import TrainOutcome, TrainRequest, run_training
from galfriday.prediction.registry import ModelRegistry
from galfriday.prediction.service import PredictionService
from galfriday.prediction.training import TrainingConfig, TrainingResult, train

__all__ = [
    "Arm",
    "ArtifactIntegrityError",
    "CostModel",
    "Dataset",
    "DatasetError",
    "DriftLevel",
    "DriftMonitor",
    "DriftReference",
    "DriftReport",
    "DriftThresholds",
    "DriftWatcher",
    "Experiment",
    "ExperimentConfig",
    "ExperimentTracker",
    "FeatureContractError",
    "GateConfig",
    "GateDecision",
    "LabelKind",
    "LabelSpec",
    "LoadedModel",
    "ModelLoadError",
    "ModelRegistry",
    "ModelUnavailableError",
    "PredictionError",
    "PredictionService",
    "TradingRules",
    "TrainOutcome",
    "TrainRequest",
    "TrainingConfig",
    "TrainingResult",
    "WalkForwardConfig",
    "build_dataset",
    "evaluate_gates",
    "load_candles",
    "make_labels",
    "mini_backtest",
    "run_training",
    "train",
    "two_proportion_z_test",
    "walk_forward",
]
