"""``galfriday status | halt | resume``: operate a running session through its control API.

``register(app)`` adds the three commands to a Typer app. The URL comes from ``--url`` or the
configuration (``dashboard.host``/``port``); the key from ``--api-key``, ``GALFRIDAY_API_KEY`` or
``dashboard.api_key``. Exit codes: 0 done (``status``: running), 1 refused or HALTED, 2 usage or
configuration problem (including a rejected key), 3 the API is unreachable.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from galfriday.app.control_client import ApiResponse, ApiUnreachable, ControlClient
from galfriday.config.loader import load_config
from galfriday.core.errors import ConfigError

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3
API_KEY_ENV = "GALFRIDAY_API_KEY"

UrlOption = Annotated[
    str | None,
    typer.Option("--url", help="Control API URL (default: http://dashboard.host:dashboard.port)."),
]
KeyOption = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        envvar=API_KEY_ENV,
        help="Control API key (default: dashboard.api_key).",
        show_default=False,
    ),
]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="YAML configuration file (for the URL and key).")
]
ByOption = Annotated[str | None, typer.Option("--by", help="Your name, recorded with the action.")]


def register(app: typer.Typer) -> None:
    """Add ``status``, ``halt`` and ``resume`` to ``app``."""
    app.command("status")(status)
    app.command("halt")(halt)
    app.command("resume")(resume)


# -- plumbing ---------------------------------------------------------------------------------------


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _client(url: str | None, api_key: str | None, config: Path | None) -> ControlClient:
    if url is None or api_key is None:
        try:
            settings = load_config(config)
        except ConfigError as exc:
            _fail(f"error: {exc}", EXIT_USAGE)
        dashboard = settings.dashboard
        if url is None:
            host = "127.0.0.1" if dashboard.host in ("0.0.0.0", "::") else dashboard.host
            url = f"http://{f'[{host}]' if ':' in host else host}:{dashboard.port}"
        if api_key is None and dashboard.api_key is not None:
            api_key = dashboard.api_key.get_secret_value()
    return ControlClient(url, api_key)


def _call(client: ControlClient, method: str, path: str, body: dict[str, Any] | None = None) -> ApiResponse:
    try:
        response = client.get(path) if method == "GET" else client.post(path, body or {})
    except ApiUnreachable as exc:
        _fail(
            f"error: cannot reach the control API at {client.base_url} ({exc}). "
            "Is `galfriday run` running? Check --url or dashboard.host/port.",
            EXIT_UNREACHABLE,
        )
    if response.status == 401:
        _fail(
            f"error: the control API refused the API key. Pass --api-key, set {API_KEY_ENV} "
            "or dashboard.api_key to the key the session was started with.",
            EXIT_USAGE,
        )
    if response.status in (404, 422):
        _fail(f"error: {response.detail()}", EXIT_USAGE)
    if response.status >= 500:
        _fail(f"error: the control API failed ({response.status}); see the session's log", EXIT_REFUSED)
    return response


def _user(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "cli"


# -- status -----------------------------------------------------------------------------------------


def status(url: UrlOption = None, api_key: KeyOption = None, config: ConfigOption = None) -> None:
    """Show the session: state, HALT, equity, P&L, drawdowns, positions. Exit 1 while HALTED."""
    s = _call(_client(url, api_key, config), "GET", "/api/status").body
    p = s["portfolio"]
    d = p["drawdowns"]
    typer.echo(
        f"Gal-Friday  {s['mode']}  {s['system_state']}  up {_duration(s['uptime_s'])}  "
        f"config {s['config_hash'][:12]}"
    )
    typer.echo(
        f"Equity {p['equity']}  cash {p['cash']}  available {p['available_balance']}  "
        f"exposure {p['exposure_pct']:.2%}"
    )
    typer.echo(f"P&L  realised (session) {s['pnl']['realized_session']}  unrealised {s['pnl']['unrealized']}")
    typer.echo(f"Drawdown  daily {d['daily']:.2%}  weekly {d['weekly']:.2%}  total {d['total']:.2%}")
    typer.echo(f"Open orders {s['open_orders']}  trades closed {s['trades_closed']}")
    for pos in p["positions"]:
        typer.echo(
            f"  {pos['pair']:<10} qty {pos['qty']}  avg {pos['avg_price']}  mark {pos['market_price']}  "
            f"uPnL {pos['unrealized_pnl']}"
        )
    halt_record = s["halt"]
    if halt_record is None:
        return
    _show_halt(halt_record)
    raise typer.Exit(EXIT_REFUSED)


def _show_halt(record: dict[str, Any]) -> None:
    typer.echo(
        f"HALTED since {record['triggered_at']} by {record['trigger']} ({record['behaviour']}): "
        f"{record['reason']}"
    )
    done = sum(1 for item in record["checklist"] if item["done"])
    typer.echo(f"  recovery checklist {done}/{len(record['checklist'])} done")
    for item in record["checklist"]:
        mark = f"done by {item['by']} at {item['at']}" if item["done"] else "missing"
        typer.echo(f"    {item['item']:<26} {mark}")


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s"


# -- halt -------------------------------------------------------------------------------------------


def halt(
    reason: Annotated[str, typer.Option("--reason", "-r", prompt="Reason for the HALT", help="Why.")],
    by: ByOption = None,
    url: UrlOption = None,
    api_key: KeyOption = None,
    config: ConfigOption = None,
) -> None:
    """HALT trading now: no new orders; positions handled per risk.halt_behaviour."""
    body = _call(_client(url, api_key, config), "POST", "/api/halt", {"reason": reason, "by": _user(by)}).body
    record = body["halt"]
    typer.echo(f"HALTED ({record['trigger']}, behaviour {record['behaviour']}): {record['reason']}")
    if body.get("note"):
        typer.echo(body["note"])
    typer.echo("Resume with `galfriday resume` once every recovery checklist item is done.")


# -- resume -----------------------------------------------------------------------------------------


def resume(
    by: ByOption = None,
    item: Annotated[
        str | None, typer.Option("--item", help="Record one checklist item (non-interactive).")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="What you checked, recorded with --item.")] = "",
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Resume without asking (non-interactive).")
    ] = False,
    url: UrlOption = None,
    api_key: KeyOption = None,
    config: ConfigOption = None,
) -> None:
    """Walk the recovery checklist and resume trading (interactive), or record --item / resume --yes."""
    if note and item is None:
        _fail("error: --note goes with --item", EXIT_USAGE)
    client = _client(url, api_key, config)
    if item is None and not yes:
        _walk_checklist(client, by)
        return
    who = _user(by)
    if item is not None:
        _record_item(client, item, who, note)
    if yes:
        _resume(client, who)


def _record_item(client: ControlClient, item: str, by: str, note: str) -> list[str]:
    response = _call(client, "POST", f"/api/resume/checklist/{item}", {"by": by, "note": note})
    if not response.ok:
        _fail(f"refused: {response.detail()}", EXIT_REFUSED)
    missing: list[str] = response.body["missing_items"]
    typer.echo(f"recorded {item} (by {by}); still missing: {', '.join(missing) or 'nothing'}")
    return missing


def _resume(client: ControlClient, by: str) -> None:
    response = _call(client, "POST", "/api/resume", {"by": by})
    if not response.ok:
        detail = response.body.get("detail", {}) if isinstance(response.body, dict) else {}
        missing = detail.get("missing_items") if isinstance(detail, dict) else None
        extra = f" Missing: {', '.join(missing)}." if missing else ""
        _fail(f"refused: {response.detail()}.{extra}", EXIT_REFUSED)
    typer.echo(f"Trading resumed by {by}.")


def _walk_checklist(client: ControlClient, by: str | None) -> None:
    checklist = _call(client, "GET", "/api/resume/checklist").body
    if not checklist["halted"]:
        _fail("The system is not halted: nothing to resume.", EXIT_REFUSED)
    who = by or typer.prompt("Your name", default=_user(None))
    for entry in checklist["items"]:
        if entry["done"]:
            typer.echo(f"✓ {entry['item']}: done by {entry['by']} at {entry['at']}")
            continue
        typer.echo(f"• {entry['item']}: {entry['description']}")
        if not typer.confirm("  Done?", default=False):
            _fail(f"Stopped at {entry['item']}: do it, then run `galfriday resume` again.", EXIT_REFUSED)
        _record_item(client, entry["item"], who, typer.prompt("  Note", default="", show_default=False))
    if not typer.confirm("Every item is recorded. Resume trading now?", default=False):
        _fail(
            "Not resumed; the checklist is recorded. Run `galfriday resume --yes` when ready.", EXIT_REFUSED
        )
    _resume(client, who)
