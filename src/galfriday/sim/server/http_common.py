"""What every REST handler shares: reading parameters, answering in Kraken's envelope, faults.

Kraken answers ``{"error": [...], "result": {...}}`` with HTTP 200 for API errors too; only an
outage is an HTTP error. Parameters come from the query string (GET) or the body, form-encoded
(what Kraken documents and our client sends) or JSON (accepted by Kraken too); JSON values are
turned into the strings a form would carry, so one parser serves both.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from galfriday.sim.server import errors, wire
from galfriday.sim.server.errors import ExchangeError
from galfriday.sim.server.faults import FaultInjector

Params = dict[str, str]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def answer(result: Any = None, error: list[str] | None = None) -> web.Response:
    body: dict[str, Any] = {"error": error or []}
    if error is None or result is not None:
        body["result"] = result
    return web.Response(body=wire.encode(body), content_type="application/json")


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_form_value(v) for v in value)
    return str(value)


def parse_body(body: bytes, content_type: str) -> Params:
    """Form or JSON body -> parameters (the last of repeated form fields wins)."""
    if not body:
        return {}
    if "json" in content_type:
        try:
            data = json.loads(body, parse_float=Decimal)
        except ValueError:
            raise ExchangeError(errors.INVALID_ARGUMENTS, "body is not JSON") from None
        if not isinstance(data, dict):
            raise ExchangeError(errors.INVALID_ARGUMENTS, "JSON body must be an object")
        return {str(k): _form_value(v) for k, v in data.items()}
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
    except (UnicodeDecodeError, ValueError):
        raise ExchangeError(errors.INVALID_ARGUMENTS, "body is not form-encoded") from None


def injected_failure(faults: FaultInjector, method: str) -> web.Response | None:
    """The answer a matching ``rest_error`` fault dictates, if any."""
    fault = faults.rest_error(method)
    if fault is None:
        return None
    if fault.http_status is not None:
        return web.Response(status=fault.http_status, text=f"{fault.http_status} (injected fault)")
    return answer(error=[fault.error])


def drop_connection(request: web.Request) -> web.Response:
    """Close the socket without an answer (accept_then_drop); the client sees a disconnect."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=204)


def int_param(params: Params, name: str, default: int | None = None) -> int | None:
    value = params.get(name, "")
    if value == "":
        return default
    try:
        return int(Decimal(value))
    except ArithmeticError:
        raise ExchangeError(errors.invalid_argument(name)) from None


def bool_param(params: Params, name: str) -> bool:
    return params.get(name, "").strip().lower() in ("true", "1")
