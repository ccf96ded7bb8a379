"""The formats ``mlmodel predict`` reads and writes, named or inferred from a file's extension.

Input: ``json`` (one ``/invocations`` payload), ``csv``, ``parquet``. Output: ``json`` (the
``{"predictions": [...]}`` document MLflow writes), ``jsonl`` (one prediction per line),
``csv`` and ``parquet`` (a column per output). A name is matched case-insensitively; with no
name, the extension decides (case-insensitive), and JSON (MLflow's default) is what is read
or written otherwise (standard streams, unknown extensions).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Final

from mlmodel.core.errors import UsageError
from mlmodel.scoring import content_type as ct

INPUT_FORMATS: Final = ("json", "csv", "parquet")
OUTPUT_FORMATS: Final = ("json", "jsonl", "csv", "parquet")
#: each input format's MIME type, as the server names it
INPUT_MIME_TYPES: Final = {"json": ct.JSON, "csv": ct.CSV, "parquet": ct.PARQUET}

_INPUT_EXTENSIONS: Final = {".json": "json", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
_OUTPUT_EXTENSIONS: Final = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def input_format(given: str | None, path: str | None) -> str:
    """The input format: ``given`` (any case) when set, else from ``path``'s extension,
    else ``json``. Raises UsageError naming the accepted names for an unknown one."""
    return _chosen(given, path, INPUT_FORMATS, _INPUT_EXTENSIONS, "--content-type")


def output_format(given: str | None, path: str | None) -> str:
    """The output format: ``given`` (any case) when set, else from ``path``'s extension,
    else ``json``. Raises UsageError naming the accepted names for an unknown one."""
    return _chosen(given, path, OUTPUT_FORMATS, _OUTPUT_EXTENSIONS, "--output-format")


def _chosen(
    given: str | None,
    path: str | None,
    names: tuple[str, ...],
    extensions: dict[str, str],
    option: str,
) -> str:
    if given is not None:
        name = given.strip().lower()
        if name not in names:
            raise UsageError(f"{option} must be one of {', '.join(names)}, not {given!r}")
        return name
    if path is None or path == "-":
        return "json"
    return extensions.get(PurePath(path).suffix.lower(), "json")
