"""The legacy ``time_created`` key from MLflow's 2018 documentation sample.

No MLflow release ever wrote it; MLflow keeps it as an unknown key and, when
``utc_time_created`` is missing, stamps the model with the time it was *loaded*.
Fix (unsafe, the sample's time zone is not known): move it to
``utc_time_created`` in MLflow's format, or drop it when that key exists.

Fails::

    time_created: 2018-05-25T17:28:53.35

Passes::

    utc_time_created: '2018-05-25 17:28:53.350000'
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlmodel.diagnostics import Severity
from mlmodel.lint.model import Finding, LintContext
from mlmodel.timestamps import mlflow_timestamp, parse_timestamp

CODE = "MLM102"
NAME = "legacy-time-created"
SEVERITY = Severity.WARNING
FIX = "unsafe"


def _fix(value: Any, has_utc: bool) -> Any:
    def fix(document: Any) -> None:
        if not has_utc:
            text = mlflow_timestamp(value)
            if text is None:
                raise KeyError("time_created is not a timestamp")
            document["utc_time_created"] = text
        del document["time_created"]

    return fix


def check(ctx: LintContext) -> Iterator[Finding]:
    if "time_created" not in ctx.data:
        return
    value = ctx.data["time_created"]
    has_utc = "utc_time_created" in ctx.data
    can_move = has_utc or parse_timestamp(value) is not None
    yield Finding(
        ("time_created",),
        "legacy key time_created (from the 2018 documentation sample); MLflow reads "
        "utc_time_created" + ("" if has_utc else " and, without it, stamps the load time"),
        hint="use utc_time_created: 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC)",
        at_key=True,
        fix=_fix(value, has_utc) if can_move else None,
    )
