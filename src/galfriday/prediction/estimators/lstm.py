"""An LSTM over the last ``sequence_length`` feature vectors (PyTorch, CPU).

PyTorch is optional: importing this module without it raises ImportError, which
``estimators.make_estimator`` and the artefact loader turn into a message saying what to install.
Inputs are standardised with the training set's mean and standard deviation (stored with the
model); a missing value becomes the training mean (0 after standardising), since an LSTM cannot
take NaN. The network is pickled as plain arrays, so a saved model does not depend on PyTorch's
own serialisation format. PyTorch runs single-threaded while fitting and predicting: for a
network this small, thread synchronisation dominates (5 epochs on 2,000 windows: 1 s on one thread,
39 s on two on the test machine).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from torch import nn

from galfriday.prediction.estimators.base import merged

LSTM_DEFAULTS: dict[str, Any] = {
    "sequence_length": 16,
    "hidden_size": 16,
    "num_layers": 1,
    "epochs": 30,
    "batch_size": 64,
    "learning_rate": 0.005,
    "weight_decay": 1e-4,
}


@contextmanager
def _one_thread() -> Iterator[None]:
    """PyTorch's thread count is process-wide: set it to 1 for the call, then restore it."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class _Network(nn.Module):
    def __init__(self, n_features: int, hidden_size: int, num_layers: int) -> None:
        super().__init__()
        self.lstm = nn.LSTM(n_features, hidden_size, num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :]).squeeze(-1)


class LstmEstimator:
    kind = "lstm"

    def __init__(self, params: dict[str, Any] | None = None, *, seed: int = 7) -> None:
        self._params = merged(LSTM_DEFAULTS, params or {}, self.kind)
        self._seed = seed
        self.sequence_length = int(self._params["sequence_length"])
        if self.sequence_length < 2:
            raise ValueError("an LSTM needs sequence_length >= 2; use xgboost for single vectors")
        self._mean: np.ndarray | None = None
        self._std: np.ndarray | None = None
        self._net: _Network | None = None

    def _inputs(self, windows: np.ndarray) -> torch.Tensor:
        assert self._mean is not None and self._std is not None
        x = (np.asarray(windows, dtype=np.float64) - self._mean) / self._std
        return torch.from_numpy(np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32))

    def fit(self, windows: np.ndarray, labels: np.ndarray) -> None:
        with _one_thread():
            self._fit(windows, labels)

    def _fit(self, windows: np.ndarray, labels: np.ndarray) -> None:
        p = self._params
        flat = np.asarray(windows, dtype=np.float64).reshape(-1, windows.shape[-1])
        self._mean = np.nanmean(flat, axis=0)
        std = np.nanstd(flat, axis=0)
        self._std = np.where(std > 0, std, 1.0)
        x, y = self._inputs(windows), torch.from_numpy(np.asarray(labels, dtype=np.float32))
        torch.manual_seed(self._seed)
        order = torch.Generator().manual_seed(self._seed)
        net = _Network(x.shape[-1], int(p["hidden_size"]), int(p["num_layers"]))
        optimiser = torch.optim.Adam(
            net.parameters(), lr=float(p["learning_rate"]), weight_decay=float(p["weight_decay"])
        )
        loss_fn = nn.BCEWithLogitsLoss()
        batch = int(p["batch_size"])
        net.train()
        for _ in range(int(p["epochs"])):
            for idx in torch.randperm(len(x), generator=order).split(batch):
                optimiser.zero_grad()
                loss_fn(net(x[idx]), y[idx]).backward()
                optimiser.step()
        net.eval()
        self._net = net

    def predict_proba(self, windows: np.ndarray) -> np.ndarray:
        if self._net is None:
            raise RuntimeError("fit the LSTM before predicting")
        with _one_thread(), torch.no_grad():
            return torch.sigmoid(self._net(self._inputs(windows))).numpy().astype(np.float64)

    def hyperparameters(self) -> dict[str, Any]:
        return dict(self._params) | {"seed": self._seed}

    def __getstate__(self) -> dict[str, Any]:
        state = None
        if self._net is not None:
            state = {k: v.detach().numpy().copy() for k, v in self._net.state_dict().items()}
        return {
            "params": self._params,
            "seed": self._seed,
            "mean": self._mean,
            "std": self._std,
            "net": state,
        }

    def __setstate__(self, saved: dict[str, Any]) -> None:
        self.__init__(saved["params"], seed=saved["seed"])  # type: ignore[misc]
        self._mean, self._std = saved["mean"], saved["std"]
        if saved["net"] is not None:
            assert self._mean is not None
            p = self._params
            net = _Network(len(self._mean), int(p["hidden_size"]), int(p["num_layers"]))
            net.load_state_dict({k: torch.from_numpy(v) for k, v in saved["net"].items()})
            net.eval()
            self._net = net
