"""The registry's built-in HALT triggers, one module each (see ``base`` for the protocol)."""

from galfriday.risk.triggers.api_errors import ApiErrorTrigger
from galfriday.risk.triggers.base import Fire, HaltTrigger, Subscription
from galfriday.risk.triggers.drawdown import DrawdownTrigger
from galfriday.risk.triggers.loss_streak import LossStreakTrigger
from galfriday.risk.triggers.module_failure import ModuleFailureTrigger
from galfriday.risk.triggers.stale_data import StaleDataTrigger
from galfriday.risk.triggers.volatility import VolatilityTrigger

__all__ = [
    "ApiErrorTrigger",
    "DrawdownTrigger",
    "Fire",
    "HaltTrigger",
    "LossStreakTrigger",
    "ModuleFailureTrigger",
    "StaleDataTrigger",
    "Subscription",
    "VolatilityTrigger",
]
