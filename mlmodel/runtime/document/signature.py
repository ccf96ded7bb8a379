"""A model signature as data: input, output and params schemas, and their MLmodel JSON.

Each schema holds its specs exactly as MLflow writes them in ``signature.inputs`` /
``outputs`` / ``params`` (JSON-able dicts in MLflow's key order), so writing is
``json.dumps`` with the default separators, as MLflow does. No numpy or pandas here:
inference from data lives in :mod:`mlmodel.runtime.document.signature_infer`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlmodel.core.errors import UsageError

SpecDict = dict[str, Any]


@dataclass(frozen=True)
class Schema:
    """A list of column specs (ColSpec) or tensor specs (TensorSpec), as MLflow writes them."""

    specs: tuple[SpecDict, ...]

    def __post_init__(self) -> None:
        if not self.specs:
            raise UsageError("a schema needs at least one spec")
        tensors = {spec.get("type") == "tensor" for spec in self.specs}
        if len(tensors) > 1:
            raise UsageError("a schema holds column specs or tensor specs, not both")
        named = {spec.get("name") is not None for spec in self.specs}
        if len(named) > 1:
            raise UsageError("either every spec of a schema is named or none is")

    @classmethod
    def from_specs(cls, specs: Sequence[Mapping[str, Any]]) -> Schema:
        return cls(tuple(dict(spec) for spec in specs))

    @classmethod
    def from_json(cls, text: str) -> Schema:
        specs = json.loads(text)
        if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
            raise UsageError("a schema is a JSON array of objects")
        return cls.from_specs(specs)

    def to_dict(self) -> list[SpecDict]:
        return [dict(spec) for spec in self.specs]

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def is_tensor_spec(self) -> bool:
        return self.specs[0].get("type") == "tensor"

    def has_input_names(self) -> bool:
        return self.specs[0].get("name") is not None

    def input_names(self) -> list[Any]:
        return [spec.get("name", index) for index, spec in enumerate(self.specs)]

    def required_input_names(self) -> list[Any]:
        return [
            spec.get("name", index)
            for index, spec in enumerate(self.specs)
            if spec.get("required", True) is not False
        ]

    def input_types(self) -> list[Any]:
        """Type names (``double``, ...) for column specs, numpy dtype names for tensors."""
        if self.is_tensor_spec():
            return [spec["tensor-spec"]["dtype"] for spec in self.specs]
        return [spec["type"] for spec in self.specs]


@dataclass(frozen=True)
class ParamSchema:
    """The params a model accepts at predict time: name, default, shape, type."""

    params: tuple[SpecDict, ...]

    def __post_init__(self) -> None:
        names = [spec.get("name") for spec in self.params]
        duplicates = sorted({str(n) for n in names if names.count(n) > 1})
        if duplicates:
            raise UsageError(f"duplicated parameters in the params schema: {duplicates}")

    @classmethod
    def from_specs(cls, specs: Sequence[Mapping[str, Any]]) -> ParamSchema:
        return cls(tuple(dict(spec) for spec in specs))

    @classmethod
    def from_json(cls, text: str) -> ParamSchema:
        specs = json.loads(text)
        if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
            raise UsageError("a params schema is a JSON array of objects")
        return cls.from_specs(specs)

    def to_dict(self) -> list[SpecDict]:
        return [dict(spec) for spec in self.params]

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def defaults(self) -> dict[str, Any]:
        return {str(spec["name"]): spec.get("default") for spec in self.params}


@dataclass
class ModelSignature:
    """What a model takes and returns: MLflow's ``ModelSignature`` as plain data."""

    inputs: Schema | None = None
    outputs: Schema | None = None
    params: ParamSchema | None = None
    is_signature_from_type_hint: bool = field(default=False, compare=False)
    type_hint_from_example: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        if self.inputs is None and self.outputs is None and self.params is None:
            raise UsageError("a signature needs inputs, outputs or params")

    def to_dict(self) -> dict[str, str | None]:
        """The ``signature:`` block of MLmodel: each part a JSON string or None."""
        return {
            "inputs": self.inputs.to_json() if self.inputs else None,
            "outputs": self.outputs.to_json() if self.outputs else None,
            "params": self.params.to_json() if self.params else None,
        }

    @classmethod
    def from_dict(cls, block: Mapping[str, Any]) -> ModelSignature:
        """Read a ``signature:`` block; a falsy part (null, empty string) is absent."""
        inputs, outputs, params = (block.get(k) for k in ("inputs", "outputs", "params"))
        return cls(
            Schema.from_json(inputs) if inputs else None,
            Schema.from_json(outputs) if outputs else None,
            ParamSchema.from_json(params) if params else None,
        )


def coerce_signature(value: Any) -> ModelSignature | None:
    """Accept our signature, MLflow's (anything with ``to_dict()``), or a signature block."""
    if value is None or value is False:
        return None
    if isinstance(value, ModelSignature):
        return value
    block = value.to_dict() if hasattr(value, "to_dict") else value
    if not isinstance(block, Mapping):
        raise UsageError(f"not a model signature: {type(value).__name__}")
    signature = ModelSignature.from_dict(block)
    signature.is_signature_from_type_hint = bool(
        getattr(value, "_is_signature_from_type_hint", False)
    )
    signature.type_hint_from_example = bool(getattr(value, "_is_type_hint_from_example", False))
    return signature
