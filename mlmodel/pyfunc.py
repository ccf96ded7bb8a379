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

from typing import TYPE_CHECKING, Any

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
    from mlmodel.runtime.loading import load_model as _load

    return _load(model_uri, allow_unsafe=allow_unsafe, strict=strict, model_config=model_config)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mlmodel.pyfunc' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
