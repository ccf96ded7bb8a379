"""The errors of --env-manager that come before or instead of an environment: uv not
installed, and model requirements that contradict mlmodel's own (the installer's message)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mlmodel.core.errors import MissingDependencyError, ModelLoadError
from mlmodel.environments import interpreters
from mlmodel.environments.prepare import prepare_environment

PYTHON = ".".join(map(str, sys.version_info[:3]))


def _model(path: Path, requirements: str) -> Path:
    path.mkdir()
    (path / "MLmodel").write_text("flavors:\n  python_function:\n    loader_module: x\n")
    (path / "python_env.yaml").write_text(
        f"python: {PYTHON}\ndependencies:\n- -r requirements.txt\n"
    )
    (path / "requirements.txt").write_text(requirements)
    return path


def test_uv_not_installed_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interpreters, "uv_binary", lambda: None)
    monkeypatch.setattr("mlmodel.environments.create.uv_binary", lambda: None)
    with pytest.raises(MissingDependencyError, match=r'pip install "mlmodel\[uv\]"'):
        prepare_environment(_model(tmp_path / "m", "cachetools==5.5.2"), "uv", ["serve"])


def test_a_pin_against_mlmodel_s_own_requirements_fails_with_the_installer_s_message(
    tmp_path: Path,
) -> None:
    root = tmp_path / "envs"
    model = _model(tmp_path / "m", "pydantic==1.10.13")
    said: list[str] = []
    with pytest.raises(ModelLoadError) as caught:
        prepare_environment(model, "uv", ["serve"], root=root, say=said.append)
    message = str(caught.value)
    assert message.startswith(
        "uv pip install of the model's requirements (python_env.yaml) with mlmodel[serve] "
        "failed (exit 1):"
    )
    assert "pydantic==1.10.13" in message and "unsatisfiable" in message
    assert "uv venv" not in message  # only the failing step's output
    assert [p.name for p in root.iterdir()] == [".locks"]  # nothing half-built is left


def test_no_python_version_uses_the_running_one_and_says_so_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mlmodel.environments.create.uv_binary", lambda: None)
    model = tmp_path / "m"
    model.mkdir()
    (model / "MLmodel").write_text("flavors:\n  python_function:\n    loader_module: x\n")
    (model / "requirements.txt").write_text("cachetools==5.5.2")
    said: list[str] = []
    with pytest.raises(MissingDependencyError):  # then stops: no uv here
        prepare_environment(model, "uv", ["serve"], root=tmp_path / "envs", say=said.append)
    notes = [line for line in said if "does not say which Python" in line]
    expected = (
        "mlmodel: the model does not say which Python it needs; using the current Python "
        f"version {PYTHON}"
    )
    assert notes == [expected]


@pytest.mark.parametrize("command", ["serve", "predict"])
def test_a_refused_model_gets_no_environment(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    """The model is admitted under the command's trust before its requirements are
    installed: a model whose code/ nothing trusts is refused and nothing is created."""
    from mlmodel.cli.app import run
    from tests.environments.version_model import write_version_model

    root = tmp_path / "envs"
    monkeypatch.setenv("MLMODEL_ENV_ROOT", str(root))
    monkeypatch.delenv("MLMODEL_NO_PICKLE", raising=False)
    model = write_version_model(tmp_path / "model")
    extra = ["-i", str(tmp_path / "in.json")] if command == "predict" else []
    (tmp_path / "in.json").write_text('{"inputs": [1]}')
    assert run([command, str(model), *extra, "--env-manager", "uv"]) == 1
    err = capsys.readouterr().err
    assert "--allow-unsafe" in err, err
    assert not root.exists() or not any(p for p in root.iterdir() if p.name != ".locks")
