"""Logging to MLflow tracking and loading by model URI, against MLflow's embedded store.

MLflow is the oracle: a model logged by ``mlmodel.sklearn.log_model`` loads in MLflow and
looks to MLflow's client as one logged by ``mlflow.sklearn.log_model`` (same artifact
list, run link, signature); a model logged by MLflow loads in mlmodel; both predict the
same. Every store lives under a temporary folder (``MLFLOW_TRACKING_URI`` is set to it).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
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
from mlmodel.core.errors import ParseError, UsageError
from mlmodel.tracking import resolve_model_dir
from tests.tracking_store import sqlite_store

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")

RNG = np.random.default_rng(3)
X = pd.DataFrame({"a": RNG.random(30), "b": RNG.random(30), "c": RNG.random(30)})
Y = (X["a"] + X["b"] > 1).astype(np.int64)


@dataclass
class Logged:
    """Two models of one estimator in one run: one logged by mlmodel, one by MLflow,
    registered as versions 1 and 2 of ``registered``."""

    run_id: str
    ours: Any  # MLflow's ModelInfo
    theirs: Any
    estimator: Any
    root: Path


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Logged]:
    root = tmp_path_factory.mktemp("tracking")
    estimator = LogisticRegression().fit(X, Y)
    with sqlite_store(root):
        with mlflow.start_run() as run:
            mlflow.log_param("C", 1.0)
            ours = mlmodel.sklearn.log_model(
                estimator, name="model", registered_model_name="registered", input_example=X[:3]
            )
            theirs = mlflow.sklearn.log_model(
                estimator, name="theirs", registered_model_name="registered", input_example=X[:3]
            )
        yield Logged(run.info.run_id, ours, theirs, estimator, root)


def test_log_model_returns_mlflow_model_info(logged: Logged) -> None:
    info = logged.ours
    assert info.model_uri == f"models:/{info.model_id}"
    assert info.run_id == logged.run_id
    assert str(info.registered_model_version) == "1"
    assert str(logged.theirs.registered_model_version) == "2"
    assert info.flavors.keys() == logged.theirs.flavors.keys()
    assert info.signature == logged.theirs.signature


def test_mlflow_client_sees_our_logged_model_as_its_own(logged: Logged) -> None:
    client = mlflow.MlflowClient()
    ours = client.get_logged_model(logged.ours.model_id)
    theirs = client.get_logged_model(logged.theirs.model_id)
    assert ours.source_run_id == theirs.source_run_id == logged.run_id
    assert ours.status == theirs.status
    assert ours.params == theirs.params == {"C": "1.0"}
    listing = sorted(a.path for a in client.list_logged_model_artifacts(ours.model_id))
    assert listing == sorted(a.path for a in client.list_logged_model_artifacts(theirs.model_id))
    run_outputs = client.get_run(logged.run_id).outputs
    assert run_outputs is not None
    outputs = {o.model_id for o in run_outputs.model_outputs}
    assert outputs == {ours.model_id, theirs.model_id}
    ours_info = mlflow.models.get_model_info(logged.ours.model_uri)
    theirs_info = mlflow.models.get_model_info(logged.theirs.model_uri)
    assert ours_info.signature == theirs_info.signature
    assert ours_info.run_id == theirs_info.run_id == logged.run_id
    assert ours_info.model_id == ours.model_id
    first = client.get_model_version("registered", "1")
    second = client.get_model_version("registered", "2")
    assert first.run_id == second.run_id == logged.run_id
    assert first.model_id == (ours.model_id if second.model_id else None)
    assert first.source is not None
    assert second.source is not None
    assert first.source.replace(ours.model_id, "ID") == second.source.replace(theirs.model_id, "ID")


def _uris(logged: Logged) -> list[str]:
    return [
        logged.ours.model_uri,
        f"runs:/{logged.run_id}/model",
        "models:/registered/1",
    ]


def test_logged_by_mlmodel_loads_in_mlflow_and_mlmodel(logged: Logged) -> None:
    expected = logged.estimator.predict(X)
    for uri in _uris(logged):
        np.testing.assert_array_equal(mlflow.pyfunc.load_model(uri).predict(X), expected)
        np.testing.assert_array_equal(mlmodel.pyfunc.load_model(uri).predict(X), expected)
        np.testing.assert_array_equal(mlmodel.sklearn.load_model(uri).predict(X), expected)
        assert Model.load(uri).model_id == logged.ours.model_id


def test_logged_by_mlflow_loads_in_mlmodel(logged: Logged) -> None:
    uris = [logged.theirs.model_uri, f"runs:/{logged.run_id}/theirs", "models:/registered/2"]
    for uri in uris:
        theirs = mlflow.pyfunc.load_model(uri).predict(X)
        np.testing.assert_array_equal(mlmodel.pyfunc.load_model(uri).predict(X), theirs)
    assert Model.load("models:/registered/latest").model_id == logged.theirs.model_id


def test_alias_loads_the_version_it_points_to_now(logged: Logged) -> None:
    client = mlflow.MlflowClient()
    client.set_registered_model_alias("registered", "champion", "1")
    ours = mlmodel.pyfunc.load_model("models:/registered@champion")
    np.testing.assert_array_equal(
        ours.predict(X), mlflow.pyfunc.load_model("models:/registered@champion").predict(X)
    )
    assert Model.load("models:/registered@champion").model_id == logged.ours.model_id
    client.set_registered_model_alias("registered", "champion", "2")
    assert Model.load("models:/registered@champion").model_id == logged.theirs.model_id


def test_latest_and_stages_resolve_without_deprecation_warnings(logged: Logged) -> None:
    """``models:/NAME/latest`` and a stage resolve through ``search_model_versions``, not
    MLflow's deprecated ``get_latest_versions`` (a FutureWarning on every call)."""
    import warnings

    from mlmodel.core.uris import parse_model_uri
    from mlmodel.tracking.resolve import pinned

    client = mlflow.MlflowClient()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # setting a stage is itself deprecated in MLflow
        client.transition_model_version_stage("registered", "1", "Staging")
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        warnings.simplefilter("error", DeprecationWarning)
        assert pinned(parse_model_uri("models:/registered/latest"), client).version == "2"
        assert pinned(parse_model_uri("models:/registered/Staging"), client).version == "1"
        assert pinned(parse_model_uri("models:/registered/staging"), client).version == "1"
        with pytest.raises(UsageError, match="no version of model 'registered' in stage"):
            pinned(parse_model_uri("models:/registered/Production"), client)
        with pytest.raises(UsageError, match="no version of model 'unregistered'"):
            pinned(parse_model_uri("models:/unregistered/latest"), client)
        assert (resolve_model_dir("models:/registered/latest") / "MLmodel").is_file()


