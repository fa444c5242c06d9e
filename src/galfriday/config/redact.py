"""Keeping secrets out of everything the configuration prints, logs or stores.

Secrets live in ``SecretStr`` fields, but a password can also hide inside a connection URL
(``postgresql+asyncpg://user:password@host/db``). Both are handled here so every output path
(``repr``, ``config show``, error messages, the ``configurations`` table) masks the same way.
"""

from __future__ import annotations

import re
from typing import NamedTuple

SECRET_MASK = "**********"

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


class UrlPassword(NamedTuple):
    """A URL split around its password: ``before + password + after`` is the original text."""

    before: str
    password: str
    after: str


def find_url_password(text: str) -> UrlPassword | None:
    """Locate the password of ``scheme://user:password@host…``, or None when there is none.

    The user-info ends at the *last* ``@`` so an unescaped ``@`` or ``/`` inside a password is
    still covered; when in doubt this masks too much, never too little.
    """
    scheme = _SCHEME.match(text)
    if scheme is None:
        return None
    start = scheme.end()
    at = text.rfind("@", start)
    if at < 0:
        return None
    colon = text.find(":", start, at)
    if colon < 0:
        return None
    return UrlPassword(text[: colon + 1], text[colon + 1 : at], text[at:])


def mask_url_password(text: str) -> str:
    """Return ``text`` with any URL password replaced by the mask."""
    found = find_url_password(text)
    if found is None:
        return text
    return f"{found.before}{SECRET_MASK}{found.after}"
