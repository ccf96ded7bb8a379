"""V402 fix: a version written as a bare number, which YAML reads as a float or an int.

``python_version: 3.10`` is read as the number 3.1: tools comparing versions see
the wrong one. Fix (safe): quote the text exactly as written. A version string
that is not a version number has no fix.

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

from typing import Any

from mlmodel.checking.lint.model import Fix, LintContext, NoFix
from mlmodel.checking.validators.formats import version_paths
from mlmodel.core.diagnostics import Diagnostic
from mlmodel.yamlio.document import MLmodelDocument
from mlmodel.yamlio.tree import KeyPath, dotted

CODE = "V402"


def fix(ctx: LintContext, diagnostic: Diagnostic) -> Fix | NoFix | None:
    path = next((p for p in version_paths(ctx.data) if dotted(p) == diagnostic.key), None)
    if path is None:
        return None
    value: Any = ctx.data
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    text = ctx.source_of(path)
    if text is None or text.startswith(("'", '"')):
        return None
    written = text.strip()
    found: KeyPath = path

    def apply(document: MLmodelDocument) -> None:
        document.set(found, written)

    return Fix(
        dotted(path),
        "set",
        f"{written} (a number)",
        f"'{written}' (a string)",
        apply,
        f"YAML reads {written} as a number ({value!r}); versions are strings, quoted as written",
    )
