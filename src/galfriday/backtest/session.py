"""One backtest from the command line: settings, data, the run, reports, the database record.

Start-up follows ``app.bootstrap``'s safe order — configuration, secrets registered, then logging,
then the database migrated to the schema head — but does not record the configuration in
``configurations``: that table holds the one *active* configuration, the one the system trades
with, and a backtest's settings must not displace it in a database a live or paper session shares.
The backtest's configuration hash goes into the run's ``system_logs`` record instead. With
``database=False`` nothing is written to the database at all.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from galfriday.app.bootstrap import setup_logging
from galfriday.backtest.engine import BacktestEngine
from galfriday.backtest.errors import BacktestError
from galfriday.backtest.feeds import DataKind, Feed, feed_from_specs
from galfriday.backtest.instruments import backtest_instruments
from galfriday.backtest.kernel import PredictorFactory
from galfriday.backtest.persist import RunRecord, persist_run, rows_to_write
from galfriday.backtest.progress import progress_bar
from galfriday.backtest.report import print_result, write_html_report, write_result_files
from galfriday.backtest.report.serialize import plain
from galfriday.backtest.result import BacktestResult
from galfriday.backtest.strategies import StrategySpec
from galfriday.config import Settings, load_config
from galfriday.features import FeatureSet
from galfriday.marketdata.bars import parse_interval
from galfriday.marketdata.history.times import TimeParseError, to_ns
from galfriday.storage.db.database import Database, open_database
from galfriday.storage.db.migrate import upgrade

_FILL_MODEL_NEEDS = {"bar": DataKind.BARS, "book": DataKind.TICKS}


@dataclass(frozen=True)
class BacktestRequest:
    data: tuple[str, ...] = ()  # ``--data`` arguments; empty: the history store at backtest.data_path
    config: Path | None = None
    pairs: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    strategy: StrategySpec = field(default_factory=StrategySpec)
    seed: int = 0
    report_dir: Path | None = None
    asset_pairs: Path | None = None
    interval: str | None = None
    database: bool = True


@dataclass(frozen=True)
class SessionOutcome:
    result: BacktestResult
    folder: Path
    files: dict[str, Path]
    run_id: uuid.UUID
    record: RunRecord | None


async def run_session(request: BacktestRequest, console: Console) -> SessionOutcome:
    started_at = datetime.now(UTC)
    settings = load_config(request.config)
    setup_logging(settings, console=False)
    database: Database | None = None
    if request.database:
        await upgrade(settings.database.url)
        database = await open_database(
            settings.database.url, echo=settings.database.echo, pool_size=settings.database.pool_size
        )
    try:
        return await _run(request, settings, database, console, started_at)
    finally:
        if database is not None:
            await database.close()


async def _run(
    request: BacktestRequest,
    settings: Settings,
    database: Database | None,
    console: Console,
    started_at: datetime,
) -> SessionOutcome:
    settings = with_pairs(settings, request.pairs)
    instruments = backtest_instruments(settings, settings.pairs, asset_pairs_file=request.asset_pairs)
    interval_s = parse_interval(request.interval) if request.interval else settings.market_data.bar_interval_s
    feed = feed_from_specs(
        request.data or (str(settings.backtest.data_path),),
        instruments,
        interval_s=interval_s,
        start_ns=parse_time(request.start),
        end_ns=parse_time(request.end),
    )
    settings = fill_model_for(settings, feed, console)
    warn_on_entry_timeout(settings, feed, console)
    predictor, feature_set = await _prediction(request, settings, database)
    with progress_bar(console, "replaying", feed.size) as update:
        engine = BacktestEngine(
            settings,
            instruments,
            request.strategy,
            seed=request.seed,
            feature_set=feature_set,
            predictor=predictor,
            progress=update,
        )
        result = engine.run(feed)
    print_result(result, console)
    folder = (request.report_dir or settings.backtest.report_dir) / _folder_name(result)
    files = write_result_files(result, folder)
    files["report.html"] = write_html_report(result, folder / "report.html")
    run_id = uuid.uuid4()
    record = None
    if database is not None:
        with progress_bar(console, "writing to the database", rows_to_write(result)) as update:
            record = await persist_run(
                database,
                result,
                run_id,
                extra_context={"report_dir": str(folder.resolve())},
                progress=lambda done, _total: update(done),
            )
    files["run.json"] = _write_manifest(folder, run_id, started_at, settings, record, files)
    console.print(f"reports: {folder}  (open {files['report.html'].name} in a browser; it works offline)")
    if record is not None:
        console.print(f"database: run {run_id} (rows tagged exchange = {record.exchange_tag!r})")
    return SessionOutcome(result, folder, files, run_id, record)


def with_pairs(settings: Settings, pairs: tuple[str, ...]) -> Settings:
    if not pairs:
        return settings
    quote = settings.portfolio.quote_currency
    foreign = [p for p in pairs if p.partition("/")[2] != quote]
    if foreign:
        raise BacktestError(
            f"--pair {foreign[0]}: every pair must be quoted in portfolio.quote_currency ({quote})"
        )
    return settings.model_copy(update={"pairs": tuple(dict.fromkeys(pairs))})


def parse_time(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return to_ns(text)
    except TimeParseError as exc:
        raise BacktestError(str(exc)) from None


def fill_model_for(settings: Settings, feed: Feed, console: Console) -> Settings:
    """The fill model the data allows: chosen from the data when the configuration left it at its
    default; a configured model that cannot fill this data is an error, not silently replaced."""
    wanted = settings.backtest.fill_model
    if _FILL_MODEL_NEEDS[wanted] is feed.kind:
        return settings
    if "fill_model" not in settings.backtest.model_fields_set:
        model = next(name for name, kind in _FILL_MODEL_NEEDS.items() if kind is feed.kind)
        console.print(f"fill model: {model} (the data holds {'candles' if model == 'bar' else 'ticks'})")
        backtest = settings.backtest.model_copy(update={"fill_model": model})
        return settings.model_copy(update={"backtest": backtest})
    if _FILL_MODEL_NEEDS[wanted] is not feed.kind:
        have = "candles" if feed.kind is DataKind.BARS else "trades"
        raise BacktestError(
            f"backtest.fill_model is {wanted!r} but the data holds {have}: set backtest.fill_model to "
            f"{'bar' if feed.kind is DataKind.BARS else 'book'} (or GALFRIDAY__BACKTEST__FILL_MODEL=...), "
            "or give data of the other kind"
        )
    return settings


def warn_on_entry_timeout(settings: Settings, feed: Feed, console: Console) -> None:
    """Limit entries on bars: a timeout shorter than a bar cancels them before any bar can fill them."""
    strategy = settings.strategy
    if (
        feed.kind is DataKind.BARS
        and strategy.entry_order_type == "LIMIT"
        and strategy.on_entry_timeout == "cancel"
        and strategy.entry_timeout_s < feed.bar_interval_s
    ):
        console.print(
            f"[yellow]warning:[/] limit entries time out after {strategy.entry_timeout_s:g}s, before the "
            f"next {feed.bar_interval_s}s bar can fill them, and are then canceled: expect no trades. "
            "Set strategy.entry_order_type: MARKET, a longer strategy.entry_timeout_s, or "
            "strategy.on_entry_timeout: market"
        )


async def _prediction(
    request: BacktestRequest, settings: Settings, database: Database | None
) -> tuple[PredictorFactory | None, FeatureSet | None]:
    if not request.strategy.needs_predictions:
        return None, None
    if database is None:
        raise BacktestError("the model strategy reads the model registry from the database: drop --no-db")
    from galfriday.backtest.models import registry_predictor

    return await registry_predictor(settings, database, settings.pairs)


def _folder_name(result: BacktestResult) -> str:
    pairs = "+".join(p.replace("/", "") for p in result.meta.pairs)
    first = datetime.fromtimestamp(result.equity[0][0] // 1_000_000_000, UTC).strftime("%Y%m%d")
    last = datetime.fromtimestamp(result.equity[-1][0] // 1_000_000_000, UTC).strftime("%Y%m%d")
    return f"{result.meta.strategy['kind']}-{pairs}-{first}-{last}-seed{result.meta.seed}"


def _write_manifest(
    folder: Path,
    run_id: uuid.UUID,
    started_at: datetime,
    settings: Settings,
    record: RunRecord | None,
    files: dict[str, Path],
) -> Path:
    """``run.json``: what differs between executions of the same run (ids, wall time, where rows went)."""
    manifest = {
        "run_id": str(run_id),
        "started_at": started_at.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "database": None if record is None else asdict(record) | {"run_id": str(run_id)},
        "database_backend": settings.database.url.split(":", 1)[0] if record is not None else None,
        "files": sorted(files),
    }
    path = folder / "run.json"
    path.write_text(json.dumps(plain(manifest), indent=2) + "\n", encoding="utf-8")
    return path
