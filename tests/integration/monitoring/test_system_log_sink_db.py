"""SystemLogSink into a real migrated SQLite database through SystemLogRepository."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from galfriday.monitoring import SystemLogSink, register_secret
from galfriday.storage.db.database import open_database
from galfriday.storage.db.migrate import upgrade
from galfriday.storage.db.models import SystemLogRow
from galfriday.storage.db.repositories import SystemLogRepository


async def test_log_lines_land_in_system_logs_redacted(sqlite_url: str) -> None:
    await upgrade(sqlite_url)
    database = await open_database(sqlite_url)
    logger = logging.getLogger("galfriday.test.sqlite_sink")
    logger.setLevel(logging.INFO)
    sink = SystemLogSink(SystemLogRepository(database.sessions), batch_size=50, flush_interval_s=0.01)
    logger.addHandler(sink)
    register_secret("kraken-secret-abcdef")
    try:
        sink.start()
        for i in range(120):
            logger.info("line %d", i, extra={"pair": "XRP/USD"})
        logger.error("rejected with kraken-secret-abcdef", extra={"order_pk": 42})
        await sink.aclose()

        async with database.engine.connect() as connection:
            rows = (await connection.execute(sa.select(SystemLogRow).order_by(SystemLogRow.log_pk))).all()
    finally:
        logger.removeHandler(sink)
        await database.close()

    assert len(rows) == 121
    assert (rows[0].message, rows[0].trading_pair, rows[0].log_level) == ("line 0", "XRP/USD", "INFO")
    assert (rows[-1].message, rows[-1].order_pk, rows[-1].log_level) == ("rejected with ***", 42, "ERROR")
    assert sink.stats() == {"buffered": 0, "written": 3, "failed": 0, "dropped": 0}
