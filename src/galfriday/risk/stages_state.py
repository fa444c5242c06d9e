"""The last stage: is the system allowed to open anything at all?

A latched HALT refuses every entry. So does a drawdown already at its limit, even if the
HaltCoordinator has not processed the move yet (on the live bus it may be one event behind).
"""

from __future__ import annotations

from galfriday.risk.pipeline import Proposal, RiskContext, StageResult, failed, passed

HALT = "halt"


def halt_state(p: Proposal, ctx: RiskContext) -> StageResult:
    settings = ctx.settings
    drawdowns = ctx.portfolio.drawdowns()
    record = ctx.halt.current
    inputs = {
        "halted": ctx.halt.is_halted,
        "daily_drawdown": drawdowns.daily,
        "weekly_drawdown": drawdowns.weekly,
        "total_drawdown": drawdowns.total,
    }
    if ctx.halt.is_halted:
        why = f"{record.trigger}: {record.reason}" if record is not None else "HALT in force"
        return failed(HALT, f"trading is HALTED ({why}); no new entries until a person resumes", inputs)
    limits = (
        ("daily", drawdowns.daily, settings.max_daily_drawdown_pct),
        ("weekly", drawdowns.weekly, settings.max_weekly_drawdown_pct),
        ("total", drawdowns.total, settings.max_total_drawdown_pct),
    )
    for window, value, limit in limits:
        if value >= limit:
            return failed(
                HALT, f"{window} drawdown {value * 100:.2f}% is at its {limit * 100:.2f}% limit", inputs
            )
    return passed(HALT, inputs)
