"""The saved input example: its settings and a preview of the example read as JSON text."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mlmodel.checking.inspection.types import InputExampleInfo
from mlmodel.modeldir import inside
from mlmodel.modeldir.sidefiles import load_json

PREVIEW_CHARS = 200


def describe_input_example(data: dict[str, Any], model_dir: Path | None) -> InputExampleInfo | None:
    info = data.get("saved_input_example_info")
    if info is None:
        return None
    if not isinstance(info, dict):
        return InputExampleInfo(None, [], {}, error="saved_input_example_info is not a mapping")
    files = [
        value
        for key in ("artifact_path", "serving_input_path")
        if isinstance(value := info.get(key), str)
    ]
    result = InputExampleInfo(
        type=str(info["type"]) if info.get("type") is not None else None,
        files=files,
        info={str(k): v for k, v in info.items()},
    )
    artifact = info.get("artifact_path")
    if model_dir is None or not isinstance(artifact, str):
        return result
    target = inside(model_dir, artifact)
    if target is None:
        result.error = f"{artifact} is outside the model directory; not read"
    elif not os.path.lexists(target):
        result.error = f"{artifact} does not exist"
    else:
        try:
            parsed = load_json(target)  # JSON text only, bounded: never executed
        except ValueError as exc:  # not a regular file, too large or deep, not JSON
            result.error = f"V510 {exc}"
        else:
            preview = json.dumps(parsed, ensure_ascii=False)
            if len(preview) > PREVIEW_CHARS:
                preview = preview[: PREVIEW_CHARS - 1] + "…"
            result.preview = preview
    return result
