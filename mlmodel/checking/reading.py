"""Reading an MLmodel file for the commands that work on its round-trip document
(``inspect``, ``convert``, ``lint``, the library): find it, load it, see its content as data.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any

from mlmodel.core.errors import UsageError
from mlmodel.modeldir import ModelLocation, resolve_model_location
from mlmodel.yamlio.document import MLmodelDocument
from mlmodel.yamlio.tree import KeyPath, Limits

__all__ = ["is_json_text", "json_ready", "read_mlmodel", "scalar_text"]


def read_mlmodel(
    path: str | Path | ModelLocation, *, limits: Limits | None = None
) -> MLmodelDocument:
    """Read a model directory's MLmodel (or an MLmodel file of any name, or a model URI's)
    for round-trip work.

    Raises :class:`~mlmodel.core.errors.UsageError` for a path that is not a model or cannot be
    read, :class:`~mlmodel.core.errors.ParseError` for a file that is not an MLmodel document;
    both name the model as :attr:`ModelLocation.shown` does (a fetched model by its URI).
    """
    location = resolve_model_location(path)
    try:
        return MLmodelDocument.read(location.file, limits=limits, name=location.shown)
    except OSError as exc:
        reason = exc.strerror or exc
        raise UsageError(f"{location.shown}: cannot read the file: {reason}") from None


def is_json_text(text: str) -> bool:
    """Whether a document is JSON-styled (its first character is ``{``)."""
    return text.lstrip("\ufeff \t\r\n").startswith("{")


def scalar_text(document: MLmodelDocument, path: KeyPath) -> str | None:
    """The text of a plain scalar exactly as written in the file."""
    span = document.parsed.spans.get(path)
    if span is None or span.kind != "scalar":
        return None
    return document.text[span.start : span.end]


def json_ready(document: MLmodelDocument) -> Any:
    """The document's content as JSON-able data; timestamps are the strings written."""

    def walk(value: Any, path: KeyPath) -> Any:
        if isinstance(value, dict):
            return {str(k): walk(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*path, i)) for i, v in enumerate(value)]
        if isinstance(value, dt.date):
            return scalar_text(document, path) or str(value)
        if isinstance(value, bytes):
            return base64.b64encode(value).decode("ascii")
        return value

    return walk(document.parsed.data, ())
