"""The legacy ``time_created`` key from MLflow's 2018 documentation sample.

No MLflow release ever wrote it; MLflow keeps it as an unknown key and, when
``utc_time_created`` is missing, stamps the model with the time it was *loaded*.
Fix (unsafe, the sample's time zone is not known): rename it in place to
``utc_time_created`` in MLflow's format (its comment kept), or drop it when that
key exists. A value that is not a date and time is never given one.

Fails::

    time_created: 2018-05-25T17:28:53.35

Passes::

    utc_time_created: '2018-05-25 17:28:53.350000'
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlmodel.checking.lint.model import Finding, Fix, LintContext, NoFix
from mlmodel.core.timestamps import mlflow_timestamp
from mlmodel.yamlio.document import MLmodelDocument

CODE = "MLM102"


def _fix(ctx: LintContext, value: Any, has_utc: bool) -> Fix | NoFix:
    old = f"time_created: {ctx.source_of(('time_created',)) or value}"
    if has_utc:

        def drop(document: MLmodelDocument) -> None:
            del document["time_created"]

        return Fix(
            "time_created", "delete", old, "(removed)", drop, WHY + "; utc_time_created exists"
        )
    text = mlflow_timestamp(value)
    if text is None:
        return NoFix(
            "time_created",
            f"cannot read {ctx.source_of(('time_created',)) or value!r} as a date and time; "
            "utc_time_created left missing",
        )

    def move(document: MLmodelDocument) -> None:
        document.rename(("time_created",), "utc_time_created", text)

    return Fix("utc_time_created", "rename", old, text, move, WHY)


WHY = (
    "no MLflow release ever wrote time_created (a 2018 documentation sample); MLflow reads "
    "utc_time_created, and fabricates 'now' when it is missing"
)


def check(ctx: LintContext) -> Iterator[Finding]:
    if "time_created" not in ctx.data:
        return
    value = ctx.data["time_created"]
    has_utc = "utc_time_created" in ctx.data
    fix = _fix(ctx, value, has_utc)
    yield Finding(
        ("time_created",),
        "legacy key time_created (from the 2018 documentation sample); MLflow reads "
        "utc_time_created" + ("" if has_utc else " and, without it, stamps the load time"),
        hint="use utc_time_created: 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC)",
        at_key=True,
        fix=fix if isinstance(fix, Fix) else None,
        no_fix=fix if isinstance(fix, NoFix) else None,
    )
