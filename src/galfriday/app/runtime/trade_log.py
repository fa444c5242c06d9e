"""The life of every trade in the log, one line per step, all under one correlation id.

The SRS asks that a trade can be followed from the log alone: the prediction and the threshold it
crossed, the risk checks and the size they allowed, each order request and the exchange's answer,
every status change and fill, and the final P&L. Each step is already an event on the bus; this
subscriber writes each as one INFO line with the step's facts as JSON fields.

Which id links them: the execution side uses the signal id as the correlation id of every order,
fill and closed trade, so every line from the proposal on is written under the signal id
(``grep <signal id> galfriday.jsonl`` shows the whole trade). The proposal line also names the
correlation id it arrived with (the prediction's or the bar's), which is what the prediction line
is written under. Money is written as exact decimal strings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from galfriday.config.sections.signal import StrategySettings
from galfriday.core.events import (
    CancelOrder,
    ClosePosition,
    Event,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderSubmitted,
    PredictionMade,
    SignalApproved,
    SignalProposed,
    SignalRejected,
    TradeClosed,
)

logger = logging.getLogger("galfriday.trades")


def _log(event: Event, trace: str, message: str, *args: object, **fields: Any) -> None:
    extra = {"correlation_id": trace, "event": type(event).__name__, **fields}
    logger.info(message, *args, extra=extra)


class TradeLifecycleLog:
    def __init__(self, strategy: StrategySettings) -> None:
        self._buy = strategy.buy_threshold
        self._sell = strategy.sell_threshold

    def attach(self, bus: Any) -> None:
        handlers: dict[type, Callable[[Any], None]] = {
            PredictionMade: self.on_prediction,
            SignalProposed: self.on_proposed,
            SignalApproved: self.on_approved,
            SignalRejected: self.on_rejected,
            OrderSubmitted: self.on_submitted,
            OrderAccepted: self.on_accepted,
            OrderRejected: self.on_order_rejected,
            OrderFilled: self.on_filled,
            OrderCanceled: self.on_ended,
            OrderExpired: self.on_ended,
            CancelOrder: self.on_cancel,
            ClosePosition: self.on_close,
            TradeClosed: self.on_trade_closed,
        }
        for event_type, handler in handlers.items():
            bus.subscribe(event_type, handler, name=f"trade-log.{event_type.__name__}", group="trade-log")

    def on_prediction(self, e: PredictionMade) -> None:
        verdict = "enter" if e.p_up > self._buy else "exit" if e.p_up < self._sell else "hold"
        _log(
            e,
            e.correlation_id or e.event_id,
            "prediction %s P(up)=%.4f by %s: %s (buy above %s, exit below %s)",
            e.pair,
            e.p_up,
            e.model_id,
            verdict,
            self._buy,
            self._sell,
            pair=e.pair,
            model_id=e.model_id,
            p_up=e.p_up,
            confidence=e.confidence,
            buy_threshold=self._buy,
            sell_threshold=self._sell,
            prediction_event_id=e.event_id,
        )

    def on_proposed(self, e: SignalProposed) -> None:
        _log(
            e,
            e.signal_id,
            "signal %s proposed: %s %s %s entry %s, SL %s, TP %s (prediction %s)",
            e.signal_id,
            e.side,
            e.pair,
            e.entry_type,
            e.entry_price,
            e.sl_price,
            e.tp_price,
            e.prediction_value,
            pair=e.pair,
            signal_id=e.signal_id,
            strategy_id=e.strategy_id,
            origin_correlation_id=e.correlation_id,
            prediction_event_id=e.prediction_event_id,
            prediction_value=e.prediction_value,
            buy_threshold=self._buy,
        )

    def on_approved(self, e: SignalApproved) -> None:
        _log(
            e,
            e.signal_id,
            "signal %s approved by risk: qty %s at %s (SL %s, TP %s)",
            e.signal_id,
            e.qty,
            e.entry_price,
            e.sl_price,
            e.tp_price,
            pair=e.pair,
            signal_id=e.signal_id,
            qty=str(e.qty),
            risk_checks=e.risk_details,
        )

    def on_rejected(self, e: SignalRejected) -> None:
        _log(
            e,
            e.signal_id,
            "signal %s rejected by risk at %s: %s",
            e.signal_id,
            e.stage,
            e.reason,
            pair=e.pair,
            signal_id=e.signal_id,
            stage=e.stage,
            risk_checks=e.risk_details,
        )

    def on_submitted(self, e: OrderSubmitted) -> None:
        _log(
            e,
            e.correlation_id,
            "order %s requested: %s %s %s qty %s limit %s trigger %s",
            e.client_order_id,
            e.side,
            e.order_type,
            e.pair,
            e.qty,
            e.limit_price,
            e.trigger_price,
            pair=e.pair,
            client_order_id=e.client_order_id,
            status="PENDING_NEW",
        )

    def on_accepted(self, e: OrderAccepted) -> None:
        _log(
            e,
            e.correlation_id,
            "order %s accepted by the exchange as %s",
            e.client_order_id,
            e.exchange_order_id,
            pair=e.pair,
            client_order_id=e.client_order_id,
            status="NEW",
            exchange_order_id=e.exchange_order_id,
        )

    def on_order_rejected(self, e: OrderRejected) -> None:
        _log(
            e,
            e.correlation_id,
            "order %s rejected: %s",
            e.client_order_id,
            e.reason,
            pair=e.pair,
            client_order_id=e.client_order_id,
            status="REJECTED",
            reason=e.reason,
        )

    def on_filled(self, e: OrderFilled) -> None:
        status = "FILLED" if e.leaves_qty == 0 else "PARTIALLY_FILLED"
        _log(
            e,
            e.correlation_id,
            "order %s %s: %s %s at %s (fee %s %s, %s), %s left",
            e.client_order_id,
            status,
            e.side,
            e.qty,
            e.price,
            e.fee,
            e.fee_currency,
            e.liquidity,
            e.leaves_qty,
            pair=e.pair,
            client_order_id=e.client_order_id,
            status=status,
            fill_id=e.fill_id,
            qty=str(e.qty),
            price=str(e.price),
            fee=str(e.fee),
        )

    def on_ended(self, e: OrderCanceled | OrderExpired) -> None:
        status = "CANCELED" if isinstance(e, OrderCanceled) else "EXPIRED"
        reason = e.reason if isinstance(e, OrderCanceled) else ""
        _log(
            e,
            e.correlation_id,
            "order %s %s %s",
            e.client_order_id,
            status,
            reason,
            pair=e.pair,
            client_order_id=e.client_order_id,
            status=status,
            reason=reason,
        )

    def on_cancel(self, e: CancelOrder) -> None:
        _log(
            e,
            e.correlation_id,
            "order %s cancel requested: %s",
            e.client_order_id,
            e.reason,
            pair=e.pair,
            client_order_id=e.client_order_id,
            status="PENDING_CANCEL",
            reason=e.reason,
        )

    def on_close(self, e: ClosePosition) -> None:
        _log(
            e, e.correlation_id, "close %s requested: %s", e.pair, e.reason, pair=e.pair, exit_reason=e.reason
        )

    def on_trade_closed(self, e: TradeClosed) -> None:
        _log(
            e,
            e.signal_id or e.correlation_id,
            "trade %s closed (%s): %s %s %s, entry %s exit %s, fees %s, P&L %s (%.3f%%)",
            e.trade_id,
            e.exit_reason,
            e.side,
            e.qty,
            e.pair,
            e.avg_entry_price,
            e.avg_exit_price,
            e.fees,
            e.realized_pnl,
            e.realized_pnl_pct * 100,
            pair=e.pair,
            signal_id=e.signal_id,
            trade_id=e.trade_id,
            exit_reason=e.exit_reason,
            realized_pnl=str(e.realized_pnl),
            fees=str(e.fees),
        )
