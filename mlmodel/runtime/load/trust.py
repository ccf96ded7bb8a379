"""The trust decision before a load: the model's signature, and Python the model would run.

Every loader passes through :func:`decide` after validation and before touching a model
file. It verifies the signature when the loader trusts keys (a model that verifies is
trusted: its pickles and its code load, byte-checked against the signature), refuses an
unsigned or unverifiable model when a signature is required, and refuses a model whose
loading would import or run Python from the model directory unless the loader trusts it:

* a ``code`` folder of any flavor holding files (it is put first on ``sys.path``, where it
  can shadow scikit-learn or numpy);
* a ``loader_module`` that is not one of MLflow's (:data:`MLFLOW_LOADER_MODULES`), since
  importing a module runs it;
* a model from code (``model_code_path``, ``mlflow.pyfunc.loaders.code_model``);
* Python files anywhere in the directory of a model MLflow's own loader would load
  (``.py``, ``.pyc``, extension modules, ``.pth``): MLflow's transformers loader, for one,
  runs a model's ``modeling_*.py`` through ``trust_remote_code``;
* a model directory that lies on ``sys.path`` (its folders would shadow installed packages).

A by-value ``PythonModel`` (cloudpickled code) is refused by the pickle allowlist
(:mod:`mlmodel.runtime.load.safety`). :func:`check_files` scans every pickle of the directory
without loading anything, for callers that decide before a load elsewhere (Spark's driver).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from mlmodel.runtime.errors import MissingDependencyError, UnsafeModelError
from mlmodel.runtime.load.safety import LoadPolicy, Manifest
from mlmodel.signing.names import DEFAULT_SIGNATURE

#: the signature file of a signed model directory (OpenSSF model signing)
SIGNATURE_NAME: Final = DEFAULT_SIGNATURE

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


def signature_present(model_dir: Path) -> bool:
    return (model_dir / SIGNATURE_NAME).is_file()


def verify_signature(model_dir: Path, policy: LoadPolicy) -> Manifest:
    """The manifest of ``model_dir``'s signature, verified against the policy's keys."""
    from mlmodel.signing import SignatureError, SigningUnavailableError, verify_model

    try:
        verified = verify_model(model_dir, public_keys=policy.trusted_keys)
    except SigningUnavailableError as exc:
        raise MissingDependencyError(str(exc), package="mlmodel[sign]") from exc
    except SignatureError as exc:
        raise UnsafeModelError(
            f"{model_dir}: refusing to load: its signature does not verify ({exc})",
            path=str(model_dir),
        ) from exc
    return Manifest(
        model_dir=model_dir,
        digests=dict(verified.digests),
        algorithm=verified.algorithm,
        signature=verified.signature,
        key=verified.key,
    )


def decide(model_dir: Path, document: Mapping[str, Any], policy: LoadPolicy) -> LoadPolicy:
    """The policy a load goes on with (with the verified manifest when the model is signed
    by a trusted key); raises :class:`UnsafeModelError` when the load must not go on."""
    if policy.trusted_keys and signature_present(model_dir) and not policy.allow_unsafe:
        policy = policy.with_manifest(verify_signature(model_dir, policy))
    elif policy.require_signature and not policy.allow_unsafe:
        what = (
            "it has no signature"
            if not signature_present(model_dir)
            else "no trusted key is given to verify its signature"
        )
        keys = "--trusted-key PUBLIC.pem" if policy.caller == "cli" else "trusted_keys=[...]"
        raise UnsafeModelError(
            f"{model_dir}: refusing to load: a signature is required and {what}. Sign it with "
            f"mlmodel sign and load with {keys}",
            path=str(model_dir),
        )
    if not policy.trusts_code:
        reasons = code_reasons(model_dir, document)
        if reasons:
            raise UnsafeModelError(
                f"{model_dir}: refusing to load: loading it would run Python from the model "
                f"directory ({'; '.join(reasons)}). If you trust this model: "
                f"{policy.grant_signature()}; or {policy.grant_all()}",
                path=str(model_dir),
            )
    return policy


def check_files(model_dir: Path, document: Mapping[str, Any], policy: LoadPolicy) -> None:
    """Every pickle of the model directory judged statically under ``policy`` (no file is
    loaded): the check Spark's driver makes before shipping a model to executors."""
    from mlmodel.modeldir import pickle_files
    from mlmodel.runtime.load.safety import check_pickle_file

    flavors = document.get("flavors")
    native = [
        f
        for f in ("sklearn", "xgboost", "lightgbm")
        if isinstance(flavors, Mapping) and f in flavors
    ]
    flavor = native[0] if native else "python_function"
    for _key, path in pickle_files(model_dir, document, every_file=True):
        check_pickle_file(path, policy, flavor=flavor)
