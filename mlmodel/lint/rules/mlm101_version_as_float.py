"""A version written as a bare number, which YAML reads as a float or an int.

``python_version: 3.10`` is read as the number 3.1: tools comparing versions see
the wrong one. Quote it. Fix (safe): quote the text exactly as written.

Fails::

    flavors:
      python_function:
        python_version: 3.10

Passes::

    flavors:
      python_function:
        python_version: '3.10'
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlmodel.diagnostics import Severity
from mlmodel.lint.model import Finding, LintContext
from mlmodel.validators.formats import version_paths
from mlmodel.yamlio.tree import KeyPath

CODE = "MLM101"
NAME = "version-as-float"
SEVERITY = Severity.WARNING
FIX = "safe"


def _quote(path: KeyPath, text: str) -> Any:
    def fix(document: Any) -> None:
        document.set(path, text)

    return fix


def check(ctx: LintContext) -> Iterator[Finding]:
    for path in version_paths(ctx.data):
        value: Any = ctx.data
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        raw = ctx.source_of(path) or str(value)
        yield Finding(
            path,
            f"{path[-1]} {raw} is read as the number {value!r}, not the version {raw!r}",
            hint=f"quote it: '{raw}'",
            fix=_quote(path, raw),
        )
