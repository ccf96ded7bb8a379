"""The allowlist judgement: which globals a framework's pickles may import without trust.

Exact names only (``module.qualname``, never a prefix: ``numpy.ndarray`` is allowed,
``numpy.ndarray.tofile`` and ``numpy.ctypeslib.load_library`` are not). The data, by kind,
lives in :mod:`.allowed_globals`. Every import outside a framework's list needs trust from
whoever loads the model; the denylist (:mod:`.denylist`) only explains why a name is
dangerous.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

from mlmodel.pickle_scan import allowed_globals as data
from mlmodel.pickle_scan.results import AllowlistResult, PickleScan

__all__ = [
    "COMMON",
    "FRAMEWORKS",
    "VERIFIED_TYPES",
    "Kind",
    "allowed_names",
    "framework_for_flavor",
    "framework_for_reference",
    "judge",
    "kind_of",
]

Kind = Literal["type", "verified type", "reconstructor", "function", "wrapper", "constant"]

#: what every pickle may import: Python's and numpy's data types and their reconstructors
COMMON: Final = frozenset(
    data.STDLIB_TYPES
    | data.STDLIB_WRAPPERS
    | data.STDLIB_CONSTANTS
    | data.STDLIB_RECONSTRUCTORS
    | data.NUMPY_TYPES
    | data.NUMPY_RECONSTRUCTORS
    | data.NUMPY_FUNCTIONS
    | data.SCIPY_TYPES
)

_SKLEARN: Final = frozenset(
    data.SKLEARN_TYPES
    | data.SKLEARN_VERIFIED_TYPES
    | data.SKLEARN_RECONSTRUCTORS
    | data.SKLEARN_FUNCTIONS
)

#: framework -> every global its pickles may import without trust
FRAMEWORKS: Final[dict[str, frozenset[str]]] = {
    "python_function": COMMON | data.PYFUNC_TYPES | data.PYFUNC_CONSTANTS,
    "sklearn": COMMON | _SKLEARN,
    "xgboost": COMMON | _SKLEARN | data.XGBOOST_TYPES,
    "lightgbm": COMMON | _SKLEARN | data.LIGHTGBM_TYPES,
}

#: types allowed only together with the tree check (:mod:`mlmodel.runtime.load.tree_check`)
VERIFIED_TYPES: Final = data.SKLEARN_VERIFIED_TYPES

#: the flavors whose model files are judged by a framework's list
_FLAVORS: Final = {"sklearn": "sklearn", "xgboost": "xgboost", "lightgbm": "lightgbm"}

_KINDS: Final[tuple[tuple[frozenset[str], Kind], ...]] = (
    (data.SKLEARN_VERIFIED_TYPES, "verified type"),
    (
        data.STDLIB_TYPES
        | data.NUMPY_TYPES
        | data.SCIPY_TYPES
        | data.SKLEARN_TYPES
        | data.XGBOOST_TYPES
        | data.LIGHTGBM_TYPES
        | data.PYFUNC_TYPES,
        "type",
    ),
    (
        data.STDLIB_RECONSTRUCTORS | data.NUMPY_RECONSTRUCTORS | data.SKLEARN_RECONSTRUCTORS,
        "reconstructor",
    ),
    (data.SKLEARN_FUNCTIONS | data.NUMPY_FUNCTIONS, "function"),
    (data.STDLIB_WRAPPERS, "wrapper"),
    (data.STDLIB_CONSTANTS | data.PYFUNC_CONSTANTS, "constant"),
)


def framework_for_flavor(flavor: str) -> str | None:
    """The framework whose allowlist judges a flavor's pickles, None when there is none."""
    return _FLAVORS.get(flavor)


def framework_for_reference(key: Sequence[object] | None, flavors: Mapping[str, Any]) -> str:
    """The framework whose list judges the pickle an MLmodel document references at ``key``
    (``("flavors", "sklearn", "pickled_model")``), as mlmodel's loaders judge it: a native
    flavor's own; for ``python_function``, the native flavor its ``loader_module``
    (``mlflow.sklearn``...) reads; otherwise ``python_function`` (the common list). A file
    the document does not reference (``key`` None) is judged as before a Spark load: by the
    document's first native flavor, else the common list."""
    if key is None:
        native = [f for f in _FLAVORS if isinstance(flavors.get(f), Mapping)]
        return _FLAVORS[native[0]] if native else "python_function"
    if len(key) >= 2 and key[0] == "flavors" and isinstance(key[1], str):
        own = framework_for_flavor(key[1])
        if own is not None:
            return own
        conf = flavors.get(key[1])
        if key[1] == "python_function" and isinstance(conf, Mapping):
            loader = conf.get("loader_module")
            if isinstance(loader, str) and loader.startswith("mlflow."):
                return framework_for_flavor(loader.removeprefix("mlflow.")) or "python_function"
    return "python_function"


def allowed_names(framework: str | None) -> frozenset[str]:
    """The globals a pickle of ``framework`` may import (any other flavor: :data:`COMMON`)."""
    return FRAMEWORKS.get(framework or "python_function", COMMON)


def kind_of(qualname: str) -> Kind | None:
    """What an allowlisted name is, None when it is on no list."""
    for names, kind in _KINDS:
        if qualname in names:
            return kind
    return None


def judge(
    scan: PickleScan, framework: str, trusted: frozenset[str] = frozenset()
) -> AllowlistResult:
    """The imports of ``scan`` outside ``framework``'s list and ``trusted``.

    Raises KeyError for a framework without an allowlist (see :data:`FRAMEWORKS`).
    """
    allowed = FRAMEWORKS[framework]
    return AllowlistResult(
        framework,
        tuple(i for i in scan.imports if i.qualname not in allowed and i.qualname not in trusted),
    )
