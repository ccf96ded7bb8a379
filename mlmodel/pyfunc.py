"""``mlmodel.pyfunc``: load any MLflow model for prediction, like ``mlflow.pyfunc``.

>>> model = load_model("path/to/model")            # doctest: +SKIP
>>> model.predict(frame, params={"threshold": 0.5})  # doctest: +SKIP

Differences from MLflow: scikit-learn, XGBoost and LightGBM models load without MLflow;
the model is validated first; a pickle loads only when every global it imports is on its
framework's exact allowlist, and no Python from the model directory runs (``code/``, a
custom ``loader_module``, models from code, a by-value ``PythonModel``), unless the loader
trusts it: ``trusted_types=[...]`` (exact names), ``trusted_keys=[...]`` (a signature that
verifies), or ``allow_unsafe=True`` (or ``MLMODEL_ALLOW_UNSAFE=1``: no checks). See
:mod:`mlmodel.runtime.load.safety` and :mod:`mlmodel.runtime.load.trust`.
Errors are :class:`MlmodelException` (``mlmodel.core.errors.MLModelError``, the root of every
mlmodel exception) with MLflow's error codes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlmodel.core.lazy import lazy_getattr

__all__ = [
    "InvalidModelError",
    "MissingDependencyError",
    "MlmodelException",
    "ModelNotFoundError",
    "PyFuncModel",
    "SchemaEnforcementError",
    "UnsafeModelError",
    "load_model",
]

_LAZY = {
    "PyFuncModel": "mlmodel.runtime.predict.pyfunc_model",
    "MlmodelException": "mlmodel.core.errors",
    "SchemaEnforcementError": "mlmodel.core.errors",
    "UnsafeModelError": "mlmodel.core.errors",
    "InvalidModelError": "mlmodel.core.errors",
    "MissingDependencyError": "mlmodel.core.errors",
    "ModelNotFoundError": "mlmodel.core.errors",
}

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Mapping
    from pathlib import Path

    from mlmodel.core.errors import (
        InvalidModelError,
        MissingDependencyError,
        MlmodelException,
        ModelNotFoundError,
        SchemaEnforcementError,
        UnsafeModelError,
    )
    from mlmodel.runtime.predict.pyfunc_model import PyFuncModel


def load_model(
    model_uri: str | Path,
    *,
    allow_unsafe: bool = False,
    strict: bool = False,
    trusted_types: Iterable[str] | None = None,
    trusted_keys: Iterable[str | os.PathLike[str]] | None = None,
    require_signature: bool = False,
    model_config: Mapping[str, Any] | None = None,
) -> PyFuncModel:
    """Load a model directory (or its MLmodel file, or a model URI) as a :class:`PyFuncModel`.

    Trust is the caller's to grant, never the model's: ``trusted_types`` names globals a
    pickle (or skops types) may use beyond the allowlist; ``trusted_keys`` are public keys:
    a model whose signature (``mlmodel sign``) verifies against one loads its pickles and
    code, byte-checked; ``require_signature`` refuses any other model; ``allow_unsafe``
    switches every check off. ``[tool.mlmodel.trust]`` in the configuration of the current
    directory adds to these, and ``strict=True`` takes only what the arguments grant.

    Raises :class:`MlmodelException` (``error_code`` as MLflow's): no model there
    (:class:`ModelNotFoundError`, also a :class:`mlmodel.core.errors.UsageError`), the model does
    not validate (:class:`InvalidModelError`, each diagnostic as ``validate`` prints it), has
    no loadable flavor (``RESOURCE_DOES_NOT_EXIST``), needs a package that is not installed
    (:class:`MissingDependencyError`), or the trust decision refuses it
    (:class:`UnsafeModelError`).
    """
    from mlmodel.runtime.gate import load_trusted
    from mlmodel.runtime.load.safety import TrustOptions

    trust = TrustOptions.of(
        allow_unsafe=allow_unsafe,
        strict=strict,
        trusted_types=trusted_types,
        trusted_keys=trusted_keys,
        require_signature=require_signature,
    )
    return load_trusted(model_uri, trust, model_config)


__getattr__ = lazy_getattr(__name__, globals(), _LAZY)
