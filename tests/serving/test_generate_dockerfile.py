"""``mlmodel generate-dockerfile``: the build context's files, and the image's exact entry
point started outside a container (on 127.0.0.1 instead of 0.0.0.0) and probed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest

from harness.servers import COLUMNS, free_port, save_classifier, start
from mlmodel.cli.app import run


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One model and one build context for the module: no test changes them (the refused
    second run must leave the Dockerfile as it was, which that test checks)."""
    base = tmp_path_factory.mktemp("dockerfile")
    model = save_classifier(base / "model")
    out = base / "ctx"
    assert run(["generate-dockerfile", str(model), "-o", str(out)]) == 0
    return model, out


def _entrypoint(dockerfile: str) -> list[str]:
    line = next(x for x in dockerfile.splitlines() if x.startswith("ENTRYPOINT "))
    return list(json.loads(line[len("ENTRYPOINT ") :]))


def test_build_context_files(context: tuple[Path, Path]) -> None:
    model, out = context
    text = (out / "Dockerfile").read_text()
    assert text.splitlines()[2].startswith("FROM python:3.")
    assert "RUN pip install -r /opt/ml/model/requirements.txt" in text
    assert "COPY model /opt/ml/model" in text
    assert "EXPOSE 8080" in text
    assert _entrypoint(text) == [
        "mlmodel",
        "serve",
        "/opt/ml/model",
        "--host",
        "0.0.0.0",
        "--port",
        "8080",
    ]
    copied = sorted(p.relative_to(out / "model") for p in (out / "model").rglob("*"))
    assert copied == sorted(p.relative_to(model) for p in model.rglob("*"))
    assert (out / "model" / "MLmodel").read_bytes() == (model / "MLmodel").read_bytes()


def test_existing_output_is_refused(
    context: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    model, out = context
    before = (out / "Dockerfile").read_bytes()
    assert run(["generate-dockerfile", str(model), "-o", str(out)]) != 0
    assert (out / "Dockerfile").read_bytes() == before


def test_the_entry_point_serves_the_copied_model(
    context: tuple[Path, Path], tmp_path: Path
) -> None:
    _, out = context
    command = _entrypoint((out / "Dockerfile").read_text())
    port = free_port()
    # the image's command, with the copied model's path, loopback and a free port
    command = [c.replace("/opt/ml/model", str(out / "model")) for c in command]
    command[command.index("0.0.0.0")] = "127.0.0.1"
    command[command.index("8080")] = str(port)
    assert command[0] == "mlmodel"
    server = start([sys.executable, "-m", "mlmodel", *command[1:]], port, tmp_path / "log")
    try:
        assert httpx.get(f"{server.url}/ping").status_code == 200
        body = {"dataframe_split": {"columns": COLUMNS, "data": [[1, 2, 3, 4]]}}
        answer = httpx.post(f"{server.url}/invocations", json=body)
        assert answer.status_code == 200 and answer.json() == {"predictions": [1]}
    finally:
        assert server.stop() == 0
