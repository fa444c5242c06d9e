"""The running system: ``galfriday run`` wires every module on one bus and one clock.

- ``session``: ``Session`` — the start order, one step per dependency; ``run``: ``run_session``
  and ``serve`` (start, run until a signal or ``--for``, stop; exit codes);
- ``shutdown``: the graceful stop, in the order that loses nothing; ``os_signals``: SIGTERM/SIGINT
  (a second one forces the exit);
- ``options``: ``RunOptions`` (the command line's choices); ``errors``;
- ``clock``: ``LiveClock`` or, for accelerated market data, ``AcceleratedClock``;
- ``instruments``: AssetPairs at start; ``venues``: paper → ``SimulatedVenue``, live →
  ``KrakenVenue``; ``restore``: the paper portfolio and account from the last run;
- ``persistence``: time-series writer, order journal, recorders, HALT journal;
- ``gate``: no new entries while HALTED or stopping; ``signal_sources``: rule, model or none;
- ``market_data``: WS client, ingestor, bars; ``observers``: status, metrics, trade log, latest
  state; ``monitoring``: health, periodic checks, alerts, log sinks, Prometheus; ``control_api``;
- ``trade_log``: each trade's life in the log under its signal id; ``redis_state``: latest state
  in Redis (or in process) for dashboards.
"""

from galfriday.app.runtime.options import RunOptions
from galfriday.app.runtime.run import run_session, serve
from galfriday.app.runtime.session import Session

__all__ = ["RunOptions", "Session", "run_session", "serve"]
