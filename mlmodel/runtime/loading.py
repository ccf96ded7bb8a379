"""``load_model``: validate, pick a loader for the flavor, wrap the result (§6 of the notes).

Native loaders (no MLflow) serve ``mlflow.sklearn``, ``mlflow.xgboost`` and
``mlflow.lightgbm``; a model with no ``python_function`` flavor still loads through its
``sklearn``, ``xgboost`` or ``lightgbm`` flavor. Any other ``loader_module`` goes through
MLflow's own module (:mod:`mlmodel.runtime.mlflow_fallback`).
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import platform
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

from mlmodel.runtime.code_paths import add_code_to_path
from mlmodel.runtime.errors import (
    INVALID_PARAMETER_VALUE,
    RESOURCE_DOES_NOT_EXIST,
    InvalidModelError,
    MlmodelException,
)
from mlmodel.runtime.pyfunc_model import PyFuncModel
from mlmodel.runtime.safety import LoadPolicy

_logger = logging.getLogger("mlmodel.pyfunc")

NativeLoader = Callable[[Path, Path, Mapping[str, Any], LoadPolicy], Any]

#: loader_module -> (the module of mlmodel implementing it, the flavor it reads)
NATIVE_LOADERS: Final = {
    "mlflow.sklearn": ("mlmodel.runtime.sklearn_loader", "sklearn"),
    "mlflow.xgboost": ("mlmodel.runtime.xgboost_loader", "xgboost"),
    "mlflow.lightgbm": ("mlmodel.runtime.lightgbm_loader", "lightgbm"),
}


def _native(loader_module: str) -> NativeLoader:
    module = importlib.import_module(NATIVE_LOADERS[loader_module][0])
    loader: NativeLoader = module.load_pyfunc
    return loader


_VALIDATED: OrderedDict[tuple[str, bytes, int], None] = OrderedDict()
_VALIDATED_SIZE: Final = 128


def read_validated(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """(model directory, parsed MLmodel) after mlmodel's validator found no error.

    The bytes validated are the bytes parsed. A clean verdict is remembered for the same
    MLmodel bytes in the same directory (unchanged modification time), so loading one model
    repeatedly validates it once."""
    from mlmodel.api import resolve_mlmodel_path
    from mlmodel.errors import UsageError

    try:
        mlmodel_path = resolve_mlmodel_path(path)
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
        _validate(mlmodel_path, data)
        _VALIDATED[key] = None
        if len(_VALIDATED) > _VALIDATED_SIZE:
            _VALIDATED.popitem(last=False)
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return model_dir, yaml.load(data.decode("utf-8"), Loader=loader)


def _validate(mlmodel_path: Path, data: bytes) -> None:
    from mlmodel.api import validate_bytes
    from mlmodel.config import load_config

    try:
        declared = load_config(mlmodel_path).flavors
        found = validate_bytes(data, model_dir=mlmodel_path.parent, declared=declared)
    except Exception as exc:  # a validator failure must not let the load go on
        raise InvalidModelError(
            f"{mlmodel_path}: the validator failed on this model: {type(exc).__name__}: {exc}"
        ) from exc
    errors = [d.with_file(str(mlmodel_path)) for d in found if d.is_error]
    if errors:
        listing = "\n".join(f"  {d}" for d in errors[:20])
        raise InvalidModelError(
            f"{mlmodel_path}: the model does not validate ({len(errors)} error(s)):\n{listing}",
            errors,
        )


def _pyfunc_conf(model_dir: Path, flavors: Mapping[str, Any]) -> dict[str, Any]:
    conf = flavors.get("python_function")
    if isinstance(conf, Mapping):
        return dict(conf)
    for loader_module, (_, flavor) in NATIVE_LOADERS.items():
        if isinstance(flavors.get(flavor), Mapping):
            _logger.info("%s: no python_function flavor; loading the %s flavor", model_dir, flavor)
            return {"loader_module": loader_module}
    raise MlmodelException(
        f'Model does not have the "python_function" flavor ({model_dir}); nor a flavor '
        f"mlmodel loads natively ({', '.join(f for _, f in NATIVE_LOADERS.values())})",
        error_code=RESOURCE_DOES_NOT_EXIST,
    )


def load_model(
    path: str | Path,
    *,
    allow_unsafe: bool = False,
    strict: bool = False,
    model_config: Mapping[str, Any] | None = None,
) -> PyFuncModel:
    """Load a model directory (or its MLmodel file) for prediction."""
    policy = LoadPolicy.resolve(allow_unsafe=allow_unsafe, strict=strict)
    model_dir, document = read_validated(path)
    metadata = document.get("metadata")
    if isinstance(metadata, Mapping) and metadata.get("mlflow.model.isExternal") is True:
        raise MlmodelException(
            "This model's artifacts are external and are not stored in the model directory. "
            "This model cannot be loaded.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    flavors = document.get("flavors") or {}
    conf = _pyfunc_conf(model_dir, flavors)
    _warn_python_version(conf.get("python_version"))
    add_code_to_path(model_dir, conf.get("code"))
    data_path = model_dir / str(conf["data"]) if conf.get("data") else model_dir
    loader_module = str(conf["loader_module"])
    if loader_module in NATIVE_LOADERS:
        impl = _native(loader_module)(model_dir, data_path, flavors, policy)
    else:
        from mlmodel.runtime.mlflow_fallback import load_with_mlflow

        config = {**(conf.get("config") or {}), **(model_config or {})}
        impl = load_with_mlflow(loader_module, model_dir, data_path, config, policy, document)
    return PyFuncModel(
        model_dir=model_dir,
        document=document,
        impl=impl,
        loader_module=loader_module,
        predict_fn=str(conf.get("predict_fn") or "predict"),
    )


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
