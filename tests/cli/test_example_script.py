"""examples/save_and_load_sklearn.py runs clean (it writes only under a temporary folder)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("skops")
pytest.importorskip("mlflow")

ROOT = Path(__file__).resolve().parents[2]


def test_save_and_load_example_runs(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    completed = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "save_and_load_sklearn.py")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "MLflow predictions:" in completed.stdout
    assert "mlmodel_version:" in completed.stdout
    assert list(tmp_path.iterdir()) == []  # the script cleaned up after itself
