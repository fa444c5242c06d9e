"""A/B experiments: the z-test by hand, the 30-sample rule, auto-stop, allocation, persistence."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import PredictionMade, TradeClosed
from galfriday.core.types import ExitReason, Side
from galfriday.prediction.experiment_tracker import ExperimentTracker
from galfriday.prediction.experiments import (
    Arm,
    ArmStats,
    Experiment,
    ExperimentConfig,
    two_proportion_z_test,
)
from galfriday.prediction.registry import ModelRegistry
from galfriday.storage.db.database import Database
from galfriday.storage.db.records_ml import ExperimentRecord, ExperimentStatus
from galfriday.storage.db.repositories.experiments import ExperimentRepository
from tests.unit.prediction import stubs

DAY_NS = 86_400 * 10**9


def config(**kwargs) -> ExperimentConfig:
    return ExperimentConfig("ab-1", "control-model", "treatment-model", **kwargs)


def test_the_z_test_against_a_hand_computed_example() -> None:
    # control 30/60 = 50 %, treatment 45/60 = 75 %: pooled p = 75/120 = 0.625,
    # se = sqrt(0.625 · 0.375 · (1/60 + 1/60)) = 0.0883883, z = 0.25 / se = 2.828427, p = 0.004678
    test = two_proportion_z_test(ArmStats(60, 30, 0.0), ArmStats(60, 45, 0.0))
    assert test.z == pytest.approx(2.828427, abs=1e-6)
    assert test.p_value == pytest.approx(0.004678, abs=1e-6)
    assert two_proportion_z_test(ArmStats(40, 40, 0), ArmStats(40, 40, 0)).p_value == 1.0


def feed(experiment: Experiment, arm: Arm, wins: int, losses: int, pnl: float = 0.01) -> None:
    for _ in range(wins):
        experiment.record(arm, pnl)
    for _ in range(losses):
        experiment.record(arm, -pnl)


def test_no_decision_before_30_trades_per_arm() -> None:
    experiment = Experiment(config(loss_limit=None), 0)
    feed(experiment, Arm.CONTROL, 0, 29)
    feed(experiment, Arm.TREATMENT, 29, 0)  # as lopsided as it gets, but 29 < 30
    undecided = experiment.evaluate(1)
    assert not undecided.stop and undecided.test is None
    feed(experiment, Arm.CONTROL, 0, 1)
    feed(experiment, Arm.TREATMENT, 1, 0)
    decided = experiment.evaluate(2)
    assert decided.stop and decided.winner is Arm.TREATMENT and decided.reason.startswith("significant: p=")
    assert decided.treatment.win_rate == 1.0 and decided.control.mean_pnl == pytest.approx(-0.01)
    feed(experiment, Arm.CONTROL, 50, 0)  # a stopped experiment no longer changes
    assert experiment.evaluate(3) is decided


def test_equal_arms_run_on_until_the_time_limit() -> None:
    experiment = Experiment(config(max_duration_s=7 * 86_400, loss_limit=None), 0)
    feed(experiment, Arm.CONTROL, 20, 20)
    feed(experiment, Arm.TREATMENT, 21, 19)
    assert not experiment.evaluate(6 * DAY_NS).stop
    ended = experiment.evaluate(7 * DAY_NS)
    assert ended.stop and ended.winner is None and "time limit" in ended.reason
    assert ended.test is not None and ended.test.p_value > 0.05


def test_the_loss_limit_stops_the_treatment_at_once() -> None:
    experiment = Experiment(config(loss_limit=0.05), 0)
    feed(experiment, Arm.TREATMENT, 0, 4, pnl=0.01)
    assert not experiment.evaluate(1).stop
    feed(experiment, Arm.TREATMENT, 0, 1, pnl=0.015)
    stopped = experiment.evaluate(2)
    assert stopped.stop and stopped.winner is Arm.CONTROL and stopped.reason.startswith("loss limit")


def test_allocation_is_reproducible_and_near_the_share() -> None:
    hashed = Experiment(config(allocation="hash", treatment_share=0.3), 0)
    arms = [hashed.assign("XRP/USD", ts) for ts in range(2000)]
    assert arms == [
        Experiment(config(allocation="hash", treatment_share=0.3), 0).assign("XRP/USD", ts)
        for ts in range(2000)
    ]
    assert 0.26 < Counter(arms)[Arm.TREATMENT] / 2000 < 0.34
    first = [Experiment(config(allocation="random", seed=5), 0).assign("XRP/USD", 0) for _ in range(3)]
    assert len(set(first)) == 1
    seeded = Experiment(config(allocation="random", seed=5), 0)
    again = Experiment(config(allocation="random", seed=5), 0)
    assert [seeded.assign("p", t) for t in range(50)] == [again.assign("p", t) for t in range(50)]
    with pytest.raises(ValueError, match=">= 30"):
        config(min_samples_per_arm=10)


def trade(correlation_id: str, pnl_pct: float) -> TradeClosed:
    return TradeClosed(
        ts_event=1,
        ts_init=1,
        correlation_id=correlation_id,
        trade_id=correlation_id,
        signal_id=None,
        pair="XRP/USD",
        strategy_id="default",
        side=Side.BUY,
        qty=Decimal(10),
        avg_entry_price=Decimal(1),
        avg_exit_price=Decimal(1),
        entry_time_ns=0,
        exit_time_ns=1,
        fees=Decimal("0.01"),
        realized_pnl=Decimal(0),
        realized_pnl_pct=pnl_pct,
        exit_reason=ExitReason.TP_HIT,
    )


def prediction(correlation_id: str, model_id: str) -> PredictionMade:
    return PredictionMade(
        ts_event=1,
        ts_init=1,
        correlation_id=correlation_id,
        pair="XRP/USD",
        model_id=model_id,
        prediction_target="t",
        p_up=0.7,
        member_model_ids=(model_id,),
    )


def test_the_tracker_attributes_trades_to_arms_saves_and_stops() -> None:
    bus = SyncBus()
    saved: list[ExperimentRecord] = []
    stopped: list[str] = []
    experiment = Experiment(config(loss_limit=None), 0)
    tracker = ExperimentTracker(
        bus, SimClock(DAY_NS), experiment, save=saved.append, on_stop=lambda e, d: stopped.append(d.reason)
    )
    tracker.start()
    assert saved[-1].status is ExperimentStatus.RUNNING
    for i in range(30):
        bus.publish(prediction(f"c{i}", "control-model"))
        bus.publish(prediction(f"t{i}", "treatment-model"))
        bus.publish(prediction(f"x{i}", "some-other-model"))
        bus.publish(trade(f"x{i}", 0.01))  # not in the experiment: ignored
        bus.publish(trade(f"c{i}", 0.01 if i % 3 == 0 else -0.01))  # 10/30 wins
        bus.publish(trade(f"t{i}", 0.01 if i % 10 else -0.01))  # 27/30 wins
    record = saved[-1]
    assert record.status is ExperimentStatus.STOPPED and record.ended_at is not None
    assert record.results["winner"] == "treatment" and record.results["p_value"] < 0.05
    assert record.results["control"]["n"] == 30 and record.results["treatment"]["wins"] == 27
    assert stopped == [record.stop_reason]
    assert bus.subscriptions == ()  # it unsubscribed


async def test_experiments_are_stored(registry: ModelRegistry, database: Database) -> None:
    ids = []
    for p in (0.6, 0.7):
        the_bundle = stubs.bundle(stubs.ConstantEstimator(p))
        ids.append((await registry.register(stubs.result(the_bundle), stubs.decision(True))).model_id)
    experiment = Experiment(ExperimentConfig("ab-db", ids[0], ids[1], loss_limit=0.02), 0)
    feed(experiment, Arm.CONTROL, 3, 1)
    repository = ExperimentRepository(database.sessions)
    started = datetime(2026, 11, 25, tzinfo=UTC)
    running = experiment.to_record(experiment.evaluate(0), started_at=started, now=started)
    assert await repository.save(running) == running
    assert await repository.save(running) == running  # saving again is harmless
    assert [r.experiment_id for r in await repository.list_experiments(ExperimentStatus.RUNNING)] == ["ab-db"]
    feed(experiment, Arm.TREATMENT, 0, 3)
    later = started + timedelta(hours=1)
    stopped = experiment.to_record(experiment.evaluate(1), started_at=started, now=later)
    await repository.save(stopped)
    stored = await repository.get("ab-db")
    assert stored is not None and stored.status is ExperimentStatus.STOPPED and stored.ended_at == later
    assert stored.results["control"]["wins"] == 3 and stored.stop_reason.startswith("loss limit")
    assert stored.started_at == started and stored.config["loss_limit"] == 0.02
    assert await repository.list_experiments(ExperimentStatus.RUNNING) == []
