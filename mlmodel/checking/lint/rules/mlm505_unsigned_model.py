"""The project requires signed models and this one has no ``model.sig``.

With ``require-signature = true`` in the configuration's ``trust`` table
(``[tool.mlmodel.trust]`` in ``pyproject.toml``, ``[trust]`` in ``.mlmodel.toml``), every
model must carry an OpenSSF model signature (``mlmodel sign MODEL --key KEY.pem``). A
configuration inside the model directory may require signatures but cannot waive a
requirement the configuration above it sets. Whether the signature matches the files is
MLM504's check; who signed it, ``mlmodel verify``'s.

Fails::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
        model_path: model.pkl

Fails, ``.mlmodel.toml``::

    [trust]
    require-signature = true

Passes::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
        model_path: model.pkl
"""

from __future__ import annotations

from collections.abc import Iterator

from mlmodel.checking.lint.model import Finding, LintContext
from mlmodel.signing.check import unsigned

CODE = "MLM505"


def check(ctx: LintContext) -> Iterator[Finding]:
    if not ctx.check_files or ctx.model_dir is None:
        return
    found = unsigned(ctx.model_dir, ctx.require_signature)
    if found is not None:
        yield Finding((), found.message, hint=found.hint)
