"""XGBoost models (native ``ubj``/``json``/``xgb`` files: never unpickled), as
``mlflow.xgboost`` loads them. ``model_class`` must be an ``xgboost`` class: the MLmodel file
cannot make the loader import anything else."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from mlmodel.runtime.errors import INVALID_PARAMETER_VALUE, MlmodelException
from mlmodel.runtime.load.flavor_conf import flavor_conf
from mlmodel.runtime.load.safety import LoadPolicy, require

_logger = logging.getLogger("mlmodel.pyfunc")


def load_xgboost_model(model_dir: Path, conf: Mapping[str, Any]) -> Any:
    """The XGBoost model of a directory's ``xgboost`` flavor."""
    import importlib

    require("xgboost", "xgboost")
    model_class = str(conf.get("model_class") or "xgboost.core.Booster")
    module_name, _, class_name = model_class.rpartition(".")
    if module_name != "xgboost" and not module_name.startswith("xgboost."):
        raise MlmodelException(
            f"{model_dir}: xgboost model_class {model_class!r} is not an xgboost class",
            error_code=INVALID_PARAMETER_VALUE,
        )
    cls = getattr(importlib.import_module(module_name), class_name)
    model = cls()
    model.load_model(str(model_dir / str(conf["data"])))
    return model


def _accepted(fn: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    parameters = inspect.signature(fn).parameters
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters.values()):
        return kwargs
    ignored = {k for k in kwargs if k not in parameters}
    if ignored:
        _logger.warning(
            "Params %s are not accepted by the xgboost model, ignoring them during predict.",
            ignored,
        )
    return {k: v for k, v in kwargs.items() if k in parameters}


class XGBoostModelWrapper:
    """``predict(data, params)``: a Booster gets a DMatrix; params the model accepts are
    passed on, as ``mlflow.xgboost``'s wrapper does."""

    def __init__(self, xgb_model: Any) -> None:
        self.xgb_model = xgb_model

    def get_raw_model(self) -> Any:
        return self.xgb_model

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        import xgboost as xgb

        model = self.xgb_model
        kwargs = dict(params or {})
        if isinstance(model, xgb.Booster):
            return model.predict(
                xgb.DMatrix(data), validate_features=True, **_accepted(model.predict, kwargs)
            )
        fn = partial(model.predict, validate_features=True)
        return fn(data, **_accepted(model.predict, kwargs))


def load_pyfunc(
    model_dir: Path, data_path: Path, flavors: Mapping[str, Any], policy: LoadPolicy
) -> XGBoostModelWrapper:
    conf = flavor_conf(model_dir, flavors, "xgboost")
    return XGBoostModelWrapper(load_xgboost_model(model_dir, conf))
