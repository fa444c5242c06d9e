"""Fingerprint and public view of a configuration.

``config_hash`` identifies exactly which configuration a run used (stored with every run and in
the ``configurations`` table). Secrets enter it as their SHA-256, so rotating a key changes the
hash while neither the hash input nor any output contains the secret. ``public_dict`` is the
same structure with secrets masked, for ``config show``, logs and the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel, SecretStr

from galfriday.config.redact import SECRET_MASK, find_url_password
from galfriday.config.schema import Settings

_SECRET_DIGEST_PREFIX = "sha256:"


def _secret_digest(secret: str) -> str:
    return _SECRET_DIGEST_PREFIX + hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _mask(_secret: str) -> str:
    return SECRET_MASK


def _plain(value: Any, hide: Callable[[str], str], decimal: Callable[[Decimal], str]) -> Any:
    """JSON-ready data; every secret (field or URL password) passes through ``hide``."""
    if isinstance(value, BaseModel):
        return {name: _plain(getattr(value, name), hide, decimal) for name in type(value).model_fields}
    if isinstance(value, SecretStr):
        return hide(value.get_secret_value())
    if isinstance(value, str):
        found = find_url_password(value)
        return value if found is None else f"{found.before}{hide(found.password)}{found.after}"
    if isinstance(value, Decimal):
        return decimal(value)
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, list | tuple):
        return [_plain(item, hide, decimal) for item in value]
    return value


def _canonical_decimal(value: Decimal) -> str:
    # 0.10 and 0.1 are the same setting and must hash the same.
    return format(value.normalize(), "f")


def public_dict(settings: Settings) -> dict[str, Any]:
    """The effective configuration as JSON-ready data, every secret shown as ``**********``."""
    return _plain(settings, _mask, str)


def config_hash(settings: Settings) -> str:
    """SHA-256 (hex) of the canonical JSON of the configuration, secrets entered as their SHA-256."""
    canonical = json.dumps(
        _plain(settings, _secret_digest, _canonical_decimal),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def secret_values(settings: Settings) -> list[str]:
    """Every configured secret in clear text, so start-up can register them with the log redactor."""
    found: list[str] = []

    def collect(secret: str) -> str:
        if secret:
            found.append(secret)
        return ""

    _plain(settings, collect, str)
    return found
