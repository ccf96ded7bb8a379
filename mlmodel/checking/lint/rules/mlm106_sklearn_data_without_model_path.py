"""An ``mlflow.sklearn`` pyfunc that names its model file in ``data``, not ``model_path``.

MLflow 1.10 and older wrote ``data``; 1.11+ writes ``model_path``, copied from
the sklearn flavor's ``pickled_model``. Current MLflow still reads ``data``,
but tools following the current layout look for ``model_path``. Fix (safe):
add ``model_path`` from ``sklearn.pickled_model`` (``data`` is kept). A
missing ``model_path`` *and* ``data`` is an error the validator reports (V201),
fixed the same way.

Fails::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
        data: model.pkl
      sklearn:
        pickled_model: model.pkl

Passes::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
        data: model.pkl
        model_path: model.pkl
      sklearn:
        pickled_model: model.pkl
"""

from __future__ import annotations

from collections.abc import Iterator

from mlmodel.checking.lint.fixes import sklearn_model_path
from mlmodel.checking.lint.model import Finding, Fix, LintContext

CODE = "MLM106"

WHY = (
    "MLflow 1.11+ names the sklearn model file in model_path (<=1.10 wrote data); "
    "copied from sklearn.pickled_model"
)


def check(ctx: LintContext) -> Iterator[Finding]:
    pyfunc = ctx.flavors().get("python_function")
    if not isinstance(pyfunc, dict) or pyfunc.get("loader_module") != "mlflow.sklearn":
        return
    if "model_path" in pyfunc or "data" not in pyfunc:
        return  # without both, V201 reports it
    fix = sklearn_model_path(ctx, WHY)
    yield Finding(
        ("flavors", "python_function", "data"),
        "the mlflow.sklearn pyfunc names its model file in data (MLflow <= 1.10); current "
        "MLflow writes model_path",
        hint="add model_path: the sklearn flavor's pickled_model",
        at_key=True,
        fix=fix if isinstance(fix, Fix) else None,
        no_fix=None if isinstance(fix, Fix) else fix,
    )
