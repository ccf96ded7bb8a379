"""Loading a validated model: pick a loader for the flavor, wrap the result (§6 of the notes).

Native loaders (no MLflow) serve ``mlflow.sklearn``, ``mlflow.xgboost`` and
``mlflow.lightgbm``; a model with no ``python_function`` flavor still loads through its
``sklearn``, ``xgboost`` or ``lightgbm`` flavor. Any other ``loader_module`` goes through
MLflow's own module (:mod:`mlmodel.runtime.load.mlflow_fallback`).
"""

from __future__ import annotations

import importlib
import logging
import platform
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

from mlmodel.core.errors import (
    INVALID_PARAMETER_VALUE,
    RESOURCE_DOES_NOT_EXIST,
    ModelLoadError,
)
from mlmodel.environments.drift import warn_at_load
from mlmodel.flavors.libraries import NATIVE_LOADER_MODULES
from mlmodel.runtime.load.code_paths import add_code_to_path
from mlmodel.runtime.load.safety import LoadPolicy, TrustOptions
from mlmodel.runtime.predict.pyfunc_model import PyFuncModel

_logger = logging.getLogger("mlmodel.pyfunc")

NativeLoader = Callable[[Path, Path, Mapping[str, Any], LoadPolicy], Any]

#: loader_module -> (the module of mlmodel implementing it, the flavor it reads)
NATIVE_LOADERS: Final = {
    loader_module: (f"mlmodel.runtime.load.{flavor}", flavor)
    for loader_module, flavor in NATIVE_LOADER_MODULES.items()
}


def _native(loader_module: str) -> NativeLoader:
    module = importlib.import_module(NATIVE_LOADERS[loader_module][0])
    loader: NativeLoader = module.load_pyfunc
    return loader


def _pyfunc_conf(model_dir: Path, flavors: Mapping[str, Any]) -> dict[str, Any]:
    conf = flavors.get("python_function")
    if isinstance(conf, Mapping):
        return dict(conf)
    for loader_module, (_, flavor) in NATIVE_LOADERS.items():
        if isinstance(flavors.get(flavor), Mapping):
            _logger.info("%s: no python_function flavor; loading the %s flavor", model_dir, flavor)
            return {"loader_module": loader_module}
    raise ModelLoadError(
        f'Model does not have the "python_function" flavor ({model_dir}); nor a flavor '
        f"mlmodel loads natively ({', '.join(f for _, f in NATIVE_LOADERS.values())})",
        error_code=RESOURCE_DOES_NOT_EXIST,
    )


def load_document(
    model_dir: Path,
    document: dict[str, Any],
    *,
    trust: TrustOptions | None = None,
    model_config: Mapping[str, Any] | None = None,
) -> PyFuncModel:
    """Load the model of ``model_dir`` whose (validated) MLmodel is ``document``, after the
    trust decision (:func:`mlmodel.runtime.load.trust.decide`) under ``trust``."""
    from mlmodel.runtime.load.trust import decide

    policy = decide(model_dir, document, (trust or TrustOptions()).policy(model_dir))
    metadata = document.get("metadata")
    if isinstance(metadata, Mapping) and metadata.get("mlflow.model.isExternal") is True:
        raise ModelLoadError(
            "This model's artifacts are external and are not stored in the model directory. "
            "This model cannot be loaded.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    flavors = document.get("flavors") or {}
    conf = _pyfunc_conf(model_dir, flavors)
    _warn_python_version(conf.get("python_version"))
    warn_at_load(model_dir, document, _logger)
    loader_module = str(conf["loader_module"])
    # another reader than mlmodel's own (MLflow's loader, the import system) reads a
    # private copy, checked there: the bytes checked are the bytes it reads
    copy = None
    if not policy.allow_unsafe and (loader_module not in NATIVE_LOADERS or conf.get("code")):
        from mlmodel.runtime.load import snapshot

        taken = snapshot.take(model_dir, policy)
        if taken is not None:
            copy, policy = taken
    load_dir = copy or model_dir
    try:
        add_code_to_path(load_dir, conf.get("code"))
        data_path = load_dir / str(conf["data"]) if conf.get("data") else load_dir
        if loader_module in NATIVE_LOADERS:
            impl = _native(loader_module)(load_dir, data_path, flavors, policy)
        else:
            from mlmodel.runtime.load.mlflow_fallback import load_with_mlflow

            config = overridden_config(conf.get("config"), model_config)
            impl = load_with_mlflow(loader_module, load_dir, data_path, config, policy, document)
    except BaseException:
        if copy is not None:
            snapshot.discard(copy)
        raise
    model = PyFuncModel(
        model_dir=model_dir,
        document=document,
        impl=impl,
        loader_module=loader_module,
        predict_fn=str(conf.get("predict_fn") or "predict"),
    )
    if copy is not None:  # code put on sys.path stays importable until the process exits
        snapshot.release_with(sys.modules[__name__] if conf.get("code") else model, copy)
    return model


def _warn_python_version(saved: object) -> None:
    if not saved:
        return
    running = platform.python_version()
    if str(saved).split(".")[:2] != running.split(".")[:2]:
        _logger.warning(
            "The model was saved with Python %s; this is Python %s. Loading may fail.",
            saved,
            running,
        )


def overridden_config(
    saved: Mapping[str, Any] | None, given: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """The model config the loader gets, as MLflow decides it: the saved ``config`` of the
    pyfunc flavor, where ``given`` (and ``MLFLOW_PYFUNC_INFERENCE_CONFIG``, JSON) may change
    only the keys it already has; other keys are ignored with a warning."""
    import json
    import os
    import warnings

    overrides: dict[str, Any] = {}
    if from_env := os.environ.get("MLFLOW_PYFUNC_INFERENCE_CONFIG"):
        overrides.update(json.loads(from_env))
    overrides.update(given or {})
    if not overrides:
        return dict(saved) if saved else None
    if not saved:
        warnings.warn(
            f"model_config {', '.join(overrides)} ignored: the model's python_function flavor "
            "takes no configuration (log the model with a model_config to allow it)",
            UserWarning,
            stacklevel=3,
        )
        return None
    ignored = [key for key in overrides if key not in saved]
    if ignored:
        warnings.warn(
            f"model_config {', '.join(ignored)} ignored: not keys of the model's configuration "
            f"({', '.join(saved)})",
            UserWarning,
            stacklevel=3,
        )
    return {**saved, **{key: value for key, value in overrides.items() if key in saved}}
