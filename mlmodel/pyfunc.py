"""``mlmodel.pyfunc``: load any MLflow model for prediction, like ``mlflow.pyfunc``.

>>> model = load_model("path/to/model")            # doctest: +SKIP
>>> model.predict(frame, params={"threshold": 0.5})  # doctest: +SKIP

Differences from MLflow: scikit-learn, XGBoost and LightGBM models load without MLflow;
the model is validated first; nothing is unpickled that the static scanner flags or cannot
read, unless ``allow_unsafe=True`` (or ``MLMODEL_ALLOW_UNSAFE=1``); ``strict=True`` also
refuses imports outside the flavor's allowlist; ``MLMODEL_NO_PICKLE=1`` refuses every pickle.
Errors are :class:`MlmodelException` with MLflow's error codes.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Final

from mlmodel.lazy import lazy_getattr

__all__ = [
    "InvalidModelError",
    "MlmodelException",
    "PyFuncModel",
    "SchemaEnforcementError",
    "UnsafeModelError",
    "load_model",
]

_LAZY = {
    "PyFuncModel": "mlmodel.runtime.pyfunc_model",
    "MlmodelException": "mlmodel.runtime.errors",
    "SchemaEnforcementError": "mlmodel.runtime.errors",
    "UnsafeModelError": "mlmodel.runtime.errors",
    "InvalidModelError": "mlmodel.runtime.errors",
}

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from mlmodel.modeldir import ModelLocation
    from mlmodel.runtime.errors import (
        InvalidModelError,
        MlmodelException,
        SchemaEnforcementError,
        UnsafeModelError,
    )
    from mlmodel.runtime.pyfunc_model import PyFuncModel


def load_model(
    model_uri: str | Path,
    *,
    allow_unsafe: bool = False,
    strict: bool = False,
    model_config: Mapping[str, Any] | None = None,
) -> PyFuncModel:
    """Load a model directory (or its MLmodel file) as a :class:`PyFuncModel`.

    Raises :class:`MlmodelException` (``error_code`` as MLflow's): the model does not
    validate, has no loadable flavor (``RESOURCE_DOES_NOT_EXIST``), needs a package that is
    not installed, or a file is refused by the safety policy (:class:`UnsafeModelError`).
    """
    from mlmodel.runtime.loading import load_document

    model_dir, document = _read_validated(model_uri)
    return load_document(
        model_dir, document, allow_unsafe=allow_unsafe, strict=strict, model_config=model_config
    )


_VALIDATED: OrderedDict[tuple[str, bytes, int], None] = OrderedDict()
_VALIDATED_SIZE: Final = 128


def _read_validated(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """(model directory, parsed MLmodel) after mlmodel's validator found no error.

    The bytes validated are the bytes parsed. A clean verdict is remembered for the same
    MLmodel bytes in the same directory (unchanged modification time), so loading one model
    repeatedly validates it once."""
    import hashlib

    from mlmodel.api import resolve_model_location
    from mlmodel.errors import UsageError
    from mlmodel.runtime.errors import RESOURCE_DOES_NOT_EXIST, MlmodelException

    try:
        location = resolve_model_location(path)
        mlmodel_path = location.file
        data = mlmodel_path.read_bytes()
        model_dir = mlmodel_path.parent
        key = (
            str(mlmodel_path.resolve()),
            hashlib.blake2b(data, digest_size=32).digest(),
            model_dir.stat().st_mtime_ns,
        )
    except (UsageError, OSError) as exc:
        raise MlmodelException(str(exc), error_code=RESOURCE_DOES_NOT_EXIST) from exc
    if key in _VALIDATED:
        _VALIDATED.move_to_end(key)
    else:
        _validate(location, data)
        _VALIDATED[key] = None
        if len(_VALIDATED) > _VALIDATED_SIZE:
            _VALIDATED.popitem(last=False)
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return model_dir, yaml.load(data.decode("utf-8"), Loader=loader)


def _validate(location: ModelLocation, data: bytes) -> None:
    from mlmodel.api import validate_bytes
    from mlmodel.config import load_config
    from mlmodel.runtime.errors import InvalidModelError

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


__getattr__ = lazy_getattr(__name__, globals(), _LAZY)
