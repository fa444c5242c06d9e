"""Start-up steps every entry point shares, in the safe order.

1. Load and validate the configuration (nothing starts on an invalid one).
2. Register every configured secret with the log redactor, *then* configure logging, so no line
   can ever carry a secret.
3. Bring the relational database to the schema head and check it.
4. Record the effective configuration (masked) and its SHA-256 in ``configurations``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from galfriday.config import Settings, config_hash, load_config, public_dict, secret_values
from galfriday.monitoring import configure_logging, register_secret
from galfriday.storage.db.database import Database, open_migrated_database
from galfriday.storage.db.repositories import ConfigurationRepository

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Started:
    settings: Settings
    config_hash: str
    config_pk: int
    database: Database
    revision: str | None


def setup_logging(settings: Settings, *, console: bool | None = None) -> None:
    for secret in secret_values(settings):
        register_secret(secret)
    log = settings.logging
    configure_logging(
        level=log.level,
        json_file=log.json_file,
        max_bytes=log.max_bytes,
        backup_count=log.backup_count,
        console=log.console if console is None else console,
    )


async def start(config_file: str | Path | None = None, *, console_logs: bool | None = None) -> Started:
    """Run steps 1–4; raises ``ConfigError`` / ``StorageError`` with what to do next."""
    settings = load_config(config_file)
    setup_logging(settings, console=console_logs)
    digest = config_hash(settings)
    database, revision = await open_migrated_database(settings.database.url)
    try:
        config_pk = await ConfigurationRepository(database.sessions).record(digest, public_dict(settings))
    except BaseException:
        await database.close()
        raise
    logger.info("configuration %s recorded as #%d (schema %s)", digest[:12], config_pk, revision)
    return Started(settings, digest, config_pk, database, revision)