def test_fetched_models_are_cached_under_the_cache_dir(logged: Logged) -> None:
    first = resolve_model_dir("models:/registered/1")
    assert first.is_relative_to(logged.root / "cache")
    assert resolve_model_dir("models:/registered/1") == first
    assert (first / "MLmodel").is_file()
    # no temporary download folders are left beside the entries
    assert not [p for p in first.parent.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("runs:/0123456789abcdef0123456789abcdef/model", "0123456789abcdef"),
        ("models:/registered/99", "registered"),
        ("models:/no-such-model/1", "no-such-model"),
        ("models:/no-such-model@champion", "no-such-model"),
        ("models:/m-00000000000000000000000000000000", "m-0000"),
        ("models:/a/b/c", "3 path segments"),
        ("models://x", "malformed"),
        ("runs:/only-a-run-id", "runs:/<run_id>/<path>"),
    ],
)
def test_bad_uris_are_one_line_usage_errors(logged: Logged, uri: str, reason: str) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_model_dir(uri)
    message = str(caught.value)
    assert reason in message
    assert "\n" not in message


def test_an_invalid_logged_model_stops_before_loading(logged: Logged) -> None:
    bad = logged.root / "bad-model"
    bad.mkdir()
    (bad / "MLmodel").write_text("flavors:\n  python_function: {loader_module: 3}\n")
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(bad), artifact_path="bad")
    uri = f"runs:/{run.info.run_id}/bad"
    from mlmodel.core.errors import InvalidModelError

    with pytest.raises(InvalidModelError) as caught:
        mlmodel.pyfunc.load_model(uri)
    assert caught.value.diagnostics
    with pytest.raises(ParseError) as parsed:
        Model.load(uri)
    assert parsed.value.diagnostics
    with pytest.raises(InvalidModelError):  # the same gate as pyfunc's
        mlmodel.sklearn.load_model(uri)


