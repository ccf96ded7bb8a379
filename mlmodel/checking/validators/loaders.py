"""The python_function loader: will ``import_module(loader_module)._load_pyfunc`` work?

Nothing is imported: the checks compare names against what MLflow ships and
look for module files inside the model's ``code`` folder.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from mlmodel.checking.validators.context import CheckContext
from mlmodel.flavors.registry import default_registry
from mlmodel.modeldir.containment import is_regular_file, path_problem

#: loader modules MLflow has shipped (3.18 and earlier) besides those tied to a built-in flavor.
_OTHER_MLFLOW_LOADERS = frozenset(
    [
        "mlflow.pyfunc",
        "mlflow.pyfunc.model",
        "mlflow.pyfunc.loaders.code_model",
        "mlflow.pyfunc.loaders.chat_model",
        "mlflow.pyfunc.loaders.chat_agent",
        "mlflow.pyfunc.loaders.responses_agent",
        "mlflow.mxnet",
        "mlflow.mleap",
        "mlflow.keras.load",
        "mlflow.tensorflow.keras",
    ]
)


def mlflow_loaders() -> frozenset[str]:
    """Every loader module MLflow has: those of built-in flavors and the generic ones."""
    tied = (m for spec in default_registry().builtins().values() for m in spec.loader_modules)
    return _OTHER_MLFLOW_LOADERS.union(tied)


MLFLOW_LOADERS: frozenset[str] = mlflow_loaders()
EXTERNAL_LOADERS = frozenset(["databricks.feature_store.mlflow_model"])
SKLEARN_PREDICT_FNS = (
    "predict",
    "predict_proba",
    "predict_log_proba",
    "predict_joint_log_proba",
    "score",
)
DOTTED_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def check_loader(ctx: CheckContext) -> None:
    flavors = ctx.data.get("flavors")
    if not isinstance(flavors, dict):
        return
    pyfunc = flavors.get("python_function")
    if not isinstance(pyfunc, dict):
        return
    metadata = ctx.data.get("metadata")
    if isinstance(metadata, dict) and metadata.get("mlflow.model.isExternal") is True:
        ctx.report(
            "V207",
            "metadata 'mlflow.model.isExternal' is true: mlflow.pyfunc.load_model refuses to "
            "load this model, although it has a python_function flavor",
            ("metadata", "mlflow.model.isExternal"),
        )
    module = pyfunc.get("loader_module")
    if not isinstance(module, str):
        return
    path = ("flavors", "python_function", "loader_module")
    if not DOTTED_MODULE.match(module):
        ctx.report("V203", f"loader_module {module!r} is not a dotted module name", path)
        return
    if module.startswith("mlflow.") or module == "mlflow":
        if module not in MLFLOW_LOADERS:
            import difflib

            close = difflib.get_close_matches(module, sorted(MLFLOW_LOADERS), n=1)
            ctx.report(
                "V204",
                f"loader_module {module!r} is not a module MLflow has",
                path,
                hint=f"did you mean {close[0]!r}?" if close else None,
            )
            return
    elif module not in EXTERNAL_LOADERS:
        _check_custom_loader(ctx, module, pyfunc, path)
    tied = default_registry().for_loader(module)
    if tied and not any(spec.name in flavors for spec in tied):
        needing = [spec.name for spec in tied if spec.loader_needs_flavor]
        if needing:
            ctx.report(
                "V208",
                f"loader_module {module!r} reads the {needing[0]!r} flavor's settings, and this "
                f"document has no {needing[0]!r} flavor: pyfunc loading will fail",
                path,
                hint=f"add the {needing[0]} flavor or use the loader of the flavor the model has",
            )
    if module == "mlflow.sklearn":
        _check_sklearn_loader(ctx, pyfunc, flavors.get("sklearn"))
    elif module == "mlflow.pyfunc.model" and not any(
        pyfunc.get(key) for key in ("python_model", "model_code_path")
    ):
        ctx.report(
            "V201",
            "the mlflow.pyfunc.model loader needs 'python_model' (or 'model_code_path') in "
            "python_function; MLflow cannot find the model without it",
            ("flavors", "python_function"),
            at_key=True,
        )


def _check_custom_loader(
    ctx: CheckContext, module: str, pyfunc: dict[str, Any], path: tuple[str, ...]
) -> None:
    top = module.split(".")[0]
    if top in sys.stdlib_module_names:
        ctx.report(
            "V205",
            f"loader_module {module!r} is a standard-library module; it has no _load_pyfunc, "
            "so pyfunc loading will fail",
            path,
            hint="use the mlflow.<flavor> module that saved the model",
        )
        return
    code = pyfunc.get("code")
    if not ctx.check_files or ctx.model_dir is None or not isinstance(code, str):
        return
    if path_problem(code) is not None:  # reported (V509) by the file checks
        return
    base = ctx.model_dir / code
    parts = module.split(".")
    candidates = [
        base.joinpath(*parts).with_suffix(".py"),
        base.joinpath(*parts, "__init__.py"),
    ]
    if _is_dir(base) and not any(is_regular_file(c) for c in candidates):
        ctx.report(
            "V205",
            f"loader_module {module!r} is not in the code folder {code!r}; "
            "it must be installed wherever the model is loaded",
            path,
        )


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _check_sklearn_loader(ctx: CheckContext, pyfunc: dict[str, Any], sklearn: Any) -> None:
    base = ("flavors", "python_function")
    if pyfunc.get("data") is None and pyfunc.get("model_path") is None:
        ctx.report(
            "V201",
            "the mlflow.sklearn loader needs 'model_path' (or 'data') in python_function; "
            "pyfunc loading fails without it",
            base,
            at_key=True,
            hint="add model_path: with the sklearn flavor's pickled_model",
        )
    predict_fn = pyfunc.get("predict_fn")
    if isinstance(predict_fn, str) and predict_fn not in SKLEARN_PREDICT_FNS:
        ctx.report(
            "V203",
            f"predict_fn {predict_fn!r} is not a method the mlflow.sklearn loader exposes; "
            f"expected one of {', '.join(SKLEARN_PREDICT_FNS)}",
            (*base, "predict_fn"),
        )
    if isinstance(sklearn, dict):
        model_path = pyfunc.get("model_path")
        pickled = sklearn.get("pickled_model")
        if isinstance(model_path, str) and isinstance(pickled, str) and model_path != pickled:
            ctx.report(
                "V206",
                f"python_function model_path {model_path!r} differs from sklearn pickled_model "
                f"{pickled!r}; pyfunc and sklearn loading would use different files",
                (*base, "model_path"),
            )
