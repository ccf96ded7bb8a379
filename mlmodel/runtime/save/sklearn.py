"""Save a scikit-learn model as ``mlflow.sklearn.save_model`` (3.17) does, atomically.

The directory holds the same files MLflow writes: ``MLmodel``, ``model.skops`` or
``model.pkl``, ``conda.yaml``, ``python_env.yaml``, ``requirements.txt`` (versions installed
here), and with an input example ``input_example.json`` and ``serving_input_example.json``.
The loader module is ``mlflow.sklearn``, so MLflow loads the model; so does mlmodel.

Requirements are found without loading anything: scikit-learn, the format's library, and the
distributions of the modules the model file references (read from the pickle opcodes or the
skops schema), minus those another requirement already pulls in. MLflow instead loads the
model in a subprocess and records every module imported, which adds unrelated packages.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mlmodel.core.errors import UsageError
from mlmodel.core.fsio import atomic_directory
from mlmodel.runtime.document.environment import (
    Environment,
    module_distributions,
    pinned,
    prune_dependencies,
)
from mlmodel.runtime.document.input_example import InputExample
from mlmodel.runtime.document.model import Model
from mlmodel.runtime.document.signature import ModelSignature, coerce_signature
from mlmodel.runtime.save import sklearn_serialization as serialization
from mlmodel.runtime.save.steps import (
    copy_code_paths,
    pyfunc_flavor,
    save_input_example,
    total_file_size,
    write_mlmodel,
)

FLAVOR_NAME = "sklearn"
LOADER_MODULE = "mlflow.sklearn"
SUPPORTED_PREDICT_FNS = (
    "predict",
    "predict_proba",
    "predict_log_proba",
    "predict_joint_log_proba",
    "score",
)

_logger = logging.getLogger(__name__)


def default_pip_requirements(serialization_format: str) -> list[str]:
    """scikit-learn and the format's library, pinned to the installed versions."""
    requirements = [pinned("scikit-learn")]
    extra = serialization.FORMAT_DISTRIBUTIONS.get(serialization_format)
    if extra is not None:
        requirements.append(pinned(extra))
    return requirements


def inferred_pip_requirements(model_file: Path, serialization_format: str) -> list[str]:
    """The defaults plus the distributions the model file references, pinned, sorted."""
    defaults = default_pip_requirements(serialization_format)
    referenced = module_distributions(
        serialization.referenced_modules(model_file, serialization_format)
    )
    names = {r.split("==")[0] for r in defaults}
    kept = prune_dependencies([*names, *referenced])
    return sorted({*defaults, *(pinned(d) for d in kept if d not in names)})


def infer_signature_from_example(example: InputExample, sk_model: Any) -> ModelSignature | None:
    """MLflow's ``_infer_signature_from_input_example`` with the sklearn wrapper: the input
    schema from the example, the output schema from ``sk_model.predict`` on it. Any failure
    gives no signature and a warning, as in MLflow."""
    from copy import deepcopy

    from mlmodel.runtime.document.signature import Schema
    from mlmodel.runtime.document.signature_infer import infer_param_schema, infer_schema

    try:
        data = deepcopy(example.inference_data)
        params = example.inference_params
        input_schema = infer_schema(data)
        params_schema = infer_param_schema(params) if params else None
        prediction = sk_model.predict(_as_model_input(data, input_schema.is_tensor_spec()))
        import numpy as np

        tensors = input_schema.is_tensor_spec()
        if not tensors and isinstance(prediction, np.ndarray) and prediction.ndim == 1:
            import pandas as pd

            prediction = pd.Series(prediction)
        try:
            output_schema = infer_schema(prediction)
        except Exception:  # noqa: BLE001 - MLflow's fallback: one 'any' column
            output_schema = Schema.from_specs([{"type": "any", "required": True}])
        return ModelSignature(input_schema, output_schema, params_schema)
    except Exception as exc:  # noqa: BLE001 - as MLflow: no signature, a warning
        warnings.warn(
            f"could not infer the model signature from the input example: {exc!r}",
            UserWarning,
            stacklevel=3,
        )
        return None


