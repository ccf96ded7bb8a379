"""Model files that cannot be what their flavor says: sniffed, never deserialised.

For each flavor's model file (the keys MLflow's loader opens) the first bytes are read and
named (:mod:`mlmodel.pickle_scan.sniff`): a 0-byte file (``V505``), a Git LFS pointer
committed in place of the model (``V506``, the most common way a model repository breaks
in CI), a file that is not the archive its format needs (``V507``: a pickle declared as
``serialization_format: skops``, a ``.keras``, ``.pt2`` or skops file that is not a zip, a
torch ``model.pth`` that is neither a torch zip nor a legacy pickle) and a file MLflow
unpickles that does not begin like a pickle (``V508``; a compressed pickle passes only where
MLflow decompresses it: ``python_model`` with ``python_model_compression``). MLflow's load
fails on each (EOFError, UnpicklingError, BadZipFile).

Only regular files inside the model directory are opened, and only their first 64 KiB.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from mlmodel.checking.validators.context import CheckContext
from mlmodel.yamlio.tree import KeyPath

Expect = Literal["pickle", "skops", "torch", "zip", "keras", "any"]

#: ``python_model_compression`` -> the wrapper MLflow opens the file with
_COMPRESSION = {"gzip": "gzip", "bzip2": "bz2", "lzma": "xz"}

_LOADS = {
    "pickle": "pickle.load",
    "skops": "skops.io.load",
    "torch": "torch.load",
    "zip": "torch.export.load",
    "keras": "keras.saving.load_model",
    "any": "the flavor's loader",
}


@dataclass(frozen=True)
class ModelFile:
    key: KeyPath  #: the key the finding is reported at
    value: str  #: the path as written (or folder/name for a file inside a folder)
    expect: Expect
    why: str  #: what says so, for messages (``serialization_format: skops``)
    compressed: str | None = None  #: gzip, bz2 or xz: the pickle must be wrapped so


def _str(config: dict[str, Any], key: str) -> str | None:
    value = config.get(key)
    return value if isinstance(value, str) and value else None


def _sklearn_like(name: str, config: dict[str, Any], key: str) -> Iterator[ModelFile]:
    value = _str(config, key)
    if value is None:
        return
    fmt = config.get("serialization_format")
    path: KeyPath = ("flavors", name, key)
    lower = value.lower()
    if fmt == "skops" or (name == "lightgbm" and lower.endswith(".skops")):
        yield ModelFile(path, value, "skops", "serialization_format: skops")
    elif name == "sklearn" or lower.endswith(".pkl"):
        yield ModelFile(path, value, "pickle", f"serialization_format: {fmt or 'pickle'}")
    else:
        yield ModelFile(path, value, "any", name)


def _inside(
    name: str, config: dict[str, Any], key: str, files: dict[str, Expect]
) -> Iterator[ModelFile]:
    folder = _str(config, key)
    if folder is None:
        return
    for file, expect in files.items():
        yield ModelFile(("flavors", name, key), f"{folder.rstrip('/')}/{file}", expect, name)


def model_files(data: dict[str, Any]) -> Iterator[ModelFile]:
    """Every model file the document's flavors name, with what it must be."""
    flavors = data.get("flavors")
    if not isinstance(flavors, dict):
        return
    for name, config in flavors.items():
        if not isinstance(config, dict):
            continue
        if name == "python_function":
            value = _str(config, "python_model")
            compression = config.get("python_model_compression")
            if value is not None:
                yield ModelFile(
                    ("flavors", name, "python_model"),
                    value,
                    "pickle",
                    f"python_model_compression: {compression}" if compression else "python_model",
                    _COMPRESSION.get(compression) if isinstance(compression, str) else None,
                )
        elif name == "sklearn":
            yield from _sklearn_like(name, config, "pickled_model")
        elif name == "lightgbm":
            # MLflow's loader opens a Booster (the default model_class) with
            # lgb.Booster(model_file=...) whatever serialization_format says
            if config.get("model_class", "lightgbm.basic.Booster") == "lightgbm.basic.Booster":
                value = _str(config, "data")
                if value is not None:
                    yield ModelFile(("flavors", name, "data"), value, "any", name)
            else:
                yield from _sklearn_like(name, config, "data")
        elif name in ("statsmodels", "pmdarima"):
            value = _str(config, "data")
            if value is not None:
                yield ModelFile(("flavors", name, "data"), value, "pickle", name)
        elif name in ("xgboost", "catboost", "onnx", "prophet"):
            value = _str(config, "data")
            if value is not None:
                yield ModelFile(("flavors", name, "data"), value, "any", name)
        elif name == "shap":
            value = _str(config, "serialized_explainer")
            if value is not None:
                yield ModelFile(("flavors", name, "serialized_explainer"), value, "any", name)
        elif name == "pytorch":
            yield from _inside(
                name, config, "model_data", {"model.pth": "torch", "model.pt2": "zip"}
            )
        elif name == "keras":
            yield from _inside(name, config, "data", {"model.keras": "keras"})


