"""``PyFuncModel``: a loaded model's ``predict`` with MLflow's input and params enforcement."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mlmodel.core.errors import INTERNAL_ERROR, ModelLoadError
from mlmodel.runtime.predict.signature_spec import (
    InputSchema,
    ParamSpec,
    parse_inputs,
    parse_params,
)

if TYPE_CHECKING:
    from mlmodel.runtime.document.model import Model

#: methods of the loaded implementation a PyFuncModel offers with enforcement, when present
EXTRA_METHODS: Final = (
    "predict_proba",
    "predict_log_proba",
    "predict_joint_log_proba",
    "score",
)
_UNSET: Final = object()


def _takes_params(fn: Callable[..., Any]) -> bool:
    try:
        parameter = inspect.signature(fn).parameters.get("params")
    except (TypeError, ValueError):
        return False
    return parameter is not None and parameter.kind != inspect.Parameter.VAR_KEYWORD


def _text(value: Any) -> str | None:
    return str(value) if value else None


class PyFuncModel:
    """A model loaded through its ``python_function`` flavor (or a native flavor).

    ``predict(data, params=None)`` enforces the signature like MLflow's ``PyFuncModel``:
    inputs unless the signature came from type hints (the model checks those itself), then
    params; the implementation's ``predict_fn`` gets ``params`` only when it declares them.
    """

    def __init__(
        self,
        *,
        model_dir: Path,
        document: Mapping[str, Any],
        impl: Any,
        loader_module: str,
        predict_fn: str = "predict",
    ) -> None:
        if not hasattr(impl, predict_fn):
            raise ModelLoadError(
                f"Model implementation is missing required {predict_fn} method.",
                error_code=INTERNAL_ERROR,
            )
        self.model_dir = model_dir
        self.loader_module = loader_module
        self.predict_fn = predict_fn
        self._document = document
        self._impl = impl
        self._predict = getattr(impl, predict_fn)
        self._predict_takes_params = _takes_params(self._predict)
        signature = document.get("signature") or {}
        self.input_schema: InputSchema | None = parse_inputs(signature.get("inputs"))
        self.params_schema: tuple[ParamSpec, ...] | None = parse_params(signature.get("params"))
        #: the signature was inferred from the model's type hints: the model checks its input
        self.is_signature_from_type_hint = document.get("is_signature_from_type_hint") is True
        self._metadata: Any = _UNSET
        self._input_example: Any = _UNSET
        self._output_schema: Any = _UNSET

    # ------------------------------------------------------------------ metadata

    @property
    def metadata(self) -> Model:
        """The model's :class:`mlmodel.Model` (built on first access)."""
        if self._metadata is _UNSET:
            from mlmodel.runtime.document.model import Model

            self._metadata = Model.from_dict(self._document)
        return self._metadata  # type: ignore[no-any-return]

    @property
    def document(self) -> Mapping[str, Any]:
        """The parsed MLmodel document the model was loaded from."""
        return self._document

    @property
    def model_id(self) -> str | None:
        """The MLmodel's ``model_id`` (MLflow 3's logged-model id), or None."""
        return _text(self._document.get("model_id"))

    @property
    def model_uuid(self) -> str | None:
        """The MLmodel's ``model_uuid``, or None (MLflow: ``metadata.model_uuid``)."""
        return _text(self._document.get("model_uuid"))

    @property
    def output_schema(self) -> InputSchema | None:
        """The signature's outputs, parsed like ``input_schema`` (on first access)."""
        if self._output_schema is _UNSET:
            signature = self._document.get("signature") or {}
            self._output_schema = parse_inputs(signature.get("outputs"))
        return self._output_schema  # type: ignore[no-any-return]

    @property
    def input_example(self) -> Any:
        """The saved input example, or None (read on first access; errors are ignored)."""
        if self._input_example is _UNSET:
            self._input_example = None
            if isinstance(self._document.get("saved_input_example_info"), Mapping):
                try:
                    self._input_example = self.metadata.load_input_example(self.model_dir)
                except Exception:  # noqa: BLE001 - as MLflow: a bad example never fails a load
                    self._input_example = None
        return self._input_example

    @property
    def model_impl(self) -> Any:
        """The object the loader returned (MLflow's ``_model_impl``)."""
        return self._impl

    def get_raw_model(self) -> Any:
        """The framework's own model object (the estimator, Booster, ...)."""
        raw = getattr(self._impl, "get_raw_model", None)
        return raw() if callable(raw) else self._impl

    # ------------------------------------------------------------------ predict

    def _prepare(self, data: Any, params: dict[str, Any] | None) -> tuple[Any, Any]:
        if not self.is_signature_from_type_hint and self.input_schema is not None:
            from mlmodel.runtime.predict.enforcement import enforce_input

            data = enforce_input(data, self.input_schema)
        if params or self.params_schema is not None:
            from mlmodel.runtime.predict.params import enforce_params

            params = enforce_params(params, self.params_schema)
        return data, params

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        """Predictions for ``data``; raises ``SchemaEnforcementError`` (INVALID_PARAMETER_VALUE)
        for input that does not match the signature."""
        data, params = self._prepare(data, params)
        if self._predict_takes_params:
            return self._predict(data, params=params)
        return self._predict(data)

    def _extra(self, name: str) -> Callable[..., Any]:
        method = getattr(self._impl, name, None)
        if method is None:
            raise AttributeError(f"{type(self._impl).__name__} has no {name} method")

        def call(data: Any, *args: Any, **kwargs: Any) -> Any:
            data, _ = self._prepare(data, None)
            return method(data, *args, **kwargs)

        call.__name__ = name
        return call

    def __getattr__(self, name: str) -> Any:
        if name in EXTRA_METHODS:
            return self._extra(name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self) -> str:
        return (
            f"PyFuncModel(loader_module={self.loader_module!r}, model_dir={str(self.model_dir)!r})"
        )
