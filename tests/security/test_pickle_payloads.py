"""The malicious pickle suite: every payload family is flagged, real models are not.

Payloads are crafted as bytes (harness/pickle_payloads.py) and only ever scanned: unpickling
is refused for the whole module (the ``never_unpickle`` fixture) and a canary proves that
no payload's command ran. Real scikit-learn, XGBoost, LightGBM, cloudpickle and skops files
saved by MLflow and by plain joblib/pickle raise nothing, and their imports stay inside the
framework's allowlist.
"""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.pickle_payloads import FAMILIES, benign, build, call0, write
from mlmodel.pickle_scan import (
    FileKind,
    is_pickle,
    judge,
    scan_pickle,
    scan_pickles,
    sniff_file,
)

pytestmark = pytest.mark.usefixtures("never_unpickle")


def test_at_least_48_families() -> None:
    assert len(FAMILIES) >= 48


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_payload_family_is_flagged(family: str, tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    folder = write(build(family, str(canary)), tmp_path / "model")
    result = scan_pickles(folder, [folder])
    assert result.scans, f"{family}: no file selected"
    assert not result.safe
    flagged = [(p, s) for p, s in result.scans if not s.safe]
    assert flagged, family
    assert not canary.exists()


def test_canary_proves_nothing_is_unpickled(tmp_path: Path) -> None:
    """The fixture really refuses unpickling, and scanning every payload fires no canary."""
    canary = tmp_path / "canary"
    blob = call0("os", "system", f"touch {canary}")
    with pytest.raises(AssertionError, match="never unpickle"):
        pickle.loads(blob)
    for index, family in enumerate(FAMILIES):
        folder = write(build(family, str(canary)), tmp_path / f"m{index}")
        scan_pickles(folder, [folder])
    assert not canary.exists()


def test_a_scan_error_is_never_safe() -> None:
    from mlmodel.pickle_scan import scan_pickle_bytes

    scan = scan_pickle_bytes(b"I0x1\n.")  # the C unpickler reads 1; pickletools refuses it
    assert scan.error is not None and not scan.safe and scan.dangerous == ()


def test_the_bound_is_reported(tmp_path: Path) -> None:
    from mlmodel.pickle_scan import ScanBudget

    for i in range(5):
        (tmp_path / f"{i}.pkl").write_bytes(benign())
    result = scan_pickles(tmp_path, [tmp_path], ScanBudget(max_bytes=30))
    assert result.stopped is not None and "byte bound" in result.stopped
    assert not result.safe
    everything = scan_pickles(tmp_path, [tmp_path])
    assert everything.stopped is None and everything.safe and len(everything.scans) == 5


def test_symlinks_leaving_the_folder_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.pkl"
    outside.write_bytes(call0("os", "system", "x"))
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.pkl").symlink_to(outside)
    assert scan_pickles(folder, [folder]).scans == ()


def test_selection_by_content(tmp_path: Path) -> None:
    texts = {
        "conda.yaml": b"channels:\n- conda-forge\ndependencies:\n- python=3.11\n",
        "python_env.yaml": b"python: 3.11\n",
        "README.md": b"(see the docs)\n",
        "MLmodel": b"flavors: {}\n",
        "empty": b"",
    }
    for name, data in texts.items():
        (tmp_path / name).write_bytes(data)
        assert not is_pickle(tmp_path / name), name
    (tmp_path / "x.bin").write_bytes(call0("os", "system", "x"))
    assert is_pickle(tmp_path / "x.bin")
    assert not is_pickle(tmp_path)  # a folder is not a pickle
    assert sniff_file(tmp_path / "empty") is FileKind.EMPTY


def test_lfs_pointer_is_named(tmp_path: Path) -> None:
    pointer = tmp_path / "model.pkl"
    pointer.write_bytes(
        b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"a" * 64 + b"\nsize 1234\n"
    )
    assert sniff_file(pointer) is FileKind.LFS_POINTER
    scan = scan_pickle(pointer)
    assert scan.error is not None and "Git LFS pointer" in scan.error
    assert "git lfs pull" in scan.error and "unknown" not in scan.error


# --------------------------------------------------------------------------- real models


@pytest.fixture(scope="module")
def real_models() -> dict[str, Any]:
    np = pytest.importorskip("numpy")
    lightgbm = pytest.importorskip("lightgbm")
    xgboost = pytest.importorskip("xgboost")
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    rng = np.random.default_rng(0)
    x = rng.random((40, 4))
    y = (x[:, 0] > 0.5).astype(int)
    return {
        "pipeline": make_pipeline(StandardScaler(), LogisticRegression()).fit(x, y),
        "forest": RandomForestClassifier(n_estimators=2, random_state=0).fit(x, y),
        "onehot": OneHotEncoder().fit(np.array([["a"], ["b"]], dtype=object)),
        "xgboost": xgboost.XGBClassifier(n_estimators=2).fit(x, y),
        "lightgbm": lightgbm.LGBMClassifier(n_estimators=2, verbose=-1).fit(x, y),
    }


def _framework(name: str) -> str:
    return name if name in ("xgboost", "lightgbm") else "sklearn"


def _plain_files(models: dict[str, Any], folder: Path) -> Iterator[tuple[str, Path]]:
    import cloudpickle
    import joblib

    folder.mkdir()
    for name, model in models.items():
        for compress in (0, 3, ("gzip", 3), ("bz2", 3), ("xz", 3)):
            path = folder / f"{name}-{str(compress).replace(' ', '')}.joblib"
            joblib.dump(model, path, compress=compress)
            yield name, path
        for protocol in (2, 4, 5):
            path = folder / f"{name}-{protocol}.pkl"
            path.write_bytes(pickle.dumps(model, protocol=protocol))
            yield name, path
        path = folder / f"{name}.cloudpickle"
        path.write_bytes(cloudpickle.dumps(model))
        yield name, path


def test_real_joblib_pickle_cloudpickle_files_are_clean(
    real_models: dict[str, Any], tmp_path: Path
) -> None:
    files = list(_plain_files(real_models, tmp_path / "plain"))
    assert len(files) == 45
    for name, path in files:
        assert is_pickle(path), path.name
        scan = scan_pickle(path)
        assert scan.safe, (path.name, scan.error, scan.dangerous)
        # joblib's array wrapper is for joblib's own unpickler: loaders never use it
        unexpected = set(judge(scan, _framework(name)).unexpected_names)
        if path.suffix == ".joblib":
            unexpected.discard("joblib.numpy_pickle.NumpyArrayWrapper")
        assert not unexpected, (path.name, unexpected)
    # joblib arrays are skipped by their literal size, not guessed
    assert scan_pickle(tmp_path / "plain" / "forest-0.joblib").arrays > 0


@pytest.mark.parametrize("fmt", ["pickle", "cloudpickle", "skops"])
def test_real_mlflow_sklearn_models_are_clean(
    fmt: str, real_models: dict[str, Any], tmp_path: Path
) -> None:
    import mlflow.sklearn

    model = real_models["pipeline"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlflow.sklearn.save_model(model, tmp_path / "m", serialization_format=fmt)
    result = scan_pickles(tmp_path / "m", [tmp_path / "m"])
    assert result.safe
    assert bool(result.scans) == (fmt != "skops")  # a skops zip holds no pickle member
    for path, scan in result.scans:
        assert judge(scan, "sklearn").expected_only, (path, judge(scan, "sklearn"))
    if fmt == "skops":
        assert sniff_file(tmp_path / "m" / "model.skops") is FileKind.ZIP


@pytest.mark.parametrize("flavor", ["xgboost", "lightgbm"])
def test_real_mlflow_boosting_models_are_clean(
    flavor: str, real_models: dict[str, Any], tmp_path: Path
) -> None:
    import importlib

    module = importlib.import_module(f"mlflow.{flavor}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module.save_model(real_models[flavor], tmp_path / "m")
    result = scan_pickles(tmp_path / "m", [tmp_path / "m"])
    assert result.safe
    for _path, scan in result.scans:
        assert judge(scan, flavor).expected_only


# --------------------------------------------------------------------------- inspect


def test_inspect_names_an_lfs_pointer_and_finds_pickles_by_content(tmp_path: Path) -> None:
    import shutil

    from mlmodel.checking.inspection import inspect_model

    model = tmp_path / "m"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples" / "sklearn-3x", model)
    (model / "model.pkl").write_bytes(
        b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"0" * 64 + b"\nsize 9\n"
    )
    (model / "weights.bin").write_bytes(call0("os", "system", "true"))
    pickles = {p.path: p for p in inspect_model(model).pickles.pickles}
    assert "Git LFS pointer" in (pickles["model.pkl"].error or "")
    assert "git lfs pull" in (pickles["model.pkl"].error or "")
    assert "unknown" not in (pickles["model.pkl"].error or "")
    assert pickles["weights.bin"].dangerous


def test_decompression_is_bounded() -> None:
    import gzip

    from mlmodel.pickle_scan import scan_pickle_bytes

    bomb = gzip.compress(b"\x80\x04(" + b"N" * (8 * 1024 * 1024) + b"0.")  # ~8 KiB -> 8 MiB
    scan = scan_pickle_bytes(bomb, max_bytes=1024 * 1024)
    assert not scan.safe and "max_bytes" in (scan.error or "")
    assert scan_pickle_bytes(gzip.compress(benign())).safe
    assert not scan_pickle_bytes(gzip.compress(benign())[:-12]).safe  # truncated: fails closed
