"""From features to a trading signal: feature set, prediction service and the entry/exit strategy."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator

from galfriday.config.base import ConfigModel, enforce, rule


class FeaturesSettings(ConfigModel):
    """Which features the FeatureEngine computes."""

    registry_path: Path | None = Field(
        None, description="Optional YAML file with extra feature definitions; None = built-in registry only."
    )
    feature_set: str = Field(
        "default_v1", min_length=1, description="Named feature set models are trained on."
    )


class DriftSettings(ConfigModel):
    """When the live inputs or results of a model have moved too far from its training data."""

    psi_warn: float = Field(0.1, gt=0, description="Population stability index above which drift is logged.")
    psi_alert: float = Field(0.15, gt=0, description="PSI above which an alert is sent.")
    psi_retrain: float = Field(0.2, gt=0, description="PSI above which the model is flagged for retraining.")
    performance_decay_max: float = Field(
        0.05,
        gt=0,
        lt=1,
        description="Largest tolerated drop of live accuracy below validation accuracy (absolute) before "
        "the model is flagged for retraining.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        enforce(
            rule(
                self.psi_warn < self.psi_alert,
                "psi_warn",
                f"must be less than psi_alert ({self.psi_alert})",
                self.psi_warn,
            ),
            rule(
                self.psi_alert < self.psi_retrain,
                "psi_alert",
                f"must be less than psi_retrain ({self.psi_retrain})",
                self.psi_alert,
            ),
        )
        return self


class PredictionSettings(ConfigModel):
    """How models are loaded and run, and when a prediction is not trusted."""

    models_dir: Path = Field(
        Path("var/models"), description="Model registry folder (artefacts and metadata)."
    )
    inference_mode: Literal["process", "thread", "inline"] = Field(
        "process", description="Where inference runs; 'process' keeps heavy models off the event loop."
    )
    workers: int = Field(2, ge=1, le=64, description="Inference workers for process/thread mode.")
    ensemble_method: Literal["average", "weighted", "vote"] = Field(
        "average", description="How predictions of several production models are combined."
    )
    confidence_floor: float = Field(
        0.0, ge=0, le=1, description="Predictions with lower confidence are dropped; 0 disables the filter."
    )
    max_nan_share: float = Field(
        0.0, ge=0, le=1, description="Largest share of missing (NaN) features a prediction may be made on."
    )
    max_delay_s: float = Field(
        5.0,
        gt=0,
        description="A prediction ready later than this after its features (session clock) is dropped: "
        "the market has moved on.",
    )
    drift: DriftSettings = Field(default_factory=DriftSettings)


ComparisonOp = Literal["<", "<=", ">", ">=", "==", "!="]


class Confirmation(ConfigModel):
    """An extra condition on a feature that must hold before an entry, e.g. ``rsi_14 < 70``."""

    feature: str = Field(..., min_length=1, description="Feature name as published by the FeatureEngine.")
    op: ComparisonOp = Field(..., description="Comparison operator.")
    value: float = Field(..., description="Right-hand side of the comparison.")


class StrategySettings(ConfigModel):
    """Entry and exit rules of the StrategyArbitrator. Percentages are fractions (0.02 = 2 %)."""

    id: str = Field("default", min_length=1, description="Strategy id recorded on every signal.")
    buy_threshold: float = Field(0.65, ge=0, le=1, description="Enter long when P(up) is above this.")
    sell_threshold: float = Field(0.35, ge=0, le=1, description="Exit / sell when P(up) is below this.")
    sl_tp_mode: Literal["fixed_pct", "atr", "reward_risk"] = Field(
        "fixed_pct",
        description="fixed_pct: SL/TP at sl_pct/tp_pct; atr: SL at atr_multiple × ATR and TP at "
        "reward_risk × SL distance; reward_risk: SL at sl_pct and TP at reward_risk × SL distance.",
    )
    sl_pct: Decimal = Field(Decimal("0.02"), gt=0, lt=1, description="Stop-loss distance from entry.")
    tp_pct: Decimal = Field(Decimal("0.04"), gt=0, description="Take-profit distance from entry.")
    atr_feature: str = Field("atr_14", min_length=1, description="Feature holding the ATR for 'atr' mode.")
    atr_multiple: Decimal = Field(Decimal("2"), gt=0, description="SL distance in ATRs for 'atr' mode.")
    reward_risk: Decimal = Field(Decimal("2"), gt=0, description="TP distance ÷ SL distance.")
    entry_order_type: Literal["LIMIT", "MARKET"] = Field("LIMIT", description="Order type of entries.")
    entry_timeout_s: float = Field(15.0, gt=0, description="An unfilled limit entry is handled after this.")
    on_entry_timeout: Literal["cancel", "market"] = Field(
        "cancel", description="On timeout: cancel the entry, or convert the rest to a market order."
    )
    max_holding_s: int | None = Field(
        3600, gt=0, description="Close a position held this long; None = no time exit."
    )
    exit_on_reversal: bool = Field(True, description="Exit when the prediction crosses sell_threshold.")
    confirmations: tuple[Confirmation, ...] = Field((), description="All must hold for an entry.")

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> Self:
        enforce(
            rule(
                self.buy_threshold > self.sell_threshold,
                "buy_threshold",
                f"must be greater than sell_threshold ({self.sell_threshold})",
                self.buy_threshold,
            ),
        )
        return self

    @property
    def take_profit_fraction(self) -> Decimal | None:
        """TP distance as a fraction of entry when it is fixed by configuration (None in 'atr' mode)."""
        if self.sl_tp_mode == "fixed_pct":
            return self.tp_pct
        if self.sl_tp_mode == "reward_risk":
            return self.sl_pct * self.reward_risk
        return None
