"""Building blocks every configuration section shares.

``ConfigModel`` makes each section frozen and typo-proof (unknown keys are errors, NaN and
infinity are refused). ``Violation``/``CrossFieldError`` let a rule that compares several keys
report each offending key by name, so the loader can print ``risk.max_daily_drawdown_pct: …``
instead of a bare section name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, SecretStr

from galfriday.config.redact import mask_url_password


class ConfigModel(BaseModel):
    """Base of every section: immutable, strict about keys, URL passwords masked in ``repr``."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        allow_inf_nan=False,
        validate_default=True,
    )

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            yield name, mask_url_password(value) if isinstance(value, str) else value


_NOT_SHOWN = object()


@dataclass(frozen=True)
class Violation:
    """One broken cross-field rule: the key it is about (dotted, relative to the model) and why."""

    key: str
    message: str
    got: object = _NOT_SHOWN

    @property
    def shows_value(self) -> bool:
        return self.got is not _NOT_SHOWN


class CrossFieldError(ValueError):
    """Raised by model validators; pydantic keeps it in the error's ``ctx`` for the loader."""

    def __init__(self, violations: tuple[Violation, ...]) -> None:
        self.violations = violations
        super().__init__("; ".join(f"{v.key}: {v.message}" for v in violations))


def rule(ok: bool, key: str, message: str, got: object = _NOT_SHOWN) -> Violation | None:
    """A Violation when ``ok`` is false, else None; pass the results to ``enforce``."""
    return None if ok else Violation(key, message, got)


def enforce(*results: Violation | None) -> None:
    """Raise one CrossFieldError listing every violated rule, so users fix them in one pass."""
    violations = tuple(v for v in results if v is not None)
    if violations:
        raise CrossFieldError(violations)


def _empty_to_none(value: object) -> object:
    # `${VAR:-}` for an unset variable yields "", which means "not configured", not "empty secret".
    return None if isinstance(value, str) and value.strip() == "" else value


OptionalSecret = Annotated[SecretStr | None, BeforeValidator(_empty_to_none)]
"""A secret that may be absent; an empty string counts as absent."""

OptionalText = Annotated[str | None, BeforeValidator(_empty_to_none)]
"""Text that may be absent; an empty string counts as absent."""


def _plain(value: str | SecretStr) -> str:
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def url_with_scheme(*schemes: str) -> Callable[[Any], Any]:
    """A validator that accepts only URLs whose scheme is one of ``schemes``.

    Works on ``SecretStr`` too; the message never repeats the value.
    """
    prefixes = tuple(f"{scheme}://" for scheme in schemes)

    def check(value: Any) -> Any:
        if value is not None and not _plain(value).lower().startswith(prefixes):
            raise ValueError(f"must be a URL starting with {' or '.join(prefixes)}")
        return value

    return check


HttpUrl = Annotated[str, AfterValidator(url_with_scheme("http", "https"))]
"""An http:// or https:// URL kept as text (the HTTP clients take strings)."""
