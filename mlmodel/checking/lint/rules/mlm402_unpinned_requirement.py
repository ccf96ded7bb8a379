"""A requirement in ``requirements.txt`` that is not pinned to one version.

An unpinned ``scikit-learn`` may install a release that cannot unpickle the model
(or unpickles it silently wrong). MLflow pins every requirement it infers.

Fails::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
        model_path: model.pkl

Fails, ``requirements.txt``::

    mlflow==3.18.0
    scikit-learn

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

from mlmodel.checking.lint.environment import requirements
from mlmodel.checking.lint.model import Finding, LintContext

CODE = "MLM402"


def check(ctx: LintContext) -> Iterator[Finding]:
    found = requirements(ctx)
    if not found or "python_function" not in ctx.flavors():
        return
    loose = [r for r in found if r.pinned_version is None]
    if loose:
        shown = ", ".join(f"{r.text} (line {r.line})" for r in loose[:5])
        more = f" and {len(loose) - 5} more" if len(loose) > 5 else ""
        yield Finding(
            ("flavors", "python_function"),
            f"requirements.txt has {len(loose)} unpinned requirement(s): {shown}{more}",
            hint="pin each to the version the model was saved with (name==version)",
            at_key=True,
        )
