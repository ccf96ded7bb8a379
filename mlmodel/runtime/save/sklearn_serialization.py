"""scikit-learn model files in MLflow's three formats: ``skops``, ``cloudpickle``, ``pickle``.

Writing matches ``mlflow.sklearn`` (pickles with ``pickle.DEFAULT_PROTOCOL``; a skops file is
loaded back once with the trusted types, so a model that could not be loaded is never
saved). Reading lives in :mod:`mlmodel.runtime.load.sklearn` (gated by the pickle scanner).
"""

from __future__ import annotations

import json
import pickle
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from mlmodel.core.errors import UsageError

SKOPS: Final = "skops"
CLOUDPICKLE: Final = "cloudpickle"
PICKLE: Final = "pickle"
FORMATS: Final = (SKOPS, CLOUDPICKLE, PICKLE)
#: the file name MLflow gives the model in each format
FILE_NAMES: Final = {SKOPS: "model.skops", CLOUDPICKLE: "model.pkl", PICKLE: "model.pkl"}
#: the library each format needs besides scikit-learn (pickle is in the standard library)
FORMAT_DISTRIBUTIONS: Final = {SKOPS: "skops", CLOUDPICKLE: "cloudpickle"}


def check_format(serialization_format: str) -> str:
    if serialization_format not in FORMATS:
        raise UsageError(
            f"Unrecognized serialization format: {serialization_format!r}. Use one of "
            f"{', '.join(FORMATS)}."
        )
    return serialization_format


def dump(
    sk_model: Any,
    path: Path,
    serialization_format: str,
    skops_trusted_types: Sequence[str] | None = None,
) -> list[str] | None:
    """Write ``sk_model`` to ``path`` in ``serialization_format``.

    Returns the ``skops_trusted_types`` the MLmodel must record: ``skops_trusted_types`` as
    given, except that a skops file holding trees (:data:`~mlmodel.runtime.load.tree_check.
    VERIFIED_TYPES`, which skops 0.16 no longer trusts) records exactly the types it needs
    that skops does not trust by default, so that ``mlflow.sklearn`` (which passes the list to
    ``skops.io.load``) loads it. Those tree types are trusted here only after the file has
    been loaded back and :func:`~mlmodel.runtime.load.tree_check.verify_trees` passed on it.
    """
    check_format(serialization_format)
    given = list(skops_trusted_types) if skops_trusted_types is not None else None
    if serialization_format == SKOPS:
        import skops.io
        from skops.io.exceptions import UntrustedTypesFoundException

        from mlmodel.runtime.load.tree_check import VERIFIED_TYPES, verify_trees

        try:
            skops.io.dump(sk_model, path)
            needed = list(skops.io.get_untrusted_types(file=path))
            verified = [t for t in needed if t in VERIFIED_TYPES]
            trusted = sorted({*(given or ()), *verified})
            loaded = skops.io.load(path, trusted=trusted or None)
        except UntrustedTypesFoundException as exc:
            raise UsageError(
                "The saved model references types skops does not trust by default. If loading "
                "them is safe, list them in skops_trusted_types. "
                f"Root error: {exc}"
            ) from exc
        except Exception as exc:
            raise UsageError(
                "The model could not be serialized in the skops format (skops does not support "
                "functions or classes that are not defined at the top level of a module); "
                "serialization_format='cloudpickle' works for those, but loading a pickle can "
                f"run arbitrary code. Root error: {exc}"
            ) from exc
        if not verified:
            return given
        verify_trees(loaded, source=str(path))
        return sorted(needed)
    with path.open("wb") as handle:
        if serialization_format == PICKLE:
            pickle.dump(sk_model, handle, protocol=pickle.DEFAULT_PROTOCOL)
        else:
            import cloudpickle

            cloudpickle.dump(sk_model, handle, protocol=pickle.DEFAULT_PROTOCOL)
    return given


def _skops_modules(path: Path) -> Iterator[str]:
    with zipfile.ZipFile(path) as archive:
        schema = json.loads(archive.read("schema.json"))

    def walk(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            module = node.get("__module__")
            if isinstance(module, str):
                yield module
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    yield from walk(schema)


def referenced_modules(path: Path, serialization_format: str) -> list[str]:
    """The modules a saved model file needs at load time, read without loading it."""
    if serialization_format == SKOPS:
        return sorted(set(_skops_modules(path)))
    from mlmodel.pickle_scan import scan_pickle

    return sorted({item.module for item in scan_pickle(path).imports})
