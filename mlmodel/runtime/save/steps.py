"""Steps every flavor's ``save_model`` shares: code paths, input example, signature, size, files.

A save builds the whole directory in a temporary sibling directory
(:func:`mlmodel.core.fsio.atomic_directory`) and publishes it at once; the order of the steps follows MLflow's (model files, then
``model_size_bytes``, then ``MLmodel`` and the environment files).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mlmodel.core.errors import UsageError
from mlmodel.runtime.document.environment import CONDA_FILE, PYTHON_ENV_FILE, python_version
from mlmodel.runtime.document.input_example import InputExample
from mlmodel.runtime.document.model import MLMODEL_FILE_NAME, Model

CODE_DIR = "code"


def copy_code_paths(
    code_paths: Sequence[str | os.PathLike[str]] | None, model_dir: Path
) -> str | None:
    """Copy files and folders into ``<model>/code/`` as MLflow does; the subdirectory or None."""
    if code_paths is None:
        return None
    if isinstance(code_paths, str | os.PathLike) or not all(
        isinstance(p, str | os.PathLike) for p in code_paths
    ):
        raise UsageError("code_paths must be a list of file or folder paths")
    target = model_dir / CODE_DIR
    for item in code_paths:
        source = Path(item).absolute()
        destination = target / source.name
        if source.is_file():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, destination)
        elif source.is_dir():
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            raise UsageError(f"code path {item}: no such file or folder")
    return CODE_DIR


def save_input_example(model: Model, input_example: Any, model_dir: Path) -> InputExample | None:
    if input_example is None:
        return None
    example = InputExample.from_data(input_example)
    example.write(model_dir)
    model.saved_input_example_info = example.info
    return example


def total_file_size(model_dir: Path) -> int:
    total = 0
    for current, _dirs, files in os.walk(model_dir):
        total += sum(Path(current, name).stat().st_size for name in files)
    return total


def pyfunc_flavor(
    loader_module: str,
    *,
    model_path: str | None = None,
    data: str | None = None,
    code: str | None = None,
    **params: Any,
) -> dict[str, Any]:
    """The ``python_function`` settings, keyed as MLflow's ``pyfunc.add_to_model`` writes them."""
    flavor = dict(params)
    if model_path is not None:
        flavor["model_path"] = model_path
    flavor["loader_module"] = loader_module
    flavor["python_version"] = python_version()
    if code:
        flavor["code"] = code
    if data:
        flavor["data"] = data
    flavor["env"] = {"conda": CONDA_FILE, "virtualenv": PYTHON_ENV_FILE}
    return flavor


def write_mlmodel(model: Model, model_dir: Path) -> Path:
    target = model_dir / MLMODEL_FILE_NAME
    target.write_text(model.to_yaml(), encoding="utf-8")
    return target
