"""JSON in and out of the scoring path: orjson when installed (the ``serve`` extra), else the
standard library, with the value rules of MLflow's ``NumpyEncoder``.

Reading accepts what MLflow's ``json.loads`` accepts (``NaN``, ``Infinity``, integers beyond
64 bits): orjson parses the common case, the standard library the rest. Writing turns numpy
arrays into nested lists, numpy scalars into numbers, bytes into base64 text (with MLflow's
trailing newline), dates and times into ISO-8601 text, and non-finite floats into ``null``
(MLflow writes the non-JSON tokens ``NaN``/``Infinity``; mlmodel keeps its output valid JSON).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import sys
from typing import Any

from mlmodel.core.errors import MLModelError

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - the serve extra installs it
    _orjson = None  # type: ignore[assignment]


class JSONDecodeError(MLModelError, ValueError):
    """The body is not JSON (or not UTF-8); the message says where."""


class _Digits:
    """Whether ``str`` or ``bytes`` text holds 19 digits in a row: every byte mapped to
    ``0`` (a digit) or a space, then one substring search (a regular expression trying each
    position costs more than orjson's whole parse of a 40 KB body)."""

    def __init__(self) -> None:
        self._table = bytes(0x30 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))
        self._run = b"0" * 19

    def search(self, data: bytes | str) -> bool:
        raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
        return self._run in raw.translate(self._table)


_LONG_DIGITS = _Digits()


def loads(data: bytes | str) -> Any:
    """Parse JSON text; raises :class:`JSONDecodeError` (never RecursionError)."""
    first: Exception | None = None
    # orjson reads an integer past 64 bits as a float; the standard library (MLflow's
    # reader) keeps it exact, so a text with 19 digits in a row goes there
    if _orjson is not None and not _LONG_DIGITS.search(data):
        try:
            return _orjson.loads(data)
        except _orjson.JSONDecodeError as exc:
            first = exc
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return json.loads(text)
    except UnicodeDecodeError as exc:
        raise JSONDecodeError(repr(exc)) from exc
    except json.JSONDecodeError as exc:
        raise JSONDecodeError(repr(exc)) from (first or exc)
    except RecursionError as exc:
        raise JSONDecodeError("the JSON document is nested too deeply") from exc


def _b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii")


def _default(value: Any) -> Any:
    """MLflow's ``NumpyEncoder.try_convert`` for what orjson cannot write itself."""
    np = sys.modules.get("numpy")
    if np is not None:
        if isinstance(value, np.ndarray):
            if value.dtype == np.bytes_:
                return [_default(x) for x in value.tolist()]
            return [_clean(x) for x in value.tolist()]
        if isinstance(value, np.datetime64):
            return str(np.datetime_as_string(value))
        if isinstance(value, np.generic):
            return _clean(value.item())
    if isinstance(value, bytes | bytearray | memoryview):
        return _b64(bytes(value))
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    pd = sys.modules.get("pandas")
    if pd is not None and value is pd.NA:
        return None
    if hasattr(value, "model_dump") and hasattr(value, "model_fields"):
        return value.model_dump()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _clean(value: Any) -> Any:
    """Values inside lists the standard encoder writes natively but orjson may not."""
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return _default(value)


def dumps(value: Any) -> bytes:
    """``value`` as UTF-8 JSON bytes (numpy arrays, scalars, bytes, dates as MLflow writes)."""
    if _orjson is not None:
        options = _orjson.OPT_SERIALIZE_NUMPY | _orjson.OPT_NON_STR_KEYS
        try:
            return _orjson.dumps(value, default=_default, option=options)
        except _orjson.JSONEncodeError:
            # e.g. integers beyond 64 bits, non-contiguous or object arrays, deep nesting
            pass
    try:
        return json.dumps(_clean(value), allow_nan=False).encode("utf-8")
    except ValueError:
        return json.dumps(_clean(value)).encode("utf-8")
