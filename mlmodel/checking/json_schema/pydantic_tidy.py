"""Pydantic's JSON Schema output made readable: nullable unions merged, refs renamed, titles
dropped where they only repeat a name."""

from __future__ import annotations

from typing import Any


def _pointer(name: str) -> str:
    """A ``$defs`` entry's name as a JSON Pointer token."""
    return name.replace("~", "~0").replace("/", "~1")


def def_ref(name: str) -> str:
    return f"#/$defs/{_pointer(name)}"


def rename_refs(node: Any, renames: dict[str, str]) -> Any:
    """Point ``$ref``s at renamed ``$defs`` entries (``renames``: old ref -> new ref)."""
    if isinstance(node, dict):
        return {
            key: renames.get(value, value)
            if key == "$ref" and isinstance(value, str)
            else rename_refs(value, renames)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [rename_refs(item, renames) for item in node]
    return node


_FORMATTED = {"type", "format"}
_SIMPLE = {"type", "enum", "const", "description"}
#: keywords that constrain only instances of one type (so they ignore a null)
_ONLY_FOR = {
    "object": {"properties", "additionalProperties", "required", "minProperties"},
    "array": {"items", "minItems"},
}


def _is_plain_string(node: Any) -> bool:
    return isinstance(node, dict) and node.get("type") == "string" and set(node) == {"type"}


def _nullable(branches: list[Any]) -> dict[str, Any] | None:
    """``[object-or-array schema, null]`` -> the schema with ``null`` added to its type."""
    if len(branches) != 2 or {"type": "null"} not in branches:
        return None
    other = branches[0] if branches[1] == {"type": "null"} else branches[1]
    kind = other.get("type") if isinstance(other, dict) else None
    if kind not in _ONLY_FOR or not set(other) - {"type"} <= _ONLY_FOR[kind]:
        return None
    return {**other, "type": [kind, "null"]}


def _merged(branches: list[Any]) -> dict[str, Any] | None:
    """Branches of plain types -> one ``type`` list; of values (and null) -> one ``enum``."""
    if not all(
        isinstance(b, dict) and set(b) <= _SIMPLE and set(b) - {"description"} for b in branches
    ):
        return None
    if any("enum" in b or "const" in b for b in branches):
        values: list[Any] = []
        for branch in branches:
            if "enum" in branch:
                values.extend(branch["enum"])
            elif "const" in branch:
                values.append(branch["const"])
            elif branch.get("type") == "null":
                values.append(None)
            else:
                return None
        return {"enum": values}
    types: list[str] = []
    for branch in branches:
        named = branch["type"] if isinstance(branch["type"], list) else [branch["type"]]
        types.extend(t for t in named if t not in types)
    return {"type": types if len(types) > 1 else types[0]}


def _collapse(node: dict[str, Any]) -> dict[str, Any]:
    """An ``anyOf`` that one schema can say (same constraint, clearer errors).

    Validators then say "not of type 'integer', 'null'" or "not one of [...]" rather than
    "not valid under any of the given schemas".
    """
    branches = node.get("anyOf")
    if not isinstance(branches, list) or not branches or set(node) & {"type", "enum", "const"}:
        return node
    merged = _nullable(branches) or _merged(branches)
    if merged is None:
        return node
    notes = [node["description"]] if "description" in node else []
    notes += [b["description"] for b in branches if b.get("description") not in (None, *notes)]
    out = {key: value for key, value in node.items() if key != "anyOf"}
    if notes:
        out["description"] = "; ".join(notes)
    merged.pop("description", None)
    return {**out, **merged}


def _tidy(node: Any) -> Any:
    """Simplify what pydantic writes, keeping the same constraints.

    A timestamp field is ``str | datetime | date`` in the models: pydantic writes three
    string branches, two with a ``format``. JSON has no dates, so a plain string is it.
    Then unions of plain types become one ``type`` list (see :func:`_collapse`).
    """
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _tidy(value) for key, value in node.items()}
    branches = out.get("anyOf")
    if isinstance(branches, list) and any(_is_plain_string(b) for b in branches):
        out["anyOf"] = [
            b
            for b in branches
            if not (isinstance(b, dict) and b.get("type") == "string" and set(b) == _FORMATTED)
        ]
    return _collapse(out)


def model_schema(model: type[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A pydantic model's JSON Schema, split into its root and its ``$defs``."""
    raw: dict[str, Any] = _tidy(model.model_json_schema(mode="validation"))
    defs: dict[str, Any] = raw.pop("$defs", {})
    return raw, defs
