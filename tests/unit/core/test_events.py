"""The event catalogue: immutable, timestamped, correlated, and exact through JSON."""

from __future__ import annotations

import types
import typing
import uuid
from decimal import Decimal

import msgspec
import pytest

from galfriday.core import events as ev
from galfriday.core.types import ExitReason, LiquiditySide, OrderType, Side


def _sample_value(tp: object) -> object:
    """A valid value for a field annotation, so every event type can be built generically."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        non_none = [a for a in args if a is not type(None)]
        return _sample_value(non_none[0])
    if origin is tuple:
        return (_sample_value(args[0]),) if args else ()
    if origin is dict:
        return {"k": "v"}
    if tp is Decimal:
        return Decimal("12345678901234.567890123456789")
    if tp is int:
        return 7
    if tp is float:
        return 0.25
    if tp is bool:
        return True
    if tp is str:
        return "x"
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        hints = typing.get_type_hints(tp)
        return tp(**{f: _sample_value(hints[f]) for f in tp.__struct_fields__})
    if isinstance(tp, type) and hasattr(tp, "__members__"):
        return next(iter(tp))  # first enum member
    raise AssertionError(f"no sample for {tp!r}")


def _build(cls: type[ev.Event]) -> ev.Event:
    hints = typing.get_type_hints(cls)
    kwargs = {f: _sample_value(hints[f]) for f in cls.__struct_fields__ if f not in ("event_id",)}
    kwargs["correlation_id"] = "corr"
    return cls(**kwargs)


def test_catalogue_covers_every_flow_stage() -> None:
    names = {t.__name__ for t in ev.EVENT_TYPES}
    for required in ("OrderBookUpdated", "MarketTradeReceived", "BarClosed", "FeatureVectorComputed",
                     "PredictionMade", "SignalProposed", "SignalApproved", "SignalRejected", "SubmitOrder",
                     "CancelOrder", "OrderSubmitted", "OrderAccepted", "OrderFilled", "OrderCanceled",
                     "OrderRejected", "PositionChanged", "TradeClosed", "PortfolioSnapshotTaken",
                     "SystemStateChanged", "HaltTriggered", "HaltResumed", "HealthChanged", "AlertRaised"):
        assert required in names


@pytest.mark.parametrize("cls", ev.EVENT_TYPES, ids=lambda c: c.__name__)
def test_every_event_is_frozen_and_round_trips_exactly_through_json(cls: type[ev.Event]) -> None:
    event = _build(cls)
    uuid.UUID(event.event_id)  # a canonical UUID string
    with pytest.raises(AttributeError):
        event.ts_event = 1  # type: ignore[misc]
    data = ev.encode_event(event)
    assert f'"type":"{cls.__name__}"'.encode() in data
    back = ev.decode_event(data)
    assert type(back) is cls
    assert back == event


def test_decimals_survive_the_codec_digit_for_digit() -> None:
    fill = ev.OrderFilled(
        ts_event=1, ts_init=2, client_order_id="c", exchange_order_id="O-1", fill_id="T-1",
        pair="XRP/USD", side=Side.BUY, qty=Decimal("30.00000000"), price=Decimal("0.51230"),
        fee=Decimal("0.0399594"), fee_currency="USD", liquidity=LiquiditySide.TAKER,
        cum_qty=Decimal("30.00000000"), leaves_qty=Decimal("0E-8"),
    )
    back = ev.decode_event(ev.encode_event(fill))
    assert isinstance(back, ev.OrderFilled)
    assert str(back.price) == "0.51230" and str(back.qty) == "30.00000000"
    assert back.side is Side.BUY and back.liquidity is LiquiditySide.TAKER


def test_malformed_or_unknown_payloads_are_rejected() -> None:
    with pytest.raises(msgspec.ValidationError):
        ev.decode_event(b'{"type":"NoSuchEvent","ts_event":1,"ts_init":1}')
    with pytest.raises(msgspec.ValidationError):
        ev.decode_event(b'{"type":"TradeClosed","ts_event":1}')
    with pytest.raises(msgspec.DecodeError):
        ev.decode_event(b"not json")
    with pytest.raises(KeyError):
        ev.event_type_by_name("Nope")


def test_ids_are_unique_and_commands_are_events() -> None:
    ids = {ev.new_id() for _ in range(100_000)}
    assert len(ids) == 100_000
    cmd = ev.ClosePosition(ts_event=0, ts_init=0, pair="XRP/USD", reason=ExitReason.HALT)
    assert isinstance(cmd, ev.Command) and isinstance(cmd, ev.Event)
    order = ev.SubmitOrder(ts_event=0, ts_init=0, client_order_id="c", pair="XRP/USD", side=Side.SELL,
                           order_type=OrderType.STOP_LOSS, qty=Decimal(1), trigger_price=Decimal("0.4"))
    assert order.order_type.has_trigger_price and not order.order_type.has_limit_price


def test_feature_vector_with_missing_values_survives_the_codec() -> None:
    vector = ev.FeatureVectorComputed(
        ts_event=1, ts_init=1, pair="XRP/USD", feature_set_id="default_v1",
        names=("rsi_14", "atr_14"), values=(float("nan"), 0.25),
    )
    back = ev.decode_event(ev.encode_event(vector))
    assert isinstance(back, ev.FeatureVectorComputed)
    assert back.values == (None, 0.25)  # JSON has no NaN: missing arrives as None
