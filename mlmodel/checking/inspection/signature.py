"""The signature as table rows: every column, tensor and param with its type."""

from __future__ import annotations

from typing import Any

from mlmodel.checking.inspection.types import SignatureField, SignatureInfo
from mlmodel.modeldir.sidefiles import SideFileError, loads_json


def _type_name(spec: Any) -> str:
    if not isinstance(spec, dict):
        return str(spec)
    kind = spec.get("type")
    if kind == "array":
        return f"array<{_type_name(spec.get('items'))}>"
    if kind == "map":
        return f"map<string, {_type_name(spec.get('values'))}>"
    if kind == "object":
        props = spec.get("properties")
        if isinstance(props, dict):
            inner = ", ".join(f"{k}: {_type_name(v)}" for k, v in props.items())
            return f"object{{{inner}}}"
        return "object"
    if kind == "tensor":
        tensor = spec.get("tensor-spec")
        dtype = tensor.get("dtype") if isinstance(tensor, dict) else None
        return f"tensor({dtype})"
    return str(kind)


def describe_signature(data: dict[str, Any]) -> SignatureInfo | None:
    signature = data.get("signature")
    if signature is None:
        return None
    info = SignatureInfo()
    if not isinstance(signature, dict):
        info.errors.append(f"signature is a {type(signature).__name__}, not a mapping")
        return info
    for section in ("inputs", "outputs", "params"):
        raw = signature.get(section)
        if not raw:
            continue
        try:
            specs = loads_json(raw) if isinstance(raw, str) else raw
        except SideFileError as exc:  # nested beyond what JSON readers take
            info.errors.append(f"{section}: V309 {exc}")
            continue
        except ValueError as exc:
            info.errors.append(f"{section}: not valid JSON: {exc}")
            continue
        if not isinstance(specs, list):
            info.errors.append(f"{section}: not a JSON array")
            continue
        for spec in specs:
            if not isinstance(spec, dict):
                info.errors.append(f"{section}: an entry is not an object: {spec!r}")
                continue
            name = spec.get("name")
            shown_name = None if name is None else str(name)
            if section == "params":
                info.fields.append(
                    SignatureField(
                        section,
                        shown_name,
                        str(spec.get("type", spec.get("dtype"))),
                        shape=spec.get("shape"),
                        default=spec.get("default"),
                    )
                )
            elif spec.get("type") == "tensor":
                tensor = spec.get("tensor-spec")
                shape = tensor.get("shape") if isinstance(tensor, dict) else None
                info.fields.append(
                    SignatureField(
                        section,
                        shown_name,
                        _type_name(spec),
                        required=True,
                        shape=list(shape) if isinstance(shape, list) else None,
                    )
                )
            else:
                required = spec.get("required")
                if "optional" in spec and required is None:
                    required = not spec["optional"]
                info.fields.append(
                    SignatureField(
                        section,
                        shown_name,
                        _type_name(spec),
                        required=required if isinstance(required, bool) else None,
                    )
                )
    return info
