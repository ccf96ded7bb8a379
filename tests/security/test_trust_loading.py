"""Trust at load time comes from the loader: signatures (``trusted_keys`` / ``--trusted-key``),
``trusted_types``, ``[tool.mlmodel.trust]`` of the current directory, never the model.

A by-value ``PythonModel`` (defined in a function, so cloudpickle stores its code) is the
model a notebook makes: refused unsigned, loaded and served once signed with a trusted key.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import mlflow.pyfunc
import mlflow.sklearn
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import mlmodel.pyfunc
import mlmodel.sklearn
from harness import servers
from harness.child_process import child_env, run_bounded
from harness.signing_keys import KeyPair, write_key_pair
from mlmodel.core.errors import UnsafeModelError
from mlmodel.signing import sign_model
from tests.saved_models import SavedModels

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

X = pd.DataFrame({"x": [1.0, 2.0, 3.0]})


def _keys(folder: Path, name: str) -> KeyPair:
    return write_key_pair(folder, name)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLMODEL_ALLOW_UNSAFE", raising=False)
    monkeypatch.delenv("MLMODEL_NO_PICKLE", raising=False)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    return _keys(tmp_path_factory.mktemp("keys"), "release")


@pytest.fixture(scope="module")
def stranger(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    return _keys(tmp_path_factory.mktemp("stranger"), "stranger")


def _by_value_model(saved: SavedModels, path: Path) -> Path:
    """A PythonModel class defined here: cloudpickle stores it by value (its code)."""

    class Plus(mlflow.pyfunc.PythonModel):  # type: ignore[misc,name-defined]
        def predict(self, context: Any, model_input: Any, params: Any = None) -> Any:
            return model_input["x"] + 1.5

    def save(target: Path) -> None:
        mlflow.pyfunc.save_model(target, python_model=Plus())

    return saved.copy("trust-by-value", save, path)


def _echo_model(saved: SavedModels, path: Path) -> Path:
    """tests.pyfunc_models.EchoModel saved by MLflow: pickled by reference."""
    from tests import pyfunc_models

    def save(target: Path) -> None:
        mlflow.pyfunc.save_model(target, python_model=pyfunc_models.EchoModel())

    return saved.copy("trust-echo", save, path)


@pytest.fixture(scope="module")
def notebook_model(
    tmp_path_factory: pytest.TempPathFactory, keys: KeyPair, saved_models: SavedModels
) -> Iterator[Path]:
    path = _by_value_model(saved_models, tmp_path_factory.mktemp("nb") / "m")
    sign_model(path, keys.private)
    yield path


def test_an_unsigned_by_value_python_model_is_refused_naming_both_ways(
    tmp_path: Path, saved_models: SavedModels, keys: KeyPair
) -> None:
    path = _by_value_model(saved_models, tmp_path / "m")
    with pytest.raises(UnsafeModelError) as info:
        mlmodel.pyfunc.load_model(path, trusted_keys=[keys.public])
    message = str(info.value)
    assert "cloudpickle" in message
    assert "trusted_keys=" in message and "allow_unsafe=True" in message


def test_a_signed_by_value_python_model_loads_with_the_trusted_key(
    notebook_model: Path, keys: KeyPair, stranger: KeyPair
) -> None:
    with pytest.raises(UnsafeModelError):
        mlmodel.pyfunc.load_model(notebook_model)  # a signature alone grants nothing
    with pytest.raises(UnsafeModelError, match="does not verify"):
        mlmodel.pyfunc.load_model(notebook_model, trusted_keys=[stranger.public])
    model = mlmodel.pyfunc.load_model(notebook_model, trusted_keys=[stranger.public, keys.public])
    assert list(model.predict(X)) == [2.5, 3.5, 4.5]


def test_require_signature_refuses_an_unsigned_model_even_a_clean_one(
    tmp_path: Path, keys: KeyPair
) -> None:
    path = tmp_path / "m"
    mlflow.sklearn.save_model(
        LogisticRegression().fit(X, [0, 1, 1]), path, serialization_format="skops"
    )
    mlmodel.pyfunc.load_model(path)
    with pytest.raises(UnsafeModelError, match="a signature is required and it has no signature"):
        mlmodel.pyfunc.load_model(path, require_signature=True, trusted_keys=[keys.public])
    sign_model(path, keys.private)
    with pytest.raises(UnsafeModelError, match="no trusted key"):
        mlmodel.sklearn.load_model(path, require_signature=True)
    model = mlmodel.sklearn.load_model(path, require_signature=True, trusted_keys=[keys.public])
    assert list(model.predict(X)) == [0, 1, 1] or model.predict(X).shape == (3,)


def test_a_file_changed_after_verification_is_refused(
    notebook_model: Path, keys: KeyPair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bytes loaded are checked against the verified signature: a swap between the
    verification and the read (simulated by swapping right after verify) is refused."""
    import shutil

    from mlmodel.runtime.load import trust

    path = tmp_path / "m"
    shutil.copytree(notebook_model, path)
    verify = trust.verify_signature

    def verify_then_swap(model_dir: Path, policy: Any) -> Any:
        manifest = verify(model_dir, policy)
        (model_dir / "python_model.pkl").write_bytes(b"\x80\x04N.")
        return manifest

    monkeypatch.setattr(trust, "verify_signature", verify_then_swap)
    with pytest.raises(UnsafeModelError, match="changed after its signature was verified"):
        mlmodel.pyfunc.load_model(path, trusted_keys=[keys.public])


