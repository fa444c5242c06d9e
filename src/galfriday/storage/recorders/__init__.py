"""Database adapters for the trading kernel's events (DESIGN §1.4 ports and adapters).

Each recorder subscribes to events (signals and verdicts, closed trades, portfolio snapshots, HALT
journal) and queues the write through ``WriteBehind`` so no trading handler ever awaits I/O. They
live here, not beside the modules they record, because they import SQLAlchemy.
"""
