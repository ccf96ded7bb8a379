"""``params`` at predict time, checked against the signature's params schema (MLflow §2.3).

Unknown params are dropped with a warning, missing ones take their defaults, given ones are
converted to the declared type (int -> long/float/double, long -> float/double, float ->
double, anything parseable -> datetime) or refused with INVALID_PARAMETER_VALUE. A model
without a params schema ignores params with a warning.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from mlmodel.runtime.errors import MlmodelException, SchemaEnforcementError
from mlmodel.runtime.predict.casting import enforce_param_value
from mlmodel.runtime.predict.signature_spec import ObjectType, ParamSpec

_logger = logging.getLogger("mlmodel.pyfunc")


def enforce_params(
    params: dict[str, Any] | None, schema: tuple[ParamSpec, ...] | None
) -> dict[str, Any] | None:
    """The params the model is called with."""
    if schema is None:
        if params in (None, {}):
            return params
        info = (
            f"Ignoring provided params: {list(params)}"
            if isinstance(params, dict)
            else "Ignoring invalid params (not a dictionary)."
        )
        _logger.warning(
            "`params` can only be specified at inference time if the model signature defines "
            "a params schema. This model does not define a params schema. %s",
            info,
        )
        return {}
    params = {} if params is None else params
    if not isinstance(params, dict):
        raise MlmodelException.invalid_parameter_value(
            f"Parameters must be a dictionary. Got type '{type(params).__name__}'."
        )
    if any(not isinstance(k, str) for k in params):
        _logger.warning(
            "Keys in parameters should be of type `str`, but received non-string keys. "
            "Converting all keys to string..."
        )
        params = {str(k): v for k, v in params.items()}
    allowed = {spec.name for spec in schema}
    ignored = [k for k in params if k not in allowed]
    if ignored:
        _logger.warning(
            "Unrecognized params %s are ignored for inference. Supported params are: %s.",
            ignored,
            sorted(allowed),
        )
    out = {k: v for k, v in params.items() if k in allowed}
    invalid: list[tuple[str, str]] = []
    for spec in schema:
        if spec.name in out:
            try:
                out[spec.name] = _param_value(out[spec.name], spec)
            except SchemaEnforcementError as exc:
                invalid.append((spec.name, exc.message))
        else:
            out[spec.name] = spec.default
    if invalid:
        raise MlmodelException.invalid_parameter_value(
            f"Invalid parameters found: {set(invalid)!r}"
        )
    return out


def _param_value(value: Any, spec: ParamSpec) -> Any:
    import numpy as np

    if spec.shape == (-1,):
        if not (isinstance(value, (list, np.ndarray)) and np.array(value).ndim == 1):
            raise SchemaEnforcementError(
                f"Value must be a 1D array with shape (-1,) for param {spec.name!r}, received "
                f"{type(value).__name__} with ndim {np.array(value).ndim}"
            )
        return [_scalar(v, spec) for v in value]
    if spec.shape is not None:
        raise SchemaEnforcementError(
            "Shape must be None for scalar or dictionary value, or (-1,) for 1D array value "
            f"for param {spec.name!r}, received {spec.shape}"
        )
    return _scalar(value, spec)


def _scalar(value: Any, spec: ParamSpec) -> Any:
    try:
        if spec.type == "object":
            from mlmodel.runtime.predict.casting import enforce_value

            enforce_value(copy.deepcopy(value), _object_type(spec))
            return value
        return enforce_param_value(value, spec.type)
    except SchemaEnforcementError as exc:
        raise SchemaEnforcementError(
            f"Failed to validate type and shape for param {spec.name!r}, error: {exc.message}"
        ) from exc


def _object_type(spec: ParamSpec) -> ObjectType:
    return spec.properties or ObjectType(())
