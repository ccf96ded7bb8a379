"""Model files that cannot be what the flavor says (V505-V508), with real MLflow as the oracle.

A real scikit-learn model is saved by MLflow in each serialization format, then its model file
is replaced the ways model repositories break (emptied, an LFS pointer committed in its place,
the other format, compressed, text): validate names each with its code, and MLflow's own
loader fails on each. The untouched model validates clean and loads. The golden cases under
tests/cases (``model_file_*``) cover every flavor with a model file.
"""

from __future__ import annotations

import gzip
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from mlmodel.checking.validate import validate_file

LFS = (
    b"version https://git-lfs.github.com/spec/v1\n"
    b"oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    b"size 48213\n"
)

Corrupt = Callable[[bytes], bytes]

CORRUPTIONS: dict[str, tuple[Corrupt, dict[str, str]]] = {
    # name: (new content from the old one, expected code per serialization format)
    "empty": (lambda old: b"", {"cloudpickle": "V505", "skops": "V505"}),
    "lfs pointer": (lambda old: LFS, {"cloudpickle": "V506", "skops": "V506"}),
    "text": (lambda old: b"model goes here\n", {"cloudpickle": "V508", "skops": "V507"}),
    "gzip": (lambda old: gzip.compress(old, mtime=0), {"cloudpickle": "V508", "skops": "V507"}),
}


def _model_file_codes(model: Path) -> list[str]:
    return [
        d.code
        for d in validate_file(model).diagnostics
        if d.code in {"V505", "V506", "V507", "V508"}
    ]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("sklearn")
    import mlflow.sklearn
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.arange(20, dtype=float).reshape(10, 2)
    model = LogisticRegression().fit(x, np.arange(10) % 2)
    root = tmp_path_factory.mktemp("saved")
    out: dict[str, Path] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fmt in ("cloudpickle", "skops"):
            mlflow.sklearn.save_model(model, root / fmt, serialization_format=fmt)
            out[fmt] = root / fmt
    return out


def _swap(source: Path, target: Path, fmt: str, corrupt: Corrupt | None) -> Path:
    import shutil

    shutil.copytree(source, target)
    name = "model.skops" if fmt == "skops" else "model.pkl"
    if corrupt is not None:
        (target / name).write_bytes(corrupt((target / name).read_bytes()))
    return target


@pytest.mark.parametrize("fmt", ["cloudpickle", "skops"])
def test_untouched_model_is_clean_and_loads(fmt: str, saved: dict[str, Path]) -> None:
    import mlflow.sklearn

    assert _model_file_codes(saved[fmt]) == []
    assert mlflow.sklearn.load_model(str(saved[fmt])) is not None


@pytest.mark.parametrize("fmt", ["cloudpickle", "skops"])
@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_broken_model_file_is_an_error_and_mlflow_agrees(
    fmt: str, corruption: str, saved: dict[str, Path], tmp_path: Path
) -> None:
    import mlflow.sklearn

    corrupt, expected = CORRUPTIONS[corruption]
    model = _swap(saved[fmt], tmp_path / "m", fmt, corrupt)
    assert _model_file_codes(model) == [expected[fmt]]
    with pytest.raises(Exception):  # noqa: B017 - MLflow raises EOFError, BadZipFile...
        mlflow.sklearn.load_model(str(model))


def test_the_other_format_is_an_error_and_mlflow_agrees(
    saved: dict[str, Path], tmp_path: Path
) -> None:
    """A pickle declared as skops, and a skops zip declared as cloudpickle."""
    import mlflow.sklearn

    pickle_bytes = (saved["cloudpickle"] / "model.pkl").read_bytes()
    skops_bytes = (saved["skops"] / "model.skops").read_bytes()
    as_skops = _swap(saved["skops"], tmp_path / "a", "skops", lambda old: pickle_bytes)
    as_pickle = _swap(saved["cloudpickle"], tmp_path / "b", "cloudpickle", lambda old: skops_bytes)
    for model in (as_skops, as_pickle):
        assert _model_file_codes(model) == ["V507"]
        with pytest.raises(Exception):  # noqa: B017
            mlflow.sklearn.load_model(str(model))


def test_a_fifo_model_file_is_never_opened(tmp_path: Path, saved: dict[str, Path]) -> None:
    import os
    import shutil

    model = tmp_path / "m"
    shutil.copytree(saved["cloudpickle"], model)
    (model / "model.pkl").unlink()
    os.mkfifo(model / "model.pkl")
    assert _model_file_codes(model) == []  # would hang if it were opened
