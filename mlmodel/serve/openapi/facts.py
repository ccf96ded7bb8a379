"""What the OpenAPI document of a served model is made from: its name and version, its
signature (read from the MLmodel document as text, never from a loaded model) and its
``serving_input_example.json``.

The server and ``mlmodel openapi`` build the same :class:`ModelFacts` from the same files, so
they print the same document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlmodel.runtime.predict.signature_spec import (
    InputSchema,
    ParamSpec,
    parse_inputs,
    parse_params,
)


@dataclass(frozen=True)
class ModelFacts:
    """The served model as the document describes it."""

    name: str
    version: str | None
    inputs: InputSchema | None
    outputs: InputSchema | None
    params: tuple[ParamSpec, ...] | None
    #: the signature came from type hints: the server takes only ``inputs``, passed raw
    from_type_hint: bool = False
    #: the parsed ``serving_input_example.json`` (None: the model has none, or it is unreadable)
    example: Any = None

    @property
    def has_signature(self) -> bool:
        return self.inputs is not None

    @classmethod
    def of(
        cls, model_dir: Path, document: Mapping[str, Any], name: str, version: str | None
    ) -> ModelFacts:
        """The facts of the model in ``model_dir`` whose parsed MLmodel is ``document``."""
        signature = document.get("signature")
        signature = signature if isinstance(signature, Mapping) else {}
        return cls(
            name=name,
            version=version,
            inputs=_parsed(parse_inputs, signature.get("inputs")),
            outputs=_parsed(parse_inputs, signature.get("outputs")),
            params=_parsed(parse_params, signature.get("params")),
            from_type_hint=document.get("is_signature_from_type_hint") is True,
            example=serving_example(model_dir, document),
        )


def _parsed(parse: Any, text: Any) -> Any:
    """``parse(text)``, None when the text is missing or does not parse (the validator
    reports it; the document then shows the generic schema)."""
    if not isinstance(text, str):
        return None
    try:
        return parse(text)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def serving_example(model_dir: Path, document: Mapping[str, Any]) -> Any:
    """The JSON of the model's ``serving_input_example.json`` (the path its
    ``saved_input_example_info`` names), or None when it has none or it cannot be read."""
    from mlmodel.core.errors import UsageError
    from mlmodel.runtime.document.input_example import read_side_json

    info = document.get("saved_input_example_info")
    if not isinstance(info, Mapping):
        return None
    relative = info.get("serving_input_path")
    if not isinstance(relative, str) or not relative:
        return None
    try:
        return read_side_json(model_dir, relative)
    except (UsageError, OSError, ValueError):
        return None
