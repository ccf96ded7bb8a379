"""Where a model is read: a model directory, an MLmodel file (any name) or a model URI
resolved to the local MLmodel file, and the name every message gives it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mlmodel.core.errors import ModelNotFoundError, UsageError
from mlmodel.core.names import MLMODEL_NAME

__all__ = [
    "ModelLocation",
    "refuse_remote_write",
    "resolve_mlmodel_path",
    "resolve_model_location",
]


@dataclass(frozen=True, slots=True)
class ModelLocation:
    """Where a model named by a path or a URI is read, and how every message names it.

    ``file`` is the local MLmodel file (for a ``runs:/``, ``models:/`` or artifact-store
    URI, the fetched copy in the cache); ``shown`` names it in diagnostics, errors and
    reports: the path as given for a local model (and a ``file://`` URI, which names a
    local path), the URI the user gave followed by ``/MLmodel`` for a fetched one
    (``runs:/<id>/model/MLmodel``). ``uri`` is that URI (None for a local model).
    """

    file: Path
    shown: str
    uri: str | None = None

    @property
    def remote(self) -> bool:
        """True for a model fetched into the cache (writing there changes no user file)."""
        return self.uri is not None

    @property
    def model_dir(self) -> Path:
        """The local folder holding the MLmodel file."""
        return self.file.parent

    @property
    def shown_dir(self) -> str:
        """How messages name the model directory: ``shown`` without its file name."""
        if self.uri is not None:
            return self.shown.rpartition("/")[0]
        return str(self.file.parent)

    @classmethod
    def local(cls, file: Path) -> ModelLocation:
        """A local MLmodel file, named by its path."""
        return cls(file, str(file))

    @classmethod
    def fetched(cls, file: Path, uri: str) -> ModelLocation:
        """The MLmodel file of a model fetched from ``uri``, named ``<uri>/MLmodel`` (the
        URI alone when it names the MLmodel file itself)."""
        trimmed = uri.rstrip("/")
        named = trimmed.rpartition("/")[2] == MLMODEL_NAME
        return cls(file, trimmed if named else f"{trimmed}/{MLMODEL_NAME}", uri)


def refuse_remote_write(given: str | os.PathLike[str] | ModelLocation, action: str) -> None:
    """The one refusal of ``action`` (``lint --fix``, ``convert --in-place``) on a remote
    model: raise :class:`UsageError` when ``given`` is a remote model URI (checked before
    anything is fetched; a malformed one is left to be reported as a bad path) or the
    location of a model fetched from one. Writing there would change only the cached copy;
    the message says how to get a copy of one's own, errors and all, and work on it."""
    if isinstance(given, ModelLocation):
        uri = given.uri
    else:
        from mlmodel.core.uris import is_remote_model_uri, parse_model_uri

        if not is_remote_model_uri(given):
            return
        try:
            uri = parse_model_uri(given).uri
        except UsageError:
            return
    if uri is None:
        return
    raise UsageError(
        f"{uri}: {action} does not apply to a remote model (it would change only the cached "
        f"copy); download it first with `mlmodel download --allow-invalid {uri} DIR` (a model "
        f"with errors too), then run `mlmodel {action} DIR`"
    )


def resolve_model_location(path: str | os.PathLike[str] | ModelLocation) -> ModelLocation:
    """A model directory, an MLmodel file (any name) or a model URI -> its
    :class:`ModelLocation`: the local MLmodel file and the name messages give it.

    A model URI (``runs:/``, ``models:/``, ``file://``, an artifact store) is fetched into
    the cache first (:func:`mlmodel.tracking.resolve_model_dir`); the caller validates it.
    Raises :class:`~mlmodel.core.errors.UsageError` for a path that does not exist or a
    directory without an MLmodel file. Anything else is returned unopened: reading it
    (:func:`mlmodel.core.fsio.read_regular`) refuses a FIFO or a device with a finding. A
    location is returned as it is.
    """
    if isinstance(path, ModelLocation):
        return path
    uri: str | None = None
    # every model URI has a scheme (runs:/, s3://): a path without a colon is not one, and
    # needs no mlmodel.core.uris (validate's cold start)
    if ":" in os.fspath(path):
        from mlmodel.core.uris import FILE, is_model_uri, parse_model_uri

        if is_model_uri(path):
            from mlmodel.tracking.resolve import resolve_model_dir

            parsed = parse_model_uri(path)
            uri = parsed.uri if parsed.kind != FILE else None
            path = resolve_model_dir(path)
    file = _mlmodel_file(Path(path))
    return ModelLocation.local(file) if uri is None else ModelLocation.fetched(file, uri)


def resolve_mlmodel_path(path: str | os.PathLike[str] | ModelLocation) -> Path:
    """A model directory, an MLmodel file (any name) or a model URI -> the local MLmodel
    file (:func:`resolve_model_location`, whose ``file`` it is)."""
    return resolve_model_location(path).file


def _mlmodel_file(candidate: Path) -> Path:
    if candidate.is_dir():
        inner = candidate / MLMODEL_NAME
        if inner.is_dir() or not os.path.lexists(inner):
            raise ModelNotFoundError(f"{candidate}: directory has no {MLMODEL_NAME} file")
        return inner  # a FIFO or a device named MLmodel is reported (V115), never opened
    if candidate.exists():
        return candidate  # a FIFO or a device is reported (V115) when read, never opened
    raise ModelNotFoundError(f"{candidate}: no such file or directory")
