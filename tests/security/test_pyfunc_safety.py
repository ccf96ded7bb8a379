"""Safe loading: nothing off the exact allowlist, or that cannot be read, is unpickled, and no
Python from the model runs, unless the loader trusts it."""

from __future__ import annotations

import builtins
import ipaddress
import operator
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mlflow.pyfunc
import mlflow.sklearn
import mlflow.xgboost
import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.tree import DecisionTreeClassifier

import mlmodel.pyfunc
import mlmodel.sklearn
from mlmodel.core.errors import (
    PERMISSION_DENIED,
    RESOURCE_DOES_NOT_EXIST,
    InvalidModelError,
    MissingDependencyError,
    MlmodelException,
    UnsafeModelError,
)
from tests import pyfunc_models
from tests.saved_models import SavedModels

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

X = pd.DataFrame({"a": [0.1, 0.9, 0.2, 0.8], "b": [1.0, 0.0, 1.0, 0.5]})
Y = np.array([0, 1, 0, 1])


class Reduces:
    """Pickles as ``func(*args)``: what a malicious pickle looks like, built safely."""

    def __init__(self, func: Any, args: tuple[Any, ...]) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return self.func, self.args


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLMODEL_ALLOW_UNSAFE", raising=False)
    monkeypatch.delenv("MLMODEL_NO_PICKLE", raising=False)


def _sklearn_model(saved: SavedModels, path: Path, fmt: str = "cloudpickle") -> Path:
    """A copy of the module's LogisticRegression saved by MLflow in ``fmt``."""

    def save(target: Path) -> None:
        mlflow.sklearn.save_model(
            LogisticRegression().fit(X, Y), target, serialization_format=fmt, input_example=X
        )

    return saved.copy(f"safety-sklearn-{fmt}", save, path)


def _echo_model(saved: SavedModels, path: Path) -> Path:
    """A copy of an EchoModel saved by MLflow (python_model.pkl, uncompressed)."""

    def save(target: Path) -> None:
        mlflow.pyfunc.save_model(target, python_model=pyfunc_models.EchoModel())

    return saved.copy("safety-echo", save, path)


@pytest.fixture
def canary_model(tmp_path: Path, saved_models: SavedModels) -> tuple[Path, Path]:
    """A model whose model.pkl, when unpickled, creates the canary file."""
    path = _sklearn_model(saved_models, tmp_path / "model")
    canary = tmp_path / "canary"
    (path / "model.pkl").write_bytes(pickle.dumps(Reduces(builtins.open, (str(canary), "w"))))
    return path, canary


def test_canary_pickle_is_refused_and_never_fires(canary_model: tuple[Path, Path]) -> None:
    path, canary = canary_model
    with pytest.raises(UnsafeModelError) as info:
        mlmodel.pyfunc.load_model(path)
    assert not canary.exists()
    error = info.value
    assert error.error_code == PERMISSION_DENIED
    assert error.path == str(path / "model.pkl")
    assert "io.open" in error.globals  # builtins.open pickles under its defining module
    assert "model.pkl" in str(error) and "io.open" in str(error)


def test_canary_pickle_is_refused_in_strict_mode_too(canary_model: tuple[Path, Path]) -> None:
    path, canary = canary_model
    with pytest.raises(UnsafeModelError):
        mlmodel.pyfunc.load_model(path, strict=True)
    assert not canary.exists()


def test_canary_loads_only_with_the_explicit_opt_in(canary_model: tuple[Path, Path]) -> None:
    path, canary = canary_model
    model = mlmodel.pyfunc.load_model(path, allow_unsafe=True)
    assert canary.exists()  # the opt-in really unpickled it
    model.get_raw_model().close()


