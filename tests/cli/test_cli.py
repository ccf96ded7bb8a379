"""The CLI: exit codes, output formats, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlmodel.cli.app import run
from tests.conftest import EXAMPLES

GOOD = EXAMPLES / "sklearn-3x"
LEGACY = EXAMPLES / "mlflow-docs-2018"


def write_model(folder: Path, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "MLmodel"
    target.write_bytes(text.encode() if isinstance(text, str) else text)
    return folder


def test_clean_model_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", str(GOOD)]) == 0
    assert "no problems found" in capsys.readouterr().out


def test_errors_exit_1_with_compiler_style_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", str(LEGACY)]) == 1
    out = capsys.readouterr().out
    assert f"{LEGACY / 'MLmodel'}:7:3: error V201" in out
    assert "    7 |   python_function:" in out


def test_warnings_exit_0_unless_strict(tmp_path: Path) -> None:
    model = write_model(
        tmp_path / "m", "flavors:\n  python_function:\n    loader_module: x.y\nrun_id: job-1\n"
    )
    assert run(["validate", str(model)]) == 0
    assert run(["validate", "--strict", str(model)]) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["validate"],
        ["validate", "does/not/exist"],
        ["validate", "--format", "xml", str(GOOD)],
        ["nonsense"],
    ],
)
def test_usage_errors_exit_2(argv: list[str]) -> None:
    assert run(argv) == 2


def test_directory_without_mlmodel_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["validate", str(tmp_path)]) == 2
    assert "has no MLmodel file" in capsys.readouterr().err


def test_mlmodel_file_of_any_name(tmp_path: Path) -> None:
    target = tmp_path / "model.yaml"
    target.write_text("flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n")
    assert run(["validate", "--no-check-files", str(target)]) == 1  # needs model_path


def test_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = write_model(tmp_path / "m", "flavors:\n  sklearn: {}\n")
    assert run(["validate", "--format", "json", str(model)]) == 1
    found = json.loads(capsys.readouterr().out)
    assert found[0] | {"message": ""} == {
        "path": str(model / "MLmodel"),
        "line": 2,
        "column": 3,
        "code": "V201",
        "severity": "error",
        "message": "",
        "hint": None,
        "key": "flavors.sklearn",
        "fix": None,
    }


def test_github_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = write_model(tmp_path / "m", "flavors: {}\n")
    assert run(["validate", "-f", "github", str(model)]) == 1
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"::error file={model / 'MLmodel'},line=1,col=10,title=mlmodel V202::")


def test_no_check_files_skips_missing_files(tmp_path: Path) -> None:
    model = write_model(tmp_path / "m", "flavors:\n  sklearn:\n    pickled_model: model.pkl\n")
    assert run(["validate", str(model)]) == 1
    assert run(["validate", "--no-check-files", str(model)]) == 0


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02binary",
        b"\xff\xfe\x00\x00",
        b"",
        b"- a\n- b\n",
        b"flavors: [\n",
        b"a: &a [*a, *a]\n",
        b"!!python/object/apply:os.system ['echo hi']\n",
        b"x: " + b"[" * 5000 + b"]" * 5000 + b"\n",
    ],
)
def test_bad_input_never_gives_a_traceback(tmp_path: Path, content: bytes) -> None:
    model = write_model(tmp_path / "m", content)
    result = subprocess.run(
        [sys.executable, "-m", "mlmodel", "validate", str(model)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "error V1" in result.stdout


def test_version() -> None:
    assert run(["--version"]) == 0


def test_several_paths_report_each_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_model(tmp_path / "bad", "flavors: {}\n")
    assert run(["validate", str(GOOD), str(bad)]) == 1
    assert "2 files checked: 1 error, 0 warnings" in capsys.readouterr().out
