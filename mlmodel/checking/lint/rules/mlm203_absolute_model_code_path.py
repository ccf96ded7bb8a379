"""``model_code_path`` holds an absolute path from the machine that saved the model.

MLflow only uses its file name (the script sits in the model directory), so the
path leaks the saving machine's layout and means nothing elsewhere. Fix (safe):
keep the file name only.

Fails::

    flavors:
      python_function:
        loader_module: mlflow.pyfunc.loaders.code_model
        model_code_path: /home/alice/project/agent.py

Passes::

    flavors:
      python_function:
        loader_module: mlflow.pyfunc.loaders.code_model
        model_code_path: agent.py
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from mlmodel.checking.lint.model import Finding, Fix, LintContext
from mlmodel.yamlio.document import MLmodelDocument
from mlmodel.yamlio.tree import KeyPath, dotted

CODE = "MLM203"

_ABSOLUTE = re.compile(r"^(/|[A-Za-z]:[\\/]|\\\\)")


def _fix(path: KeyPath, old: str, name: str) -> Fix:
    def fix(document: MLmodelDocument) -> None:
        document.set(path, name)

    return Fix(dotted(path), "set", old, name, fix)


def check(ctx: LintContext) -> Iterator[Finding]:
    for flavor, config in ctx.flavors().items():
        if not isinstance(config, dict):
            continue
        value = config.get("model_code_path")
        if isinstance(value, str) and _ABSOLUTE.match(value):
            name = PurePosixPath(value.replace("\\", "/")).name
            path: KeyPath = ("flavors", flavor, "model_code_path")
            yield Finding(
                path,
                f"model_code_path is the absolute path {value!r} of the saving machine; MLflow "
                f"uses only its file name {name!r}",
                fix=_fix(path, value, name) if name else None,
            )
