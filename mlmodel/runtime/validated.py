"""The validated read every consumer of a model starts from (the first half of the gate).

:func:`validated` finds the model (a directory, an MLmodel file or a model URI), reads the
``MLmodel`` bytes with validate's bounded reader (a FIFO, a device or a huge file is a
diagnostic, V115 or V112, never a read that hangs), parses them once, checks the parse with
mlmodel's validator (structure, types, and the V5xx checks of every referenced path: nothing
outside the model directory, no symlink out) and returns that parse: the document checked is
the document loaded. A model with errors is refused with :class:`InvalidModelError`, each
diagnostic shown as ``validate`` prints it; a path that names no model with
:class:`ModelNotFoundError` (a usage error).

:func:`examine` is the same read and check without the refusal (``mlmodel download
--allow-invalid`` keeps a model with errors so that it can be fixed). The trust decision
and the load are :mod:`mlmodel.runtime.gate`'s, above this layer; ``Model.load``, which loads
nothing, stops here.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mlmodel.core.errors import InvalidModelError, ModelNotFoundError, ParseError, UsageError
from mlmodel.modeldir.location import ModelLocation, resolve_model_location

if TYPE_CHECKING:
    from mlmodel.core.diagnostics import Diagnostic

__all__ = [
    "Examined",
    "ValidatedModel",
    "examine",
    "invalid_model_error",
    "locate",
    "validated",
]


#: (resolved MLmodel path, digest of its bytes, model directory mtime, check_files) of the
#: models validated clean: loading one model repeatedly validates it once
_CLEAN: OrderedDict[tuple[str, bytes, int, bool], None] = OrderedDict()
_CLEAN_SIZE: Final = 128


@dataclass(frozen=True)
class ValidatedModel:
    """A model whose ``MLmodel`` validated: where it is and its parsed document."""

    location: ModelLocation
    document: dict[str, Any]

    @property
    def model_dir(self) -> Path:
        return self.location.model_dir


@dataclass(frozen=True)
class Examined:
    """What the validated read found, refusing nothing: the document (None when the file
    cannot be read or parsed into a mapping) and every finding, each naming the model as
    ``location.shown`` does."""

    location: ModelLocation
    document: dict[str, Any] | None
    diagnostics: list[Diagnostic]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


def locate(path: str | os.PathLike[str] | ModelLocation) -> ModelLocation:
    """The model ``path`` names (a model URI fetched into the cache); raises
    :class:`ModelNotFoundError` when it names none."""
    try:
        return resolve_model_location(path)
    except (UsageError, OSError) as exc:
        raise ModelNotFoundError(str(exc)) from exc


def invalid_model_error(shown: str, errors: Sequence[Diagnostic]) -> InvalidModelError:
    """The refusal of a model with ``errors``; its ``str()`` lists them, one ``validate``
    line each (:func:`mlmodel.core.errors.with_diagnostics`)."""
    return InvalidModelError(
        f"{shown}: the model does not validate ({len(errors)} error(s)):", list(errors)
    )


def _read(location: ModelLocation) -> tuple[bytes | None, list[Diagnostic]]:
    from mlmodel.yamlio.source import read_mlmodel_data
    from mlmodel.yamlio.tree import Limits

    try:
        return read_mlmodel_data(location.file, Limits().max_bytes), []
    except ParseError as exc:  # V112 too large, V115 not a regular file or unreadable
        return None, list(exc.diagnostics)


def _check(location: ModelLocation, data: bytes, check_files: bool) -> Examined:
    from mlmodel.checking.config import load_config
    from mlmodel.checking.validators import parse_and_check

    shown = location.shown  # a fetched model is named by its URI
    try:
        declared = load_config(location.file).flavors
        parsed, found = parse_and_check(
            data, model_dir=location.model_dir, check_files=check_files, declared=declared
        )
    except Exception as exc:  # a validator failure must not let the load go on
        raise InvalidModelError(
            f"{shown}: the validator failed on this model: {type(exc).__name__}: {exc}"
        ) from exc
    document = parsed.data if parsed is not None and isinstance(parsed.data, dict) else None
    return Examined(location, document, [d.with_file(shown) for d in found])


def examine(location: ModelLocation, *, check_files: bool = True) -> Examined:
    """The bounded read, the one parse and every check of ``location``'s MLmodel, refusing
    nothing (the caller decides what an error means)."""
    data, problems = _read(location)
    if data is None:
        return Examined(location, None, [d.with_file(location.shown) for d in problems])
    return _check(location, data, check_files)


def _key(location: ModelLocation, data: bytes, check_files: bool) -> tuple[str, bytes, int, bool]:
    import hashlib

    return (
        str(location.file.resolve()),
        hashlib.blake2b(data, digest_size=32).digest(),
        location.model_dir.stat().st_mtime_ns,
        check_files,
    )


def validated(
    path: str | os.PathLike[str] | ModelLocation, *, check_files: bool = True
) -> ValidatedModel:
    """The model ``path`` names, its MLmodel read within bounds, parsed once and validated
    (``check_files``: the referenced paths too, as ``validate``; False for an MLmodel file
    kept without its model's files, as ``validate --no-check-files``).

    Raises :class:`ModelNotFoundError` when ``path`` names no model and
    :class:`InvalidModelError` (with the diagnostics) when the model has errors. A clean
    verdict is remembered for the same bytes in the same, unchanged directory."""
    location = locate(path)
    data, problems = _read(location)
    if data is None:
        raise invalid_model_error(location.shown, [d.with_file(location.shown) for d in problems])
    try:
        key: tuple[str, bytes, int, bool] | None = _key(location, data, check_files)
    except OSError:
        key = None
    if key is not None and key in _CLEAN:
        _CLEAN.move_to_end(key)
        document = _parse_known_clean(data)
        if document is not None:
            return ValidatedModel(location, document)
    examined = _check(location, data, check_files)
    if examined.errors or examined.document is None:
        raise invalid_model_error(location.shown, examined.errors)
    if key is not None:
        _CLEAN[key] = None
        if len(_CLEAN) > _CLEAN_SIZE:
            _CLEAN.popitem(last=False)
    return ValidatedModel(location, examined.document)


def _parse_known_clean(data: bytes) -> dict[str, Any] | None:
    """The document of bytes that validated clean before (parsed, not checked again)."""
    from mlmodel.yamlio.parse import parse_fast
    from mlmodel.yamlio.source import decode

    source, _ = decode(data)
    if source is None:
        return None
    parsed = parse_fast(source.text)
    return parsed.data if isinstance(parsed.data, dict) else None
