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

from mlmodel.lint.model import Finding, LintContext

CODE = "MLM505"


def check(ctx: LintContext) -> Iterator[Finding]:
    if not ctx.require_signature or not ctx.check_files or ctx.model_dir is None:
        return
    signature = ctx.model_dir / "model.sig"
    if signature.exists() or signature.is_symlink():
        return
    yield Finding(
        (),
        "the model is not signed (no model.sig), and the configuration requires signatures "
        "(trust.require-signature)",
        hint="sign it: mlmodel sign MODEL --key PRIVATE.pem",
    )
