"""What Python a model directory carries and would run at load, read from the document and
the folder listing only: a flavor's ``code`` folder, a loader module that is not MLflow's, a
model from code, a script ``python_model``, Python files shipped beside an MLflow loader, the
directory on the import path. Executes nothing; the loaders' trust decision
(:mod:`mlmodel.runtime.load.trust`) and lint rule MLM507 both read it from here.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

#: MLflow's own pyfunc loader modules: importing one runs MLflow's code, not the model's
MLFLOW_LOADER_MODULES: Final = frozenset(
    [
        "mlflow.sklearn",
        "mlflow.xgboost",
        "mlflow.lightgbm",
        "mlflow.catboost",
        "mlflow.pytorch",
        "mlflow.tensorflow",
        "mlflow.keras",
        "mlflow.onnx",
        "mlflow.transformers",
        "mlflow.sentence_transformers",
        "mlflow.spark",
        "mlflow.h2o",
        "mlflow.statsmodels",
        "mlflow.prophet",
        "mlflow.pmdarima",
        "mlflow.spacy",
        "mlflow.paddle",
        "mlflow.shap",
        "mlflow.openai",
        "mlflow.langchain",
        "mlflow.llama_index",
        "mlflow.dspy",
        "mlflow.johnsnowlabs",
        "mlflow.diffusers",
        "mlflow.fastai",
        "mlflow.pyfunc.model",
        "mlflow.pyfunc.loaders.chat_model",
        "mlflow.pyfunc.loaders.chat_agent",
        "mlflow.pyfunc.loaders.responses_agent",
    ]
)

#: loader modules that always run the model's own Python
CODE_LOADER_MODULES: Final = frozenset(["mlflow.pyfunc.loaders.code_model"])

#: the loader modules mlmodel implements itself: they import nothing from the model
NATIVE_LOADER_MODULES: Final = frozenset(["mlflow.sklearn", "mlflow.xgboost", "mlflow.lightgbm"])

#: files Python (or a library's remote-code loading) can import or run
PYTHON_SUFFIXES: Final = (".py", ".pyc", ".pyo", ".pyw", ".so", ".pyd", ".pth")
#: how many entries of a model directory the search for Python files looks at
MAX_SCANNED_ENTRIES: Final = 100_000


def _holds_files(folder: Path) -> bool:
    try:
        return folder.is_dir() and any(True for _ in folder.iterdir())
    except OSError:
        return True  # unreadable: assume the worst


def _on_import_path(model_dir: Path) -> str | None:
    resolved = model_dir.resolve()
    for entry in sys.path:
        try:
            folder = Path(entry or ".").resolve()
        except (OSError, RuntimeError):
            continue
        if folder == resolved or folder.is_relative_to(resolved):
            return entry or "the current directory"
    return None


def _python_files(model_dir: Path) -> list[str]:
    """Python files in ``model_dir`` (bounded: past the bound, the directory counts as
    holding some), as POSIX paths relative to it."""
    import os

    found: list[str] = []
    seen = 0
    for root, dirs, files in os.walk(model_dir):
        seen += len(dirs) + len(files)
        if seen > MAX_SCANNED_ENTRIES:
            return [f"(more than {MAX_SCANNED_ENTRIES} entries: not searched)"]
        for name in files:
            if name.endswith(PYTHON_SUFFIXES):
                found.append(Path(root, name).relative_to(model_dir).as_posix())
    return sorted(found)


def code_sources(
    model_dir: Path, document: Mapping[str, Any], *, import_path: bool = True
) -> list[tuple[tuple[str, ...], str]]:
    """Why loading this model would run Python from its directory, each with the document
    key it comes from (``()`` for the import path). Reads the document and lists folders;
    executes nothing. ``import_path=False`` leaves out this process's ``sys.path`` (lint
    judges the model, not the process it runs in)."""
    found: list[tuple[tuple[str, ...], str]] = []
    flavors = document.get("flavors")
    flavors = flavors if isinstance(flavors, Mapping) else {}
    for name, conf in flavors.items():
        if isinstance(conf, Mapping) and conf.get("code"):
            code = str(conf["code"])
            if _holds_files(model_dir / code):
                found.append(
                    (
                        ("flavors", str(name), "code"),
                        f"flavors.{name}.code puts {code}/ first on the import path",
                    )
                )
    pyfunc = flavors.get("python_function")
    if isinstance(pyfunc, Mapping):
        key = ("flavors", "python_function")
        loader = str(pyfunc.get("loader_module") or "")
        if loader in CODE_LOADER_MODULES or pyfunc.get("model_code_path"):
            where = "model_code_path" if pyfunc.get("model_code_path") else "loader_module"
            found.append(((*key, where), "it is a model from code: its script runs at load"))
        elif loader and loader not in MLFLOW_LOADER_MODULES:
            found.append(
                (
                    (*key, "loader_module"),
                    f"loader_module {loader!r} is not one of MLflow's: importing it runs it",
                )
            )
        python_model = pyfunc.get("python_model")
        if isinstance(python_model, str) and python_model.endswith(".py"):
            found.append(
                (
                    (*key, "python_model"),
                    f"python_model {python_model!r} is a script that runs at load",
                )
            )
        from_code = loader in CODE_LOADER_MODULES or pyfunc.get("model_code_path")
        if loader in MLFLOW_LOADER_MODULES - NATIVE_LOADER_MODULES and not from_code:
            shipped = [f for f in _python_files(model_dir) if not _under_code(f, flavors)]
            if shipped:
                listed = ", ".join(shipped[:3]) + (" ..." if len(shipped) > 3 else "")
                found.append(
                    (
                        (*key, "loader_module"),
                        f"it ships Python files ({listed}) that {loader} may import or run",
                    )
                )
    entry = _on_import_path(model_dir) if import_path else None
    if entry is not None:
        found.append(
            (
                (),
                (
                    f"the model directory is on the import path ({entry}): its folders would "
                    "shadow installed packages"
                ),
            )
        )
    return found


def code_reasons(model_dir: Path, document: Mapping[str, Any]) -> list[str]:
    """Why loading this model would run Python from its directory (empty: it would not)."""
    return [reason for _key, reason in code_sources(model_dir, document)]


def _under_code(relative: str, flavors: Mapping[str, Any]) -> bool:
    """Whether ``relative`` lies in a flavor's ``code`` folder (reported on its own)."""
    for conf in flavors.values():
        if isinstance(conf, Mapping) and conf.get("code"):
            code = str(conf["code"]).strip("/")
            if relative == code or relative.startswith(code + "/"):
                return True
    return False
