"""Files the document references: they must exist and stay inside the model directory.

Only ``stat`` calls: nothing in the model directory is opened, imported or unpickled.
"""

from __future__ import annotations

import stat
from pathlib import Path, PurePosixPath

from mlmodel.checking.validators.context import CheckContext
from mlmodel.flavors.registry import PathKind, PathRef
from mlmodel.modeldir.containment import inside, locate, path_problem
from mlmodel.modeldir.references import referenced_paths
from mlmodel.yamlio.tree import KeyPath, dotted

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
    _check_side_files(ctx, ctx.model_dir)


#: the text files MLflow reads beside the MLmodel file: environments and input examples
_SIDE_FILES: tuple[tuple[str, ...], ...] = (
    ("flavors", "python_function", "env"),
    ("flavors", "python_function", "env", "conda"),
    ("flavors", "python_function", "env", "virtualenv"),
    ("saved_input_example_info", "artifact_path"),
    ("saved_input_example_info", "serving_input_path"),
)


def _check_side_files(ctx: CheckContext, model_dir: Path) -> None:
    """Environment and example files must be readable as the YAML or JSON they claim to be."""
    from mlmodel.checking.validators.context import get_path
    from mlmodel.modeldir.sidefiles import SideFileError, load_json, load_yaml

    for path in _SIDE_FILES:
        value = get_path(ctx.data, path)
        if not isinstance(value, str):
            continue
        suffix = PurePosixPath(value).suffix.lower()
        loader = {".json": load_json, ".yaml": load_yaml, ".yml": load_yaml}.get(suffix)
        target = inside(model_dir, value)
        if loader is None or target is None or not _exists(target):
            continue  # missing, escaping or unusable paths are reported above
        try:
            loader(target)
        except SideFileError as exc:
            ctx.report(
                "V510",
                f"{dotted(path)} names a file that cannot be read: {exc}",
                path,
                hint="MLflow reads this file when it sets up the environment or serves the model",
            )


def _check_one(ctx: CheckContext, root: Path, path: KeyPath, value: str, ref: PathRef) -> None:
    label = ".".join(str(p) for p in path)
    problem = path_problem(value)
    if problem is not None:
        shown = value if len(value) <= 60 else value[:59] + "…"
        ctx.report(
            "V509",
            f"{label} {shown!r} {problem}: no file system can hold this file",
            path,
        )
        return
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
    if not _exists(target):
        ctx.report(
            "V500",
            f"{label} points to {value!r}, which does not exist in the model directory",
            path,
            hint=MISSING_FILE_HINT,
        )
        return
    _check_kind(ctx, target, value, ref.kind, label, path)


def _exists(target: Path) -> bool:
    try:
        target.stat()
    except (OSError, ValueError):
        return False
    return True


def _is_dir(target: Path) -> bool:
    try:
        return stat.S_ISDIR(target.stat().st_mode)
    except (OSError, ValueError):
        return False


def _special_kind(target: Path) -> str | None:
    """ "a FIFO", "a socket", ... for what is neither a regular file nor a folder (reading it
    could block for ever), else None."""
    try:
        mode = target.stat().st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    from mlmodel.core.fsio import kind_of

    return kind_of(mode)


def _check_kind(
    ctx: CheckContext, target: Path, value: str, kind: PathKind, label: str, path: KeyPath
) -> None:
    # a FIFO or a device a loader would open and block on; side files have their own
    # finding (V510, a warning: they are read within bounds)
    special = _special_kind(target) if path not in _SIDE_FILES else None
    if special is not None:
        expected = "a folder" if kind == "dir" else "a regular file"
        ctx.report("V504", f"{label} {value!r} is {special}; {expected} is expected", path)
    elif kind == "file" and _is_dir(target):
        ctx.report("V504", f"{label} {value!r} is a folder; a file is expected", path)
    elif kind == "dir" and not _is_dir(target):
        ctx.report("V504", f"{label} {value!r} is a file; a folder is expected", path)
