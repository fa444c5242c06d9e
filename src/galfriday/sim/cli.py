"""``galfriday exchange-sim``: run the Kraken-compatible exchange simulator (``sim.server``).

Mounted by the main CLI through ``register(app)``. It prints the base URLs to give our clients
(or any Kraken client) and the accounts' API keys, then serves until Ctrl-C / SIGTERM, writing
the state file (if any) on the way out.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from galfriday.sim.errors import SimError

if TYPE_CHECKING:
    from galfriday.sim.server import AccountSpec, ExchangeSimulator


def register(app: typer.Typer) -> None:
    """Add the ``exchange-sim`` command to ``app``."""
    app.command("exchange-sim")(exchange_sim)


def exchange_sim(
    port: Annotated[int, typer.Option(help="TCP port for REST, WS and admin (0: any free port).")] = 8080,
    host: Annotated[
        str, typer.Option(help="Address to bind; keep the loopback unless you mean it.")
    ] = "127.0.0.1",
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            help="PAIR=FILE.parquet, candles or trades to replay (repeatable); default: generated market.",
        ),
    ] = None,
    speed: Annotated[str, typer.Option(help="Replay speed: 1, 10x, 0.5 or max.")] = "1",
    faults: Annotated[
        str, typer.Option(help="Faults at start: JSON or a JSON file (sim.server.faults).")
    ] = "",
    accounts: Annotated[
        Path | None, typer.Option(help="YAML/JSON accounts file (sim.server.accounts).")
    ] = None,
    state: Annotated[
        Path | None, typer.Option(help="State file: orders, balances, nonces survive restarts.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the generated market, ids and random faults.")] = 0,
    admin_token: Annotated[
        str | None,
        typer.Option(
            envvar="GALFRIDAY_SIM_ADMIN_TOKEN",
            help="Enables /admin (faults at run time) behind this bearer token.",
        ),
    ] = None,
    latency_ms: Annotated[
        float, typer.Option(help="Extra matching-engine latency per order and cancel.")
    ] = 0.0,
) -> None:
    """Serve a simulated Kraken (REST + WS v2) that replays market data through the fill model."""
    from galfriday.sim.server import DataFile, ExchangeSimulator, SimulatorConfig, load_accounts, parse_speed
    from galfriday.sim.server.accounts import demo_account
    from galfriday.sim.server.faults import faults_argument, parse_faults

    try:
        faults_json = faults_argument(faults)
        parse_faults(faults_json)  # fail before binding the port
        config = SimulatorConfig(
            host=host,
            port=port,
            seed=seed,
            speed=parse_speed(speed),
            data=tuple(DataFile.parse(d) for d in data or ()),
            accounts=load_accounts(accounts) if accounts else (),
            faults_json=faults_json,
            state_path=state,
            admin_token=admin_token,
            latency_ms=latency_ms,
        )
    except SimError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    specs = config.accounts or (demo_account(seed),)
    try:
        asyncio.run(_serve(ExchangeSimulator(config), show_secrets=not config.accounts, specs=specs))
    except SimError as exc:  # a data file or the state file turned out unusable at start
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    except OSError as exc:  # typically the port is taken
        typer.echo(f"error: cannot serve on {host}:{port}: {exc.strerror}; choose another --port", err=True)
        raise typer.Exit(2) from exc


async def _serve(sim: ExchangeSimulator, *, show_secrets: bool, specs: tuple[AccountSpec, ...]) -> None:
    await sim.start()
    typer.echo(f"REST          {sim.rest_url}   (/0/public/..., /0/private/...)")
    typer.echo(f"WS public     {sim.ws_public_url}")
    typer.echo(f"WS private    {sim.ws_private_url}")
    if sim.config.admin_token:
        typer.echo(f"admin         {sim.admin_url}/faults  (Authorization: Bearer <token>)")
    for spec in specs:
        secret = f"  secret {spec.secret}" if show_secrets else ""
        typer.echo(f"account       {spec.name or '-'}: API key {spec.api_key} ({spec.tier}){secret}")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        typer.echo("stopping: writing state and closing connections")
        await sim.stop()
