"""The trust decision before a load: the model's signature, and Python the model would run.

Every loader passes through :func:`decide` after validation and before touching a model
file. It verifies the signature when the loader trusts keys (a model that verifies is
trusted: its pickles and its code load, byte-checked against the signature), refuses an
unsigned or unverifiable model when a signature is required, and refuses a model whose
loading would import or run Python from the model directory unless the loader trusts it:

* a ``code`` folder of any flavor holding files (it is put first on ``sys.path``, where it
  can shadow scikit-learn or numpy);
* a ``loader_module`` that is not one of MLflow's (:data:`mlmodel.modeldir.code.MLFLOW_LOADER_MODULES`), since
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

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from mlmodel.core.errors import MissingDependencyError, UnsafeModelError
from mlmodel.modeldir.code import code_reasons
from mlmodel.runtime.load.safety import LoadPolicy, Manifest
from mlmodel.signing.names import DEFAULT_SIGNATURE

#: the signature file of a signed model directory (OpenSSF model signing)
SIGNATURE_NAME: Final = DEFAULT_SIGNATURE


def signature_present(model_dir: Path) -> bool:
    return (model_dir / SIGNATURE_NAME).is_file()


def verify_signature(model_dir: Path, policy: LoadPolicy) -> Manifest:
    """The manifest of ``model_dir``'s signature, verified against the policy's keys."""
    from mlmodel.signing import SignatureError, SigningUnavailableError, verify_model

    try:
        verified = verify_model(model_dir, public_keys=policy.trusted_keys)
    except SigningUnavailableError as exc:
        raise MissingDependencyError.for_extra(
            "sign", "checking a signature (trusted keys)"
        ) from exc
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
    from mlmodel.modeldir.pickles import pickle_files
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
