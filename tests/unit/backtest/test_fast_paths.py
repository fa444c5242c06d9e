"""The backtest's fast paths change nothing: forced off, each gives the very same run on real candles.

- batch mode (features, and predictions where exact, computed for the whole feed up front) against
  ``batch=False``, bar-by-bar streaming as live;
- the shortcuts of the bar loop against the straightforward code they replaced, kept below as the
  reference: the equity curve read from the portfolio's last sum instead of summing the ledger
  again, the Decimal equity sum without a context switch, drawdowns sharing divisions and
  comparisons between peaks that are one Decimal, the matching engine skipped on a bar with nothing
  working, the strategy's ATR skipped unless stops are ATR-based.

"The very same run": every command and report the venue saw and every signal, verdict, trade and
HALT of the kernel (without the ids a process draws at random), the equity curve, the snapshots,
the trade list and its fingerprint.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pytest

from galfriday.backtest import BacktestEngine, BacktestResult, DataKind, Feed, StrategyKind, StrategySpec
from galfriday.backtest.instruments import backtest_instruments
from galfriday.backtest.models import service_factory
from galfriday.config import Settings
from galfriday.core.events import BarClosed
from galfriday.features import FeatureSet, load_feature_set
from galfriday.portfolio.drawdown import Drawdowns, DrawdownTracker, _drawdown, day_start_ns, week_start_ns
from galfriday.portfolio.ledger import Ledger
from galfriday.portfolio.manager import PortfolioManager
from galfriday.portfolio.position import LEDGER_CONTEXT, ZERO
from galfriday.prediction.bundle import ModelBundle
from galfriday.prediction.drift import DriftReference
from galfriday.prediction.labels import LabelSpec
from galfriday.prediction.loaded import LoadedModel
from galfriday.prediction.preprocess import scale_free
from galfriday.sim.matching import MatchingEngine
from galfriday.sim.matching.bar_matching import match_bar
from galfriday.strategy import RsiRule, SmaCrossRule, StrategyArbitrator
from tests.acceptance._backtest_kit import SETTINGS, key, xrp_5m_bars

SMA = StrategySpec(StrategyKind.SMA, sma=SmaCrossRule(10, 30))
RSI = StrategySpec(StrategyKind.RSI, rsi=RsiRule(14, 30, 70))


def _settings(**sections: dict[str, Any]) -> Settings:
    data = SETTINGS.model_dump(mode="json")
    for name, values in sections.items():
        data[name] = data.get(name, {}) | values
    return Settings.model_validate(data)


def _everything(result: BacktestResult) -> dict[str, Any]:
    return {
        "venue": [key(e) for e in result.venue_log],
        "kernel": [key(e) for e in result.kernel_log],
        "snapshots": [key(s) for s in result.snapshots],
        "equity": [(t, str(e)) for t, e in result.equity],
        "trades": result.trades,
        "fingerprint": result.fingerprint,
        "halts": result.halts,
        "failures": result.failures,
        "open": result.open_positions,
    }


def _two_pairs(bars: list[BarClosed]) -> list[BarClosed]:
    """XRP/USD as recorded and a DOGE/USD at half its prices, bar for bar."""
    half = Decimal("0.5")
    fields = ("open", "high", "low", "close", "vwap")
    return [
        msgspec.structs.replace(b, pair="DOGE/USD", **{f: getattr(b, f) * half for f in fields}) for b in bars
    ]


# -- the reference: the straightforward code the shortcuts replaced ------------------------------


def _reference_equity(self: Ledger) -> Decimal:
    with localcontext(LEDGER_CONTEXT):
        return self.quote_cash + sum((self.market_value(p) for p in self.positions), ZERO)


def _reference_roll(self: DrawdownTracker, now_ns: int) -> None:
    day = day_start_ns(now_ns)
    if day != self.day_start:
        self.day_start, self.day_peak = day, self.equity
    week = week_start_ns(now_ns)
    if week != self.week_start:
        self.week_start, self.week_peak = week, self.equity


def _reference_update(self: DrawdownTracker, equity: Decimal, now_ns: int) -> None:
    self._roll(now_ns)
    self.equity = equity
    if equity > self.peak:
        self.peak = equity
    if equity > self.day_peak:
        self.day_peak = equity
    if equity > self.week_peak:
        self.week_peak = equity


def _reference_drawdowns(self: DrawdownTracker, now_ns: int) -> Drawdowns:
    self._roll(now_ns)
    return Drawdowns(
        daily=_drawdown(self.day_peak, self.equity),
        weekly=_drawdown(self.week_peak, self.equity),
        total=_drawdown(self.peak, self.equity),
    )


def _reference_on_bar(self: MatchingEngine, event: BarClosed) -> list[Any]:
    self._check_pair(event.pair)
    self._enter("bars")
    self._advance(event.ts_event)
    self._last_close = event.close
    match_bar(event, self._ex, self._config)
    return self._ex.take_reports()


@pytest.fixture
def reference(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every shortcut of the bar loop swapped for its reference."""
    monkeypatch.setattr(Ledger, "equity", _reference_equity)
    monkeypatch.setattr(PortfolioManager, "last_equity", property(lambda self: self.ledger.equity()))
    monkeypatch.setattr(DrawdownTracker, "_roll", _reference_roll)
    monkeypatch.setattr(DrawdownTracker, "update", _reference_update)
    monkeypatch.setattr(DrawdownTracker, "drawdowns", _reference_drawdowns)
    monkeypatch.setattr(MatchingEngine, "on_bar", _reference_on_bar)
    init = StrategyArbitrator.__init__

    def always_atr(self: StrategyArbitrator, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self._needs_atr = True

    monkeypatch.setattr(StrategyArbitrator, "__init__", always_atr)


#: name -> (strategy, settings changed from the acceptance settings, a second pair)
RULE_RUNS: dict[str, tuple[StrategySpec, dict[str, Any], bool]] = {
    "sma, limit entries with timeouts, SL/TP, time exits": (SMA, {}, False),
    "rsi, market entries": (RSI, {"strategy": {"entry_order_type": "MARKET"}}, False),
    "sma, ATR stops": (
        SMA,
        {"strategy": {"sl_tp_mode": "atr", "atr_multiple": "1.5", "reward_risk": "2"}},
        False,
    ),
    "rsi, tight drawdown limits (HALTs)": (
        RSI,
        {"risk": {"max_daily_drawdown_pct": "0.002", "max_weekly_drawdown_pct": "0.004"}},
        False,
    ),
    "sma, two pairs": (SMA, {}, True),
}


def _rule_run(shared_data: Path, name: str) -> BacktestResult:
    strategy, changes, two_pairs = RULE_RUNS[name]
    settings = _settings(**changes)
    if two_pairs:
        settings = settings.model_copy(update={"pairs": ["XRP/USD", "DOGE/USD"]})
    bars = xrp_5m_bars(shared_data, settings)
    sources = (bars, _two_pairs(bars)) if two_pairs else (bars,)
    engine = BacktestEngine(settings, backtest_instruments(settings, settings.pairs), strategy)
    return engine.run(Feed(sources, DataKind.BARS, 300))


@pytest.fixture(scope="module")
def fast_runs(shared_data: Path) -> dict[str, BacktestResult]:
    return {name: _rule_run(shared_data, name) for name in RULE_RUNS}


@pytest.mark.parametrize("name", sorted(RULE_RUNS))
def test_the_bar_loop_shortcuts_change_nothing(
    shared_data: Path, fast_runs: dict[str, BacktestResult], name: str, reference: None
) -> None:
    fast = fast_runs[name]
    halting = "HALT" in name
    assert len(fast.trades) >= (3 if halting else 10) and not fast.failures
    assert bool(fast.halts) is halting
    assert _everything(_rule_run(shared_data, name)) == _everything(fast)


# -- batch mode: features and predictions up front ------------------------------------------------


class RsiModel:
    """P(up) = 1 - mean RSI/100 over the window (oversold is bullish); elementwise, so batchable."""

    kind = "rsi-window"
    row_independent = True

    def __init__(self, rsi_index: int, sequence_length: int = 1) -> None:
        self.rsi_index = rsi_index
        self.sequence_length = sequence_length

    def fit(self, windows: np.ndarray, labels: np.ndarray) -> None:
        return None

    def predict_proba(self, windows: np.ndarray) -> np.ndarray:
        return 1.0 - windows[:, :, self.rsi_index].mean(axis=1) / 100.0

    def hyperparameters(self) -> dict[str, Any]:
        return {}


class NotDeclared(RsiModel):
    """The same model without the declaration: the service must keep predicting bar by bar."""

    row_independent = False


MODEL_SETTINGS = {
    "features": {"feature_set": "bars_v1"},
    "strategy": {"entry_order_type": "MARKET", "sl_pct": "0.01", "tp_pct": "0.02", "max_holding_s": 7200},
    "backtest": {"fill_model": "bar", "latency_ms": 0},
}


class Counting:
    """A stand-in registry loader that counts the model's predict calls."""

    def __init__(self, model: LoadedModel) -> None:
        self.model, self.calls = model, 0
        original = model.bundle.predict

        def predict(windows: np.ndarray) -> np.ndarray:
            self.calls += 1
            return original(windows)

        object.__setattr__(model, "predict", predict)

    def __call__(self, version: Any, feature_set: FeatureSet) -> LoadedModel:
        return self.model


class Version:
    model_id, pair, critical = "rsi-XRPUSD", "XRP/USD", True


def _model(feature_set: FeatureSet, estimator: Any) -> LoadedModel:
    names = feature_set.names
    reference = DriftReference.build(
        names, np.zeros((10, len(names))), np.full(10, 0.5), accuracy=None, auc=None, threshold=0.65
    )
    bundle = ModelBundle(
        model_type=estimator.kind, pair="XRP/USD", label=LabelSpec(), feature_set_id=feature_set.id,
        feature_fingerprint=feature_set.fingerprint, feature_names=names,
        preprocessor=scale_free(feature_set), estimator=estimator, reference=reference, trained_at_ns=0,
    )  # fmt: skip
    return LoadedModel("rsi-XRPUSD", "XRP/USD", bundle, Path("unused"), "0" * 64)


def _model_run(
    bars: list[BarClosed], settings: Settings, make: Any, *, batch: bool
) -> tuple[BacktestResult, int]:
    feature_set = load_feature_set(settings.features)
    loader = Counting(_model(feature_set, make(feature_set.names.index("rsi_14"))))
    predictor = service_factory(settings, feature_set, loader, [Version()])
    engine = BacktestEngine(
        settings,
        backtest_instruments(settings, settings.pairs),
        StrategySpec(StrategyKind.MODEL),
        feature_set=feature_set,
        predictor=predictor,
        batch=batch,
    )
    return engine.run(Feed((bars,), DataKind.BARS, 300)), loader.calls


@pytest.mark.parametrize(
    ("make", "prediction", "batched"),
    [
        (lambda i: RsiModel(i), {}, True),
        (lambda i: RsiModel(i, sequence_length=4), {"max_nan_share": 0.3}, True),
        (lambda i: NotDeclared(i), {}, False),
    ],
)
def test_batch_mode_runs_what_streaming_runs(
    shared_data: Path, make: Any, prediction: dict[str, Any], batched: bool
) -> None:
    settings = _settings(**MODEL_SETTINGS, prediction=prediction)
    bars = xrp_5m_bars(shared_data, settings)
    streamed, per_bar = _model_run(bars, settings, make, batch=False)
    up_front, calls = _model_run(bars, settings, make, batch=True)
    assert len(streamed.trades) >= 5 and not streamed.failures
    assert per_bar > 1500  # one call per bar with a full, complete enough window
    assert (calls < 50) is batched  # the batch and its spot checks, or bar by bar again
    assert _everything(up_front) == _everything(streamed)


def test_a_rule_strategy_reading_features_runs_the_same_batched(shared_data: Path) -> None:
    """Features computed up front for the strategy's confirmations (no model): the same run."""
    confirm = {"confirmations": [{"feature": "rsi_14", "op": "<", "value": 55}]}
    settings = _settings(**{**MODEL_SETTINGS, "strategy": MODEL_SETTINGS["strategy"] | confirm})
    bars = xrp_5m_bars(shared_data, settings)
    feature_set = load_feature_set(settings.features)
    instruments = backtest_instruments(settings, settings.pairs)
    runs = [
        BacktestEngine(settings, instruments, SMA, feature_set=feature_set, batch=batch).run(
            Feed((bars,), DataKind.BARS, 300)
        )
        for batch in (False, True)
    ]
    feed = Feed((bars,), DataKind.BARS, 300)
    plain = BacktestEngine(_settings(**MODEL_SETTINGS), instruments, SMA).run(feed)
    assert len(runs[0].trades) >= 5 and runs[0].signals.proposed < plain.signals.proposed  # features read
    assert _everything(runs[1]) == _everything(runs[0])
