"""The PATH arguments of a command: each MLmodel file once, stdin, and the bad paths.

A bad path does not stop the others: it is reported, the rest are checked, and the
command exits 2 at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mlmodel.core.errors import UsageError

if TYPE_CHECKING:
    from mlmodel.modeldir.location import ModelLocation
    from mlmodel.yamlio.document import MLmodelDocument

STDIN = "-"
STDIN_NAME = "<stdin>"


@dataclass(slots=True)
class Collected:
    """``files``: MLmodel files, each once, in the order given, with the names messages give
    them (a fetched model's URI); ``stdin``: ``-`` was given; ``failures``: the paths that
    are not models, with why."""

    files: list[ModelLocation] = field(default_factory=list)
    stdin: bool = False
    failures: list[UsageError] = field(default_factory=list)


def collect(
    paths: Sequence[str | Path], *, recursive: bool = False, stdin: bool = True
) -> Collected:
    """Resolve each PATH to its MLmodel file (``--recursive``: every MLmodel file below a
    directory). The same file named twice (``m`` and ``m/MLmodel``, a symlink) is kept once.
    A model URI is fetched into the cache
    (:func:`mlmodel.modeldir.location.resolve_model_location`); a malformed or unknown one is a
    bad path."""
    from mlmodel.modeldir.location import ModelLocation, resolve_model_location

    collected = Collected()
    seen: set[Path] = set()

    def add(location: ModelLocation) -> None:
        key = location.file.resolve()
        if key not in seen:
            seen.add(key)
            collected.files.append(location)

    for given in paths:
        if str(given) == STDIN and stdin:
            collected.stdin = True
            continue
        path = Path(given)
        if recursive and path.is_dir():
            from mlmodel.cli.discover import find_mlmodel_files

            found = find_mlmodel_files(path)
            if not found:
                collected.failures.append(UsageError(f"{path}: no MLmodel file below it"))
            for file in found:
                add(ModelLocation.local(file))
            continue
        try:
            add(resolve_model_location(given))
        except UsageError as exc:
            collected.failures.append(exc)
    return collected


def refuse_remote(paths: Sequence[str | Path], action: str) -> None:
    """Raise :class:`UsageError` when a PATH is a remote model URI (``runs:/``,
    ``models:/``, an artifact store): ``action`` (``lint --fix``, ``convert --in-place``)
    would change only the cached copy. Checked before anything is fetched."""
    from mlmodel.modeldir.location import refuse_remote_write

    for given in paths:
        if str(given) != STDIN:
            refuse_remote_write(given, action)


def read_stdin(limit: int) -> bytes:
    """Up to ``limit`` + 1 bytes of stdin (one more than the limit: enough to say it is
    too large without reading everything)."""
    import sys

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise UsageError("- was given but there is no standard input to read")
    data: bytes = stream.read(limit + 1)
    return data


def read_stdin_document() -> MLmodelDocument:
    """The MLmodel document on stdin, for the commands that work on a document (inspect,
    convert). It has no path, so no model directory: like validate and lint, nothing
    beside it is read. Raises :class:`~mlmodel.core.errors.ParseError` positioned as
    ``<stdin>:LINE:COLUMN`` for a document that cannot be read (V112 beyond the default
    size limit)."""
    from mlmodel.yamlio.document import MLmodelDocument
    from mlmodel.yamlio.tree import Limits

    limits = Limits()
    return MLmodelDocument.from_bytes(read_stdin(limits.max_bytes), limits=limits, name=STDIN_NAME)
