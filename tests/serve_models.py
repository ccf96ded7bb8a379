"""PythonModel classes for the serving tests (importable, so cloudpickle stores them by
reference and a server subprocess can load them)."""

from __future__ import annotations

import time
from typing import Any

import mlflow.pyfunc


class SlowModel(mlflow.pyfunc.PythonModel):
    """Sleeps for the largest ``delay`` (seconds) of its input, then returns ``x`` doubled."""

    def predict(self, context: Any, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        time.sleep(float(model_input["delay"].max()))
        return (model_input["x"] * 2).to_numpy()


class StallingModel(mlflow.pyfunc.PythonModel):
    """Sleeps for the largest ``delay`` (seconds, the GIL released), then counts to the largest
    ``spin`` in C (``sum(range(n))`` holds the GIL throughout: the server's event loop stalls,
    as under heavy CPU load), then returns ``x`` doubled."""

    def predict(self, context: Any, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        time.sleep(float(model_input["delay"].max()))
        sum(range(int(model_input["spin"].max())))
        return (model_input["x"] * 2).to_numpy()


class ScaleModel(mlflow.pyfunc.PythonModel):
    """Returns ``x * k`` (``k`` a param, 1.0 by default); refuses an input holding
    :data:`UNLUCKY` (so a batch holding it fails as a whole)."""

    UNLUCKY = 13.0

    def predict(self, context: Any, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        if (model_input["x"] == self.UNLUCKY).any():
            raise ValueError("unlucky input")
        return (model_input["x"] * float((params or {}).get("k", 1.0))).to_numpy()


class RowSumModel(mlflow.pyfunc.PythonModel):
    """Sums each row of a 2-D float tensor (a tensor signature in and out)."""

    def predict(self, context: Any, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        import numpy as np

        return np.asarray(model_input, dtype="float64").sum(axis=1)
