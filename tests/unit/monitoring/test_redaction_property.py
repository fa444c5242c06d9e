"""Property: a registered secret never appears in any sink's output, wherever it was embedded."""

from __future__ import annotations

import io
import json
import logging
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from galfriday.monitoring import Redactor, console_handler

secrets = st.text(alphabet=string.printable, min_size=8, max_size=40).filter(lambda s: s.strip())
surroundings = st.text(max_size=40)


def _log_everywhere(logger: logging.Logger, text: str) -> None:
    """Embed ``text`` in the message, in args, in nested extras and in an exception."""
    logger.info(text)
    logger.info("value: %s / %r", text, (text,))
    logger.info("extras", extra={"detail": {"nested": [text]}, "plain": text})
    try:
        raise RuntimeError(text)
    except RuntimeError:
        logger.exception("failed on %s", text)


@settings(max_examples=300, deadline=None)
@given(secret=secrets, before=surroundings, after=surroundings, json_format=st.booleans())
def test_registered_secret_never_reaches_the_output(
    secret: str, before: str, after: str, json_format: bool
) -> None:
    redactor = Redactor()
    assert redactor.register(secret)
    stream = io.StringIO()
    logger = logging.getLogger("galfriday.test.property")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.handlers = [console_handler(stream, json_format=json_format, redactor=redactor)]
    try:
        _log_everywhere(logger, before + secret + after)
    finally:
        logger.handlers = []
    output = stream.getvalue()
    assert secret not in output
    assert json.dumps(secret)[1:-1] not in output
