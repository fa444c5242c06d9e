"""configure_logging: real sinks on the root logger, redacted end to end, rotating, idempotent."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from galfriday.core.context import correlation_id_var
from galfriday.monitoring import configure_logging, register_secret, shutdown_logging

_API_SECRET = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
_DB_PASSWORD = "db-pa55word!"
_WEBHOOK = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX"


def _own_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if getattr(h, "_galfriday_owned", False)]


def _read_lines(path: Path) -> list[dict[str, object]]:
    for handler in _own_handlers():
        handler.flush()
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_file_sink_writes_json_lines_and_creates_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "deep" / "galfriday.jsonl"
    configure_logging(json_file=path, console=False)
    token = correlation_id_var.set("corr-1")
    try:
        logging.getLogger("galfriday.execution").info("order %s accepted", "c-1", extra={"pair": "XRP/USD"})
    finally:
        correlation_id_var.reset(token)
    (line,) = _read_lines(path)
    assert line["message"] == "order c-1 accepted"
    assert line["logger"] == "galfriday.execution"
    assert line["correlation_id"] == "corr-1"
    assert line["pair"] == "XRP/USD"


def test_level_filters_lower_records(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    configure_logging(level="warning", json_file=path, console=False)
    logging.getLogger("galfriday.x").info("dropped")
    logging.getLogger("galfriday.x").warning("kept")
    assert [line["message"] for line in _read_lines(path)] == ["kept"]


def test_console_sink_is_human_readable(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level=logging.DEBUG)
    logging.getLogger("galfriday.risk").debug("check %s passed", "max_exposure")
    err = capsys.readouterr().err
    assert err.endswith(" DEBUG    galfriday.risk: check max_exposure passed\n")


def test_console_can_write_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(console_json=True)
    logging.getLogger("galfriday.risk").info("hello")
    assert json.loads(capsys.readouterr().err)["message"] == "hello"


def test_no_registered_or_patterned_secret_reaches_any_sink(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for secret in (_API_SECRET, _DB_PASSWORD, _WEBHOOK):
        assert register_secret(secret)
    path = tmp_path / "g.jsonl"
    configure_logging(json_file=path)
    log = logging.getLogger("galfriday.kraken")
    log.info("signing with %s", _API_SECRET)
    log.info(
        "posting alert",
        extra={"target": {"urls": [_WEBHOOK]}, "db_url": f"postgresql://gf:{_DB_PASSWORD}@h/gf"},
    )
    log.warning("header API-Sign: %s", "c2lnbmF0dXJlLXZhbHVlLTEyMzQ1")
    try:
        raise ConnectionError(f"could not connect: password={_DB_PASSWORD} secret={_API_SECRET}")
    except ConnectionError:
        log.exception("connect failed")
    file_text = path.read_text(encoding="utf-8")
    console_text = capsys.readouterr().err
    for output in (file_text, console_text):
        for leaked in (_API_SECRET, _DB_PASSWORD, _WEBHOOK, "c2lnbmF0dXJlLXZhbHVlLTEyMzQ1"):
            assert leaked not in output
    lines = _read_lines(path)
    assert len(lines) == 4
    assert lines[3]["exc_type"] == "ConnectionError"
    assert "Traceback" in str(lines[3]["stack"])


def test_configuring_twice_does_not_duplicate_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "g.jsonl"
    configure_logging(json_file=path)
    configure_logging(json_file=path)
    logging.getLogger("galfriday.x").info("once")
    assert len(_own_handlers()) == 2
    assert len(_read_lines(path)) == 1
    assert capsys.readouterr().err.count("once") == 1


def test_reconfiguring_leaves_other_handlers_alone(tmp_path: Path) -> None:
    foreign = logging.NullHandler()
    root = logging.getLogger()
    root.addHandler(foreign)
    try:
        configure_logging(console=False, json_file=tmp_path / "a.jsonl")
        configure_logging(console=False, json_file=tmp_path / "b.jsonl")
        shutdown_logging()
        assert foreign in root.handlers
        assert not _own_handlers()
    finally:
        root.removeHandler(foreign)


def test_an_unknown_level_raises_and_keeps_the_previous_setup(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    configure_logging(json_file=path, console=False)
    with pytest.raises(ValueError, match="unknown log level"):
        configure_logging(level="LOUD", json_file=tmp_path / "other.jsonl")
    logging.getLogger("galfriday.x").warning("still here")
    assert [line["message"] for line in _read_lines(path)] == ["still here"]


def test_file_rotates_at_max_bytes_and_keeps_backup_count_files(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    max_bytes = 2_000
    configure_logging(json_file=path, max_bytes=max_bytes, backup_count=2, console=False)
    log = logging.getLogger("galfriday.x")
    for index in range(200):
        log.info("line %03d %s", index, "x" * 40)
    shutdown_logging()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.jsonl", "g.jsonl.1", "g.jsonl.2"]
    kept: list[str] = []
    for name in ("g.jsonl.2", "g.jsonl.1", "g.jsonl"):
        file = tmp_path / name
        assert file.stat().st_size <= max_bytes
        kept.extend(json.loads(line)["message"] for line in file.read_text(encoding="utf-8").splitlines())
    assert kept[-1] == "line 199 " + "x" * 40
    assert kept == [f"line {i:03d} {'x' * 40}" for i in range(200 - len(kept), 200)]  # newest, in order


def test_odd_inputs_reach_the_sinks_without_a_logging_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "g.jsonl"
    configure_logging(json_file=path)
    log = logging.getLogger("galfriday.x")
    cyclic: list[object] = []
    cyclic.append(cyclic)
    log.info("%d orders", "many")
    log.info("%s %s", "one")
    log.info({"api_key": "k", "n": 1})
    log.info("extras", extra={"obj": object(), "cyclic": cyclic, "nan": float("nan"), "raw": b"\x00"})
    log.error("no active exception", exc_info=True)
    log.info("surrogate \udcff and unicode ✓")
    assert "Logging error" not in capsys.readouterr().err
    lines = _read_lines(path)
    assert len(lines) == 6
    assert "'api_key': '***'" in str(lines[2]["message"])
