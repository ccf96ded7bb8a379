"""A python_function model whose predictions are the version of ``cachetools`` it runs with,
its requirements pinning :data:`PINNED` (this interpreter has another): what runs inside the
model's own environment shows in every prediction. A first cell ``"boom"`` makes it raise.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PINNED = "5.5.2"
MODEL_CODE = '''"""Predicts the version of cachetools it runs with."""
import cachetools


class VersionModel:
    def predict(self, X):
        if len(X) and str(X.iloc[0, 0]) == "boom":
            raise ValueError("boom was asked for")
        return [cachetools.__version__] * len(X)
'''
RUNNING_PYTHON = ".".join(map(str, sys.version_info[:3]))


def write_version_model(path: Path, python: str = RUNNING_PYTHON) -> Path:
    """A python_function model (loader mlflow.sklearn, its class in code/) whose
    requirements pin cachetools at :data:`PINNED`."""
    (path / "code").mkdir(parents=True)
    (path / "code" / "version_model.py").write_text(MODEL_CODE)
    script = (
        "import pickle, sys; sys.path.insert(0, sys.argv[1]); import version_model; "
        "pickle.dump(version_model.VersionModel(), open(sys.argv[2], 'wb'))"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(path / "code"), str(path / "model.pkl")],
        check=True,
        timeout=60,
    )
    (path / "MLmodel").write_text(
        "artifact_path: model\n"
        "flavors:\n"
        "  python_function:\n"
        "    code: code\n"
        "    env:\n"
        "      virtualenv: python_env.yaml\n"
        "    loader_module: mlflow.sklearn\n"
        "    model_path: model.pkl\n"
        f"    python_version: {python}\n"
        "  sklearn:\n"
        "    code: code\n"
        "    pickled_model: model.pkl\n"
        "    serialization_format: pickle\n"
        "    sklearn_version: 1.5.2\n"
        "mlflow_version: 3.17.2\n"
        "model_uuid: 0123456789abcdef0123456789abcdef\n"
        "utc_time_created: '2026-01-01 00:00:00.000000'\n"
    )
    (path / "requirements.txt").write_text(f"cachetools=={PINNED}")
    (path / "python_env.yaml").write_text(
        f"python: {python}\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n"
    )
    return path
