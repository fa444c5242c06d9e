"""The ``X-API-Key`` check guarding everything that reads trading state or changes it.

The key is compared in constant time (``hmac.compare_digest``) so response timing reveals
nothing about it, and it is never logged or echoed. Without a configured key the guard lets
requests through: the configuration allows that only on a loopback address.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable

from fastapi import HTTPException, Security, status
from fastapi.security import APIKeyHeader
from pydantic import SecretStr

logger = logging.getLogger(__name__)

API_KEY_HEADER = "X-API-Key"
_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False)


def api_key_guard(api_key: SecretStr | None) -> Callable[[str | None], None]:
    """A FastAPI dependency raising 401 unless the request carries ``api_key``."""
    if api_key is None:
        logger.warning(
            "control API has no dashboard.api_key: anyone who can reach it can HALT and resume trading"
        )
    expected = api_key.get_secret_value().encode() if api_key is not None else None

    def guard(provided: str | None = Security(_header)) -> None:
        if expected is None:
            return
        if provided is None or not hmac.compare_digest(provided.encode(), expected):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail=f"missing or wrong {API_KEY_HEADER} header: send the configured dashboard.api_key",
                headers={"WWW-Authenticate": "ApiKey"},
            )

    return guard
