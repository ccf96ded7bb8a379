"""The allowlist judgement: what a framework's pickles import, and everything else.

A denylist names what is known to be dangerous; an allowlist names what a model of a given
framework *needs*. For a scikit-learn, XGBoost or LightGBM model every import outside that
framework, numpy, scipy (joblib's array wrapper) and the few standard-library pieces their
pickles use is ``unexpected``: not necessarily malicious (a custom transformer is
legitimate) but code the model carries, which a reviewer must see.
"""

from __future__ import annotations

from typing import Final

from mlmodel.pickle_scan.results import AllowlistResult, PickleImport, PickleScan

__all__ = ["FRAMEWORKS", "STDLIB_ALLOWED", "framework_for_flavor", "judge"]

_SCIENTIFIC: Final = ("numpy", "scipy", "joblib.numpy_pickle", "sklearn.externals.joblib")

#: module prefixes each framework's pickles import
FRAMEWORKS: Final[dict[str, tuple[str, ...]]] = {
    "sklearn": ("sklearn", *_SCIENTIFIC),
    "xgboost": ("xgboost", "sklearn", *_SCIENTIFIC),
    "lightgbm": ("lightgbm", "sklearn", *_SCIENTIFIC),
}

#: the flavors whose model files are judged, and the framework they hold
_FLAVORS: Final = {"sklearn": "sklearn", "xgboost": "xgboost", "lightgbm": "lightgbm"}

#: standard-library callables the pickle protocol, numpy, scipy and these frameworks use
STDLIB_ALLOWED: Final = frozenset(
    [
        "copyreg._reconstructor",
        "copyreg.__newobj__",
        "copyreg.__newobj_ex__",
        "_codecs.encode",
        "builtins.object",
        "builtins.set",
        "builtins.frozenset",
        "builtins.slice",
        "builtins.bytearray",
        "builtins.bytes",
        "builtins.complex",
        "builtins.range",
        "builtins.dict",
        "builtins.list",
        "builtins.tuple",
        "builtins.int",
        "builtins.float",
        "builtins.str",
        "builtins.bool",
        "builtins.type",
        "builtins.NotImplemented",
        "builtins.Ellipsis",
        "collections.OrderedDict",
        "collections.defaultdict",
        "collections.deque",
        "collections.Counter",
        "functools.partial",
        "datetime.datetime",
        "datetime.date",
        "datetime.time",
        "datetime.timedelta",
        "datetime.timezone",
        "decimal.Decimal",
        "fractions.Fraction",
        "re._compile",
        "array._array_reconstructor",
        "uuid.UUID",
        "pathlib.PosixPath",
        "pathlib.WindowsPath",
        "pathlib.PurePosixPath",
        "pathlib.PureWindowsPath",
        "enum.Enum",
    ]
)


def framework_for_flavor(flavor: str) -> str | None:
    """The framework whose allowlist judges a flavor's pickles, None when there is none."""
    return _FLAVORS.get(flavor)


def _allowed(item: PickleImport, prefixes: tuple[str, ...]) -> bool:
    if item.qualname in STDLIB_ALLOWED:
        return True
    module = item.module
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def judge(scan: PickleScan, framework: str) -> AllowlistResult:
    """The imports of ``scan`` outside what ``framework``'s models need.

    Raises KeyError for a framework without an allowlist (see :data:`FRAMEWORKS`).
    """
    prefixes = FRAMEWORKS[framework]
    return AllowlistResult(framework, tuple(i for i in scan.imports if not _allowed(i, prefixes)))
