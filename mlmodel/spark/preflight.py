"""What ``mlmodel predict --engine spark`` checks before a Spark session starts.

A session costs seconds and, unquieted, screens of logs: every mistake that can be seen
without one is reported first, in one line. Usage errors: no ``-i``/``-o`` path, a format
Spark is not asked to read or write here, an input that does not exist, an output that does
(unless ``--overwrite``, and then only a file or a folder Spark wrote), an output inside a
file, a ``--result-type`` that is not a type spark_udf can fill, no Java 17. Then the model
is admitted (validated, its trust decided, its pickles judged, nothing loaded): not found is
a usage error, a model that does not validate or is refused is not. With ``--env-manager uv``
or ``virtualenv`` the model's environment is then created (or reused), its progress on
standard error: a Python that is not installed, or no uv, is a usage error before Spark
starts, and a failed install a model error.

Paths Spark reads through Hadoop (``s3a://``, ``hdfs://``, ...) are only checked by Spark
itself; local paths and ``file:`` URIs are checked here (a glob pattern must match).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mlmodel.core.errors import UsageError

if TYPE_CHECKING:
    from mlmodel.runtime.gate import Admitted
    from mlmodel.runtime.load.safety import TrustOptions

FORMATS: Final = ("parquet", "csv")
#: extensions of files that are not a Parquet or CSV dataset, with what they are
_NOT_DATASETS: Final = {".json": "JSON", ".jsonl": "JSON lines", ".ndjson": "JSON lines"}
_GLOB: Final = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Plan:
    """The checked arguments of one run: formats resolved, the model admitted."""

    input_path: str
    output_path: str
    input_format: str
    output_format: str
    admitted: Admitted
    result_type: Any  # a pyspark DataType, or None to infer it from the signature
    env_manager: str | None = None  #: ``uv`` or ``virtualenv``, prepared; None: local


def format_of(path: str, given: str | None) -> str:
    """The data format: ``given``, else from the path's extension (Parquet by default)."""
    if given is not None:
        if given.lower() not in FORMATS:
            raise UsageError(f"unknown format {given!r}: use {' or '.join(FORMATS)}")
        return given.lower()
    return "csv" if path.rstrip("/").lower().endswith(".csv") else "parquet"


def is_local(path: str) -> bool:
    """A path of this machine (not ``s3a://...``, ``hdfs:/...``; ``file:`` is a URI too)."""
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:/", path) is None


def local_path(path: str) -> Path | None:
    """The local file a path or ``file:`` URI names; None for other schemes."""
    if is_local(path):
        return Path(path).expanduser()
    if path.lower().startswith("file:"):
        from urllib.parse import unquote, urlparse

        parsed = urlparse(path)
        if parsed.netloc not in ("", "localhost"):
            return None
        return Path(unquote(parsed.path))
    return None


def _extension(path: str) -> str:
    name = path.rstrip("/").rsplit("/", 1)[-1].lower()
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


def check_format(path: str, given: str | None, role: str) -> str:
    """The format of ``path`` (``role`` is input or output), refusing JSON."""
    if given is not None and given.lower() == "json":
        given = None  # the local engine's default: the path's extension decides here
    kind = _NOT_DATASETS.get(_extension(path))
    if kind is not None and given is None:
        how = (
            "give -t parquet or -t csv for a dataset named otherwise"
            if role == "input"
            else "an output named *.csv is written as CSV, any other as Parquet"
        )
        raise UsageError(
            f"{path}: --engine spark {'reads' if role == 'input' else 'writes'} Parquet or "
            f"CSV datasets, not {kind} (a JSON request body is for --engine local; {how})"
        )
    return format_of(path, given)


def check_input(path: str) -> None:
    """A local input must exist (a glob pattern must match something)."""
    local = local_path(path)
    if local is None:
        return
    text = str(local)
    if "{" in text:  # Hadoop's {a,b} alternatives: Spark expands them
        return
    if _GLOB.search(text):
        import glob

        if not glob.glob(text):  # noqa: PTH207 (a pattern anywhere in the path, not below one)
            raise UsageError(f"{path}: no file or directory matches")
        return
    if not local.exists():
        raise UsageError(f"{path}: no such file or directory")


