"""Loader modules mlmodel does not implement, through MLflow's own module when importable.

Custom ``PythonModel`` objects, models from code, and every other framework: the pyfunc
contract of §6 (``code`` on ``sys.path``, ``data`` path, merged ``config``) is followed and
``<loader_module>._load_pyfunc`` does the work. The trust decision came first
(:mod:`mlmodel.runtime.load.trust`: no code from the model without trust), and every file of the
model directory that the pickle scanner calls a pickle (:func:`mlmodel.modeldir.pickle_files`)
is judged against the allowlist first (:mod:`mlmodel.runtime.load.safety`), since MLflow's
loaders unpickle without looking.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from mlmodel.runtime.errors import MissingDependencyError
from mlmodel.runtime.load.safety import LoadPolicy, check_pickle_file

#: loader module prefix -> the pip package(s) it needs besides MLflow
_FRAMEWORKS: Final = {
    "mlflow.pyfunc": "",
    "mlflow.catboost": "catboost",
    "mlflow.pytorch": "torch",
    "mlflow.tensorflow": "tensorflow",
    "mlflow.keras": "keras",
    "mlflow.onnx": "onnx onnxruntime",
    "mlflow.transformers": "transformers",
    "mlflow.sentence_transformers": "sentence-transformers",
    "mlflow.spark": "pyspark",
    "mlflow.statsmodels": "statsmodels",
    "mlflow.prophet": "prophet",
    "mlflow.pmdarima": "pmdarima",
    "mlflow.spacy": "spacy",
    "mlflow.h2o": "h2o",
    "mlflow.paddle": "paddlepaddle",
    "mlflow.langchain": "langchain",
    "mlflow.llama_index": "llama-index",
    "mlflow.dspy": "dspy",
    "mlflow.openai": "openai",
}


def _install_hint(loader_module: str) -> str:
    extra = next(
        (pkgs for prefix, pkgs in _FRAMEWORKS.items() if loader_module.startswith(prefix)),
        None,
    )
    if loader_module.split(".")[0] != "mlflow":
        return f"pip install {loader_module.split('.')[0]}"
    return "pip install mlflow-skinny" + (f" {extra}" if extra else "")


def load_with_mlflow(
    loader_module: str,
    model_dir: Path,
    data_path: Path,
    model_config: Mapping[str, Any] | None,
    policy: LoadPolicy,
    document: Mapping[str, Any],
) -> Any:
    """``import_module(loader_module)._load_pyfunc(data_path[, model_config])``."""
    from mlmodel.modeldir import pickle_files

    for _key, path in pickle_files(model_dir, document, every_file=True):
        check_pickle_file(path, policy, flavor="python_function", dry_run=True)
    try:
        module = importlib.import_module(loader_module)
    except ImportError as exc:
        hint = _install_hint(loader_module)
        raise MissingDependencyError(
            f"{model_dir}: loader_module {loader_module!r} is not built into mlmodel and "
            f"could not be imported ({exc}); to load this model: {hint}",
            package=hint.removeprefix("pip install "),
        ) from exc
    if model_config:
        return module._load_pyfunc(str(data_path), dict(model_config))
    return module._load_pyfunc(str(data_path))
