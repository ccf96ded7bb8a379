"""A flavor that current MLflow no longer has (fastai, mleap, diviner, ...).

Such a model loads only with the MLflow release that still had the flavor.

Fails::

    flavors:
      mleap:
        mleap_version: 0.8.1
        model_data: mleap/model

Passes::

    flavors:
      python_function:
        loader_module: mlflow.pyfunc.model
        python_model: python_model.pkl
"""

from __future__ import annotations

from collections.abc import Iterator

from mlmodel.diagnostics import Severity
from mlmodel.lint.model import Finding, LintContext
from mlmodel.registry import default_registry
from mlmodel.releases import removed_by

CODE = "MLM202"
NAME = "removed-flavor"
SEVERITY = Severity.WARNING


def check(ctx: LintContext) -> Iterator[Finding]:
    builtins = default_registry().builtins()
    for name in ctx.flavors():
        spec = builtins.get(name)
        if spec is not None and removed_by(spec.removed_in, ctx.mlflow_version):
            yield Finding(
                ("flavors", name),
                f"the {name} flavor was removed in MLflow {spec.removed_in}",
                hint="pin an older MLflow to load it, or re-save the model with a current flavor",
                at_key=True,
            )
