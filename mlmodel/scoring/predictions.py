"""Predictions as MLflow's scoring server writes them (§7.4, §11 item 38).

``{"predictions": value}`` where a DataFrame becomes a list of row objects, a Series a list
of one-key objects keyed by its name (``"0"`` when unnamed), an ndarray a nested list and
anything else stays as it is; numpy scalars, bytes (base64) and dates are written by
:mod:`mlmodel.scoring.jsonio`. Unified-LLM answers are the bare value.
"""

from __future__ import annotations

import sys
from typing import Any


def jsonable(predictions: Any) -> Any:
    """MLflow's ``_get_jsonable_obj(..., pandas_orient="records")``."""
    pd = sys.modules.get("pandas")
    if pd is not None:
        if isinstance(predictions, pd.DataFrame):
            return predictions.to_dict(orient="records")
        if isinstance(predictions, pd.Series):
            return pd.DataFrame(predictions).to_dict(orient="records")
    return predictions  # ndarrays are written by the JSON codec directly


def to_json(predictions: Any, *, wrap: bool = True) -> bytes:
    """The response body for ``predictions``."""
    from mlmodel.scoring.jsonio import dumps

    value = jsonable(predictions)
    return dumps({"predictions": value} if wrap else value)


def items_json(predictions: Any) -> list[bytes] | None:
    """The JSON text of each item of the predictions list, or None when the predictions do
    not serialise to a list (so chunked output cannot concatenate them)."""
    from mlmodel.scoring.jsonio import dumps

    value = jsonable(predictions)
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.ndarray):
        if value.ndim == 0:
            return None
        text = dumps(value)
        # the top-level array's items, without re-encoding each one
        return [text[1:-1]] if len(value) else []
    if not isinstance(value, list):
        return None
    return [dumps(value)[1:-1]] if value else []
