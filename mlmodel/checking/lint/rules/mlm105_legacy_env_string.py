"""``python_function``'s ``env`` written as a string, as MLflow 1.x did.

MLflow 2.0+ writes ``env`` as a mapping naming both environment files
(``conda`` and ``virtualenv``), and restores a virtualenv from
``python_env.yaml``. A 1.x string names only the conda file. Fix (safe, only
when ``python_env.yaml`` exists in the model directory: nothing is invented):
write the mapping.

Fails::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
        model_path: model.pkl
        env: conda.yaml

Passes::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
        model_path: model.pkl
        env:
          conda: conda.yaml
          virtualenv: python_env.yaml
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from mlmodel.checking.lint.model import Finding, Fix, LintContext, NoFix
from mlmodel.yamlio.document import MLmodelDocument
from mlmodel.yamlio.tree import KeyPath, dotted

CODE = "MLM105"

PATH: KeyPath = ("flavors", "python_function", "env")


def check(ctx: LintContext) -> Iterator[Finding]:
    pyfunc = ctx.flavors().get("python_function")
    if not isinstance(pyfunc, dict) or not isinstance(pyfunc.get("env"), str):
        return
    conda = pyfunc["env"]
    fix: Fix | None = None
    no_fix: NoFix | None = None
    if ctx.file("python_env.yaml") is None:
        no_fix = NoFix(
            dotted(PATH),
            "a 1.x env string; left as is because the model directory has no "
            "python_env.yaml to name as virtualenv",
        )
    else:
        new = {"conda": conda, "virtualenv": "python_env.yaml"}

        def apply(document: MLmodelDocument) -> None:
            document.set(PATH, new)

        fix = Fix(
            dotted(PATH),
            "set",
            conda,
            json.dumps(new),
            apply,
            "MLflow 2.0+ writes env as a mapping {conda, virtualenv}; python_env.yaml exists",
        )
    yield Finding(
        PATH,
        f"env is the 1.x string {conda!r}; MLflow 2.0+ writes a mapping "
        "{conda: ..., virtualenv: python_env.yaml}",
        hint="re-save the model with a current MLflow, or write the mapping",
        fix=fix,
        no_fix=no_fix,
    )