# -- the command line -------------------------------------------------------------------------


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from mlmodel.cli.app import run

    code = run(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("command", ["validate", "lint", "inspect"])
def test_cli_commands_accept_runs_and_models_uris(
    logged: Logged, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for uri in (
        f"runs:/{logged.run_id}/model",
        "models:/registered/1",
        "models:/registered@staged",
    ):
        if uri.endswith("@staged"):
            mlflow.MlflowClient().set_registered_model_alias("registered", "staged", "1")
        code, out, err = _cli([command, uri], capsys)
        assert code == 0, err
        if command == "inspect":
            assert "sklearn" in out


@pytest.mark.parametrize("command", ["validate", "lint", "inspect", "download"])
@pytest.mark.parametrize(
    "uri",
    [
        "runs:/0123456789abcdef0123456789abcdef/model",
        "models:/registered/99",
        "models:/a/b/c",
        "models:/a//1",
        "models:/",
    ],
)
def test_cli_bad_uris_exit_2_with_one_line(
    logged: Logged, command: str, uri: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = [command, uri] + ([str(tmp_path / "out")] if command == "download" else [])
    code, _, err = _cli(argv, capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert uri in lines[0]
    assert not (tmp_path / "out").exists()


def test_download_writes_a_valid_plain_directory(
    logged: Logged, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "downloaded"
    code, out, err = _cli(["download", "models:/registered/1", str(target)], capsys)
    assert code == 0, err
    assert out.strip() == str(target)
    listing = sorted(p.name for p in target.iterdir())
    client = mlflow.MlflowClient()
    logged_files = client.list_logged_model_artifacts(logged.ours.model_id)
    assert set(listing) >= {a.path for a in logged_files}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    np.testing.assert_array_equal(
        mlmodel.pyfunc.load_model(target).predict(X), logged.estimator.predict(X)
    )
    # DIR exists now: refused, untouched
    code, _, err = _cli(["download", f"runs:/{logged.run_id}/model", str(target)], capsys)
    assert code == 2
    assert sorted(p.name for p in target.iterdir()) == listing


def test_download_names_the_folder_as_its_help_says(
    logged: Logged,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No DIR: the registered name for every models:/NAME form, the model id for
    models:/<model_id>, the last segment for runs:/; an unknown scheme names the known."""
    monkeypatch.chdir(tmp_path)
    mlflow.MlflowClient().set_registered_model_alias("registered", "named", "1")
    model_id = logged.ours.model_id
    for uri, folder in [
        ("models:/registered/1", "registered"),
        ("models:/registered/latest", "registered"),
        ("models:/registered@named", "registered"),
        (f"models:/{model_id}", model_id),
        (f"runs:/{logged.run_id}/model", "model"),
    ]:
        code, out, err = _cli(["download", "--no-progress", uri], capsys)
        assert (code, out.strip()) == (0, folder), err
        assert (tmp_path / folder / "MLmodel").is_file()
        shutil.rmtree(tmp_path / folder)
    code, _, err = _cli(["download", "bogus:/x", "dl2"], capsys)
    assert code == 2
    assert err.strip().splitlines() == [
        (
            "mlmodel download: bogus:/x: unknown URI scheme 'bogus'; known: abfss:, dbfs:, "
            "file:, ftp:, gs:, hdfs:, http:, https:, mlflow-artifacts:, models:, oss:, runs:, "
            "s3:, sftp:, uc-volumes:, viewfs:, wasb:, wasbs:"
        )
    ]
    assert list(tmp_path.iterdir()) == []


def test_download_progress_has_the_listed_total(logged: Logged, tmp_path: Path) -> None:
    """The store lists every file's size: every report of the progress has a total, and the
    last one has every byte arrived."""
    from mlmodel.tracking.resolve import download

    reports: list[tuple[int, int | None]] = []
    target = tmp_path / "target"
    target.mkdir()
    download("models:/registered/1", target, lambda done, total: reports.append((done, total)))
    arrived = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    assert reports and reports[-1] == (arrived, arrived)
    assert None not in {total for _, total in reports}


def test_download_of_an_invalid_model_writes_nothing(
    logged: Logged, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad-source"
    bad.mkdir()
    (bad / "MLmodel").write_text("flavors: 3\n")
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(bad), artifact_path="bad")
    target = tmp_path / "out"
    code, _, err = _cli(["download", f"runs:/{run.info.run_id}/bad", str(target)], capsys)
    assert code == 1
    assert "does not validate" in err
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad-source"]


def test_download_killed_mid_way_leaves_no_partial_model(logged: Logged, tmp_path: Path) -> None:
    """SIGKILL while the downloaded model waits to take its name: DIR never appears."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.pause_before_rename import command as paused

    marker = tmp_path / "pause"
    target = tmp_path / "parent" / "model"
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    download = ["-m", "mlmodel", "download", "models:/registered/1", str(target)]
    child = subprocess.Popen(
        paused(marker, *download),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not Path(f"{marker}.ready").exists():
        assert child.poll() is None, child.stderr.read() if child.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.05)
    staged = [p for p in target.parent.iterdir() if p.name.startswith(".")]
    assert staged and (staged[0] / "MLmodel").is_file()  # fully downloaded, not yet named
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert not target.exists()
    # the next download cleans the dead process's leftover and completes
    done = subprocess.run(
        [sys.executable, *download],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (target / "MLmodel").is_file()
    assert [p.name for p in target.parent.iterdir()] == ["model"]


def test_cli_predict_accepts_runs_and_models_uris(
    logged: Logged, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    data = tmp_path / "input.csv"
    X.to_csv(data, index=False)
    expected = logged.estimator.predict(X).tolist()
    for uri in (f"runs:/{logged.run_id}/model", "models:/registered/2"):
        out = tmp_path / "out.json"
        code, _, err = _cli(["predict", uri, "-i", str(data), "-t", "csv", "-o", str(out)], capsys)
        assert code == 0, err
        assert json.loads(out.read_text())["predictions"] == expected
        out.unlink()


def test_cli_serve_accepts_a_models_uri(logged: Logged, tmp_path: Path) -> None:
    """The real ``mlmodel serve`` process, given a registry URI, answers /invocations."""
    import json
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    from harness.servers import free_port

    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlmodel",
            "serve",
            "models:/registered/1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=dict(os.environ),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                with urllib.request.urlopen(f"{url}/ping", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "mlmodel serve did not start in time"
            time.sleep(0.3)
        body = json.dumps({"dataframe_split": X.to_dict(orient="split", index=False)})
        request = urllib.request.Request(
            f"{url}/invocations",
            data=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            predictions = json.loads(reply.read())["predictions"]
        assert predictions == logged.estimator.predict(X).tolist()
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _without_paths(inspection: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in inspection.items() if k not in ("path", "model_dir")}


def test_inspect_reports_a_fetched_model_as_it_reports_a_local_one(
    logged: Logged, capsys: pytest.CaptureFixture[str]
) -> None:
    """inspect on runs:/ gives what inspect on the same folder gives (the description, or an
    unreadable MLmodel's diagnostic and exit 1, or exit 2 for a folder that is no model),
    on the first call (fetched) and the second (from the cache); nothing is loaded."""
    import json
    import re

    folders = {
        "invalid": "flavors:\n  python_function: {loader_module: 3}\n",  # readable: described
        "unreadable": "flavors: [\n",  # V100 at 2:1
        "canary": "flavors:\n  sklearn: {pickled_model: model.pkl}\n",
        "nomodel": None,
    }
    with mlflow.start_run() as run:
        for name, text in folders.items():
            folder = logged.root / "inspect" / name
            folder.mkdir(parents=True)
            if text is None:
                (folder / "notes.txt").write_text("not a model\n")
            else:
                (folder / "MLmodel").write_text(text)
            if name == "canary":  # would raise if anything unpickled it
                (folder / "model.pkl").write_bytes(b"cbuiltins\nexec\n(S'raise SystemExit(9)'\ntR.")
            mlflow.log_artifacts(str(folder), artifact_path=name)
    location = re.compile(r"MLmodel:(\d+:\d+): error (V\d{3})")
    for name in folders:
        local = str(logged.root / "inspect" / name)
        uri = f"runs:/{run.info.run_id}/{name}"
        expected = _cli(["inspect", "--format", "json", local], capsys)
        for _ in range(2):  # fetched, then from the cache
            code, out, err = _cli(["inspect", "--format", "json", uri], capsys)
            assert code == expected[0], (name, err)
            if expected[1]:
                assert _without_paths(json.loads(out)) == _without_paths(json.loads(expected[1]))
            assert location.findall(err) == location.findall(expected[2])
            if name == "nomodel":
                assert code == 2
                assert err.strip().splitlines() == [
                    f"mlmodel inspect: {uri}: not a model (no MLmodel file at its root)"
                ]
        if name == "unreadable":
            assert code == 1
            assert location.findall(err) == [("2:1", "V100")]
    cached = [p.name for p in (logged.root / "cache" / "models").iterdir()]
    assert not [entry for entry in cached if "nomodel" in entry]
