"""``model_size_bytes`` far from the model directory's real size.

MLflow computes it while saving, before writing MLmodel and the environment
files, so small differences are normal; a value off by more than half (and by
more than 64 KiB) means files were added, removed or replaced afterwards.
Fix (unsafe: it rewrites recorded metadata): set it to the real size.

Fails: ``model_size_bytes: 1000`` for a directory holding a 5 MB model file.

Passes: ``model_size_bytes`` within that margin.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from mlmodel.checking.lint.model import Finding, Fix, LintContext
from mlmodel.yamlio.document import MLmodelDocument

CODE = "MLM405"

WRITTEN_AFTER = {"MLmodel", "conda.yaml", "python_env.yaml", "requirements.txt", "constraints.txt"}
MIN_DIFFERENCE = 64 * 1024
MAX_FILES = 100_000


def real_size(model_dir: Path) -> int | None:
    """Bytes of the files MLflow counts (not following symlinks); None for huge trees."""
    total = 0
    count = 0
    for root, _dirs, files in os.walk(model_dir, followlinks=False):
        for name in files:
            if Path(root) == model_dir and name in WRITTEN_AFTER:
                continue
            count += 1
            if count > MAX_FILES:
                return None
            try:
                total += (Path(root) / name).lstat().st_size
            except OSError:
                continue
    return total


def _fix(old: int, size: int) -> Fix:
    def fix(document: MLmodelDocument) -> None:
        document["model_size_bytes"] = size

    return Fix("model_size_bytes", "set", str(old), str(size), fix)


def check(ctx: LintContext) -> Iterator[Finding]:
    recorded = ctx.data.get("model_size_bytes")
    if not ctx.check_files or ctx.model_dir is None:
        return
    if isinstance(recorded, bool) or not isinstance(recorded, int):
        return
    actual = real_size(ctx.model_dir)
    if actual is None:
        return
    difference = abs(actual - recorded)
    if difference > MIN_DIFFERENCE and difference > max(actual, recorded) / 2:
        yield Finding(
            ("model_size_bytes",),
            f"model_size_bytes is {recorded} but the model's files add up to {actual} bytes",
            hint="files changed after the model was saved?",
            fix=_fix(recorded, actual),
        )
