"""The saved input example does not match the signature's inputs.

Read as JSON text, never executed. For a dataframe example the column names
must cover the signature's required columns; a column the signature does not
name is dropped by MLflow at predict time.

Fails::

    signature:
      inputs: '[{"type": "double", "name": "a"}, {"type": "double", "name": "b"}]'
    saved_input_example_info:
      artifact_path: input_example.json
      pandas_orient: split
      type: dataframe

Fails, ``input_example.json``::

    {"columns": ["a", "c"], "data": [[1, 2]]}

Passes::

    signature:
      inputs: '[{"type": "double", "name": "a"}, {"type": "double", "name": "b"}]'
    saved_input_example_info:
      artifact_path: input_example.json
      pandas_orient: split
      type: dataframe

Passes, ``input_example.json``::

    {"columns": ["a", "b"], "data": [[1, 2]]}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlmodel.checking.lint.model import Finding, LintContext
from mlmodel.modeldir.sidefiles import load_json, loads_json

CODE = "MLM302"
MAX_EXAMPLE_BYTES = 10 * 1024 * 1024


def _signature_columns(ctx: LintContext) -> list[dict[str, Any]] | None:
    signature = ctx.data.get("signature")
    if not isinstance(signature, dict) or not isinstance(signature.get("inputs"), str):
        return None
    try:
        specs = loads_json(signature["inputs"])
    except ValueError:
        return None
    if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
        return None
    if any(s.get("type") == "tensor" or s.get("name") is None for s in specs):
        return None
    return specs


def _example_columns(ctx: LintContext, info: dict[str, Any]) -> list[Any] | None:
    name = info.get("artifact_path")
    if not isinstance(name, str) or info.get("type") != "dataframe":
        return None
    path = ctx.file(name)
    if path is None:
        return None
    try:
        example = load_json(path, limit=MAX_EXAMPLE_BYTES)
    except ValueError:  # validate reports why (V510)
        return None
    if isinstance(example, dict) and "inputs" in example and info.get("params"):
        example = example["inputs"]
    if info.get("pandas_orient", "split") == "records" and isinstance(example, list):
        return sorted({k for row in example if isinstance(row, dict) for k in row})
    if isinstance(example, dict) and isinstance(example.get("columns"), list):
        return list(example["columns"])
    return None


def check(ctx: LintContext) -> Iterator[Finding]:
    info = ctx.data.get("saved_input_example_info")
    specs = _signature_columns(ctx)
    if not isinstance(info, dict) or specs is None:
        return
    columns = _example_columns(ctx, info)
    if columns is None:
        return
    present = {str(c) for c in columns}
    missing = [
        str(s["name"])
        for s in specs
        if s.get("required", True) is not False and str(s["name"]) not in present
    ]
    extra = sorted(present - {str(s["name"]) for s in specs})
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"lacks required column(s) {', '.join(missing)}")
        if extra:
            parts.append(f"has column(s) the signature does not name: {', '.join(extra)}")
        yield Finding(
            ("saved_input_example_info", "artifact_path"),
            f"the input example {info.get('artifact_path')} " + " and ".join(parts),
            hint="re-log the model with an input example that matches its signature",
        )
