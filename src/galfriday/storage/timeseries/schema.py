"""The six time-series measurements, declared as data (DESIGN §4).

Each measurement lists its tags (indexed strings), its fixed fields with their types, the
families of fields whose names vary (order-book levels, features, per-pair positions) and the
retention group that decides how long it is kept. Points, both backends and the InfluxQL reader
all read this one table, so adding a field here is the only change a new metric needs.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from galfriday.core.errors import ConfigError
from galfriday.storage.timeseries.errors import SchemaError

FieldKind = type[float] | type[int] | type[bool] | type[str]
"""The Python type a field's values have: float, int (InfluxDB ``i`` suffix), bool or str."""

TIME_COLUMN = "time"
"""Name of the timestamp column (int ns UTC) in every backend; no tag or field may use it."""


class RetentionGroup(enum.StrEnum):
    """How long a measurement is kept; values match the config's ``<group>_days`` keys."""

    MARKET_DATA = "market_data"
    PREDICTIONS = "predictions"
    METRICS = "metrics"


DEFAULT_RETENTION_DAYS: Mapping[RetentionGroup, int] = {
    RetentionGroup.MARKET_DATA: 90,
    RetentionGroup.PREDICTIONS: 30,
    RetentionGroup.METRICS: 7,
}
"""Deployment guide: market data 90 d, predictions and features 30 d, metrics 7 d."""


def retention_days(overrides: Mapping[str, int] | None = None) -> dict[RetentionGroup, int]:
    """The retention per group, with ``overrides`` keyed like the config (``market_data_days``, …)."""
    days = dict(DEFAULT_RETENTION_DAYS)
    for key, value in (overrides or {}).items():
        group = key.removesuffix("_days")
        if group not in {g.value for g in RetentionGroup}:
            known = ", ".join(f"{g.value}_days" for g in RetentionGroup)
            raise ConfigError(f"unknown retention key {key!r}; use one of {known}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"retention {key} must be a whole number of days >= 1, got {value!r}")
        days[RetentionGroup(group)] = value
    return days


@dataclass(frozen=True, slots=True)
class FieldFamily:
    """Fields whose names follow a pattern, e.g. ``bid_price_level_<N>`` or any feature name."""

    pattern: re.Pattern[str]
    kind: FieldKind

    def matches(self, name: str) -> bool:
        return self.pattern.fullmatch(name) is not None


@dataclass(frozen=True, slots=True)
class Measurement:
    """One measurement: its tags, fixed fields, field families and retention group."""

    name: str
    required_tags: tuple[str, ...]
    retention: RetentionGroup
    fields: Mapping[str, FieldKind]
    families: tuple[FieldFamily, ...] = ()
    optional_tags: tuple[str, ...] = ()
    all_tags: frozenset[str] = field(init=False)
    _kinds: dict[str, FieldKind] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "all_tags", frozenset(self.required_tags + self.optional_tags))
        object.__setattr__(self, "_kinds", dict(self.fields))

    def field_kind(self, name: str) -> FieldKind | None:
        """The declared type of field ``name``, or None when the measurement has no such field.

        Names matched by a family are remembered: every point of a feature set or a book repeats
        the same few dozen names, and a dict lookup is much cheaper than the regexes.
        """
        kind = self._kinds.get(name)
        if kind is not None or name in self.all_tags or name == TIME_COLUMN:
            return kind
        for family in self.families:
            if family.matches(name):
                self._kinds[name] = family.kind
                return family.kind
        return None


def _family(regex: str, kind: FieldKind = float) -> FieldFamily:
    return FieldFamily(re.compile(regex), kind)


# Names that vary are kept to characters that need escaping nowhere (line protocol, InfluxQL,
# SQL): no whitespace, quotes, commas, equals signs or backslashes; no leading underscore
# (InfluxDB v2 reserves ``_field``, ``_value``, …).
_LEVEL = r"(?:0|[1-9][0-9]{0,2})"
_PAIR = r"[A-Za-z0-9][A-Za-z0-9./_-]*"
_FEATURE = r"[A-Za-z][A-Za-z0-9_.:/-]*"

_MARKET = ("exchange", "trading_pair")

MEASUREMENTS: Mapping[str, Measurement] = {
    m.name: m
    for m in (
        Measurement(
            name="market_data_l2",
            required_tags=_MARKET,
            retention=RetentionGroup.MARKET_DATA,
            fields={"is_snapshot": bool, "spread": float, "mid_price": float, "wap": float},
            families=(
                _family(rf"(?:bid|ask)_(?:price|volume)_level_{_LEVEL}"),
                _family(rf"imbalance_{_LEVEL}"),
            ),
        ),
        Measurement(
            name="market_data_ohlcv",
            required_tags=(*_MARKET, "interval"),
            retention=RetentionGroup.MARKET_DATA,
            fields={"open": float, "high": float, "low": float, "close": float, "volume": float},
        ),
        Measurement(
            name="features",
            required_tags=(*_MARKET, "feature_set_id"),
            retention=RetentionGroup.PREDICTIONS,
            fields={},
            families=(_family(_FEATURE),),
        ),
        Measurement(
            name="predictions",
            required_tags=(*_MARKET, "model_id", "prediction_target"),
            retention=RetentionGroup.PREDICTIONS,
            fields={"prediction_value": float, "confidence": float},
        ),
        Measurement(
            name="portfolio_metrics",
            required_tags=("account_id",),
            retention=RetentionGroup.METRICS,
            fields={
                "total_equity": float,
                "available_balance": float,
                "unrealized_pnl": float,
                "realized_pnl_session": float,
                "total_exposure_pct": float,
                "daily_drawdown_pct": float,
                "weekly_drawdown_pct": float,
                "total_drawdown_pct": float,
            },
            families=(_family(rf"position_(?:qty|value)_{_PAIR}"),),
        ),
        Measurement(
            name="system_metrics",
            required_tags=("host_id",),
            optional_tags=("module_id",),
            retention=RetentionGroup.METRICS,
            fields={
                "cpu_usage_pct": float,
                "memory_usage_mb": float,
                "event_queue_depth": int,
                "api_call_latency_ms": float,
                "prediction_latency_ms": float,
                "end_to_end_latency_ms": float,
                "websocket_connected": bool,
                "api_error_rate": float,
                # log lines per level since the previous point (monitoring.log_sinks.LogCountSink)
                "log_debug_count": int,
                "log_info_count": int,
                "log_warning_count": int,
                "log_error_count": int,
                "log_critical_count": int,
            },
        ),
    )
}


def measurement(name: str) -> Measurement:
    """The declared measurement ``name``; SchemaError naming the known ones otherwise."""
    try:
        return MEASUREMENTS[name]
    except KeyError:
        known = ", ".join(MEASUREMENTS)
        raise SchemaError(f"unknown measurement {name!r}; use one of {known} (see schema.py)") from None
