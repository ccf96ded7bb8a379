"""``--env-manager uv|virtualenv``: a model whose predictions are the version of cachetools
it runs with, pinned at 5.5.2 (this interpreter has another), served and scored inside its
own environment; creation is cached, atomic (a SIGKILL leaves nothing a later run uses) and
shared by concurrent runs; a Python that is not installed is a clear error; ``mlmodel env
list|prune``.

Every environment lives under one module-scoped ``MLMODEL_ENV_ROOT``; uv's and pip's caches
are the session's (tests/conftest.py: under its temporary folder).
The virtualenv server (venv + pip: ~30 s, the slow path) starts with the module, so its
creation overlaps the uv tests.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness.child_process import ROOT, child_env
from harness.servers import Server, free_port, launch, mlmodel_cmd
from tests.environments.version_model import PINNED, RUNNING_PYTHON, write_version_model

BODY = {"dataframe_split": {"columns": ["x"], "data": [[1], [2]]}}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("envs")


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert importlib.metadata.version("cachetools") != PINNED
    return write_version_model(tmp_path_factory.mktemp("version-model") / "model")


def _env(root: Path) -> dict[str, str]:
    env = child_env(MLMODEL_ENV_ROOT=str(root))
    env.pop("MLMODEL_NO_PICKLE", None)
    return env


def _mlmodel(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mlmodel", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(root),
        cwd=ROOT,
        start_new_session=True,
    )


def _predict(root: Path, model: Path, manager: str, tmp_path: Path) -> subprocess.Popen[str]:
    (tmp_path / "in.json").write_text(json.dumps(BODY))
    return _mlmodel(
        root,
        "predict",
        str(model),
        "-i",
        str(tmp_path / "in.json"),
        "--allow-unsafe",
        "--env-manager",
        manager,
    )


def _finish(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def _predictions(server: Server) -> object:
    response = httpx.post(f"{server.url}/invocations", json=BODY, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["predictions"]


def _serve(root: Path, model: Path, manager: str, log: Path) -> Server:
    port = free_port()
    cmd = mlmodel_cmd(model, port, "--allow-unsafe", "--env-manager", manager)
    return launch(cmd, port, log, _env(root))


@pytest.fixture(scope="module")
def virtualenv_server(
    root: Path, model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """``mlmodel serve --env-manager virtualenv``, started with the module (not waited for)."""
    server = _serve(root, model, "virtualenv", tmp_path_factory.mktemp("logs") / "venv.log")
    yield server
    server.stop()


@pytest.fixture(scope="module", autouse=True)
def _start_virtualenv_first(virtualenv_server: Server) -> None:
    """Start the slow creation before the other tests run."""


def test_a_python_that_is_not_installed_is_a_clear_error(root: Path, tmp_path: Path) -> None:
    old = write_version_model(tmp_path / "old", python="3.4.10")
    code, _, err = _finish(_predict(root, old, "uv", tmp_path))
    assert code == 2, err
    assert "the model asks for Python 3.4.10, which is not installed here" in err
    assert "installed: " in err and RUNNING_PYTHON in err
    assert "Traceback" not in err


def _creations(root: Path) -> list[Path]:
    """The uv environments being created (their installer has started)."""
    found = []
    for folder in root.iterdir():
        log = folder / "mlmodel-create.log"
        if log.is_file() and "uv pip install" in log.read_text(errors="replace"):
            found.append(folder)
    return found


def test_sigkill_during_creation_leaves_nothing_a_run_uses(
    root: Path, model: Path, tmp_path: Path
) -> None:
    process = _predict(root, model, "uv", tmp_path)
    deadline = time.monotonic() + 60
    while not _creations(root) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)  # the installer with it
    process.communicate(timeout=10)
    (killed,) = _creations(root)
    assert not (killed / "ready").exists()
    listed = json.loads(_finish(_mlmodel(root, "env", "list", "--format", "json"), 30)[1])
    states = {env["key"]: env["state"] for env in listed}
    assert states[killed.name] == "unfinished"


def test_two_concurrent_starts_create_once(root: Path, model: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    runs = [_predict(root, model, "uv", tmp_path) for _ in range(2)]
    results = [_finish(run) for run in runs]
    print(f"two concurrent uv starts: {time.monotonic() - started:.1f} s")
    for code, out, err in results:
        assert code == 0, err
        assert json.loads(out) == {"predictions": [PINNED, PINNED]}
    said = "".join(err for _, _, err in results)
    print(said)
    assert said.count(" created in ") == 1
    assert said.count("reused environment ") == 1
    assert "removed the unfinished environment" in said  # the one the SIGKILL left


def test_serve_uv_reuses_the_cached_environment(root: Path, model: Path, tmp_path: Path) -> None:
    server = _serve(root, model, "uv", tmp_path / "uv.log").wait_ready(60)
    try:
        assert _predictions(server) == [PINNED, PINNED]
    finally:
        server.stop()
    log = (tmp_path / "uv.log").read_text()
    reuse = [line for line in log.splitlines() if line.startswith("reused environment ")]
    print(reuse)
    assert reuse, log
    assert float(reuse[0].split("(")[1].split(" s")[0]) < 2.0


def test_serve_virtualenv_then_reuse(
    root: Path, model: Path, virtualenv_server: Server, tmp_path: Path
) -> None:
    virtualenv_server.wait_ready(240)
    assert _predictions(virtualenv_server) == [PINNED, PINNED]
    virtualenv_server.stop()
    first = virtualenv_server.log.read_text()
    print([line for line in first.splitlines() if " created in " in line])
    assert " created in " in first, first
    again = _serve(root, model, "virtualenv", tmp_path / "again.log").wait_ready(60)
    try:
        assert _predictions(again) == [PINNED, PINNED]
    finally:
        again.stop()
    log = (tmp_path / "again.log").read_text()
    reuse = [line for line in log.splitlines() if line.startswith("reused environment ")]
    print(reuse)
    assert reuse, log
    assert float(reuse[0].split("(")[1].split(" s")[0]) < 2.0


def test_env_list_and_prune(root: Path) -> None:
    from mlmodel.environments.cache import KeyLock

    code, out, _ = _finish(_mlmodel(root, "env", "list", "--format", "json"), 30)
    assert code == 0
    listed = json.loads(out)
    assert sorted(e["manager"] for e in listed) == ["uv", "virtualenv"]
    assert all(
        e["state"] == "ready" and e["requirements"] == [f"cachetools=={PINNED}"] for e in listed
    )
    unfinished = root / ("0" * 64)
    (unfinished / "bin").mkdir(parents=True)
    in_use = KeyLock(root, listed[0]["key"])
    assert in_use.try_lock(exclusive=False)  # as a running server holds it
    try:
        code, out, _ = _finish(_mlmodel(root, "env", "prune", "--all", "--dry-run"), 30)
        assert code == 0
        assert f"kept {listed[0]['key'][:12]} (in use)" in out
        assert f"would remove {listed[1]['key'][:12]} (ready)" in out
        assert "would remove 000000000000 (unfinished)" in out
        assert unfinished.exists() and (root / listed[1]["key"]).exists()
        code, out, _ = _finish(_mlmodel(root, "env", "prune"), 30)
        assert code == 0 and "removed 000000000000 (unfinished)" in out
        assert not unfinished.exists()
        assert (root / listed[0]["key"] / "ready").exists()
        assert (root / listed[1]["key"] / "ready").exists()
    finally:
        in_use.close()
