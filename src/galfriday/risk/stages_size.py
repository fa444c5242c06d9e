"""Stages that decide how much: size from risk, then every cap, then cash.

- ``size``: qty = equity × ``risk_per_trade_pct`` ÷ |entry − SL|, rounded down to the lot, so a
  stop-out loses the configured share of equity (before fees).
- ``exposure``: the position plus pending entries stays within ``max_exposure_per_asset_pct``
  and ``max_total_exposure_pct`` of equity; a larger size is reduced to fit.
- ``order_value``: at most ``max_order_value_usd`` per order (reduced to fit), and at least the
  minimum: ``min_order_value_usd`` and Kraken's ``ordermin``/``costmin`` (the minimum is worked
  out once, in ``size``, and every later stage holds the size to it).
- ``balance``: the order plus its taker fee is covered by free quote cash — cash minus what
  approved, unfilled entries hold back — and the size is reduced to what it covers.

Every reduction rounds down to the lot. A size below the minimum is rejected by the stage that
made it so, naming that minimum. Nothing is ever rounded up past a cap.
"""

from __future__ import annotations

from decimal import Decimal

from galfriday.risk.pipeline import (
    ZERO,
    Proposal,
    RiskContext,
    StageResult,
    below_minimum,
    failed,
    passed,
    set_minimum,
)

SIZE, EXPOSURE, ORDER_VALUE, BALANCE = "size", "exposure", "order_value", "balance"


def _fit(p: Proposal, budget: Decimal, unit_cost: Decimal) -> Decimal:
    """The largest on-lot quantity whose cost (``unit_cost`` per unit) fits in ``budget``."""
    assert p.instrument is not None
    return p.instrument.round_qty(budget / unit_cost) if budget > 0 else ZERO


def size(p: Proposal, ctx: RiskContext) -> StageResult:
    settings = ctx.settings
    equity = ctx.portfolio.equity()
    distance = p.price - p.sl
    risk_amount = equity * settings.risk_per_trade_pct
    inputs = {
        "equity": equity,
        "risk_per_trade_pct": settings.risk_per_trade_pct,
        "price": p.price,
        "sl_price": p.sl,
        "sl_distance": distance,
    }
    if equity <= 0:
        return failed(SIZE, f"equity is {equity}: nothing to risk", inputs)
    set_minimum(p, settings)
    p.qty = _fit(p, risk_amount, distance)
    outputs = {"risk_amount": risk_amount, "qty": p.qty, "notional": p.notional, "min_qty": p.min_qty}
    if p.qty < p.min_qty:
        return failed(
            SIZE, below_minimum(p, f"risking {risk_amount} on a {distance} stop distance"), inputs | outputs
        )
    return passed(SIZE, inputs, outputs)


def exposure(p: Proposal, ctx: RiskContext) -> StageResult:
    settings, portfolio, pair = ctx.settings, ctx.portfolio, p.signal.pair
    equity = portfolio.equity()
    asset_cap = equity * settings.max_exposure_per_asset_pct
    total_cap = equity * settings.max_total_exposure_pct
    asset_now = portfolio.exposure(pair) + ctx.in_flight.notional(pair)
    total_now = portfolio.total_exposure() + ctx.in_flight.notional()
    room = min(asset_cap - asset_now, total_cap - total_now)
    inputs = {
        "qty": p.qty,
        "notional": p.notional,
        "asset_cap": asset_cap,
        "asset_exposure": asset_now,
        "total_cap": total_cap,
        "total_exposure": total_now,
    }
    binding = "per-asset" if asset_cap - asset_now <= total_cap - total_now else "total"
    return _cap(
        p,
        EXPOSURE,
        room,
        p.price,
        inputs,
        f"the {binding} exposure cap leaves room for {max(room, ZERO)} {portfolio.quote_currency}",
    )


def order_value(p: Proposal, ctx: RiskContext) -> StageResult:
    settings, instrument = ctx.settings, p.instrument
    assert instrument is not None
    cap = settings.max_order_value_usd
    inputs = {
        "qty": p.qty,
        "notional": p.notional,
        "max_order_value": cap,
        "min_order_value": settings.min_order_value_usd,
        "ordermin": instrument.ordermin,
        "costmin": instrument.costmin,
    }
    inputs |= {"min_qty": p.min_qty, "binding_minimum": p.min_reason}
    return _cap(p, ORDER_VALUE, cap, p.price, inputs, f"the max order value {cap}")


def balance(p: Proposal, ctx: RiskContext) -> StageResult:
    assert p.instrument is not None
    portfolio = ctx.portfolio
    fee_rate = p.instrument.taker_fee
    free = portfolio.free_balance() - ctx.in_flight.amount()
    unit_cost = p.price * (1 + fee_rate)
    inputs = {
        "qty": p.qty,
        "needed": p.qty * unit_cost,
        "taker_fee": fee_rate,
        "free_balance": free,
        "quote": portfolio.quote_currency,
    }
    return _cap(
        p,
        BALANCE,
        free,
        unit_cost,
        inputs,
        f"insufficient free balance: {free} {portfolio.quote_currency} free (cash minus "
        f"reservations) covers less, at {unit_cost} per unit incl. the taker fee",
    )


def _cap(
    p: Proposal, stage: str, budget: Decimal, unit_cost: Decimal, inputs: dict[str, object], why: str
) -> StageResult:
    """Reduce ``p.qty`` to what ``budget`` allows; reject if that falls below the minimum."""
    allowed = _fit(p, budget, unit_cost)
    if p.qty <= allowed:
        return passed(stage, inputs, {"qty": p.qty, "reduced": False})
    p.qty = allowed
    if p.qty < p.min_qty:
        return failed(stage, below_minimum(p, why), inputs)
    return passed(stage, inputs, {"qty": p.qty, "reduced": True, "notional": p.notional})
