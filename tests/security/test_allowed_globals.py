"""The allowlists are data: every entry resolves in the installed libraries and is what its
kind says; lists are exact (no prefixes) and judge real pickles by exact name."""

from __future__ import annotations

import importlib
import pickle
import warnings
from typing import Any

import pytest

from mlmodel.pickle_scan import allowed_globals as data
from mlmodel.pickle_scan.allowlist import (
    COMMON,
    FRAMEWORKS,
    VERIFIED_TYPES,
    allowed_names,
    judge,
    kind_of,
)
from mlmodel.pickle_scan.containers import scan_pickle_bytes
from mlmodel.runtime.load import tree_check

EVERY = sorted(set().union(*FRAMEWORKS.values()))


def _resolve(qualname: str) -> Any:
    """What an unpickler's ``find_class`` returns for ``qualname``: the longest importable
    module, then attributes (numpy 1 spellings resolve through numpy 2's shims)."""
    parts = qualname.split(".")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cut in range(len(parts) - 1, 0, -1):
            try:
                found: Any = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            for attribute in parts[cut:]:
                found = getattr(found, attribute)
            return found
    raise ImportError(qualname)


@pytest.mark.parametrize("qualname", EVERY)
def test_every_entry_resolves_and_is_of_its_kind(qualname: str) -> None:
    found = _resolve(qualname)
    kind = kind_of(qualname)
    assert kind is not None
    if kind in ("type", "verified type", "wrapper"):
        assert isinstance(found, type), (qualname, found)
    elif kind in ("reconstructor", "function"):
        assert callable(found) and not isinstance(found, type), (qualname, found)


def test_verified_types_are_exactly_the_ones_the_tree_check_verifies() -> None:
    assert VERIFIED_TYPES == tree_check.VERIFIED_TYPES
    for name in VERIFIED_TYPES:
        assert kind_of(name) == "verified type"


def test_reconstructors_and_functions_stay_a_short_reviewed_list() -> None:
    callables = [n for n in EVERY if kind_of(n) in ("reconstructor", "function", "wrapper")]
    assert len(callables) <= 40, callables


def test_no_entry_is_a_prefix_and_lists_nest_by_framework() -> None:
    assert not any(name.endswith(".") or "*" in name for name in EVERY)
    assert COMMON < FRAMEWORKS["sklearn"] < FRAMEWORKS["xgboost"]
    assert FRAMEWORKS["sklearn"] < FRAMEWORKS["lightgbm"]
    assert allowed_names(None) == FRAMEWORKS["python_function"]
    assert allowed_names("spark") == COMMON


@pytest.mark.parametrize(
    "qualname",
    [
        "numpy.ndarray.tofile",
        "numpy.memmap",
        "numpy.ctypeslib.load_library",
        "numpy.lib.format.read_array",
        "numpy.load",
        "scipy.io.wavfile.write",
        "joblib.numpy_pickle.load",
        "sklearn.datasets.dump_svmlight_file",
        "sklearn.utils._testing.assert_run_python_script_without_output",
        "builtins.getattr",
        "builtins.type",
        "copyreg.add_extension",
        "numpy._core._ufunc_reconstruct",
        "functools.reduce",
        "pathlib.PosixPath",
        "os.system",
    ],
)
def test_neighbours_of_allowed_names_are_not_allowed(qualname: str) -> None:
    assert kind_of(qualname) is None
    assert all(qualname not in names for names in FRAMEWORKS.values())


def test_judging_is_by_exact_name() -> None:
    """A STACK_GLOBAL of ``ndarray.tofile`` in numpy is judged as numpy.ndarray.tofile."""
    payload = (
        b"\x80\x04\x8c\x05numpy\x94\x8c\x0endarray.tofile\x94\x93\x94."  # numpy ndarray.tofile
    )
    scan = scan_pickle_bytes(payload)
    assert judge(scan, "sklearn").unexpected_names == ("numpy.ndarray.tofile",)
    assert judge(scan, "sklearn", frozenset({"numpy.ndarray.tofile"})).expected_only


def test_a_fitted_pipeline_pickle_imports_only_allowed_names() -> None:
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    x, y = rng.random((60, 4)), np.arange(60) % 3
    for model in (
        make_pipeline(StandardScaler(), LogisticRegression()),
        RandomForestClassifier(n_estimators=3),
        HistGradientBoostingClassifier(max_iter=3),
    ):
        scan = scan_pickle_bytes(pickle.dumps(model.fit(x, y)))
        assert judge(scan, "sklearn").expected_only, judge(scan, "sklearn").unexpected_names


def test_the_documented_kinds_cover_every_set() -> None:
    sets = [v for k, v in vars(data).items() if k.isupper() and isinstance(v, frozenset)]
    assert set().union(*sets) == set(EVERY)
