"""Render new values as YAML text the way MLflow would write them (PyYAML, YAML 1.1 quoting)."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

_END = "\n...\n"
_SURROGATE_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})")


def _astral(match: re.Match[str]) -> str:
    high, low = int(match.group(2), 16), int(match.group(3), 16)
    return match.group(1) + f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08x}"


def json_yaml(value: Any) -> str:
    """JSON text that YAML reads back identically (astral characters as \\U escapes)."""
    return _SURROGATE_PAIR.sub(_astral, json.dumps(value, default=str))


class _IndentedSequenceDumper(yaml.SafeDumper):
    """A SafeDumper that indents list items under their key (``key:\\n  - a``)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _readback_ok(text: str, value: Any) -> bool:
    try:
        return bool(yaml.safe_load(text) == value)
    except yaml.YAMLError:
        return False


def render_scalar(value: Any, style: str | None = None, *, in_flow: bool = False) -> str:
    """One scalar in the given quote style when it keeps the value, else as PyYAML would."""
    if isinstance(value, str):
        candidates = []
        if style == "'" and "\n" not in value and value.isprintable():
            candidates.append("'" + value.replace("'", "''") + "'")
        elif style == '"':
            candidates.append(json_yaml(value))
        dumped = yaml.safe_dump(value, width=10**9, allow_unicode=False)
        candidates.append(dumped.removesuffix(_END).rstrip("\n"))
        for text in candidates:
            if in_flow and text[:1] not in "'\"" and any(c in text for c in ",[]{}#"):
                continue
            if "\n" not in text and _readback_ok(text, value):
                return text
        return json_yaml(value)
    dumped = yaml.safe_dump(value, width=10**9, allow_unicode=False)
    return dumped.removesuffix(_END).rstrip("\n")


def render_flow(value: Any) -> str:
    """A collection in flow style: JSON-like, with numbers written so YAML 1.1 reads them back.

    (JSON's ``1e-05`` has no dot, so YAML 1.1 would read it as a string.)
    """
    if isinstance(value, dict):
        items = (f"{json_yaml(str(k))}: {render_flow(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(render_flow(v) for v in value) + "]"
    if isinstance(value, str):
        return json_yaml(value)
    return render_scalar(value)


def render_block(value: Any, *, step: int, sort_keys: bool, indent_sequences: bool) -> list[str]:
    """A mapping or list as block YAML lines (no indentation prefix, no line ends)."""
    dumper = _IndentedSequenceDumper if indent_sequences else yaml.SafeDumper
    text = yaml.dump(
        value,
        Dumper=dumper,
        default_flow_style=False,
        sort_keys=sort_keys,
        indent=step,
        width=80,
        allow_unicode=False,
    )
    return text.removesuffix("\n").split("\n")
