"""Historical replay: starting cash, the fill model's cost assumptions and where results go."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field

from galfriday.config.base import ConfigModel


class BacktestSettings(ConfigModel):
    """Backtests share the trading kernel and fill model; these are only the replay's inputs."""

    initial_cash: Decimal = Field(Decimal("10000"), gt=0, description="Starting cash in the quote currency.")
    fill_model: Literal["book", "bar"] = Field(
        "book",
        description="'book' walks recorded L2 books; 'bar' fills on bars with slippage and volume caps.",
    )
    slippage_bps: Decimal = Field(
        Decimal("5"), ge=0, description="Extra adverse price move per fill on bars."
    )
    max_bar_volume_share: float = Field(
        0.1, gt=0, le=1, description="'bar' model: at most this share of a bar's volume can fill."
    )
    latency_ms: int = Field(100, ge=0, description="Delay between an order and the data it may fill on.")
    data_path: Path = Field(
        Path("var/history"), description="Parquet folder with historical candles/trades/books."
    )
    report_dir: Path = Field(Path("reports"), description="Where HTML/CSV/JSON reports are written.")
