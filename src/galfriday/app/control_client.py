"""A small blocking HTTP client for the control API, used by ``galfriday status|halt|resume``.

Standard library only (``urllib``): the CLI should start fast and needs one request at a time.
Non-2xx answers are returned, not raised — the caller decides what a 409 means — while a server
that cannot be reached at all raises ``ApiUnreachable``. The API key travels in the
``X-API-Key`` header and appears in no message.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from galfriday.core.errors import GalFridayError

API_KEY_HEADER = "X-API-Key"


class ApiUnreachable(GalFridayError):
    """No HTTP answer at all: refused, timed out, unknown host."""


@dataclass(frozen=True, slots=True)
class ApiResponse:
    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def detail(self) -> str:
        """The API's explanation of a refusal, as one line."""
        detail = self.body.get("detail") if isinstance(self.body, dict) else self.body
        if isinstance(detail, dict):
            detail = detail.get("message", detail)
        return str(detail)


class ControlClient:
    def __init__(self, base_url: str, api_key: str | None, *, timeout_s: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._timeout_s = timeout_s

    def get(self, path: str) -> ApiResponse:
        return self._request("GET", path, None)

    def post(self, path: str, body: dict[str, Any]) -> ApiResponse:
        return self._request("POST", path, body)

    def _request(self, method: str, path: str, body: dict[str, Any] | None) -> ApiResponse:
        headers = {"Accept": "application/json"}
        if self._api_key:
            headers[API_KEY_HEADER] = self._api_key
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout_s) as response:
                return ApiResponse(response.status, _json(response.read()))
        except urllib.error.HTTPError as exc:
            with exc:
                return ApiResponse(exc.code, _json(exc.read()))
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ApiUnreachable(f"{type(reason).__name__}: {reason}") from None


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")
