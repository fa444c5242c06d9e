"""``galfriday status | halt | resume`` against the API served by uvicorn on a random local port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import typer
from typer.testing import CliRunner

from galfriday.app.control_cli import register
from galfriday.core.events import SystemStateChanged
from galfriday.core.types import SystemState
from galfriday.risk.halt_record import CHECKLIST_ITEMS
from tests.unit.app.api._kit import API_KEY, ServerThread, Session
from tests.unit.portfolio._kit import T0

runner = CliRunner()


def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture
def session() -> Session:
    session = Session()
    session.bus.publish(
        SystemStateChanged(
            ts_event=T0, ts_init=T0, previous=SystemState.STARTING, current=SystemState.RUNNING
        )
    )
    return session


@pytest.fixture
def server(session: Session) -> Iterator[ServerThread]:
    with ServerThread(session.app()) as running:
        yield running


def run(server: ServerThread, *args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(cli(), [*args, "--url", server.url, "--api-key", API_KEY], input=input)
    return result.exit_code, result.output


def test_status_of_a_running_session(server: ServerThread) -> None:
    code, out = run(server, "status")

    assert code == 0, out
    assert "paper  RUNNING" in out and "Equity 10010.00" in out
    assert "Drawdown  daily 0.40%  weekly 1.20%  total 2.00%" in out
    assert "XRP/USD" in out and "uPnL 10.00" in out
    assert "HALTED" not in out


def test_halt_then_status_shows_halted_with_exit_1(session: Session, server: ServerThread) -> None:
    code, out = run(server, "halt", "--reason", "exchange acting up", "--by", "alice")
    assert code == 0, out
    assert "HALTED (manual, behaviour close): exchange acting up (by alice)" in out

    code, out = run(server, "status")
    assert code == 1
    assert "HALTED since" in out and "recovery checklist 0/7 done" in out
    assert session.halt.current is not None


def test_halt_asks_for_a_reason(server: ServerThread) -> None:
    code, out = run(server, "halt", "--by", "alice", input="typed reason\n")

    assert code == 0, out
    assert "typed reason (by alice)" in out


def test_resume_non_interactively_item_by_item(session: Session, server: ServerThread) -> None:
    session.halt.halt("test", by="alice")

    code, out = run(server, "resume", "--yes", "--by", "bob")
    assert code == 1 and "Missing: reason_reviewed" in out

    for item in CHECKLIST_ITEMS:
        code, out = run(server, "resume", "--item", item, "--note", f"did {item}", "--by", "bob")
        assert code == 0, out
        assert f"recorded {item} (by bob)" in out

    code, out = run(server, "resume", "--yes", "--by", "bob")
    assert code == 0, out
    assert "Trading resumed by bob" in out and session.halt.current is None


def test_resume_walks_the_checklist_interactively(session: Session, server: ServerThread) -> None:
    session.halt.halt("test", by="alice")
    session.halt.complete_checklist_item("reason_reviewed", "alice")
    answers = "carol\n" + "y\nlooked\n" * (len(CHECKLIST_ITEMS) - 1) + "y\n"

    code, out = run(server, "resume", input=answers)

    assert code == 0, out
    assert "✓ reason_reviewed: done by alice" in out
    assert "• market_ok: Market data is flowing" in out
    assert "Trading resumed by carol" in out
    assert session.recorder.last(SystemStateChanged).current is SystemState.RUNNING


def test_interactive_resume_stops_at_an_item_not_done(session: Session, server: ServerThread) -> None:
    session.halt.halt("test", by="alice")

    code, out = run(server, "resume", "--by", "dave", input="y\nok\nn\n")

    assert code == 1
    assert "Stopped at market_ok" in out
    assert session.halt.current is not None and list(session.halt.current.checklist) == ["reason_reviewed"]


def test_unknown_item_and_nothing_to_resume(session: Session, server: ServerThread) -> None:
    code, out = run(server, "resume", "--by", "bob")
    assert code == 1 and "not halted" in out

    session.halt.halt("test", by="alice")
    code, out = run(server, "resume", "--item", "vibes", "--by", "bob")
    assert code == 2 and "unknown checklist item" in out


def test_a_wrong_key_is_a_usage_error_and_is_not_echoed(server: ServerThread) -> None:
    result = runner.invoke(cli(), ["status", "--url", server.url, "--api-key", "not-the-key-123"])

    assert result.exit_code == 2
    assert "refused the API key" in result.output and "not-the-key-123" not in result.output


def test_url_and_key_from_the_configuration(server: ServerThread, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GALFRIDAY__DASHBOARD__PORT", server.url.rsplit(":", 1)[1])
    monkeypatch.setenv("GALFRIDAY__DASHBOARD__API_KEY", API_KEY)

    result = runner.invoke(cli(), ["status"])

    assert result.exit_code == 0, result.output
    assert API_KEY not in result.output


def test_key_from_the_environment_variable(server: ServerThread, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GALFRIDAY_API_KEY", API_KEY)

    assert runner.invoke(cli(), ["status", "--url", server.url]).exit_code == 0


def test_unreachable_api_exits_3_and_says_what_to_check(session: Session) -> None:
    with ServerThread(session.app()) as stopped:
        url = stopped.url  # the session has ended: nothing listens there any more

    result = runner.invoke(cli(), ["status", "--url", url, "--api-key", API_KEY])

    assert result.exit_code == 3
    assert f"cannot reach the control API at {url}" in result.output
    assert "Is `galfriday run` running?" in result.output


def test_invalid_configuration_and_bad_usage_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GALFRIDAY__DASHBOARD__PORT", "not-a-port")
    assert runner.invoke(cli(), ["status"]).exit_code == 2

    result = runner.invoke(cli(), ["resume", "--note", "x", "--url", "http://127.0.0.1:1", "--api-key", "k"])
    assert result.exit_code == 2 and "--note goes with --item" in result.output
