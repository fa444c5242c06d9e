"""Simulation: the one fill model, synthetic markets and replay of recorded data.

- ``sim.matching``: ``MatchingEngine`` — matching of the simulated account's orders against an
  external market (L2 books, trade prints or bars), shared by backtests, paper trading and the
  Kraken-compatible exchange simulator (DESIGN §1, §6). Its package docstring lists the fill
  conventions; each module explains one of them.
- ``sim.market``: ``MarketGenerator`` — a seeded synthetic market (trades + depth-25 books for
  XRP/USD and DOGE/USD) for the embedded demo and load tests.
- ``sim.replay``: ``CandleFile``/``TradeFile``/``Replay`` — Parquet candles and trades as
  ``BarClosed``/``MarketTradeReceived`` events in time order, at max speed or paced.

Nothing here does I/O except reading the Parquet files a replay is given.
"""
