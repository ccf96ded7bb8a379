"""A private copy of a model directory, so the bytes checked are the bytes another loader reads.

mlmodel's own deserialisers read each file once and load those bytes. MLflow's loaders (a
``PythonModel``'s ``python_model.pkl``, every other framework) and Python's import system
(a trusted ``code/`` folder) read the files again themselves: between the check and that
read, whoever can write the model directory could swap a file. So before such a load the
directory is copied into a private temporary directory (mode 0700, symlinks inside the model
followed), the checks run on the copy, and the load reads the copy. A signed model's copy is
hashed and compared with the verified signature: the bytes loaded are the bytes signed.

A directory above :data:`MAX_SNAPSHOT_BYTES` is not copied (the checks then read the files in
place, as before); the copy is removed when the loaded model is garbage-collected or the
process exits.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from dataclasses import replace
from pathlib import Path
from typing import Final

from mlmodel.runtime.errors import UnsafeModelError
from mlmodel.runtime.load.safety import LoadPolicy

#: models larger than this are checked and loaded in place
MAX_SNAPSHOT_BYTES: Final = 2 * 1024**3


def _size(model_dir: Path, limit: int) -> int | None:
    """The bytes of every file below ``model_dir``, None once past ``limit``."""
    total = 0
    for root, _dirs, files in os.walk(model_dir):
        for name in files:
            try:
                total += (Path(root) / name).stat().st_size
            except OSError:
                continue
            if total > limit:
                return None
    return total


def take(model_dir: Path, policy: LoadPolicy) -> tuple[Path, LoadPolicy] | None:
    """``(copy, policy)``: the private copy of ``model_dir`` and the policy re-rooted on it
    (a signed model's manifest checked against the copy), or None for a directory too large
    to copy. Raises :class:`UnsafeModelError` when the copy differs from the signature."""
    if _size(model_dir, MAX_SNAPSHOT_BYTES) is None:
        return None
    root = Path(tempfile.mkdtemp(prefix="mlmodel-load-"))  # mode 0700
    copy = root / "model"
    try:
        shutil.copytree(model_dir, copy, symlinks=False)
        manifest = policy.manifest
        if manifest is not None:
            from mlmodel.signing import file_digests

            copied = file_digests(copy, algorithm=manifest.algorithm)
            if copied != dict(manifest.digests):
                changed = sorted(
                    name
                    for name in set(copied) | set(manifest.digests)
                    if copied.get(name) != manifest.digests.get(name)
                )
                raise UnsafeModelError(
                    f"{model_dir}: refusing to load: files changed after its signature was "
                    f"verified: {', '.join(changed[:5])}",
                    path=str(model_dir),
                )
            policy = policy.with_manifest(replace(manifest, model_dir=copy))
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return copy, policy


def release_with(owner: object, copy: Path) -> None:
    """Remove ``copy`` (and its private parent) when ``owner`` is collected or at exit."""
    weakref.finalize(owner, shutil.rmtree, copy.parent, True)


def discard(copy: Path) -> None:
    shutil.rmtree(copy.parent, ignore_errors=True)
