"""Read the small text files beside an MLmodel file (environments, input examples) and the
JSON strings inside it (signatures) within bounds: size, nesting depth, regular files only.

A hostile side file (20,000 nested brackets, a FIFO, a sparse 3 GiB file) gives a
:class:`SideFileError` naming the file, the line and the reason; never a
``RecursionError`` and never a read of more than the limit.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

MAX_SIDE_FILE_BYTES = 1024 * 1024
#: deeper than any real signature or example; far below where JSON readers recurse out
MAX_JSON_DEPTH = 100

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class SideFileError(ValueError):
    """A side file (or an embedded JSON string) that cannot be read; the message says why."""


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON ``text`` (linear; strings skipped)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_JSON_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def loads_json(text: str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` refusing (``SideFileError``) text nested deeper than ``max_depth``."""
    depth = json_depth(text)
    if depth > max_depth:
        raise SideFileError(f"nested {depth} levels deep, beyond the limit of {max_depth}")
    try:
        return json.loads(text)
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise SideFileError(f"nested beyond the limit of {max_depth}") from None


def read_text(path: Path, *, limit: int = MAX_SIDE_FILE_BYTES) -> str:
    """A regular file of at most ``limit`` bytes, as UTF-8 text (a BOM is dropped)."""
    from mlmodel.core.fsio import read_regular_bytes

    try:
        data = read_regular_bytes(path, max_bytes=limit)
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SideFileError(f"{path.name}: not UTF-8 text (byte {exc.start})") from None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SideFileError(f"{path.name}: {reason}") from None


def load_json(path: Path, *, limit: int = MAX_SIDE_FILE_BYTES) -> Any:
    text = read_text(path, limit=limit)
    try:
        return loads_json(text)
    except SideFileError as exc:
        raise SideFileError(f"{path.name}: {exc}") from None
    except ValueError as exc:
        raise SideFileError(f"{path.name}: not valid JSON: {exc}") from None


def load_yaml(path: Path, *, limit: int = MAX_SIDE_FILE_BYTES) -> Any:
    """YAML read as MLflow reads it (``safe_load`` semantics), within the YAML layer's
    limits (depth, aliases)."""
    from mlmodel.yamlio.parse import parse_fast
    from mlmodel.yamlio.tree import Limits

    text = read_text(path, limit=limit)
    parsed = parse_fast(text, Limits(max_bytes=limit))
    # an empty file is fine (safe_load gives None); V113 says so for an MLmodel file
    errors = [d for d in parsed.diagnostics if d.is_error and d.code != "V113"]
    if errors:
        first = errors[0]
        where = f":{first.line}" if first.line is not None else ""
        raise SideFileError(f"{path.name}{where}: {first.code} {first.message}")
    return parsed.data
