"""The library each MLflow flavor saves a model with: the flavor setting recording its version
(``sklearn_version``...) and its distribution name on the package index.

Read by lint's MLM403 (a pin that contradicts the recorded version) and by drift checks
(:mod:`mlmodel.environments.drift`: a model's framework is the library of its flavors). Also
the ``python_function`` loader modules mlmodel implements itself, without MLflow
(:data:`NATIVE_LOADER_MODULES`: the runtime's native loaders, and the model environments
that need no MLflow for them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

__all__ = ["FLAVOR_LIBRARIES", "NATIVE_LOADER_MODULES", "framework_distributions"]

#: the python_function loader modules mlmodel loads without MLflow (its own loaders in
#: :mod:`mlmodel.runtime.load`), and the flavor each reads
NATIVE_LOADER_MODULES: Final[dict[str, str]] = {
    "mlflow.sklearn": "sklearn",
    "mlflow.xgboost": "xgboost",
    "mlflow.lightgbm": "lightgbm",
}

#: flavor -> (setting holding the library version, the library's distribution name)
FLAVOR_LIBRARIES: Final[dict[str, tuple[str, str]]] = {
    "sklearn": ("sklearn_version", "scikit-learn"),
    "xgboost": ("xgb_version", "xgboost"),
    "lightgbm": ("lgb_version", "lightgbm"),
    "catboost": ("catboost_version", "catboost"),
    "pytorch": ("pytorch_version", "torch"),
    "keras": ("keras_version", "keras"),
    "onnx": ("onnx_version", "onnx"),
    "transformers": ("transformers_version", "transformers"),
    "sentence_transformers": ("sentence_transformers_version", "sentence-transformers"),
    "statsmodels": ("statsmodels_version", "statsmodels"),
    "prophet": ("prophet_version", "prophet"),
    "pmdarima": ("pmdarima_version", "pmdarima"),
    "spacy": ("spacy_version", "spacy"),
    "h2o": ("h2o_version", "h2o"),
    "spark": ("pyspark_version", "pyspark"),
}


def framework_distributions(flavors: Iterable[str]) -> frozenset[str]:
    """The distributions of the libraries of ``flavors`` (flavor names as the MLmodel
    document's ``flavors`` keys; flavors without a library are skipped)."""
    return frozenset(FLAVOR_LIBRARIES[f][1] for f in flavors if f in FLAVOR_LIBRARIES)
