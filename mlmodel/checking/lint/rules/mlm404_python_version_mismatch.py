"""``python_version`` disagrees with ``python_env.yaml`` or ``conda.yaml``.

MLflow restores the environment from those files, so a model saved with one
Python would be served with another.

Fails::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
        model_path: model.pkl
        python_version: 3.11.7

Fails, ``python_env.yaml``::

    python: 3.10.12

Passes::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
        model_path: model.pkl
        python_version: 3.11.7

Passes, ``python_env.yaml``::

    python: 3.11.7
"""

from __future__ import annotations

from collections.abc import Iterator

from mlmodel.checking.lint.environment import python_requirements
from mlmodel.checking.lint.model import Finding, LintContext

CODE = "MLM404"


def check(ctx: LintContext) -> Iterator[Finding]:
    pyfunc = ctx.flavors().get("python_function")
    if not isinstance(pyfunc, dict) or not isinstance(pyfunc.get("python_version"), str):
        return
    declared = pyfunc["python_version"]
    for wanted in python_requirements(ctx):
        if not wanted.allows(declared):
            yield Finding(
                ("flavors", "python_function", "python_version"),
                f"python_version is {declared} but {wanted.source} asks for Python {wanted}",
                hint="the model would be served with another Python than the one that saved it",
            )