def test_canary_loads_with_the_environment_opt_in(
    canary_model: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, canary = canary_model
    monkeypatch.setenv("MLMODEL_ALLOW_UNSAFE", "1")
    mlmodel.pyfunc.load_model(path).get_raw_model().close()
    assert canary.exists()


def test_canary_in_a_python_model_is_refused_before_mlflow_sees_it(
    tmp_path: Path, saved_models: SavedModels
) -> None:
    path = _echo_model(saved_models, tmp_path / "m")
    canary = tmp_path / "canary"
    (path / "python_model.pkl").write_bytes(
        pickle.dumps(Reduces(builtins.open, (str(canary), "w")))
    )
    with pytest.raises(UnsafeModelError, match=r"python_model\.pkl"):
        mlmodel.pyfunc.load_model(path)
    assert not canary.exists()


def test_sklearn_load_model_function_is_gated(canary_model: tuple[Path, Path]) -> None:
    path, canary = canary_model
    with pytest.raises(UnsafeModelError):
        mlmodel.sklearn.load_model(path)
    with pytest.raises(UnsafeModelError):
        mlmodel.sklearn.load_model(path, strict=True)
    assert not canary.exists()


@pytest.mark.parametrize(
    "content", [b"", b"\x80\x04garbage", b"not a pickle at all"], ids=["empty", "truncated", "text"]
)
def test_a_file_the_scanner_cannot_read_is_refused(
    tmp_path: Path, saved_models: SavedModels, content: bytes
) -> None:
    """Refused, naming the file: by the validator (V505 empty, V508 not a pickle) before the
    loader runs, or by the scanner (a pickle it cannot read through)."""
    path = _sklearn_model(saved_models, tmp_path / "m", fmt="pickle")
    (path / "model.pkl").write_bytes(content)
    with pytest.raises((UnsafeModelError, InvalidModelError), match=r"model\.pkl"):
        mlmodel.pyfunc.load_model(path)


def test_no_pickle_switch_refuses_even_clean_pickles(
    tmp_path: Path, saved_models: SavedModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    pickled = _sklearn_model(saved_models, tmp_path / "p", fmt="cloudpickle")
    skops = _sklearn_model(saved_models, tmp_path / "s", fmt="skops")
    mlmodel.pyfunc.load_model(pickled)  # clean: loads by default
    monkeypatch.setenv("MLMODEL_NO_PICKLE", "1")
    for opt_in in (False, True):
        with pytest.raises(UnsafeModelError, match="MLMODEL_NO_PICKLE"):
            mlmodel.pyfunc.load_model(pickled, allow_unsafe=opt_in)
    np.testing.assert_array_equal(mlmodel.pyfunc.load_model(skops).predict(X), Y)


def test_globals_outside_the_exact_allowlist_need_the_loaders_trust(
    tmp_path: Path, saved_models: SavedModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Harmless is not enough: a global off the list is refused until the caller (never the
    model) names it; strict takes only the arguments' grants, not the environment's."""
    path = _sklearn_model(saved_models, tmp_path / "m", fmt="pickle")
    mlmodel.pyfunc.load_model(path, strict=True)  # a plain estimator is inside the allowlist
    (path / "model.pkl").write_bytes(pickle.dumps(ipaddress.ip_address("10.0.0.1")))
    for strict in (False, True):
        with pytest.raises(UnsafeModelError, match=r"ipaddress\.IPv4Address") as info:
            mlmodel.pyfunc.load_model(path, strict=strict)
        assert info.value.globals == ["ipaddress.IPv4Address"]
        assert "trusted_types=['ipaddress.IPv4Address']" in str(info.value)
    loaded = mlmodel.sklearn.load_model(path, trusted_types=["ipaddress.IPv4Address"])
    assert loaded == ipaddress.ip_address("10.0.0.1")
    monkeypatch.setenv("MLMODEL_ALLOW_UNSAFE", "1")
    assert mlmodel.sklearn.load_model(path) == loaded
    with pytest.raises(UnsafeModelError):
        mlmodel.sklearn.load_model(path, strict=True)


TREE = "sklearn.tree._tree.Tree"


LOG1P = "_operator.neg"


def _tree_model(path: Path) -> Path:
    """skops does not trust a fitted tree's ``Tree`` type by default: MLflow needs it declared;
    ``operator.neg`` (a function) is on no allowlist, skops's or mlmodel's."""
    model = make_pipeline(FunctionTransformer(operator.neg), DecisionTreeClassifier()).fit(X, Y)
    mlflow.sklearn.save_model(
        model, path, serialization_format="skops", skops_trusted_types=[TREE, LOG1P]
    )
    return path


def test_skops_trusted_types_in_the_model_grant_nothing(tmp_path: Path) -> None:
    """The model's skops_trusted_types is a request: the verified tree type loads by
    default, the function the model asks for needs the loader's trusted_types."""
    path = _tree_model(tmp_path / "m")
    expected = mlflow.pyfunc.load_model(str(path)).predict(X)
    with pytest.raises(UnsafeModelError, match=r"_operator\.neg") as info:
        mlmodel.pyfunc.load_model(path)
    assert info.value.globals == [LOG1P]
    assert "asks to trust _operator.neg" in str(info.value)
    model = mlmodel.pyfunc.load_model(path, trusted_types=[LOG1P])
    np.testing.assert_array_equal(model.predict(X), expected)
    mlmodel_file = path / "MLmodel"
    doc = yaml.safe_load(mlmodel_file.read_text())
    doc["flavors"]["sklearn"]["skops_trusted_types"] = None
    mlmodel_file.write_text(yaml.safe_dump(doc))
    model = mlmodel.pyfunc.load_model(path, trusted_types=[LOG1P])
    np.testing.assert_array_equal(model.predict(X), expected)
    model = mlmodel.pyfunc.load_model(path, allow_unsafe=True)
    np.testing.assert_array_equal(model.predict(X), expected)


def test_xgboost_model_class_must_be_an_xgboost_class(tmp_path: Path) -> None:
    import xgboost as xgb

    path = tmp_path / "m"
    mlflow.xgboost.save_model(xgb.XGBClassifier(n_estimators=2).fit(X, Y), path)
    mlmodel_file = path / "MLmodel"
    doc = yaml.safe_load(mlmodel_file.read_text())
    doc["flavors"]["xgboost"]["model_class"] = "os.system"
    mlmodel_file.write_text(yaml.safe_dump(doc))
    with pytest.raises(MlmodelException, match="not an xgboost class"):
        mlmodel.pyfunc.load_model(path)


def test_no_loadable_flavor_is_resource_does_not_exist(
    tmp_path: Path, saved_models: SavedModels
) -> None:
    path = _sklearn_model(saved_models, tmp_path / "m")
    mlmodel_file = path / "MLmodel"
    doc = yaml.safe_load(mlmodel_file.read_text())
    doc["flavors"] = {"mleap": {"mleap_version": "0.23.0", "model_data": "model.pkl"}}
    mlmodel_file.write_text(yaml.safe_dump(doc))
    with pytest.raises(MlmodelException) as info:
        mlmodel.pyfunc.load_model(path)
    assert info.value.error_code == RESOURCE_DOES_NOT_EXIST
    assert "python_function" in info.value.message


def test_missing_directory_is_resource_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(MlmodelException) as info:
        mlmodel.pyfunc.load_model(tmp_path / "nowhere")
    assert info.value.error_code == RESOURCE_DOES_NOT_EXIST


def test_a_model_that_does_not_validate_is_not_loaded(
    tmp_path: Path, saved_models: SavedModels
) -> None:
    path = _sklearn_model(saved_models, tmp_path / "m")
    mlmodel_file = path / "MLmodel"
    doc = yaml.safe_load(mlmodel_file.read_text())
    doc["signature"]["inputs"] = '[{"type": "int64", "name": "a"}]'
    mlmodel_file.write_text(yaml.safe_dump(doc))
    with pytest.raises(InvalidModelError) as info:
        mlmodel.pyfunc.load_model(path)
    assert info.value.diagnostics and all(d.is_error for d in info.value.diagnostics)
    assert "does not validate" in str(info.value)


def test_a_loader_module_that_is_not_installed_names_what_to_install(
    tmp_path: Path, saved_models: SavedModels
) -> None:
    """A loader module outside MLflow's needs trust (importing it runs it); once trusted, a
    missing one names what to install."""
    path = _sklearn_model(saved_models, tmp_path / "m", fmt="skops")
    mlmodel_file = path / "MLmodel"
    doc = yaml.safe_load(mlmodel_file.read_text())
    doc["flavors"]["python_function"]["loader_module"] = "notinstalled_pkg.loader"
    mlmodel_file.write_text(yaml.safe_dump(doc))
    with pytest.raises(UnsafeModelError, match="not one of MLflow's"):
        mlmodel.pyfunc.load_model(path)
    with pytest.raises(MissingDependencyError, match="pip install notinstalled_pkg"):
        mlmodel.pyfunc.load_model(path, allow_unsafe=True)


@pytest.mark.parametrize("flavor", ["lightgbm", "xgboost"])
@pytest.mark.parametrize("conf", [None, "model.bin", ["data"]])
def test_native_loaders_refuse_a_missing_flavor_configuration(
    tmp_path: Path, flavor: str, conf: object
) -> None:
    import importlib

    from mlmodel.core.errors import INVALID_PARAMETER_VALUE, MlmodelException
    from mlmodel.runtime.load.safety import LoadPolicy

    loader = importlib.import_module(f"mlmodel.runtime.load.{flavor}")
    flavors = {"python_function": {"loader_module": f"mlflow.{flavor}"}, flavor: conf}
    with pytest.raises(MlmodelException) as caught:
        loader.load_pyfunc(tmp_path, tmp_path, flavors, LoadPolicy())
    assert caught.value.error_code == INVALID_PARAMETER_VALUE
    assert f"no {flavor} flavor configuration" in str(caught.value)


def _rebinding_pickle() -> bytes:
    """GLOBAL scipy.sparse._csr.csr_matrix, then BUILD with slot state
    ``{"check_format": builtins.dict}``: every name is allowed, but the C unpickler would
    rebind the class's method for the whole process."""

    def short(text: bytes) -> bytes:
        return b"\x8c" + bytes([len(text)]) + text

    return (
        b"\x80\x04"
        + short(b"scipy.sparse._csr")
        + short(b"csr_matrix")
        + b"\x93N}"
        + short(b"check_format")
        + short(b"builtins")
        + short(b"dict")
        + b"\x93s\x86b."
    )


@pytest.mark.parametrize("route", ["sklearn", "python_model"])
def test_a_build_that_rebinds_an_allowed_class_is_refused(
    tmp_path: Path, saved_models: SavedModels, route: str
) -> None:
    """Through mlmodel's own unpickler and before MLflow's (a trial load with the allowlist):
    the class is left as it was."""
    from scipy.sparse import csr_matrix

    before = csr_matrix.check_format
    if route == "sklearn":
        path = _sklearn_model(saved_models, tmp_path / "m", fmt="pickle")
        (path / "model.pkl").write_bytes(_rebinding_pickle())
        loaded: Any = mlmodel.sklearn.load_model
    else:
        path = _echo_model(saved_models, tmp_path / "m")
        (path / "python_model.pkl").write_bytes(_rebinding_pickle())
        loaded = mlmodel.pyfunc.load_model
    with pytest.raises(UnsafeModelError, match="rebinds csr_matrix"):
        loaded(path)
    assert csr_matrix.check_format is before


@pytest.mark.parametrize("loader", ["pyfunc", "sklearn"])
def test_a_fifo_named_mlmodel_is_a_diagnostic_not_a_hang(tmp_path: Path, loader: str) -> None:
    """The loaders read the MLmodel file with validate's bounded reader (V115), and show the
    diagnostic as validate prints it."""
    import os
    import time

    model = tmp_path / "m"
    model.mkdir()
    os.mkfifo(model / "MLmodel")
    load = mlmodel.pyfunc.load_model if loader == "pyfunc" else mlmodel.sklearn.load_model
    start = time.monotonic()
    with pytest.raises(InvalidModelError) as info:
        load(model)
    assert time.monotonic() - start < 10
    assert f"{model / 'MLmodel'}: error V115 cannot read the file" in str(info.value)
    assert "Diagnostic(" not in str(info.value)
    assert [d.code for d in info.value.diagnostics] == ["V115"]


@pytest.mark.parametrize("loader", ["pyfunc", "sklearn"])
def test_a_fifo_named_as_the_model_file_is_refused_not_a_hang(
    saved_models: SavedModels, tmp_path: Path, loader: str
) -> None:
    """The gate's path checks see what a referenced file is (V504 for a FIFO), so no loader
    opens it."""
    import os
    import threading
    import time

    path = _sklearn_model(saved_models, tmp_path / "m")
    (path / "model.pkl").unlink()
    os.mkfifo(path / "model.pkl")
    load = mlmodel.pyfunc.load_model if loader == "pyfunc" else mlmodel.sklearn.load_model
    raised: list[BaseException] = []

    def attempt() -> None:
        try:
            load(path)
        except BaseException as exc:  # noqa: BLE001 - judged below
            raised.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)  # a hang fails, never blocks
    start = time.monotonic()
    worker.start()
    worker.join(30)
    assert not worker.is_alive() and time.monotonic() - start < 30
    (error,) = raised
    assert isinstance(error, InvalidModelError)
    assert "error V504 flavors.sklearn.pickled_model 'model.pkl' is a FIFO" in str(error)


@pytest.mark.parametrize("compression", ["lzma", "gzip", "bzip2"])
def test_a_compressed_python_model_gets_its_trial_load_decompressed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compression: str
) -> None:
    """MLFLOW_LOG_MODEL_COMPRESSION: the trial load reads what MLflow will unpickle (the
    decompressed pickle): a trusted class loads, a rebinding BUILD inside is refused."""
    import bz2
    import gzip
    import lzma

    monkeypatch.setenv("MLFLOW_LOG_MODEL_COMPRESSION", compression)
    path = tmp_path / "m"
    mlflow.pyfunc.save_model(path, python_model=pyfunc_models.EchoModel())
    monkeypatch.delenv("MLFLOW_LOG_MODEL_COMPRESSION")
    conf = yaml.safe_load((path / "MLmodel").read_text())["flavors"]["python_function"]
    assert conf["python_model_compression"] == compression
    trusted = ["tests.pyfunc_models.EchoModel"]
    model = mlmodel.pyfunc.load_model(path, trusted_types=trusted)
    pd.testing.assert_frame_equal(model.predict(X), X)
    compress: dict[str, Callable[[bytes], bytes]] = {
        "lzma": lzma.compress,
        "gzip": gzip.compress,
        "bzip2": bz2.compress,
    }
    (path / conf["python_model"]).write_bytes(compress[compression](_rebinding_pickle()))
    with pytest.raises(UnsafeModelError, match="rebinds csr_matrix"):
        mlmodel.pyfunc.load_model(path, trusted_types=trusted)
