"""A native loader's own flavor settings, read from the MLmodel's ``flavors``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlmodel.runtime.errors import INVALID_PARAMETER_VALUE, MlmodelException


def flavor_conf(model_dir: Path, flavors: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """The settings of flavor ``name``; :class:`MlmodelException` (INVALID_PARAMETER_VALUE)
    when the model has none (or they are not a mapping)."""
    conf = flavors.get(name)
    if not isinstance(conf, Mapping):
        raise MlmodelException(
            f"{model_dir}: the model has no {name} flavor configuration",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return conf
