"""No signature: nothing checks the input at serving time and tools cannot tell the schema.

MLflow enforces the signature on predict and the scoring server uses it to
parse requests; without one any input reaches the model.

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
    signature:
      inputs: '[{"type": "double", "name": "x", "required": true}]'
      outputs: null
      params: null
"""

from __future__ import annotations

from collections.abc import Iterator

from mlmodel.checking.lint.model import Finding, LintContext

CODE = "MLM301"


def check(ctx: LintContext) -> Iterator[Finding]:
    if "python_function" not in ctx.flavors():
        return  # only pyfunc enforces signatures
    if ctx.data.get("signature") is not None:
        return  # an empty or malformed signature is an error the validator reports
    yield Finding(
        ("signature",) if "signature" in ctx.data else (),
        "the model has no signature: inputs are not checked at serving time",
        hint="log the model with signature=infer_signature(...) or an input_example",
        at_key=True,
    )