def _spark_wrote(folder: Path) -> bool:
    """Whether ``folder`` holds only what a Spark write leaves (part files, ``_SUCCESS``,
    checksums): safe to replace."""
    names = [entry.name for entry in folder.iterdir()]
    return all(
        name.startswith(("part-", "_", ".")) and not Path(folder, name).is_dir() for name in names
    ) and any(name == "_SUCCESS" or name.startswith("part-") for name in names)


def check_output(path: str, input_path: str, *, overwrite: bool) -> None:
    """A local output must not exist (with ``overwrite``: a file or a Spark output folder
    may), may not be the input, and its nearest existing ancestor must be a folder."""
    local = local_path(path)
    if local is None:
        return
    source = local_path(input_path)
    same = source is not None and source.exists() and local.exists()
    if same and source is not None and source.resolve() == local.resolve():
        raise UsageError(f"{path}: the output is the input; write it elsewhere")
    if local.exists() or local.is_symlink():
        if not overwrite:
            raise UsageError(
                f"{path}: already exists; Spark writes the output as a new directory: "
                "remove it, choose another -o, or give --overwrite"
            )
        if local.is_dir() and not _spark_wrote(local):
            raise UsageError(
                f"{path}: --overwrite replaces only a file or a folder Spark wrote (part "
                "files and _SUCCESS); this folder holds other files, so it is left alone"
            )
        return
    ancestor = local.absolute().parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"{path}: {ancestor} is not a directory")


def check_arguments(
    input_path: str,
    output_path: str | None,
    content_type: str,
    *,
    overwrite: bool,
) -> tuple[str, str, str]:
    """The usage checks on paths and formats; returns (output path, input format, output
    format)."""
    if input_path == "-" or output_path in (None, "-"):
        raise UsageError("--engine spark reads and writes paths: give -i INPUT and -o OUTPUT")
    assert output_path is not None
    given = content_type.lower()
    if given not in ("json", *FORMATS):
        raise UsageError(f"--engine spark reads {' or '.join(FORMATS)}, not {content_type}")
    input_format = check_format(input_path, given, "input")
    output_format = check_format(output_path, None, "output")
    check_input(input_path)
    check_output(output_path, input_path, overwrite=overwrite)
    return output_path, input_format, output_format


def prepare(
    model: str,
    input_path: str,
    output_path: str | None,
    *,
    master: str,
    content_type: str,
    result_type: str | None,
    overwrite: bool,
    trust: TrustOptions,
    env_manager: str | None = None,
) -> Plan:
    """Every check that needs no Spark session, cheapest first (the model's environment
    last, when ``env_manager`` asks for one); the :class:`Plan` to run."""
    from mlmodel.core.errors import InvalidParameterError, require_modules
    from mlmodel.runtime.gate import admit
    from mlmodel.spark.ddl import CLI, parse_result_type
    from mlmodel.spark.environment import check_env_manager, prepare_on_driver
    from mlmodel.spark.session import needs_java, require_java

    try:
        manager = check_env_manager(env_manager)
    except InvalidParameterError as exc:
        raise UsageError(str(exc)) from None

    output, input_format, output_format = check_arguments(
        input_path, output_path, content_type, overwrite=overwrite
    )
    require_modules(
        "spark", "mlmodel predict --engine spark", ("pyspark", "pyarrow", "pandas", "numpy")
    )
    parsed = None
    if result_type is not None:
        try:
            parsed = parse_result_type(result_type, CLI)
        except InvalidParameterError as exc:
            raise UsageError(str(exc)) from None
    if needs_java(master):
        from pyspark.sql import SparkSession

        if SparkSession.getActiveSession() is None:
            require_java()
    admitted = admit(model, trust, scan=True)  # not found: exit 2; invalid or refused: 1
    if manager is not None:
        prepare_on_driver(admitted.model_dir, manager, say=_say_stderr)
    return Plan(input_path, output, input_format, output_format, admitted, parsed, manager)


def _say_stderr(message: str) -> None:
    import sys

    print(message, file=sys.stderr, flush=True)
