"""Shared base class and field types of the MLmodel schema (pydantic v2, no I/O)."""

from __future__ import annotations

import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class MLmodelSchema(BaseModel):
    """Base of every schema model: strict types, unknown keys kept, built on first use."""

    model_config = ConfigDict(extra="allow", strict=True, defer_build=True)


class ClosedSchema(BaseModel):
    """Base for parts MLflow reads with a fixed set of keys (unknown keys fail there)."""

    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


#: A timestamp: MLflow writes a quoted string; an unquoted one is read by YAML
#: as a datetime (or a date), which MLflow also tolerates.
Timestamp = str | datetime.datetime | datetime.date

#: A version string. Unquoted ``3.10`` is read by YAML as the float 3.1, which
#: MLflow tolerates; the format checks warn about it.
Version = str | float | int

#: A path relative to the model directory.
RelativePath = Annotated[str, Field(description="a path relative to the model directory")]
