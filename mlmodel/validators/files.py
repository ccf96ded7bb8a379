"""Files the document references: they must exist and stay inside the model directory.

Only ``stat`` calls: nothing in the model directory is opened, imported or unpickled.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from mlmodel.modeldir import locate, referenced_paths
from mlmodel.registry import PathKind, PathRef
from mlmodel.validators.context import CheckContext
from mlmodel.yamlio.tree import KeyPath

#: the model directory of an MLmodel file is its folder, whatever the file's name
MISSING_FILE_HINT = (
    "the model directory is the MLmodel file's folder; for an MLmodel file kept without "
    "its model's files, --no-check-files skips the file checks"
)


def check_files(ctx: CheckContext) -> None:
    if not ctx.check_files or ctx.model_dir is None or not isinstance(ctx.data, dict):
        return
    root = ctx.model_dir.resolve()
    for path, value, ref in referenced_paths(ctx.data):
        _check_one(ctx, root, path, value, ref)


def _check_one(ctx: CheckContext, root: Path, path: KeyPath, value: str, ref: PathRef) -> None:
    label = ".".join(str(p) for p in path)
    if ref.basename_only:
        value = PurePosixPath(value.replace("\\", "/")).name
        if not value:
            return
    located = locate(root, value)
    if located.problem == "absolute":
        ctx.report(
            "V501",
            f"{label} is the absolute path {value!r}; paths must be relative to the model "
            "directory",
            path,
            hint="copy the file into the model directory and reference it relatively",
        )
        return
    if located.problem == "escapes":
        ctx.report("V502", f"{label} {value!r} leaves the model directory", path)
        return
    if located.problem == "symlink-outside":
        ctx.report(
            "V503",
            f"{label} {value!r} is a symlink that points outside the model directory "
            f"(to {str(located.resolved)!r})",
            path,
        )
        return
    target = located.target
    assert target is not None
    if not target.exists():
        ctx.report(
            "V500",
            f"{label} points to {value!r}, which does not exist in the model directory",
            path,
            hint=MISSING_FILE_HINT,
        )
        return
    _check_kind(ctx, target, value, ref.kind, label, path)


def _check_kind(
    ctx: CheckContext, target: Path, value: str, kind: PathKind, label: str, path: KeyPath
) -> None:
    if kind == "file" and target.is_dir():
        ctx.report("V504", f"{label} {value!r} is a folder; a file is expected", path)
    elif kind == "dir" and not target.is_dir():
        ctx.report("V504", f"{label} {value!r} is a file; a folder is expected", path)
