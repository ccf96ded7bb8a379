"""No ``python_function`` flavor: generic tools cannot load or serve the model.

``mlflow models serve``, ``mlflow.pyfunc.load_model`` and batch inference all
need it. Some flavors legitimately have none (mleap, spacy without a text
classifier), so this is a warning.

Fails::

    flavors:
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

from collections.abc import Iterator

from mlmodel.checking.lint.model import Finding, LintContext

CODE = "MLM201"


def check(ctx: LintContext) -> Iterator[Finding]:
    flavors = ctx.flavors()
    if flavors and "python_function" not in flavors:
        yield Finding(
            ("flavors",),
            "no python_function flavor: the model cannot be loaded or served by generic tools "
            "(mlflow models serve, pyfunc, batch inference)",
            at_key=True,
        )
