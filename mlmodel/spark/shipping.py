"""Ship a model directory to Spark executors and load it once per Python worker.

Driver side, :func:`ship_model` packs the directory into an uncompressed tar named by its
content hash (built once per content, atomically, in the temp folder) and adds it to the
SparkContext. Executor side, :func:`worker_model` unpacks it once per node (atomic rename) and
keeps the loaded :class:`PyFuncModel` in a module-level cache keyed by that name, so a reused
Python worker loads the model once for all its batches and tasks.

The MLmodel document travels with the task, parsed and validated on the driver just before the
archive is built, so a worker neither re-reads nor re-validates it: it goes straight to the
loader, which still scans every pickle it opens.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from pyspark import SparkContext

    from mlmodel.runtime.load.safety import TrustOptions
    from mlmodel.runtime.predict.pyfunc_model import PyFuncModel

_ARCHIVE_PREFIX: Final = "mlmodel-model-"
_CHUNK: Final = 1 << 20
#: loaded models of this Python worker, keyed by (archive name, trust options, config)
_MODELS: dict[tuple[str, TrustOptions, str], PyFuncModel] = {}
#: how many times this process loaded each archive (one per worker is the point)
_LOADS: dict[str, int] = {}


def content_hash(model_dir: Path) -> str:
    """A digest of every file's relative path and bytes (symlinks by their target)."""
    digest = hashlib.blake2b(digest_size=16)
    for root, dirs, files in os.walk(model_dir):
        dirs.sort()
        for name in sorted(files):
            path = Path(root, name)
            digest.update(path.relative_to(model_dir).as_posix().encode() + b"\0")
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
            digest.update(b"\0")
    return digest.hexdigest()


def _archive(model_dir: Path, name: str) -> Path:
    """The tar of ``model_dir`` under the temp folder, built once (atomically) per content."""
    from mlmodel.core.fsio import atomic_directory

    folder = Path(tempfile.gettempdir(), "mlmodel-spark", name)
    archive = folder / f"{name}.modeltar"  # not .tar: addFile would untar it too
    if not archive.is_file():
        try:
            with atomic_directory(folder) as temp, tarfile.open(temp / archive.name, "w") as tar:
                tar.add(model_dir, arcname="model")
        except FileExistsError:  # another driver built it meanwhile
            pass
    return archive


def ship_model(sc: SparkContext, model_dir: Path) -> str:
    """Add the model's archive to ``sc``; returns its file name for :func:`worker_model`."""
    name = _ARCHIVE_PREFIX + content_hash(model_dir)
    archive = _archive(model_dir, name)
    sc.addFile(str(archive))  # the same path twice is a no-op
    return archive.name


def unpacked_model(archive_name: str) -> Path:
    """The model directory of an added archive, unpacked once per node."""
    from pyspark import SparkFiles

    root = Path(SparkFiles.getRootDirectory())
    target = root / (archive_name.removesuffix(".modeltar") + ".d")
    if not target.is_dir():
        temp = Path(tempfile.mkdtemp(prefix=".unpack-", dir=root))
        with tarfile.open(SparkFiles.get(archive_name)) as tar:
            tar.extractall(temp, filter="data")
        try:
            temp.rename(target)
        except OSError:  # another worker of this node was first
            import shutil

            shutil.rmtree(temp, ignore_errors=True)
    return target / "model"


def worker_model(
    archive_name: str,
    document: dict[str, Any],
    *,
    trust: TrustOptions,
    model_config: dict[str, Any] | None = None,
) -> PyFuncModel:
    """The loaded model for an archive added by :func:`ship_model` (cached per process).

    ``document`` is the archive's MLmodel as the driver parsed and validated it."""
    import json

    config_key = json.dumps(model_config, sort_keys=True, default=repr)
    key = (archive_name, trust, config_key)
    model = _MODELS.get(key)
    if model is None:
        from mlmodel.runtime.load.dispatch import load_document

        model = load_document(
            unpacked_model(archive_name),
            document,
            trust=trust,
            model_config=model_config,
        )
        _MODELS[key] = model
        _LOADS[archive_name] = _LOADS.get(archive_name, 0) + 1
    return model


def load_count(archive_name: str) -> int:
    """How many times this process loaded the archive's model."""
    return _LOADS.get(archive_name, 0)
