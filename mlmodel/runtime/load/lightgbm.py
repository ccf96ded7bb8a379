"""LightGBM models as ``mlflow.lightgbm`` loads them: a Booster from its native text file,
or an sklearn-API model through the safe sklearn deserialiser (missing
``serialization_format`` means ``cloudpickle`` for this flavor)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlmodel.runtime.load.flavor_conf import flavor_conf
from mlmodel.runtime.load.safety import LoadPolicy, require
from mlmodel.runtime.load.sklearn import load_sklearn_file


def load_lightgbm_model(model_dir: Path, conf: Mapping[str, Any], policy: LoadPolicy) -> Any:
    """The LightGBM model of a directory's ``lightgbm`` flavor."""
    path = model_dir / str(conf["data"])
    model_class = str(conf.get("model_class") or "lightgbm.basic.Booster")
    if model_class == "lightgbm.basic.Booster":
        lgb = require("lightgbm", "lightgbm")
        return lgb.Booster(model_file=str(path))
    return load_sklearn_file(
        path,
        str(conf.get("serialization_format") or "cloudpickle"),
        conf.get("skops_trusted_types"),
        policy,
        flavor="lightgbm",
    )


class LightGBMModelWrapper:
    def __init__(self, lgb_model: Any) -> None:
        self.lgb_model = lgb_model

    def get_raw_model(self) -> Any:
        return self.lgb_model

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        return self.lgb_model.predict(data)


def load_pyfunc(
    model_dir: Path, data_path: Path, flavors: Mapping[str, Any], policy: LoadPolicy
) -> LightGBMModelWrapper:
    conf = flavor_conf(model_dir, flavors, "lightgbm")
    return LightGBMModelWrapper(load_lightgbm_model(model_dir, conf, policy))
