"""Questions about the schema by key path, answered from the pydantic field annotations.

The loader needs them to check environment-override keys before validation, to decide whether
an override is text or YAML, and to know which failing keys hold secrets that must not be echoed.
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo


def _members(annotation: Any) -> tuple[Any, ...]:
    """The concrete types of an annotation, looking through Annotated and ``X | None``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _members(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return tuple(m for arg in get_args(annotation) for m in _members(arg) if m is not type(None))
    return (annotation,)


def _model_in(annotation: Any, *, through_sequences: bool) -> type[BaseModel] | None:
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel):
            return member
        if through_sequences and get_origin(member) in (tuple, list):
            item = get_args(member)[0]
            return _model_in(item, through_sequences=True)
    return None


def section_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds directly (not inside a list), so sub-keys can be addressed."""
    return _model_in(annotation, through_sequences=False)


def field_at(root: type[BaseModel], loc: Sequence[str | int]) -> FieldInfo | None:
    """The field a validation-error location points at; list indices are stepped over."""
    model: type[BaseModel] | None = root
    found: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return None
        found = model.model_fields[part]
        model = _model_in(found.annotation, through_sequences=True)
    return found


def model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model that owns the keys at ``loc`` (``()`` is the root itself)."""
    if not [part for part in loc if not isinstance(part, int)]:
        return root
    field = field_at(root, loc)
    return None if field is None else _model_in(field.annotation, through_sequences=True)


def holds_secret(field: FieldInfo | None) -> bool:
    return field is not None and SecretStr in _members(field.annotation)


def holds_text(field: FieldInfo) -> bool:
    """True for str, SecretStr and Path fields, whose override values must be taken verbatim."""
    return any(member in (str, SecretStr, Path) for member in _members(field.annotation))
