"""Remove credentials from text and structured values before they are written anywhere.

Two layers, because either alone leaks. Patterns catch credentials we were never told about
(``api_key=...``, ``Authorization: Bearer ...``, ``postgresql://user:pass@host``) but can miss an
oddly shaped value. Registered secrets (the configured API key and secret, database password,
webhook URLs) are replaced wherever their exact text appears, in whatever surrounding text, and
also in the escaped forms they take inside JSON strings, Python reprs and URLs.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from urllib.parse import quote, quote_plus

MASK = "***"
# Shorter values would shred ordinary words in every line, and no real credential is that short.
MIN_SECRET_LENGTH = 4

_SENSITIVE = r"key|secret|token|passw(?:or)?d|passphrase|signature|api[_-]?sign|authori[sz]ation|credential"
SENSITIVE_KEY = re.compile(_SENSITIVE, re.IGNORECASE)

# A field name containing a sensitive word, e.g. api_key, "api_secret", API-Sign, \"password\".
# Bounded repeats keep matching linear: a long blob like "keykeykey..." must not backtrack quadratically.
_NAME = rf"""(?<![\w.-])(?P<nq>\\?["']?)[\w.-]{{0,40}}(?:{_SENSITIVE})[\w.-]{{0,40}}(?P=nq)"""

# name = value / name: value / "name": "value"; the value may be quoted and may carry an auth scheme.
_KEY_VALUE = re.compile(
    rf"""(?P<name>{_NAME})(?P<sep>[ \t]*[:=][ \t]*)(?P<scheme>(?:bearer|basic|digest|token)[ \t]+)?"""
    r"""(?:(?P<vq>\\?["'])(?P<quoted>.*?)(?P=vq)|(?P<bare>["']?[^\s,;&"'<>(){}\[\]]+))""",
    re.IGNORECASE,
)
# A bearer/basic credential wherever it appears, with or without a header name in front.
_AUTH_SCHEME = re.compile(r"\b(?P<scheme>bearer|basic)[ \t]+(?P<value>[\w.~+/=-]{8,})", re.IGNORECASE)
# scheme://user:password@host -> scheme://user:***@host (the password may itself contain '@').
_URL_CREDENTIALS = re.compile(
    r"(?P<head>\b[a-z][a-z0-9+.-]{0,30}://[^\s:/?#@]{0,256}:)(?P<password>[^\s/?#]{1,256})@", re.IGNORECASE
)
# A long base64 value shortly after a sensitive name without '=' or ':' ("secret kQ9...==").
_KEY_THEN_BASE64 = re.compile(
    rf"(?P<head>{_NAME}[^\w\n]{{1,10}})"
    # Mixed case and a digit, so ordinary identifiers ("token bucket_refill_rate") are left alone.
    r"(?-i:(?=[\w+/-]{0,511}\d)(?=[\w+/-]{0,511}[A-Z])(?=[\w+/-]{0,511}[a-z]))"
    r"(?P<value>[\w+/-]{16,512}={0,2})(?![\w+/=])",
    re.IGNORECASE,
)


def _mask_key_value(match: re.Match[str]) -> str:
    quote_char = match["vq"] or ""
    return f"{match['name']}{match['sep']}{match['scheme'] or ''}{quote_char}{MASK}{quote_char}"


def _secret_variants(value: str) -> set[str]:
    """The forms a secret takes once embedded in a JSON string, a Python repr or a URL.

    The whitespace-stripped value counts too: a secret read from a file often ends in a newline
    that the text around it in a log line does not have.
    """
    return {
        value,
        value.strip(),
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        repr(value)[1:-1],
        quote(value, safe=""),
        quote_plus(value, safe=""),
    }


class Redactor:
    """Pattern redaction plus a registry of exact secret values; safe to share across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: frozenset[str] = frozenset()
        # Longest first, so a secret that contains another registered secret is masked whole.
        self._variants: tuple[str, ...] = ()

    def register(self, value: str) -> bool:
        """Mask every future occurrence of ``value``; blank or very short values are refused (False)."""
        if not isinstance(value, str) or len(value) < MIN_SECRET_LENGTH or not value.strip():
            return False
        with self._lock:
            self._secrets = self._secrets | {value}
            variants = {
                variant
                for secret in self._secrets
                for variant in _secret_variants(secret)
                if len(variant) >= MIN_SECRET_LENGTH
            }
            self._variants = tuple(sorted(variants, key=len, reverse=True))
        return True

    def clear(self) -> None:
        """Forget every registered secret (a fresh registry, e.g. between tests)."""
        with self._lock:
            self._secrets = frozenset()
            self._variants = ()

    def mask_secrets(self, text: str) -> str:
        """Replace registered secrets until none is left, even where a mask recreates one.

        Each replacement shortens the text (every variant is longer than the mask), so it ends.
        """
        variants = self._variants
        changed = True
        while changed:
            changed = False
            for variant in variants:
                if variant in text:
                    text = text.replace(variant, MASK)
                    changed = True
        return text

    def redact_text(self, text: str) -> str:
        """Registered secrets first (patterns could split one and hide it), then the patterns."""
        text = self.mask_secrets(text)
        text = _URL_CREDENTIALS.sub(rf"\g<head>{MASK}@", text)
        text = _KEY_VALUE.sub(_mask_key_value, text)
        text = _AUTH_SCHEME.sub(rf"\g<scheme> {MASK}", text)
        return _KEY_THEN_BASE64.sub(rf"\g<head>{MASK}", text)

    def redact_value(self, value: object, key: str | None = None) -> object:
        """Redact JSON data: values under a sensitive key are masked whole, strings are redacted."""
        if key is not None and SENSITIVE_KEY.search(key):
            return MASK
        if isinstance(value, str):
            return self.redact_text(value)
        if isinstance(value, Mapping):
            return {name: self.redact_value(item, str(name)) for name, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact_value(item) for item in value]
        return value


DEFAULT_REDACTOR = Redactor()


def register_secret(value: str) -> bool:
    """Register an exact secret (API key, DB password, webhook URL) with the logging redactor."""
    return DEFAULT_REDACTOR.register(value)
