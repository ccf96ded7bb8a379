"""PythonModel classes for the pyfunc interop tests.

They live in an importable module so cloudpickle stores them by reference (module and class
name), the way a model whose code is installed is saved; a class defined in ``__main__`` is
pickled by value (code objects) and is refused unless the caller opts in.
"""

from __future__ import annotations

from typing import Any

import mlflow.pyfunc


class ScaleModel(mlflow.pyfunc.PythonModel):
    """Multiplies column ``x`` by a factor read from an artifact, then adds the ``shift`` param."""

    def load_context(self, context: Any) -> None:
        with open(context.artifacts["factor"], encoding="utf-8") as handle:
            self.factor = float(handle.read())

    def predict(self, context: Any, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        shift = (params or {}).get("shift", 0.0)
        return model_input["x"] * self.factor + shift


class HintedModel(mlflow.pyfunc.PythonModel):
    """A type-hinted PythonModel: MLflow infers the signature from the hints."""

    def predict(self, model_input: list[str], params: dict[str, Any] | None = None) -> list[str]:
        return [s.upper() for s in model_input]


class UsesCodePath(mlflow.pyfunc.PythonModel):
    """Calls a helper module that is shipped with the model through code_paths."""

    def predict(self, context: Any, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        import shipped_helper  # type: ignore[import-not-found]

        return shipped_helper.double(model_input["x"])


class EchoModel(mlflow.pyfunc.PythonModel):
    """Returns what it was given (after enforcement), with the params as extra columns."""

    def predict(self, context: Any, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        import pandas as pd

        frame = model_input.copy() if isinstance(model_input, pd.DataFrame) else model_input
        for key, value in sorted((params or {}).items()):
            frame[f"param_{key}"] = [value] * len(frame)
        return frame


class ConfigModel(mlflow.pyfunc.PythonModel):
    """Adds the ``offset`` of its model_config (given at load time) to column ``x``."""

    def load_context(self, context: Any) -> None:
        self.offset = float((context.model_config or {}).get("offset", 0.0))

    def predict(self, context: Any, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        return model_input["x"] + self.offset
