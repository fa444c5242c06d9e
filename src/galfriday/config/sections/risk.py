"""Money at stake: risk limits and HALT triggers, the portfolio ledger, and order execution.

Percentages are fractions of equity (0.02 = 2 %) and, like money, are ``Decimal`` because they
multiply Decimal prices and balances.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from galfriday.config.base import ConfigModel, enforce, rule

_ONE = Decimal(1)


class VolatilityHaltSettings(ConfigModel):
    """HALT when the market moves violently, where model and fill assumptions stop holding."""

    enabled: bool = Field(True, description="Watch price moves and HALT on a violent one.")
    window_s: int = Field(300, gt=0, description="Look-back window of the move.")
    max_move_pct: Decimal = Field(
        Decimal("0.05"),
        gt=0,
        lt=1,
        description="Mid-price move within window_s (either way) that triggers HALT.",
    )


class RiskSettings(ConfigModel):
    """Pre-trade limits, sizing and the conditions that latch HALT (DESIGN §7)."""

    risk_per_trade_pct: Decimal = Field(
        Decimal("0.005"),
        gt=0,
        le=Decimal("0.01"),
        description="Equity lost if the stop-loss is hit; qty = equity × this ÷ |entry − SL|. At most 1 %.",
    )
    max_exposure_per_asset_pct: Decimal = Field(Decimal("0.10"), gt=0, le=_ONE, description="Per asset.")
    max_total_exposure_pct: Decimal = Field(Decimal("0.25"), gt=0, le=_ONE, description="All assets.")
    max_order_value_usd: Decimal = Field(Decimal("10000"), gt=0, description="Largest single order.")
    min_order_value_usd: Decimal = Field(
        Decimal("10"), ge=0, description="Smallest order; Kraken's ordermin/costmin apply on top."
    )
    fat_finger_pct: Decimal = Field(
        Decimal("0.05"), gt=0, lt=_ONE, description="Limit prices further than this from mid are refused."
    )
    max_total_drawdown_pct: Decimal = Field(
        Decimal("0.15"), gt=0, lt=_ONE, description="From the equity peak, unrealised P&L included → HALT."
    )
    max_daily_drawdown_pct: Decimal = Field(
        Decimal("0.02"), gt=0, lt=_ONE, description="Since 00:00 UTC → HALT."
    )
    max_weekly_drawdown_pct: Decimal = Field(
        Decimal("0.05"), gt=0, lt=_ONE, description="Since Monday 00:00 UTC → HALT."
    )
    loss_streak_halt: int = Field(5, ge=1, description="Consecutive losing trades → HALT.")
    loss_streak_warn: int = Field(3, ge=1, description="Consecutive losing trades → warning alert.")
    max_consecutive_order_failures: int = Field(3, ge=1, description="Failed orders in a row → HALT.")
    max_api_errors: int = Field(5, ge=1, description="API errors within api_error_window_s → HALT.")
    api_error_window_s: float = Field(60.0, gt=0, description="Window for max_api_errors.")
    halt_behaviour: Literal["close", "maintain"] = Field(
        "close",
        description="On HALT: 'close' flattens at market, 'maintain' keeps positions with their SL/TP.",
    )
    volatility_halt: VolatilityHaltSettings = Field(default_factory=VolatilityHaltSettings)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        enforce(
            rule(
                self.max_exposure_per_asset_pct <= self.max_total_exposure_pct,
                "max_exposure_per_asset_pct",
                f"must not exceed max_total_exposure_pct ({self.max_total_exposure_pct})",
                self.max_exposure_per_asset_pct,
            ),
            rule(
                self.min_order_value_usd < self.max_order_value_usd,
                "min_order_value_usd",
                f"must be less than max_order_value_usd ({self.max_order_value_usd})",
                self.min_order_value_usd,
            ),
            rule(
                self.max_daily_drawdown_pct <= self.max_weekly_drawdown_pct,
                "max_daily_drawdown_pct",
                f"must not exceed max_weekly_drawdown_pct ({self.max_weekly_drawdown_pct})",
                self.max_daily_drawdown_pct,
            ),
            rule(
                self.max_weekly_drawdown_pct <= self.max_total_drawdown_pct,
                "max_weekly_drawdown_pct",
                f"must not exceed max_total_drawdown_pct ({self.max_total_drawdown_pct})",
                self.max_weekly_drawdown_pct,
            ),
            rule(
                self.loss_streak_warn < self.loss_streak_halt,
                "loss_streak_warn",
                f"must be less than loss_streak_halt ({self.loss_streak_halt}) to warn before halting",
                self.loss_streak_warn,
            ),
        )
        return self


_CURRENCY = re.compile(r"^[A-Z0-9]{2,12}$")


class PortfolioSettings(ConfigModel):
    """The ledger's accounting currency, simulated starting cash and reconciliation schedule."""

    quote_currency: str = Field(
        "USD", description="Currency equity is measured in; every pair must quote it."
    )
    initial_cash: Decimal = Field(Decimal("10000"), gt=0, description="Starting cash in paper mode.")
    snapshot_interval_s: float = Field(60.0, gt=0, description="How often a portfolio snapshot is stored.")
    reconcile_at_start: bool = Field(
        True, description="Compare with the exchange at start; refuse to trade on mismatch."
    )
    reconcile_interval_s: float = Field(3600.0, gt=0, description="Periodic reconciliation interval.")
    reconcile_balance_tolerance: Decimal = Field(
        Decimal("0.01"),
        ge=0,
        description="Largest |ours - Kraken's| per asset that still counts as equal (Kraken rounds fees).",
    )
    reconcile_foreign_orders: Literal["leave", "cancel"] = Field(
        "leave",
        description="An open order on the account that is not ours: leave it and refuse to trade (the "
        "account must be dedicated), or cancel it.",
    )
    reconcile_pending_grace_s: float = Field(
        30.0,
        gt=0,
        description="A PENDING_NEW intent younger than this may still be on its way; later runs judge it.",
    )
    reconcile_lookback_s: float = Field(
        86_400.0, gt=0, description="How far back the first reconciliation ever reads Kraken's history."
    )

    @field_validator("quote_currency")
    @classmethod
    def _currency_code(cls, value: str) -> str:
        if not _CURRENCY.match(value):
            raise ValueError("must be an upper-case currency code such as 'USD'")
        return value


class ExecutionSettings(ConfigModel):
    """Where orders go and what they cost until Kraken's TradeVolume reports the real fee tier."""

    mode: Literal["paper", "live"] = Field(
        "paper", description="'paper' fills against live data in the simulator; 'live' sends real orders."
    )
    maker_fee: Decimal = Field(Decimal("0.0016"), ge=0, le=Decimal("0.01"), description="0.16 %.")
    taker_fee: Decimal = Field(Decimal("0.0026"), ge=0, le=Decimal("0.01"), description="0.26 %.")
    cancel_on_shutdown: bool = Field(True, description="Cancel open orders on a clean shutdown.")
    dead_man_switch_s: int = Field(
        60,
        ge=0,
        le=86_400,
        description="Kraken cancel_all_orders_after timeout, refreshed while running; 0 disables it.",
    )
    private_stream_halt_s: float = Field(
        60.0,
        ge=0,
        description="HALT when Kraken's private executions stream stays down this long (fills and ends "
        "go unseen); 0 disables it.",
    )
    max_retries: int = Field(3, ge=0, le=10, description="Retries of a failed request that is safe to retry.")