def test_tampering_a_signed_model_is_refused(
    notebook_model: Path, keys: KeyPair, tmp_path: Path
) -> None:
    import shutil

    path = tmp_path / "m"
    shutil.copytree(notebook_model, path)
    (path / "extra.pkl").write_bytes(b"\x80\x04N.")
    with pytest.raises(UnsafeModelError, match=r"added: extra\.pkl"):
        mlmodel.pyfunc.load_model(path, trusted_keys=[keys.public])


def _config(folder: Path, table: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".mlmodel.toml").write_text(table, encoding="utf-8")


def test_project_configuration_of_the_current_directory_grants_trust(
    notebook_model: Path, keys: KeyPair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    _config(project, f'[trust]\nkeys = ["{keys.public}"]\n')
    monkeypatch.chdir(project)
    model = mlmodel.pyfunc.load_model(notebook_model)
    assert list(model.predict(X)) == [2.5, 3.5, 4.5]
    with pytest.raises(UnsafeModelError):  # strict: only the arguments grant
        mlmodel.pyfunc.load_model(notebook_model, strict=True)


def test_a_configuration_inside_the_model_grants_nothing(
    tmp_path: Path, saved_models: SavedModels, keys: KeyPair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neither trusted types nor keys from a file in the model directory, even when the
    loader runs from inside it."""
    path = _by_value_model(saved_models, tmp_path / "m")
    _config(path, '[trust]\ntrusted-types = ["cloudpickle.cloudpickle._make_function"]\n')
    for cwd in (path, tmp_path):
        monkeypatch.chdir(cwd)
        with pytest.raises(UnsafeModelError):
            mlmodel.pyfunc.load_model(path)


def test_the_cli_names_its_own_options(tmp_path: Path, saved_models: SavedModels) -> None:
    path = _by_value_model(saved_models, tmp_path / "m")
    (tmp_path / "in.json").write_text(json.dumps({"dataframe_split": X.to_dict("split")}))
    done = run_bounded(
        [sys.executable, "-m", "mlmodel", "predict", str(path), "-i", str(tmp_path / "in.json")],
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "--trusted-key" in done.stderr and "--allow-unsafe" in done.stderr
    assert "trusted_keys=" not in done.stderr and "Traceback" not in done.stderr


def test_predict_with_a_trusted_key(notebook_model: Path, keys: KeyPair, tmp_path: Path) -> None:
    (tmp_path / "in.json").write_text(json.dumps({"dataframe_split": X.to_dict("split")}))
    done = run_bounded(
        [
            sys.executable,
            "-m",
            "mlmodel",
            "predict",
            str(notebook_model),
            "-i",
            str(tmp_path / "in.json"),
            "--trusted-key",
            str(keys.public),
            "--require-signature",
        ],
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"predictions": [{"x": 2.5}, {"x": 3.5}, {"x": 4.5}]}


def test_serve_a_signed_notebook_model_with_trusted_key_and_no_allow_unsafe(
    notebook_model: Path, keys: KeyPair, tmp_path: Path
) -> None:
    port = servers.free_port()
    unsigned = servers.launch(
        servers.mlmodel_cmd(notebook_model, port), port, tmp_path / "refused.log"
    )
    try:
        assert unsigned.process.wait(120) == 1
    finally:
        unsigned.stop()
    refusal = (tmp_path / "refused.log").read_text()
    assert "--trusted-key" in refusal and "--allow-unsafe" in refusal
    cmd = servers.mlmodel_cmd(notebook_model, port, "--trusted-key", str(keys.public))
    server = servers.start(cmd, port, tmp_path / "served.log")
    try:
        reply = httpx.post(
            f"{server.url}/invocations",
            json={"dataframe_split": X.to_dict("split")},
            timeout=30,
        )
    finally:
        server.stop()
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"predictions": [{"x": 2.5}, {"x": 3.5}, {"x": 4.5}]}


def test_trusted_types_grant_exactly_what_they_name(
    tmp_path: Path, saved_models: SavedModels
) -> None:
    """A class pickled by reference loads once its exact name is trusted; a prefix of it or
    a neighbour grants nothing."""
    path = _echo_model(saved_models, tmp_path / "m")
    for wrong in (["tests.pyfunc_models"], ["tests"], ["tests.pyfunc_models.ConfigModel"]):
        with pytest.raises(UnsafeModelError, match=r"tests\.pyfunc_models\.EchoModel"):
            mlmodel.pyfunc.load_model(path, trusted_types=wrong)
    model = mlmodel.pyfunc.load_model(path, trusted_types=["tests.pyfunc_models.EchoModel"])
    np.testing.assert_array_equal(model.predict(X)["x"], X["x"])


def test_trusted_types_reject_a_lone_string() -> None:
    with pytest.raises(TypeError, match="lists"):
        mlmodel.pyfunc.load_model("nowhere", trusted_types="os.system")


def test_the_environment_opt_in_still_loads_a_notebook_model(
    tmp_path: Path,
    saved_models: SavedModels,
) -> None:
    path = _by_value_model(saved_models, tmp_path / "m")
    script = (
        "import mlmodel.pyfunc, pandas as pd, sys; "
        f"m = mlmodel.pyfunc.load_model({str(path)!r}); "
        "print(list(m.predict(pd.DataFrame({'x': [1.0]}))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env=child_env(MLMODEL_ALLOW_UNSAFE="1"),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[2.5]"


def test_generate_dockerfile_carries_the_loaders_trust_into_the_image(
    notebook_model: Path, keys: KeyPair, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlmodel.cli.app import run

    refused = tmp_path / "refused"
    assert run(["generate-dockerfile", str(notebook_model), "-o", str(refused)]) == 1
    assert "--trusted-key" in capsys.readouterr().err
    assert not refused.exists()
    context = tmp_path / "ctx"
    argv = ["generate-dockerfile", str(notebook_model), "-o", str(context)]
    assert run([*argv, "--trusted-key", str(keys.public), "--require-signature"]) == 0
    key = context / "keys" / f"key0-{keys.public.name}"
    assert key.read_bytes() == keys.public.read_bytes()
    dockerfile = (context / "Dockerfile").read_text()
    assert "COPY keys /opt/ml/keys" in dockerfile
    entry = json.loads(dockerfile.split("ENTRYPOINT ", 1)[1].splitlines()[0])
    assert entry[-3:] == ["--trusted-key", f"/opt/ml/keys/{key.name}", "--require-signature"]
    # the image's command, run on the context's own files, loads the signed model
    loaded = mlmodel.pyfunc.load_model(
        context / "model", trusted_keys=[key], require_signature=True
    )
    assert list(loaded.predict(X)) == [2.5, 3.5, 4.5]


def test_python_files_shipped_for_an_mlflow_loader_need_trust(
    tmp_path: Path, saved_models: SavedModels
) -> None:
    """MLflow's own loaders may run a model's Python (transformers' trust_remote_code runs
    modeling_*.py): any Python file in such a model needs the loader's trust."""
    path = _echo_model(saved_models, tmp_path / "m")
    trusted = ["tests.pyfunc_models.EchoModel"]
    mlmodel.pyfunc.load_model(path, trusted_types=trusted)
    (path / "artifacts").mkdir()
    (path / "artifacts" / "modeling_custom.py").write_text("raise SystemExit('ran')\n")
    with pytest.raises(UnsafeModelError, match=r"ships Python files \(artifacts/modeling_custom"):
        mlmodel.pyfunc.load_model(path, trusted_types=trusted)
    mlmodel.pyfunc.load_model(path, allow_unsafe=True)


def test_a_file_swapped_after_the_check_is_not_what_mlflow_loads(
    tmp_path: Path, saved_models: SavedModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MLflow's loader reads python_model.pkl itself: it reads the private copy the check
    read, so a swap in the model directory after the check changes nothing."""
    import builtins
    import pickle

    from mlmodel.runtime.load import mlflow_fallback, safety

    path = _echo_model(saved_models, tmp_path / "m")
    canary = tmp_path / "canary"

    class Reduces:
        def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
            return builtins.open, (str(canary), "w")

    check = safety.check_pickle_file
    read: list[Path] = []

    def check_then_swap(file: Path, policy: Any, *, flavor: str, dry_run: bool) -> None:
        check(file, policy, flavor=flavor, dry_run=dry_run)
        read.append(file)
        (path / "python_model.pkl").write_bytes(pickle.dumps(Reduces()))

    monkeypatch.setattr(mlflow_fallback, "check_pickle_file", check_then_swap)
    model = mlmodel.pyfunc.load_model(path, trusted_types=["tests.pyfunc_models.EchoModel"])
    assert not canary.exists()
    assert read and all(not f.is_relative_to(path) for f in read)  # the copy was checked
    np.testing.assert_array_equal(model.predict(X)["x"], X["x"])
    copy = read[0].parent
    del model
    import gc

    gc.collect()
    assert not copy.exists()  # the copy goes with the model
