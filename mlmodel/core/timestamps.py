"""Timestamps as MLflow writes them: ``'YYYY-MM-DD HH:MM:SS[.ffffff]'``, naive UTC.

Shared by the lint rules and ``convert --upgrade``.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

MLFLOW_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?$")
_DATE_AND_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d")


def parse_timestamp(value: Any) -> datetime.datetime | None:
    """A datetime from a YAML timestamp or an ISO 8601 string with a time; None otherwise.

    A date without a time is not read: the time would be invented.
    """
    if isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if not _DATE_AND_TIME.match(text):
        return None
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None


def mlflow_timestamp(value: Any) -> str | None:
    """``value`` in MLflow's ``utc_time_created`` format, or None when it cannot be read.

    Aware datetimes are converted to UTC first; naive ones are taken as UTC, as MLflow
    does (``str()`` of the naive datetime: no fraction when microseconds are 0).
    """
    moment = parse_timestamp(value)
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return str(moment)
