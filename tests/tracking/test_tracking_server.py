"""Logging and loading by URI against a real ``mlflow server`` process (HTTP tracking URI,
proxied artifacts), started by the tests on 127.0.0.1 and stopped afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mlflow
import mlflow.pyfunc
import mlflow.sklearn
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import mlmodel.pyfunc
import mlmodel.sklearn
from mlmodel import Model
from mlmodel.cli.app import run as cli
from tests.tracking_store import mlflow_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning"),
]

RNG = np.random.default_rng(11)
X = pd.DataFrame({"a": RNG.random(25), "b": RNG.random(25)})
Y = (X["a"] > X["b"]).astype(np.int64)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("server")
    estimator = LogisticRegression().fit(X, Y)
    with mlflow_server(root) as url:
        with mlflow.start_run() as run:
            ours = mlmodel.sklearn.log_model(
                estimator, name="model", registered_model_name="served", input_example=X[:2]
            )
            theirs = mlflow.sklearn.log_model(
                estimator, name="theirs", registered_model_name="served", input_example=X[:2]
            )
        yield {
            "url": url,
            "run_id": run.info.run_id,
            "ours": ours,
            "theirs": theirs,
            "estimator": estimator,
            "root": root,
        }


def test_the_server_is_loopback_http_with_proxied_artifacts(server: dict[str, Any]) -> None:
    assert mlflow.get_tracking_uri() == server["url"]
    assert server["url"].startswith("http://127.0.0.1:")
    location = mlflow.MlflowClient().get_logged_model(server["ours"].model_id).artifact_location
    assert location.startswith("mlflow-artifacts:")


def test_both_ways_identical_predictions(server: dict[str, Any]) -> None:
    expected = server["estimator"].predict(X)
    run_id = server["run_id"]
    for uri in (server["ours"].model_uri, f"runs:/{run_id}/model", "models:/served/1"):
        np.testing.assert_array_equal(mlflow.pyfunc.load_model(uri).predict(X), expected)
        np.testing.assert_array_equal(mlmodel.pyfunc.load_model(uri).predict(X), expected)
    for uri in (server["theirs"].model_uri, f"runs:/{run_id}/theirs", "models:/served/2"):
        np.testing.assert_array_equal(mlmodel.pyfunc.load_model(uri).predict(X), expected)


def test_alias_and_same_view_as_mlflow(server: dict[str, Any]) -> None:
    client = mlflow.MlflowClient()
    client.set_registered_model_alias("served", "champion", "1")
    ours = mlmodel.pyfunc.load_model("models:/served@champion").predict(X)
    theirs = mlflow.pyfunc.load_model("models:/served@champion").predict(X)
    np.testing.assert_array_equal(ours, theirs)
    assert Model.load("models:/served@champion").model_id == server["ours"].model_id
    a = sorted(x.path for x in client.list_logged_model_artifacts(server["ours"].model_id))
    b = sorted(x.path for x in client.list_logged_model_artifacts(server["theirs"].model_id))
    assert a == b
    model = client.get_logged_model(server["ours"].model_id)
    assert model.source_run_id == server["run_id"]
    info = mlflow.models.get_model_info(server["ours"].model_uri)
    assert info.signature == mlflow.models.get_model_info(server["theirs"].model_uri).signature


def test_cli_and_download_over_http(
    server: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["validate", f"runs:/{server['run_id']}/model", "models:/served/2"]) == 0
    target = tmp_path / "fetched"
    assert cli(["download", "models:/served@champion", str(target)]) == 0
    assert (target / "MLmodel").is_file()
    assert cli(["inspect", "models:/served/3"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "models:/served/3" in err[0]


def test_a_file_the_server_refuses_is_named_with_its_reason(
    server: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """MLflow's client logs the reason a runs:/ download failed and raises "please ensure
    that the path is correct"; its failure listing puts the reason after the first line:
    the error names the file and the server's reason in one line."""
    import os

    source = tmp_path / "source"
    source.mkdir()
    (source / "MLmodel").write_text("flavors: {}\n")
    (source / "data.bin").write_bytes(b"x" * 100)
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(source), "broken")
    [stored] = (server["root"] / "server-artifacts").rglob(f"{run.info.run_id}/**/data.bin")
    stored.unlink()
    os.symlink(source / "data.bin", stored)  # a path the server refuses to serve
    capsys.readouterr()
    assert cli(["download", f"runs:/{run.info.run_id}/broken", str(tmp_path / "out")]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == (
        f"mlmodel download: runs:/{run.info.run_id}/broken: cannot download: broken/data.bin: "
        "400 Client Error: Bad Request: Invalid path: resolved path is outside the artifact "
        "directory"
    )
    assert not (tmp_path / "out").exists()
