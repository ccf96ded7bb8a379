"""Timestamps as MLflow writes them: ``'YYYY-MM-DD HH:MM:SS[.ffffff]'``, naive UTC."""

from __future__ import annotations

import datetime
import re
from typing import Any

MLFLOW_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?$")


def parse_timestamp(value: Any) -> datetime.datetime | None:
    """A datetime from a YAML timestamp or an ISO 8601 string; None when not one."""
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None


def mlflow_timestamp(moment: datetime.datetime) -> str:
    """``str()`` of the naive UTC datetime, as MLflow writes utc_time_created."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return str(moment)