def _as_model_input(data: Any, tensors: bool) -> Any:
    """What pyfunc hands a scikit-learn model for this example (column data -> DataFrame)."""
    if tensors:
        return data
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, dict):
        if any(isinstance(v, list) for v in data.values()):
            return pd.DataFrame(data)
        return pd.DataFrame([data])
    if isinstance(data, list):
        return pd.DataFrame(data)
    return pd.DataFrame([data])


def save_model(
    sk_model: Any,
    path: str | os.PathLike[str],
    *,
    serialization_format: str = serialization.SKOPS,
    signature: ModelSignature | Any = None,
    input_example: Any = None,
    pip_requirements: str | Path | Iterable[str] | None = None,
    extra_pip_requirements: str | Path | Iterable[str] | None = None,
    metadata: dict[str, Any] | None = None,
    code_paths: Sequence[str | os.PathLike[str]] | None = None,
    pyfunc_predict_fn: str = "predict",
    skops_trusted_types: Sequence[str] | None = None,
    mlflow_model: Model | None = None,
    sign_with: str | os.PathLike[str] | None = None,
) -> Model:
    """Save ``sk_model`` as an MLflow model directory at ``path``; returns its :class:`Model`.

    ``sign_with``: an elliptic-curve PEM private key: the directory is signed
    (``model.sig``, :func:`mlmodel.signing.sign_model`) before it takes its name, so it
    appears signed or not at all (needs ``pip install "mlmodel[sign]"``)."""
    import sklearn

    serialization.check_format(serialization_format)
    if pip_requirements is not None and extra_pip_requirements is not None:
        raise UsageError("pass pip_requirements or extra_pip_requirements, not both")
    if serialization_format != serialization.SKOPS:
        _logger.warning(
            "Saving in the %s format: loading a pickle can run arbitrary code; 'skops' is "
            "the safe format.",
            serialization_format,
        )
    model = mlflow_model if mlflow_model is not None else Model()
    file_name = serialization.FILE_NAMES[serialization_format]
    trusted = list(skops_trusted_types) if skops_trusted_types is not None else None
    with atomic_directory(Path(path)) as staging:
        code_dir = copy_code_paths(code_paths, staging)
        example = save_input_example(model, input_example, staging)
        if signature is None and example is not None:
            model.signature = infer_signature_from_example(example, sk_model)
        elif signature is not False:
            model.signature = coerce_signature(signature)
        if metadata is not None:
            model.metadata = metadata
        model_file = staging / file_name
        trusted = serialization.dump(sk_model, model_file, serialization_format, trusted)
        if hasattr(sk_model, pyfunc_predict_fn):
            model.add_flavor(
                "python_function",
                **pyfunc_flavor(
                    LOADER_MODULE, model_path=file_name, code=code_dir, predict_fn=pyfunc_predict_fn
                ),
            )
        else:
            _logger.warning(
                "Model was missing function: %s. Not logging python_function flavor!",
                pyfunc_predict_fn,
            )
        model.add_flavor(
            FLAVOR_NAME,
            pickled_model=file_name,
            sklearn_version=sklearn.__version__,
            serialization_format=serialization_format,
            code=code_dir,
            skops_trusted_types=trusted,
        )
        if size := total_file_size(staging):
            model.model_size_bytes = size
        write_mlmodel(model, staging)
        defaults = None
        if pip_requirements is None:
            defaults = inferred_pip_requirements(model_file, serialization_format)
        Environment.build(defaults or [], pip_requirements, extra_pip_requirements).write(staging)
        if sign_with is not None:
            from mlmodel.signing import sign_model

            sign_model(staging, Path(sign_with), model_name=Path(path).absolute().name)
    return model


__all__ = ["default_pip_requirements", "save_model"]
