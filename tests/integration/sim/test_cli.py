"""``exchange-sim`` as a process: it prints its URLs, serves, and on SIGTERM writes its state."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from galfriday.sim.cli import register

_LAUNCH = (
    "import sys, typer; from galfriday.sim.cli import register; app = typer.Typer(); "
    "app.command('noop')(lambda: None); register(app); app()"
)


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("noop")(lambda: None)
    register(app)
    return app


def test_bad_arguments_exit_2_with_the_reason() -> None:
    runner = CliRunner()
    result = runner.invoke(_app(), ["exchange-sim", "--faults", '{"kind": "flood"}'])
    assert result.exit_code == 2 and "flood" in result.output
    result = runner.invoke(_app(), ["exchange-sim", "--speed", "fast-ish"])
    assert result.exit_code == 2 and "--speed" in result.output


async def test_process_serves_and_saves_state_on_sigterm(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _LAUNCH,
        "exchange-sim",
        "--port",
        "0",
        "--state",
        str(state),
        "--seed",
        "5",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        first = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        rest_url = first.split()[1]
        reader, writer = await asyncio.open_connection(*rest_url.removeprefix("http://").split(":"))
        writer.write(b"GET /0/public/SystemStatus HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reply = (await reader.read()).decode()
        writer.close()
        assert '"status":"online"' in reply
        lines = [(await proc.stdout.readline()).decode() for _ in range(3)]
        assert any("galfriday-sim-demo-5" in line and "secret" in line for line in lines)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    assert json.loads(state.read_text())["accounts"][0]["api_key"] == "galfriday-sim-demo-5"
