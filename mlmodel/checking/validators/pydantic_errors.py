"""Turn pydantic validation errors into diagnostics in MLmodel terms."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from mlmodel.yamlio.tree import KeyPath

_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "a boolean (true or false)",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "datetime_type": "a timestamp",
    "date_type": "a date",
    "none_required": "null",
}


def describe(value: Any) -> str:
    """A short, user-facing description of a YAML value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, datetime.datetime | datetime.date):
        return f"the timestamp {value.isoformat()}"
    return type(value).__name__


def split_loc(data: Any, loc: Sequence[str | int]) -> tuple[KeyPath, list[str | int]]:
    """Split a pydantic ``loc`` into the part that exists in the data and the rest."""
    path: list[str | int] = []
    rest = list(loc)
    while rest:
        part = rest[0]
        in_dict = isinstance(data, dict) and part in data
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if not (in_dict or in_list):
            break
        data = data[part]
        path.append(part)
        rest.pop(0)
    return tuple(path), rest


Report = Callable[[str, str, KeyPath, bool], None]


def translate(
    errors: Sequence[Any],
    data: Any,
    base: KeyPath,
    report: Report,
    *,
    what: str = "",
    fallback: str = "V200",
) -> None:
    """Group errors by the data path they are about and report one finding per path."""
    grouped: dict[KeyPath, list[tuple[list[str | int], dict[str, Any]]]] = {}
    for error in errors:
        path, rest = split_loc(data, error["loc"])
        grouped.setdefault(path, []).append((rest, error))
    for path, items in grouped.items():
        _report_group(path, items, data, base, report, what, fallback)


def _value_at(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _report_group(
    path: KeyPath,
    items: list[tuple[list[str | int], dict[str, Any]]],
    data: Any,
    base: KeyPath,
    report: Report,
    what: str,
    fallback: str,
) -> None:
    full = (*base, *path)
    value = _value_at(data, path)
    where = f" in {what}" if what else ""
    for rest, error in items:
        kind = error["type"]
        if kind == "missing" and rest:
            code = "V201" if fallback == "V200" else fallback
            report(code, f"missing required key {rest[-1]!r}{where}", full, True)
        elif kind == "extra_forbidden" and rest:
            key = rest[-1]
            code = "V308" if key == "optional" else ("V301" if fallback == "V200" else fallback)
            hint = (
                'MLflow >= 2.18 cannot load it; use "required": false instead'
                if key == "optional"
                else None
            )
            report(code, f"unknown key {key!r}{where}" + (f"; {hint}" if hint else ""), full, False)
        else:
            continue
    typed = [e for rest, e in items if e["type"] not in ("missing", "extra_forbidden")]
    if not typed:
        return
    expected: list[str] = []
    literal: list[str] = []
    other: list[str] = []
    for error in typed:
        kind = error["type"]
        if kind in _EXPECTED:
            name = _EXPECTED[kind]
            if name not in expected:
                expected.append(name)
        elif kind == "literal_error":
            literal.append(str(error.get("ctx", {}).get("expected", "")))
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            if not isinstance(value, dict):
                name = "a mapping" if not base or base[0] != "signature" else "a JSON object"
                other.append(f"expected {name}, got {describe(value)}")
            elif "type" not in value:
                other.append("missing required key 'type'")
            else:
                other.append(f"unknown type {value['type']!r}")
        elif kind == "too_short":
            other.append("must not be empty")
        else:
            other.append(str(error["msg"]))
    if literal:
        report(
            "V203",
            f"{describe(value)} is not allowed{where}; expected {' or '.join(literal)}",
            full,
            False,
        )
    elif expected:
        report(
            "V200",
            f"expected {' or '.join(expected)}{where}, got {describe(value)}",
            full,
            False,
        )
    else:
        report(fallback, f"{other[0]}{where}", full, False)
