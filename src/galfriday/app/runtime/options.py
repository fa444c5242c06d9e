"""What a run is asked to do, beyond the configuration file: the command line's choices.

The configuration says *how* to trade; these say *this* run: paper or live, for how long, whether
the market data is an accelerated replay, and which rule strategy to trade when no model is used.
Shutdown timeouts live here too because they bound the process, not the trading.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from galfriday.strategy.sources import RsiRule, SmaCrossRule

Mode = Literal["paper", "live"]
Rule = RsiRule | SmaCrossRule


@dataclass(frozen=True, slots=True, kw_only=True)
class RunOptions:
    """``mode``: paper (simulated fills on real market data) or live (real orders on Kraken).

    - ``config_file``: the YAML configuration (None: defaults and ``GALFRIDAY__*`` overrides);
    - ``duration_s``: stop by itself after this long (``--for``); None runs until a signal;
    - ``market_speed``: market data arrives this many times faster than real time (an accelerated
      exchange simulator); paper only, see ``runtime.clock``;
    - ``rule``: trade this rule strategy instead of model predictions;
    - ``console_logs``: override ``logging.console``;
    - ``cancel_timeout_s``: how long shutdown waits for working orders to be canceled;
    - ``flush_timeout_s``: how long each recorder may take to write what it still holds.
    """

    mode: Mode
    config_file: Path | None = None
    duration_s: float | None = None
    market_speed: float = 1.0
    rule: Rule | None = None
    console_logs: bool | None = None
    cancel_timeout_s: float = 15.0
    flush_timeout_s: float = 30.0
