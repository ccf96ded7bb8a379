"""``mlmodel predict``: the same predictions as ``mlflow models predict`` and as the server,
for JSON, CSV (chunked) and parquet input; clear errors and exit codes otherwise."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from harness.child_process import ROOT
from harness.servers import COLUMNS, env, save_classifier
from mlmodel.cli.app import run

ROWS = 2500


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_classifier(tmp_path_factory.mktemp("predict") / "classifier")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(rng.normal(size=(ROWS, 4)), columns=COLUMNS)


def _mlflow_predict(model: Path, source: Path, out: Path, content_type: str) -> object:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mlflow",
            "models",
            "predict",
            "-m",
            str(model),
            "-i",
            str(source),
            "-o",
            str(out),
            "-t",
            content_type,
            "--env-manager",
            "local",
        ],
        check=True,
        capture_output=True,
        env=env(),
        cwd=ROOT,
        timeout=300,
    )
    return json.loads(out.read_text())


def test_csv_in_chunks_equals_mlflow_models_predict_and_sklearn(
    model: Path, frame: pd.DataFrame, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    frame.to_csv(source, index=False)
    ours = tmp_path / "ours.json"
    assert (
        run(
            [
                "predict",
                str(model),
                "-i",
                str(source),
                "-o",
                str(ours),
                "-t",
                "csv",
                "--chunk-rows",
                "1000",
            ]
        )
        == 0
    )
    theirs = _mlflow_predict(model, source, tmp_path / "theirs.json", "csv")
    result = json.loads(ours.read_text())
    assert result == theirs
    import mlflow.sklearn

    expected = mlflow.sklearn.load_model(str(model)).predict(pd.read_csv(source))
    assert result == {"predictions": expected.tolist()}


def test_json_payload_equals_mlflow_models_predict(
    model: Path, frame: pd.DataFrame, tmp_path: Path
) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps({"dataframe_split": frame.head(50).to_dict(orient="split")}))
    ours = tmp_path / "ours.json"
    assert run(["predict", str(model), "-i", str(source), "-o", str(ours)]) == 0
    assert json.loads(ours.read_text()) == _mlflow_predict(
        model, source, tmp_path / "theirs.json", "json"
    )


def test_parquet_csv_and_the_server_path_agree(
    model: Path, frame: pd.DataFrame, tmp_path: Path
) -> None:
    frame.to_parquet(tmp_path / "in.parquet")
    frame.to_csv(tmp_path / "in.csv", index=False)
    for name, kind in (("in.parquet", "parquet"), ("in.csv", "csv")):
        assert (
            run(
                [
                    "predict",
                    str(model),
                    "-i",
                    str(tmp_path / name),
                    "-o",
                    str(tmp_path / f"{kind}.json"),
                    "-t",
                    kind,
                    "--chunk-rows",
                    "700",
                ]
            )
            == 0
        )
    from mlmodel.pyfunc import load_model
    from mlmodel.scoring.dataplane import Scorer

    whole = Scorer(load_model(model)).invocations((tmp_path / "in.csv").read_bytes(), "text/csv")
    assert whole.status == 200
    expected = json.loads(whole.body)
    assert json.loads((tmp_path / "parquet.json").read_text()) == expected
    assert json.loads((tmp_path / "csv.json").read_text()) == expected
    assert len(expected["predictions"]) == ROWS


def test_stdin_and_stdout(model: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mlmodel", "predict", str(model), "-t", "csv"],
        input=b"a,b,c,d\n1,2,3,4\n-5,-5,0,0\n",
        capture_output=True,
        env=env(),
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"predictions": [1, 0]}
    assert b"\x1b[" not in done.stderr  # no progress bar when stderr is not a terminal


def test_bad_input_and_usage_errors(
    model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("a,b,c\n1,2,3\n")
    out = tmp_path / "out.json"
    assert run(["predict", str(model), "-i", str(source), "-o", str(out), "-t", "csv"]) == 1
    assert "['d']" in capsys.readouterr().err
    assert not out.exists()  # nothing half-written
    assert run(["predict", str(model), "-i", str(source), "-t", "xml"]) == 2
    assert "--content-type" in capsys.readouterr().err


def test_an_invalid_model_stops_serve_and_predict_with_diagnostics(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "MLmodel").write_text("flavors:\n  python_function: {loader_module: 3}\n")
    for args in (["serve", str(broken), "--port", "0"], ["predict", str(broken), "-i", "-"]):
        done = subprocess.run(
            [sys.executable, "-m", "mlmodel", *args],
            capture_output=True,
            text=True,
            env=env(),
            cwd=ROOT,
            timeout=120,
            input="",
            check=False,
        )
        assert done.returncode == 1, done.stderr
        assert "does not validate" in done.stderr
        # each diagnostic as validate prints it, never a Python repr
        assert f"{broken / 'MLmodel'}:2:36: error V200" in done.stderr
        assert "Diagnostic(" not in done.stderr
        assert "Traceback" not in done.stderr


def test_a_file_is_not_held_to_the_servers_decoding_limits(model: Path, tmp_path: Path) -> None:
    from mlmodel.pyfunc import load_model
    from mlmodel.scoring.dataplane import Scorer
    from mlmodel.scoring.limits import DEFAULT_MAX_ROWS, DecodeLimits

    rows = DEFAULT_MAX_ROWS + 1
    source = tmp_path / "many.parquet"
    pd.DataFrame(np.zeros((rows, 4)), columns=COLUMNS).to_parquet(source)
    served = Scorer(load_model(model), DecodeLimits()).invocations(
        source.read_bytes(), "application/vnd.apache.parquet"
    )
    assert served.status == 413  # what ``mlmodel serve`` answers with its default limits
    out = tmp_path / "out.json"
    assert run(["predict", str(model), "-i", str(source), "-o", str(out), "-t", "parquet"]) == 0
    assert len(json.loads(out.read_text())["predictions"]) == rows