def _regular_inside(root: Path, value: str) -> Path | None:
    from mlmodel.modeldir import path_problem

    relative = PurePosixPath(value.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts or path_problem(value) is not None:
        return None  # V509 names a path no file system can hold
    target = root / relative
    try:
        resolved = target.resolve()
        info = resolved.stat()
    except (OSError, RuntimeError, ValueError):
        return None
    if not resolved.is_relative_to(root) or not stat.S_ISREG(info.st_mode):
        return None
    return resolved


def _zip_names(path: Path) -> list[str] | None:
    import zipfile  # only for a file sniffed as a zip archive

    try:
        with zipfile.ZipFile(path) as archive:
            return archive.namelist()
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None


def check_model_files(ctx: CheckContext) -> None:
    if not ctx.check_files or ctx.model_dir is None or not isinstance(ctx.data, dict):
        return
    root = ctx.model_dir.resolve()
    seen: set[tuple[Path, Expect]] = set()
    for item in model_files(ctx.data):
        target = _regular_inside(root, item.value)
        if target is None or (target, item.expect) in seen:
            continue  # missing, outside or not a regular file: V500-V504 say so
        seen.add((target, item.expect))
        _check_one(ctx, target, item)


def _check_one(ctx: CheckContext, target: Path, item: ModelFile) -> None:
    from mlmodel.pickle_scan.sniff import (
        FileKind,
        is_pickle_bytes,
        lfs_pointer_oid,
        read_head,
        sniff_bytes,
    )

    label = ".".join(str(p) for p in item.key)
    shown = f"{label} file {item.value!r}"
    loader = _LOADS[item.expect]
    if item.key[-1] == "python_model" or "cloudpickle" in item.why:
        loader = "cloudpickle.load"
    try:
        head = read_head(target)
    except OSError:
        return  # unreadable: not this check's business
    kind = sniff_bytes(head)
    if kind is FileKind.EMPTY:
        ctx.report(
            "V505",
            f"{shown} is empty (0 bytes): MLflow cannot load a model from it ({loader} fails)",
            item.key,
            hint="the model file was not saved or not copied; save or upload it again",
        )
        return
    if kind is FileKind.LFS_POINTER:
        oid, size = lfs_pointer_oid(head) or ("?", -1)
        ctx.report(
            "V506",
            f"{shown} is a Git LFS pointer (oid sha256:{oid[:12]}..., {size} bytes), "
            "not the model file itself",
            item.key,
            hint="run `git lfs pull` (in CI, check out with LFS enabled) before validating",
        )
        return
    expect = item.expect
    if expect == "pickle":
        if kind is FileKind.PICKLE and item.compressed is None:
            return
        if kind.compressed and is_pickle_bytes(head):
            if kind.value == item.compressed:
                return
            ctx.report(
                "V508",
                f"{shown} is a {kind.value}-compressed pickle, but MLflow opens it "
                + (f"as {item.compressed} ({item.why})" if item.compressed else "uncompressed")
                + f" and {loader} fails",
                item.key,
                hint="save the model again, or set python_model_compression to match the file"
                if item.key[-1] == "python_model"
                else "save the model uncompressed",
            )
            return
        if kind is FileKind.PICKLE:
            ctx.report(
                "V508",
                f"{shown} is an uncompressed pickle, but {item.why} makes MLflow open it as "
                f"{item.compressed}: {loader} fails",
                item.key,
                hint="remove python_model_compression, or save the model again",
            )
            return
        if kind is FileKind.ZIP:
            ctx.report(
                "V507",
                f"{shown} is a zip archive (a skops or torch file?), but {item.why} needs a "
                f"pickle: {loader} fails",
                item.key,
                hint="set serialization_format to the format the file was saved with",
            )
            return
        ctx.report(
            "V508",
            f"{shown} does not begin like a pickle (first bytes {head[:8]!r}): {loader} fails",
            item.key,
            hint="the file is not the model MLflow saved; save it again",
        )
        return
    if expect == "any":
        return
    if kind is FileKind.ZIP:
        names = _zip_names(target)
        if names is None:
            what = "a damaged zip archive"
        elif expect == "skops" and "schema.json" not in names:
            what = "a zip archive without schema.json"
        else:
            return
    elif expect == "torch" and kind is FileKind.PICKLE:
        return  # torch's legacy (non-zip) format is a pickle
    elif kind is FileKind.PICKLE:
        what = "a pickle"
    else:
        what = f"not a zip archive (first bytes {head[:8]!r})"
    ctx.report(
        "V507",
        f"{shown} is {what}, but {item.why} needs "
        f"{'a skops zip archive' if expect == 'skops' else 'a zip archive'}: {loader} fails",
        item.key,
        hint="set serialization_format to the format the file was saved with"
        if expect == "skops"
        else "save the model again with the flavor's save_model",
    )
