"""The flavors MLflow writes or used to write (spec section 4), registered as built-ins.

Registered through the ``mlmodel.flavors`` entry-point group like any plugin
(``pyproject.toml``); the registry reads this table directly so that documents
of built-in flavors never pay for an entry-point scan.
"""

from __future__ import annotations

from mlmodel.registry import FlavorSpec, PathRef, loader_is

_SCHEMAS = "mlmodel.schema.flavors"

BUILTIN_FLAVORS: tuple[FlavorSpec, ...] = (
    FlavorSpec(
        name="python_function",
        schema=f"{_SCHEMAS}.python_function:PythonFunctionFlavor",
        summary="generic Python loading and predict (pyfunc)",
        paths=(
            PathRef(("data",)),
            PathRef(("code",), "dir"),
            PathRef(("env",), "file"),
            PathRef(("env", "conda"), "file"),
            PathRef(("env", "virtualenv"), "file"),
            PathRef(("python_model",), "file"),
            PathRef(("artifacts", "*", "path")),
            PathRef(("model_path",), "file", when=loader_is("mlflow.sklearn")),
            PathRef(("model_code_path",), "file", basename_only=True),
        ),
    ),
    FlavorSpec(
        name="sklearn",
        schema=f"{_SCHEMAS}.sklearn:SklearnFlavor",
        summary="scikit-learn estimators",
        loader_modules=("mlflow.sklearn",),
        loader_needs_flavor=False,  # the loader falls back to pickle with a warning
        paths=(
            PathRef(("pickled_model",), "file"),
            PathRef(("code",), "dir"),
            PathRef(("extra_files", "*", "path"), "file"),
        ),
    ),
)
