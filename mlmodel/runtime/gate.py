"""The gate every consumer of a model passes before loading: the validated read.

:func:`read_validated` reads the ``MLmodel`` bytes, validates them with mlmodel's validator
(structure, types, and the V5xx checks of every referenced path: nothing outside the model
directory, no symlink out) and returns the parsed document; a model with errors is refused
with :class:`~mlmodel.core.errors.InvalidModelError`. Loaders then make the trust
decision (:func:`mlmodel.runtime.load.trust.decide`) on that document.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mlmodel.modeldir.location import ModelLocation
    from mlmodel.runtime.load.safety import TrustOptions
    from mlmodel.runtime.predict.pyfunc_model import PyFuncModel

__all__ = ["load_trusted", "read_validated", "validate_location"]

_VALIDATED: OrderedDict[tuple[str, bytes, int], None] = OrderedDict()
_VALIDATED_SIZE: Final = 128


def read_validated(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """(model directory, parsed MLmodel) after mlmodel's validator found no error.

    The bytes validated are the bytes parsed. A clean verdict is remembered for the same
    MLmodel bytes in the same directory (unchanged modification time), so loading one model
    repeatedly validates it once."""
    import hashlib

    from mlmodel.checking.validate import resolve_model_location
    from mlmodel.core.errors import (
        InvalidModelError,
        ModelNotFoundError,
        ParseError,
        UsageError,
    )
    from mlmodel.yamlio.source import read_mlmodel_data
    from mlmodel.yamlio.tree import Limits

    try:
        location = resolve_model_location(path)
        mlmodel_path = location.file
        # the bounded reader validate uses: a FIFO, a device or a huge file named MLmodel
        # is a diagnostic (V115, V112), never a read that hangs or fills memory
        try:
            data = read_mlmodel_data(mlmodel_path, Limits().max_bytes)
        except ParseError as exc:
            shown = [d.with_file(location.shown) for d in exc.diagnostics]
            listing = "\n".join(f"  {d}" for d in shown)
            raise InvalidModelError(
                f"{location.shown}: the model does not validate:\n{listing}", shown
            ) from None
        model_dir = mlmodel_path.parent
        key = (
            str(mlmodel_path.resolve()),
            hashlib.blake2b(data, digest_size=32).digest(),
            model_dir.stat().st_mtime_ns,
        )
    except UsageError:
        raise  # no such model (ModelNotFoundError), a malformed URI, a missing extra
    except OSError as exc:
        where = exc.filename if exc.filename is not None else path
        raise ModelNotFoundError(f"{where}: {exc.strerror or exc}") from exc
    if key in _VALIDATED:
        _VALIDATED.move_to_end(key)
    else:
        validate_location(location, data)
        _VALIDATED[key] = None
        if len(_VALIDATED) > _VALIDATED_SIZE:
            _VALIDATED.popitem(last=False)
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return model_dir, yaml.load(data.decode("utf-8"), Loader=loader)


def validate_location(location: ModelLocation, data: bytes) -> None:
    from mlmodel.checking.config import load_config
    from mlmodel.checking.validate import validate_bytes
    from mlmodel.core.errors import InvalidModelError

    shown = location.shown  # a fetched model is named by its URI
    try:
        declared = load_config(location.file).flavors
        found = validate_bytes(data, model_dir=location.model_dir, declared=declared)
    except Exception as exc:  # a validator failure must not let the load go on
        raise InvalidModelError(
            f"{shown}: the validator failed on this model: {type(exc).__name__}: {exc}"
        ) from exc
    errors = [d.with_file(shown) for d in found if d.is_error]
    if errors:
        listing = "\n".join(f"  {d}" for d in errors[:20])
        raise InvalidModelError(
            f"{shown}: the model does not validate ({len(errors)} error(s)):\n{listing}",
            errors,
        )


def load_trusted(
    model_uri: str | Path, trust: TrustOptions, model_config: Mapping[str, Any] | None = None
) -> PyFuncModel:
    """:func:`mlmodel.pyfunc.load_model` with the caller's trust given at once (the CLI's
    commands and the server pass theirs, so refusals name their options)."""
    from mlmodel.runtime.load.dispatch import load_document

    model_dir, document = read_validated(model_uri)
    return load_document(model_dir, document, trust=trust, model_config=model_config)
