"""Stop-loss and take-profit for a long entry, on the tick, and only if the trade can pay its fees.

Modes (``strategy.sl_tp_mode``): ``fixed_pct`` — SL at ``sl_pct`` below and TP at ``tp_pct``
above the entry; ``reward_risk`` — SL at ``sl_pct``, TP at ``reward_risk`` × the SL distance;
``atr`` — SL at ``atr_multiple`` × ATR, TP at ``reward_risk`` × the SL distance.

Rounding is on the safe side: the SL rounds down and the TP up, so neither ends up closer to the
entry than asked (a tighter stop would be hit by noise the strategy meant to sit through; the
risk manager sizes on the rounded stop, so the risk budget still holds).

Cost-aware (DESIGN §7): a round trip costs the entry fee (maker for a limit entry, taker for a
market one) plus a taker exit in the worst case, 0.32–0.52 % at Kraken's base tier. A TP that
does not clear them would turn every "win" into a loss, so the entry is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from galfriday.config.sections.signal import StrategySettings
from galfriday.core.errors import GalFridayError, InstrumentError
from galfriday.core.instruments import Instrument
from galfriday.core.types import OrderType


class EntryRefused(GalFridayError):
    """The strategy will not propose this entry; the message says why."""


@dataclass(frozen=True, slots=True)
class Bracket:
    sl: Decimal
    tp: Decimal


def bracket(
    settings: StrategySettings,
    instrument: Instrument,
    entry: Decimal,
    entry_type: OrderType,
    atr: Decimal | None,
) -> Bracket:
    """SL and TP around ``entry`` (the limit price, or the mid for a market entry)."""
    if settings.sl_tp_mode == "atr":
        if atr is None or atr <= 0:
            raise EntryRefused(
                f"no ATR for {instrument.symbol} yet ({settings.atr_feature}): cannot place the stop"
            )
        sl_distance = atr * settings.atr_multiple
        tp_distance = sl_distance * settings.reward_risk
    elif settings.sl_tp_mode == "reward_risk":
        sl_distance = entry * settings.sl_pct
        tp_distance = sl_distance * settings.reward_risk
    else:
        sl_distance = entry * settings.sl_pct
        tp_distance = entry * settings.tp_pct
    if sl_distance >= entry:
        raise EntryRefused(f"stop distance {sl_distance} is not below the entry {entry}")
    try:
        sl = instrument.round_price(entry - sl_distance, ROUND_FLOOR)
        tp = instrument.round_price(entry + tp_distance, ROUND_CEILING)
    except InstrumentError as exc:
        raise EntryRefused(str(exc)) from exc
    entry_fee = instrument.maker_fee if entry_type is OrderType.LIMIT else instrument.taker_fee
    net_at_tp = tp * (1 - instrument.taker_fee) - entry * (1 + entry_fee)
    if net_at_tp <= 0:
        raise EntryRefused(
            f"TP {tp} does not clear round-trip fees on an entry at {entry} (entry fee {entry_fee}, exit "
            f"fee {instrument.taker_fee}): widen the take-profit"
        )
    return Bracket(sl, tp)
