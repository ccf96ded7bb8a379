"""V201 fix: the ``mlflow.sklearn`` pyfunc loader with neither ``model_path`` nor ``data``.

Fix (safe): add ``model_path`` from the sklearn flavor's ``pickled_model``, as
MLflow writes it. Other missing keys have no fix: a value is never invented.

Fails::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
      sklearn:
        pickled_model: model.pkl

Passes::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
        model_path: model.pkl
      sklearn:
        pickled_model: model.pkl
"""

from __future__ import annotations

from mlmodel.checking.lint.fixes import sklearn_model_path
from mlmodel.checking.lint.model import Fix, LintContext, NoFix
from mlmodel.core.diagnostics import Diagnostic

CODE = "V201"

WHY = (
    "the mlflow.sklearn pyfunc loader needs model_path; copied from sklearn.pickled_model, "
    "as MLflow writes it"
)


def fix(ctx: LintContext, diagnostic: Diagnostic) -> Fix | NoFix | None:
    if diagnostic.key != "flavors.python_function" or "model_path" not in diagnostic.message:
        return None
    pyfunc = ctx.flavors().get("python_function")
    if not isinstance(pyfunc, dict) or pyfunc.get("loader_module") != "mlflow.sklearn":
        return None
    if "model_path" in pyfunc or "data" in pyfunc:
        return None
    return sklearn_model_path(ctx, WHY)
