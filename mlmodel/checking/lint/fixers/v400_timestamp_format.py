"""V400 fix: ``utc_time_created`` not in MLflow's format, or not in UTC.

MLflow writes ``str()`` of a naive UTC datetime, quoted: ``'2024-01-31
12:00:00.123456'``. Fix (safe when the value reads as a date and time): rewrite
it in MLflow's format, converted to UTC. A date without a time is never given
an invented one.

Fails::

    utc_time_created: 2024-01-31T12:00:00+02:00

Passes::

    utc_time_created: '2024-01-31 10:00:00'
"""

from __future__ import annotations

from mlmodel.checking.lint.model import Fix, LintContext, NoFix
from mlmodel.core.diagnostics import Diagnostic
from mlmodel.core.timestamps import mlflow_timestamp
from mlmodel.yamlio.document import MLmodelDocument
from mlmodel.yamlio.tree import KeyPath

CODE = "V400"

PATH: KeyPath = ("utc_time_created",)


def fix(ctx: LintContext, diagnostic: Diagnostic) -> Fix | NoFix | None:
    if diagnostic.key != "utc_time_created" or "utc_time_created" not in ctx.data:
        return None
    value = ctx.data["utc_time_created"]
    old = ctx.source_of(PATH) or str(value)
    new = mlflow_timestamp(value)
    if new is None:
        return NoFix("utc_time_created", f"cannot read {old!r} as a date and time")

    def apply(document: MLmodelDocument) -> None:
        document.set(PATH, new)

    return Fix(
        "utc_time_created",
        "set",
        old,
        new,
        apply,
        "MLflow writes utc_time_created as a quoted naive UTC 'YYYY-MM-DD HH:MM:SS.ffffff' string",
    )
