"""Stages that check the order itself: is it complete and sane, on the tick, near the market.

- ``validate``: fields present and positive, a known pair, a long entry (spot is long-only:
  exits are ``ClosePosition`` commands, never signals), SL below and TP above the entry.
- ``round``: prices to the tick on the safe side — the limit down (never more aggressive), the
  SL down and the TP up (never closer to the entry than the strategy asked).
- ``fat_finger``: a limit within ``fat_finger_pct`` of the mid; a market entry is priced at the
  mid, which must exist and lie between SL and TP.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR

from galfriday.core.errors import InstrumentError
from galfriday.core.types import OrderType, Side
from galfriday.risk.pipeline import Proposal, RiskContext, StageResult, failed, passed

VALIDATE, ROUND, FAT_FINGER = "validate", "round", "fat_finger"


def validate(p: Proposal, ctx: RiskContext) -> StageResult:
    s = p.signal
    inputs = {
        "pair": s.pair,
        "side": s.side.value,
        "entry_type": s.entry_type.value,
        "entry_price": s.entry_price,
        "sl_price": s.sl_price,
        "tp_price": s.tp_price,
    }
    instrument = ctx.instruments.get(s.pair)
    if instrument is None:
        known = ", ".join(sorted(ctx.instruments)) or "none"
        return failed(VALIDATE, f"unknown pair {s.pair!r} (known: {known})", inputs)
    if s.side is not Side.BUY:
        return failed(
            VALIDATE,
            "spot is long-only: a SELL signal cannot open a position; exits are ClosePosition commands",
            inputs,
        )
    if s.entry_type not in (OrderType.LIMIT, OrderType.MARKET):
        return failed(
            VALIDATE, f"entry type {s.entry_type} is not allowed: enter with LIMIT or MARKET", inputs
        )
    if s.entry_type is OrderType.LIMIT and (s.entry_price is None or s.entry_price <= 0):
        return failed(VALIDATE, f"a LIMIT entry needs a positive entry price, got {s.entry_price}", inputs)
    if s.sl_price <= 0 or s.tp_price <= 0:
        return failed(VALIDATE, f"SL {s.sl_price} and TP {s.tp_price} must be positive", inputs)
    if s.entry_price is not None and not s.sl_price < s.entry_price < s.tp_price:
        return failed(
            VALIDATE,
            f"a long needs SL < entry < TP, got SL {s.sl_price}, entry {s.entry_price}, TP {s.tp_price}",
            inputs,
        )
    if s.sl_price >= s.tp_price:
        return failed(VALIDATE, f"SL {s.sl_price} must be below TP {s.tp_price}", inputs)
    p.instrument = instrument
    return passed(VALIDATE, inputs)


def round_prices(p: Proposal, ctx: RiskContext) -> StageResult:
    s, instrument = p.signal, p.instrument
    assert instrument is not None
    inputs = {
        "tick": instrument.tick,
        "entry_price": s.entry_price,
        "sl_price": s.sl_price,
        "tp_price": s.tp_price,
    }
    try:
        entry = None if s.entry_price is None else instrument.round_price_passive(Side.BUY, s.entry_price)
        sl = instrument.round_price(s.sl_price, ROUND_FLOOR)
        tp = instrument.round_price(s.tp_price, ROUND_CEILING)
    except InstrumentError as exc:
        return failed(ROUND, str(exc), inputs)
    if entry is not None and not sl < entry:
        return failed(
            ROUND,
            f"on the {instrument.tick} tick the SL ({sl}) is not below the entry ({entry}): "
            "the stop is too close to the entry",
            inputs,
        )
    p.entry_price, p.sl, p.tp = entry, sl, tp
    return passed(ROUND, inputs, {"entry_price": entry, "sl_price": sl, "tp_price": tp})


def fat_finger(p: Proposal, ctx: RiskContext) -> StageResult:
    s = p.signal
    limit = ctx.settings.fat_finger_pct
    mid = ctx.portfolio.reference_price(s.pair)
    inputs = {"mid": mid, "entry_price": p.entry_price, "max_deviation_pct": limit}
    if mid is None:
        return failed(FAT_FINGER, f"no market price for {s.pair} yet: wait for the order book", inputs)
    if p.entry_price is None:
        if not p.sl < mid < p.tp:
            return failed(
                FAT_FINGER,
                f"a market entry at the mid {mid} must lie between SL {p.sl} and TP {p.tp}",
                inputs,
            )
        p.price = mid
        return passed(FAT_FINGER, inputs, {"price": mid, "deviation_pct": 0})
    deviation = abs(p.entry_price - mid) / mid
    if deviation > limit:
        return failed(
            FAT_FINGER,
            f"limit {p.entry_price} is {deviation * 100:.2f}% from the mid {mid}; "
            f"the most allowed is {limit * 100:.2f}%",
            inputs,
        )
    p.price = p.entry_price
    return passed(FAT_FINGER, inputs, {"price": p.entry_price, "deviation_pct": deviation})
