"""Save, log and load scikit-learn models in MLflow's format: ``mlmodel.sklearn`` mirrors
``mlflow.sklearn`` (``save_model``, ``log_model``, ``load_model``); only ``log_model``
imports MLflow (its client, extra ``mlmodel[tracking]``).

A model saved here loads with ``mlflow.sklearn.load_model`` and ``mlflow.pyfunc.load_model``;
loading here scans pickle files before unpickling them (see :func:`load_model`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mlmodel.runtime.save.sklearn import (
    FLAVOR_NAME,
    SUPPORTED_PREDICT_FNS,
    default_pip_requirements,
    save_model,
)
from mlmodel.runtime.save.sklearn_serialization import CLOUDPICKLE, FORMATS, PICKLE, SKOPS

SERIALIZATION_FORMAT_SKOPS = SKOPS
SERIALIZATION_FORMAT_CLOUDPICKLE = CLOUDPICKLE
SERIALIZATION_FORMAT_PICKLE = PICKLE
SUPPORTED_SERIALIZATION_FORMATS = list(FORMATS)


def get_default_pip_requirements(serialization_format: str = SKOPS) -> list[str]:
    """The requirements every saved model gets: scikit-learn and the format's library."""
    return default_pip_requirements(serialization_format)


def load_model(
    path: str | os.PathLike[str],
    *,
    allow_unsafe: bool = False,
    strict: bool = False,
    trusted_types: Iterable[str] | None = None,
    trusted_keys: Iterable[str | os.PathLike[str]] | None = None,
    require_signature: bool = False,
) -> Any:
    """The scikit-learn estimator of a model directory (``sklearn`` flavor).

    The same gate as :func:`mlmodel.pyfunc.load_model`: the model is validated (path
    checks included), the trust decision is made, and a pickle, cloudpickle or skops file
    loads only within the allowlist and what the caller trusts (same keyword arguments);
    trees are verified before the estimator is returned.
    """
    from mlmodel.runtime.gate import admit
    from mlmodel.runtime.load.safety import TrustOptions
    from mlmodel.runtime.load.sklearn import load_sklearn_model

    trust = TrustOptions.of(
        allow_unsafe=allow_unsafe,
        strict=strict,
        trusted_types=trusted_types,
        trusted_keys=trusted_keys,
        require_signature=require_signature,
    )
    admitted = admit(os.fspath(path), trust)
    flavor = (admitted.document.get("flavors") or {}).get(FLAVOR_NAME)
    if not isinstance(flavor, dict):
        from mlmodel.core.errors import RESOURCE_DOES_NOT_EXIST, ModelLoadError

        raise ModelLoadError(
            f"{admitted.model.location.shown_dir}: the model has no {FLAVOR_NAME} flavor",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )
    return load_sklearn_model(admitted.model_dir, flavor, admitted.policy)


def log_model(
    sk_model: Any,
    artifact_path: str | None = None,
    *,
    name: str | None = None,
    serialization_format: str = SKOPS,
    registered_model_name: str | None = None,
    signature: Any = None,
    input_example: Any = None,
    await_registration_for: int = 300,
    pip_requirements: str | Path | Sequence[str] | None = None,
    extra_pip_requirements: str | Path | Sequence[str] | None = None,
    pyfunc_predict_fn: str = "predict",
    metadata: dict[str, Any] | None = None,
    code_paths: Sequence[str | os.PathLike[str]] | None = None,
    skops_trusted_types: Sequence[str] | None = None,
    params: dict[str, Any] | None = None,
    tags: dict[str, Any] | None = None,
    model_type: str | None = None,
    step: int = 0,
    sign_with: str | os.PathLike[str] | None = None,
) -> Any:
    """Log ``sk_model`` to the active MLflow run as ``mlflow.sklearn.log_model`` does (a
    LoggedModel, optionally registered); returns MLflow's ``ModelInfo``. ``sign_with``: a
    private key that signs the saved directory before it is uploaded (see ``save_model``)."""
    import sys

    from mlmodel.runtime.document.model import Model

    return Model.log(
        artifact_path=artifact_path,
        name=name,
        flavor=sys.modules[__name__],
        sk_model=sk_model,
        serialization_format=serialization_format,
        registered_model_name=registered_model_name,
        signature=signature,
        input_example=input_example,
        await_registration_for=await_registration_for,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        pyfunc_predict_fn=pyfunc_predict_fn,
        metadata=metadata,
        code_paths=code_paths,
        skops_trusted_types=skops_trusted_types,
        params=params,
        tags=tags,
        model_type=model_type,
        step=step,
        sign_with=sign_with,
    )


__all__ = [
    "FLAVOR_NAME",
    "SERIALIZATION_FORMAT_CLOUDPICKLE",
    "SERIALIZATION_FORMAT_PICKLE",
    "SERIALIZATION_FORMAT_SKOPS",
    "SUPPORTED_PREDICT_FNS",
    "SUPPORTED_SERIALIZATION_FORMATS",
    "get_default_pip_requirements",
    "load_model",
    "log_model",
    "save_model",
]
