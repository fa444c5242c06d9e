"""The crash campaign's parts: the exchange simulator process, the trader processes, one run's plan.

- ``SimProcess``: ``galfriday exchange-sim`` as a separate process (one for the campaign, one
  account per run, so runs in parallel never see each other's orders or balances);
- ``start_trader``: ``run_session`` — what ``galfriday run --mode live`` calls — in a separate
  process forked from a server that imported the runtime once (``multiprocessing`` forkserver):
  a hundred cold Python starts would cost minutes of CPU; the crash variable is armed in the child;
- ``plan_runs``: the seeded choice of crash point, ``nth`` and the moment a graceful stop is asked
  (the shutdown points need one); ``trader_config``: a lively live configuration on 1-second bars.

By hand: ``GALFRIDAY_CRASH_AT=journal.ack_recorded:2 python -m tests.acceptance._crash_kit CONFIG``
runs one trader exactly as the campaign does (``docs/crash_safety.md``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import multiprocessing
import os
import random
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import yaml

from galfriday.core.crashpoints import ENV_VAR, POINTS
from galfriday.sim.server import AccountSpec
from galfriday.strategy.sources import RsiRule
from tests.integration.app.paper_kit import free_port

# RSI(2) on 1-second bars, entering unless the market is rising hard: a position within seconds.
RULE = RsiRule(period=2, enter_below=70, exit_above=90)
START_BALANCES = {"USD": Decimal(20_000), "XRP": Decimal(0), "DOGE": Decimal(0)}
RUNNING_LINE = "session RUNNING"
# How many times a point may be passed before the crash (``nth`` is drawn up to this): points every
# order passes allow later crashes; the stop and the exits come once a position is open.
NTH_MAX = {
    "journal.intent_recorded": 3,
    "venue.add_order_answered": 3,
    "journal.ack_unrecorded": 3,
    "journal.ack_recorded": 3,
    "journal.partial_fill_unrecorded": 2,
    "journal.partial_fill_recorded": 2,
    "execution.entry_filled": 2,
    "journal.take_profit_placed": 2,
    "execution.stop_triggered": 1,
    "execution.exit_started": 1,
    "venue.cancel_sent": 2,
    "shutdown.cancel_wait": 2,
}
# The shutdown point needs a graceful stop while an order works: asked once a take-profit is sent.
STOP_WHEN = {"shutdown.cancel_wait": "requested: SELL LIMIT"}
# How each run trades: (entry order type, SL %, TP %); None draws the entry type from the seed. A
# bracket a few ticks wide turns a position over within seconds; the stop runs want it a tick or
# two away; the exit and shutdown runs want positions that live on until the strategy's exit or a
# take-profit resting when the stop is asked for.
PROFILES: dict[str, tuple[str | None, str, str]] = {
    "execution.stop_triggered": ("MARKET", "0.00002", "0.0003"),
    "execution.exit_started": ("MARKET", "0.0005", "0.0008"),
    "shutdown.cancel_wait": ("LIMIT", "0.0005", "0.0008"),
}
DEFAULT_PROFILE: tuple[str | None, str, str] = (None, "0.00006", "0.00012")
CRASH_WAIT_S = 15.0  # a point not reached by then: the process is asked to stop (and the run counted apart)


def account(index: int) -> AccountSpec:
    secret = base64.b64encode(hashlib.sha512(f"crash-campaign:{index}".encode()).digest()).decode()
    return AccountSpec(
        name=f"crash-{index}",
        api_key=f"crash-key-{index}",
        secret=secret,
        tier="pro",
        balances=START_BALANCES,
    )


def write_accounts(path: Path, accounts: Sequence[AccountSpec]) -> Path:
    entries = [
        {
            "name": a.name,
            "api_key": a.api_key,
            "secret": a.secret,
            "tier": a.tier,
            "balances": {k: str(v) for k, v in a.balances.items()},
        }
        for a in accounts
    ]
    path.write_text(yaml.safe_dump({"accounts": entries}), encoding="utf-8")
    return path


# -- the exchange simulator ---------------------------------------------------------------------


class SimProcess:
    """``galfriday exchange-sim`` in its own process on a free port, with a state file."""

    def __init__(self, folder: Path, accounts: Sequence[AccountSpec], *, seed: int) -> None:
        self.port = free_port()
        self.folder = folder
        self._args = [
            sys.executable,
            "-m",
            "galfriday.cli",
            "exchange-sim",
            "--port",
            str(self.port),
            "--state",
            str(folder / "sim-state.json"),
            "--accounts",
            str(write_accounts(folder / "sim-accounts.yaml", accounts)),
            "--seed",
            str(seed),
            "--speed",
            "1",
        ]
        self._proc: asyncio.subprocess.Process | None = None

    @property
    def rest_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> SimProcess:
        log = (self.folder / "sim.out").open("wb")
        self._proc = await asyncio.create_subprocess_exec(*self._args, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while not await _port_open(self.port):
            if self._proc.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError(f"exchange-sim did not start: {(self.folder / 'sim.out').read_text()}")
            await asyncio.sleep(0.1)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._proc is not None and self._proc.returncode is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self._proc.wait(), 15)
            except TimeoutError:
                self._proc.kill()
                await self._proc.wait()


async def _port_open(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


# -- one run's plan -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CrashRun:
    """Run ``index``: crash at ``point`` the ``nth`` time. A graceful stop is asked ``stop_delay_s``
    after the log shows ``stop_when`` (the shutdown points are only reached that way), or after
    ``CRASH_WAIT_S`` if the process still lives."""

    index: int
    point: str
    nth: int
    on_entry_timeout: str
    postgres: bool
    stop_when: str | None = None
    stop_delay_s: float = 0.0
    entry_type: str = "LIMIT"
    sl_pct: str = DEFAULT_PROFILE[1]
    tp_pct: str = DEFAULT_PROFILE[2]

    @property
    def crash_at(self) -> str:
        return f"{self.point}:{self.nth}"

    def __str__(self) -> str:
        db = "postgres" if self.postgres else "sqlite"
        return (
            f"run {self.index} {self.crash_at} ({db}, {self.entry_type} entries, timeout -> "
            f"{self.on_entry_timeout})"
        )


def plan_runs(seed: int, per_point: int, *, postgres_every: int) -> list[CrashRun]:
    """``per_point`` runs of every crash point; ``nth``, timings and options drawn from ``seed``."""
    rng = random.Random(seed)
    runs = []
    for _ in range(per_point):
        for point in POINTS:
            index = len(runs)
            entry_type, sl_pct, tp_pct = PROFILES.get(point, DEFAULT_PROFILE)
            runs.append(
                CrashRun(
                    index=index,
                    point=point,
                    nth=rng.randint(1, NTH_MAX[point]),
                    on_entry_timeout=rng.choice(("cancel", "market")),
                    postgres=postgres_every > 0 and index % postgres_every == postgres_every - 1,
                    stop_when=STOP_WHEN.get(point),
                    stop_delay_s=round(rng.uniform(0.0, 1.5), 2),
                    entry_type=entry_type or rng.choice(("LIMIT", "MARKET")),
                    sl_pct=sl_pct,
                    tp_pct=tp_pct,
                )
            )
    return runs


def trader_config(
    folder: Path, run: CrashRun, spec: AccountSpec, sim: SimProcess, database_url: str, *, phase: str
) -> Path:
    """Live mode on the simulator's account ``spec``: 1-second bars, the run's bracket (a few ticks
    wide), short entry timeouts and holding times: the whole order lifecycle turns within seconds."""
    config: dict[str, Any] = {
        "exchange": {
            "rest_url": sim.rest_url,
            "ws_public_url": f"ws://127.0.0.1:{sim.port}/v2",
            "ws_private_url": f"ws://127.0.0.1:{sim.port}/v2-auth",
            "request_timeout_s": 5,
            "api_key": spec.api_key,
            "api_secret": spec.secret,
            "api_tier": spec.tier,
            "nonce_file": str(folder / "kraken.nonce"),
        },
        "pairs": ["XRP/USD", "DOGE/USD"],
        "market_data": {"bar_interval_s": 1, "stale_after_s": 600, "heartbeat_timeout_s": 15},
        "strategy": {
            "sl_pct": run.sl_pct,
            "tp_pct": run.tp_pct,
            "entry_order_type": run.entry_type,
            "entry_timeout_s": 3,
            "on_entry_timeout": run.on_entry_timeout,
            "max_holding_s": 5,
        },
        "risk": {
            "loss_streak_warn": 500,
            "loss_streak_halt": 1000,
            "max_consecutive_order_failures": 50,
            "max_api_errors": 50,
            "volatility_halt": {"enabled": False},
        },
        "execution": {
            "mode": "live",
            "maker_fee": "0.00001",
            "taker_fee": "0.00002",
            "dead_man_switch_s": 60,
            "cancel_on_shutdown": True,
        },
        "portfolio": {"snapshot_interval_s": 5},
        "monitoring": {"metrics_enabled": False, "health_check_interval_s": 5},
        "logging": {"level": "INFO", "json_file": str(folder / f"{phase}.jsonl"), "console": False},
        "database": {"url": database_url},
        "timeseries": {"backend": "duckdb", "duckdb_path": str(folder / "timeseries.duckdb")},
        "redis": {"url": None},
        "dashboard": {"enabled": False},
        "prediction": {"models_dir": str(folder / "models")},
    }
    path = folder / f"{phase}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


# -- the trader process -------------------------------------------------------------------------

_PRELOAD = ["galfriday.app.runtime", "galfriday.kraken.venue", "tests.acceptance._crash_kit"]


def _context() -> Any:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def trader_main(config: str, crash_at: str, output: str) -> None:
    """The child: stdout/stderr to ``output``, the crash point armed, then ``galfriday run --mode live``."""
    from galfriday.app.runtime.options import RunOptions
    from galfriday.app.runtime.run import run_session
    from galfriday.core import crashpoints

    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    if crash_at:
        os.environ[ENV_VAR] = crash_at
    else:
        os.environ.pop(ENV_VAR, None)
    crashpoints.arm_from_environment()
    options = RunOptions(
        mode="live", config_file=Path(config), rule=RULE, cancel_timeout_s=10, flush_timeout_s=10
    )
    sys.exit(asyncio.run(run_session(options)))


class Trader:
    """One trader process; ``exitcode`` is -9 after a SIGKILL."""

    def __init__(self, process: BaseProcess, log: Path, output: Path) -> None:
        self.process = process
        self.log = log
        self.output = output

    @property
    def exitcode(self) -> int | None:
        return self.process.exitcode

    def logged(self, text: str) -> bool:
        return self.log.exists() and text in self.log.read_text(encoding="utf-8", errors="replace")

    def running(self) -> bool:
        return self.logged(RUNNING_LINE)

    def crashed_at(self) -> str | None:
        """The crash point the process reported just before its SIGKILL."""
        for line in self.output.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("crashpoint ") and line.endswith(": SIGKILL"):
                return line.removeprefix("crashpoint ").removesuffix(": SIGKILL")
        return None

    def terminate(self) -> None:
        if self.process.pid is not None and self.process.exitcode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGTERM)

    async def wait(self, timeout_s: float) -> int | None:
        deadline = time.monotonic() + timeout_s
        while self.process.exitcode is None and time.monotonic() < deadline:  # noqa: ASYNC110 - another process
            await asyncio.sleep(0.05)
        return self.process.exitcode

    async def kill(self) -> None:
        if self.process.exitcode is None:
            self.process.kill()
            await self.wait(10)


def start_trader(config: Path, crash_at: str, output: Path) -> Trader:
    process = _context().Process(
        target=trader_main, args=(str(config), crash_at, str(output)), name=f"trader {output.stem}"
    )
    process.start()
    return Trader(process, config.with_suffix(".jsonl"), output)


# -- one run: crash, restart, stop --------------------------------------------------------------

RESTART_RUN_S = 2.0  # the restarted trader reconciles, then trades this long before its SIGTERM
START_TIMEOUT_S = 40.0
STOP_TIMEOUT_S = 40.0


@dataclass
class RunOutcome:
    run: CrashRun
    crashed_at: str | None = None  # the point the first process reported before its SIGKILL
    first_exit: int | None = None
    restart_exit: int | None = None
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def crashed(self) -> bool:
        return self.first_exit == -signal.SIGKILL and self.crashed_at == self.run.crash_at


async def crash_and_restart(
    run: CrashRun, spec: AccountSpec, sim: SimProcess, folder: Path, database_url: str
) -> RunOutcome:
    """The first trader crashes at the run's point (or is asked to stop); the second reconciles,
    trades for ``RESTART_RUN_S`` and stops on SIGTERM. What the checks need is then on disk."""
    outcome = RunOutcome(run)
    began = time.monotonic()
    first = start_trader(
        trader_config(folder, run, spec, sim, database_url, phase="first"), run.crash_at, folder / "first.out"
    )
    outcome.first_exit = await _until_stop_wanted(first, run)
    if outcome.first_exit is None:
        first.terminate()
        outcome.first_exit = await first.wait(STOP_TIMEOUT_S)
    if outcome.first_exit is None:
        await first.kill()
        outcome.problems.append("the first trader did not stop on SIGTERM")
    outcome.crashed_at = first.crashed_at()
    second = start_trader(
        trader_config(folder, run, spec, sim, database_url, phase="second"), "", folder / "second.out"
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while not second.running() and second.exitcode is None and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    if second.running():
        await asyncio.sleep(RESTART_RUN_S)
    else:
        outcome.problems.append(f"the restart did not reach RUNNING: {_tail(second.output)}")
    second.terminate()
    outcome.restart_exit = await second.wait(STOP_TIMEOUT_S)
    if outcome.restart_exit is None:
        await second.kill()
    if outcome.restart_exit != 0:
        outcome.problems.append(f"the restart exited {outcome.restart_exit}: {_tail(second.output)}")
    outcome.seconds = time.monotonic() - began
    return outcome


async def _until_stop_wanted(trader: Trader, run: CrashRun) -> int | None:
    """Wait for the crash; None once the run wants a graceful stop instead (or waited enough)."""
    deadline = time.monotonic() + CRASH_WAIT_S
    while trader.exitcode is None and time.monotonic() < deadline:
        if run.stop_when is not None and trader.logged(run.stop_when):
            await asyncio.sleep(run.stop_delay_s)
            break
        await asyncio.sleep(0.05)
    return trader.exitcode


def _tail(path: Path, lines: int = 5) -> str:
    if not path.exists():
        return "(no output)"
    return " | ".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


if __name__ == "__main__":  # one trader by hand, armed from the environment like the campaign's
    trader_main(sys.argv[1], os.environ.get(ENV_VAR, ""), "/dev/stderr")
