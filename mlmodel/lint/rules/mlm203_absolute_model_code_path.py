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
from typing import Any

from mlmodel.diagnostics import Severity
from mlmodel.lint.model import Finding, LintContext

CODE = "MLM203"
NAME = "absolute-model-code-path"
SEVERITY = Severity.WARNING
FIX = "safe"

_ABSOLUTE = re.compile(r"^(/|[A-Za-z]:[\\/]|\\\\)")


def _fix(path: tuple[str, ...], name: str) -> Any:
    def fix(document: Any) -> None:
        document.set(path, name)

    return fix


def check(ctx: LintContext) -> Iterator[Finding]:
    for flavor, config in ctx.flavors().items():
        if not isinstance(config, dict):
            continue
        value = config.get("model_code_path")
        if isinstance(value, str) and _ABSOLUTE.match(value):
            name = PurePosixPath(value.replace("\\", "/")).name
            path = ("flavors", flavor, "model_code_path")
            yield Finding(
                path,
                f"model_code_path is the absolute path {value!r} of the saving machine; MLflow "
                f"uses only its file name {name!r}",
                fix=_fix(path, name) if name else None,
            )
