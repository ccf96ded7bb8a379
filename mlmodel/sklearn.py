"""Save and load scikit-learn models in MLflow's format: ``mlmodel.sklearn`` mirrors
``mlflow.sklearn`` (``save_model``, ``load_model``), without importing MLflow.

A model saved here loads with ``mlflow.sklearn.load_model`` and ``mlflow.pyfunc.load_model``;
loading here scans pickle files before unpickling them (see :func:`load_model`).
"""

from __future__ import annotations

from mlmodel.runtime.save_sklearn import (
    FLAVOR_NAME,
    SUPPORTED_PREDICT_FNS,
    default_pip_requirements,
    load_model,
    save_model,
)
from mlmodel.runtime.sklearn_serialization import CLOUDPICKLE, FORMATS, PICKLE, SKOPS

SERIALIZATION_FORMAT_SKOPS = SKOPS
SERIALIZATION_FORMAT_CLOUDPICKLE = CLOUDPICKLE
SERIALIZATION_FORMAT_PICKLE = PICKLE
SUPPORTED_SERIALIZATION_FORMATS = list(FORMATS)


def get_default_pip_requirements(serialization_format: str = SKOPS) -> list[str]:
    """The requirements every saved model gets: scikit-learn and the format's library."""
    return default_pip_requirements(serialization_format)


__all__ = [
    "FLAVOR_NAME",
    "SERIALIZATION_FORMAT_CLOUDPICKLE",
    "SERIALIZATION_FORMAT_PICKLE",
    "SERIALIZATION_FORMAT_SKOPS",
    "SUPPORTED_PREDICT_FNS",
    "SUPPORTED_SERIALIZATION_FORMATS",
    "get_default_pip_requirements",
    "load_model",
    "save_model",
]
