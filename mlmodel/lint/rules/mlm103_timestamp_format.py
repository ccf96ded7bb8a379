"""``utc_time_created`` not in MLflow's format, or not in UTC.

MLflow writes ``str()`` of a naive UTC datetime, quoted: ``'2024-01-31
12:00:00.123456'``. Unquoted timestamps become date-time objects, ``T``
separators and offsets break tools that parse MLflow's format, and an offset
means the time is not UTC. Fix (safe when the value parses): rewrite it in
MLflow's format, converted to UTC.

Fails::

    utc_time_created: 2024-01-31T12:00:00+02:00

Passes::

    utc_time_created: '2024-01-31 10:00:00'
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from mlmodel.diagnostics import Severity
from mlmodel.lint.model import Finding, LintContext
from mlmodel.timestamps import MLFLOW_FORMAT, mlflow_timestamp, parse_timestamp

CODE = "MLM103"
NAME = "timestamp-format"
SEVERITY = Severity.WARNING
FIX = "safe"


def _fix(text: str) -> Any:
    def fix(document: Any) -> None:
        document["utc_time_created"] = text

    return fix


def check(ctx: LintContext) -> Iterator[Finding]:
    value = ctx.data.get("utc_time_created")
    if value is None or (isinstance(value, str) and MLFLOW_FORMAT.match(value)):
        return
    moment = parse_timestamp(value)
    path = ("utc_time_created",)
    fixed = mlflow_timestamp(moment)
    if moment is None or fixed is None:
        shown = ctx.source_of(path) or repr(value)
        what = "a date without a time" if isinstance(value, datetime.date) else "not a timestamp"
        yield Finding(path, f"utc_time_created {shown} is {what}")
        return
    if isinstance(value, datetime.date):
        why = "is unquoted, so YAML reads it as a date-time object"
    elif moment.tzinfo is not None and moment.utcoffset() != datetime.timedelta(0):
        why = "is not in UTC"
    else:
        why = "is not in MLflow's 'YYYY-MM-DD HH:MM:SS.ffffff' format"
    yield Finding(
        path,
        f"utc_time_created {ctx.source_of(path) or value} {why}",
        hint=f"write '{fixed}'",
        fix=_fix(fixed),
    )
