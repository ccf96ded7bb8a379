"""A pyfunc model without any environment file: its dependencies are unknown.

MLflow restores a model's environment from ``requirements.txt``,
``python_env.yaml`` or ``conda.yaml``; with none of them, serving it means
guessing the libraries and versions it needs.

Fails::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
        model_path: model.pkl

Passes::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
        model_path: model.pkl

Passes, ``requirements.txt``::

    mlflow==3.18.0
    scikit-learn==1.9.1
"""

from __future__ import annotations

from collections.abc import Iterator

from mlmodel.checking.lint.environment import env_file
from mlmodel.checking.lint.model import Finding, LintContext

CODE = "MLM401"


def check(ctx: LintContext) -> Iterator[Finding]:
    if not ctx.check_files or ctx.model_dir is None or "python_function" not in ctx.flavors():
        return
    names = {"requirements.txt", "python_env.yaml", "conda.yaml"}
    names.update((env_file(ctx, "conda"), env_file(ctx, "virtualenv")))
    if not any(ctx.file(name) for name in names):
        yield Finding(
            ("flavors", "python_function"),
            "no requirements.txt, python_env.yaml or conda.yaml: the model's dependencies are "
            "unknown",
            hint="log the model with MLflow (it writes them) or add a pinned requirements.txt",
            at_key=True,
        )
