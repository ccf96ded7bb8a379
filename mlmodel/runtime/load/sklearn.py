"""scikit-learn models, deserialised natively (no MLflow) and safely.

:func:`load_sklearn_model` is the one home of sklearn deserialisation: ``mlmodel.sklearn``
(``load_model``) and the pyfunc loader both call it. The format comes from the flavor's
``serialization_format`` (missing means ``pickle``, as MLflow reads it).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from mlmodel.runtime.errors import INVALID_PARAMETER_VALUE, MlmodelException
from mlmodel.runtime.load.safety import LoadPolicy, PickleModule, load_pickle_file, load_skops_file

FORMATS: Final = ("pickle", "cloudpickle", "skops")


def load_sklearn_file(
    path: Path,
    serialization_format: str,
    skops_trusted_types: list[str] | None,
    policy: LoadPolicy,
    *,
    flavor: str = "sklearn",
) -> Any:
    """One serialised estimator file, in one of :data:`FORMATS`; the trees it holds are
    verified before it is returned (unless every check is off)."""
    estimator = _deserialise(path, serialization_format, skops_trusted_types, policy, flavor)
    if not policy.allow_unsafe:
        from mlmodel.runtime.load.tree_check import verify_trees

        verify_trees(estimator, source=str(path))
    return estimator


def _deserialise(
    path: Path,
    serialization_format: str,
    skops_trusted_types: list[str] | None,
    policy: LoadPolicy,
    flavor: str,
) -> Any:
    if serialization_format not in FORMATS:
        raise MlmodelException(
            f"Unrecognized serialization format: {serialization_format}. Please specify one "
            f"of the following supported formats: {list(FORMATS)}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    if serialization_format == "skops":
        return load_skops_file(path, policy, flavor=flavor, requested=skops_trusted_types)
    module: PickleModule = "cloudpickle" if serialization_format == "cloudpickle" else "pickle"
    return load_pickle_file(path, policy, flavor=flavor, module=module)


def load_sklearn_model(
    model_dir: str | Path, flavor_conf: Mapping[str, Any], policy: LoadPolicy
) -> Any:
    """The estimator of a model directory's ``sklearn`` flavor (``flavor_conf``), under a
    policy the trust decision made (:func:`mlmodel.runtime.load.trust.decide`)."""
    from mlmodel.runtime.load.code_paths import add_code_to_path

    model_dir = Path(model_dir)
    add_code_to_path(model_dir, flavor_conf.get("code"))
    return load_sklearn_file(
        model_dir / str(flavor_conf["pickled_model"]),
        str(flavor_conf.get("serialization_format") or "pickle"),
        flavor_conf.get("skops_trusted_types"),
        policy,
    )


class SklearnModelWrapper:
    """What the pyfunc flavor calls: ``predict`` plus the estimator's extra methods.

    Exposes ``predict_proba``, ``predict_log_proba``, ``predict_joint_log_proba`` and
    ``score`` when the estimator has them, as MLflow's ``_SklearnModelWrapper`` does."""

    EXTRA_METHODS: Final = (
        "predict_proba",
        "predict_log_proba",
        "predict_joint_log_proba",
        "score",
    )

    def __init__(self, sklearn_model: Any) -> None:
        self.sklearn_model = sklearn_model
        for name in self.EXTRA_METHODS:
            method = getattr(sklearn_model, name, None)
            if method is not None:
                setattr(self, name, method)

    def get_raw_model(self) -> Any:
        return self.sklearn_model

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        return self.sklearn_model.predict(data)


def load_pyfunc(
    model_dir: Path, data_path: Path, flavors: Mapping[str, Any], policy: LoadPolicy
) -> SklearnModelWrapper:
    """``mlflow.sklearn._load_pyfunc``: ``data_path`` is the model directory, or (legacy
    ``data: model.pkl``) the model file itself."""
    conf = flavors.get("sklearn")
    pyfunc_conf = flavors.get("python_function") or {}
    if isinstance(conf, Mapping):
        fmt = str(conf.get("serialization_format") or "pickle")
        trusted = conf.get("skops_trusted_types")
    else:
        fmt, trusted = "pickle", None
    if data_path.is_file():
        path = data_path
    elif pyfunc_conf.get("model_path"):
        path = model_dir / str(pyfunc_conf["model_path"])
    elif isinstance(conf, Mapping) and conf.get("pickled_model"):
        path = model_dir / str(conf["pickled_model"])
    else:
        raise MlmodelException(
            f"{model_dir}: the sklearn model names no model file (model_path or pickled_model)",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return SklearnModelWrapper(load_sklearn_file(path, fmt, trusted, policy))
