"""Backtesting: history replayed through the very kernel live trading runs, with honest results.

Public API:
- ``BacktestEngine(settings, instruments, strategy, *, seed, feature_set, predictor, progress)``
  and ``.run(feed) -> BacktestResult`` (``engine``); the kernel wiring it shares with the paper
  replay is ``kernel.build_kernel``;
- ``Feed``/``DataKind`` and ``feed_from_specs``/``open_file``/``open_history`` (``feeds``);
- ``StrategySpec``/``StrategyKind`` (``strategies``); ``backtest_instruments`` (``instruments``);
- ``BacktestResult`` (``result``): metrics (``metrics``), trades/orders/fills (``rows``), the equity
  curve, the trade-list fingerprint (``fingerprint``);
- reports: ``report.print_result``, ``report.write_result_files``, ``report.write_html_report``;
- ``persist_run`` (``persist``): the run's rows in the relational database, tagged with a run id;
- ``run_paper_replay`` (``paper``): the same kernel on an AsyncBus behind the write-ahead journal;
- ``galfriday.backtest.cli.register(app)``: ``galfriday backtest``.
"""

from galfriday.backtest.engine import BacktestEngine
from galfriday.backtest.errors import BacktestError
from galfriday.backtest.feeds import DataKind, Feed, feed_from_specs, open_file, open_history
from galfriday.backtest.instruments import backtest_instruments
from galfriday.backtest.result import BacktestResult
from galfriday.backtest.strategies import StrategyKind, StrategySpec

__all__ = [
    "BacktestEngine",
    "BacktestError",
    "BacktestResult",
    "DataKind",
    "Feed",
    "StrategyKind",
    "StrategySpec",
    "backtest_instruments",
    "feed_from_specs",
    "open_file",
    "open_history",
]
