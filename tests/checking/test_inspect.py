"""mlmodel inspect: the library result, the text and JSON output, bad input."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from mlmodel.checking.inspection import inspect_model
from mlmodel.cli.app import run
from mlmodel.core.errors import ParseError, UsageError
from tests.conftest import EXAMPLES

GOOD = EXAMPLES / "sklearn-3x"
LEGACY = EXAMPLES / "mlflow-docs-2018"


def test_sklearn_3x_header_flavors_signature() -> None:
    result = inspect_model(GOOD)
    assert result.header["mlflow_version"] == "3.17.2"
    assert result.header["utc_time_created"] == "2026-11-27 12:27:34.110558"
    assert result.header["model_uuid"] == "2ef276278604453da402b181912d6837"
    assert result.header["model_id"] is None
    assert result.header["model_size_bytes"] == 1133
    assert [f.name for f in result.flavors] == ["python_function", "sklearn"]
    sklearn = result.flavors[1].settings
    assert sklearn["pickled_model"] == "model.pkl"
    assert result.signature is not None
    rows = [(f.section, f.name, f.type, f.required, f.shape) for f in result.signature.fields]
    assert rows == [
        ("inputs", "hours", "double", True, None),
        ("inputs", "visits", "long", True, None),
        ("outputs", None, "tensor(int64)", True, [-1]),
    ]
    assert result.signature.errors == []


def test_sklearn_3x_example_files_environment() -> None:
    result = inspect_model(GOOD)
    example = result.input_example
    assert example is not None
    assert example.type == "dataframe"
    assert example.files == ["input_example.json", "serving_input_example.json"]
    assert example.preview is not None and example.preview.startswith('{"columns": ["hours"')
    assert result.files is not None
    sizes = {f.path: f.size for f in result.files}
    assert sizes["model.pkl"] == (GOOD / "model.pkl").stat().st_size
    assert set(sizes) == {p.name for p in GOOD.iterdir()}
    env = result.environment
    assert env.python_version == env.python_env_python == env.conda_python == "3.11.7"
    assert env.requirements is not None and env.requirements[0] == "mlflow==3.17.2"
    assert len(env.requirements) == 5


def test_pickles_listed_without_unpickling() -> None:
    result = inspect_model(GOOD)
    assert [p.path for p in result.pickles.pickles] == ["model.pkl"]
    assert result.pickles.available
    item = result.pickles.pickles[0]
    assert item.error is None
    assert any(name.startswith("sklearn.") for name in item.imports)


def test_legacy_2018_model() -> None:
    result = inspect_model(LEGACY)
    assert result.header["utc_time_created"] is None
    assert result.header["time_created"] == "2018-05-25T17:28:53.35"
    assert [f.name for f in result.flavors] == ["sklearn", "python_function"]
    assert result.signature is None
    assert result.input_example is None
    assert result.environment.requirements is None
    assert result.files is not None
    assert {f.path for f in result.files} == {"MLmodel", "model.pkl"}


def test_a_file_of_any_name_has_its_folder_as_model_directory(tmp_path: Path) -> None:
    # the rule validate and lint follow too (tests/cli/test_cli_paths.py)
    target = tmp_path / "copy.MLmodel"
    shutil.copy(LEGACY / "MLmodel", target)
    (tmp_path / "other.pkl").write_bytes(b"x")
    result = inspect_model(target)
    assert result.model_dir == str(tmp_path)
    assert result.files is not None
    assert {f.path for f in result.files} == {"copy.MLmodel", "other.pkl"}


def test_symlinks_are_not_followed_outside(tmp_path: Path) -> None:
    model = tmp_path / "m"
    shutil.copytree(GOOD, model)
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "big.bin").write_bytes(b"0" * 100)
    (model / "link").symlink_to(outside, target_is_directory=True)
    (model / "example_link.json").symlink_to(outside / "big.bin")
    result = inspect_model(model)
    assert result.files is not None
    entries = {f.path: f for f in result.files}
    assert entries["link"].symlink and entries["link"].outside and entries["link"].size is None
    assert entries["example_link.json"].outside
    assert not any(path.startswith("link/") for path in entries)


def test_input_example_outside_the_directory_is_not_read(tmp_path: Path) -> None:
    model = tmp_path / "m"
    shutil.copytree(GOOD, model)
    text = (model / "MLmodel").read_text()
    (model / "MLmodel").write_text(
        text.replace("artifact_path: input_example.json", "artifact_path: ../elsewhere.json")
    )
    (tmp_path / "elsewhere.json").write_text('{"secret": 1}')
    result = inspect_model(model)
    assert result.input_example is not None
    assert result.input_example.preview is None
    assert result.input_example.error is not None and "outside" in result.input_example.error


def test_broken_signature_is_reported_not_raised(tmp_path: Path) -> None:
    model = tmp_path / "m"
    model.mkdir()
    (model / "MLmodel").write_text(
        "flavors: {}\nsignature:\n  inputs: '[{\"type\": '\n  outputs: null\n"
    )
    result = inspect_model(model)
    assert result.signature is not None
    assert result.signature.errors and result.signature.errors[0].startswith("inputs:")


def test_bad_input_raises_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        inspect_model(tmp_path / "missing")
    with pytest.raises(UsageError):
        inspect_model(tmp_path)
    (tmp_path / "MLmodel").write_text("flavors: [unclosed\n")
    with pytest.raises(ParseError):
        inspect_model(tmp_path)


# -- CLI ----------------------------------------------------------------------------------


def test_cli_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["inspect", str(GOOD)]) == 0
    out = capsys.readouterr().out
    for expected in (
        "3.17.2",
        "2ef276278604453da402b181912d6837",
        "python_function",
        "pickled_model: model.pkl",
        "tensor(int64)",
        "hours",
        "preview:",
        "serving_input_example.json",
        "scikit-learn==1.9.1",
        "model.pkl",
    ):
        assert expected in out, expected


def test_cli_json_has_stable_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["inspect", "--format", "json", str(LEGACY)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == [
        "path",
        "model_dir",
        "header",
        "flavors",
        "signature",
        "input_example",
        "files",
        "files_truncated",
        "environment",
        "pickles",
    ]
    assert data["header"]["time_created"] == "2018-05-25T17:28:53.35"
    assert data["flavors"][0] == {
        "name": "sklearn",
        "settings": {"sklearn_version": "0.19.1", "pickled_model": "model.pkl"},
    }
    assert run(["inspect", "--format", "json", str(GOOD)]) == 0
    good = json.loads(capsys.readouterr().out)
    assert set(good) == set(data)
    assert good["signature"]["fields"][0] == {
        "section": "inputs",
        "name": "hours",
        "type": "double",
        "required": True,
        "shape": None,
        "default": None,
    }


EVERY_KIND_OF_KEY = """\
flavors:
  python_function:
    loader_module: mlflow.pyfunc.model
    python_model: python_model.pkl
mlflow_version: 3.17.2
mlmodel_version: 0.9.0
metadata:
  owner: ana
  task: llm/v1/chat
prompts: null
env_vars: [API_KEY]
team_field: 42
"""


def test_every_top_level_key_is_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """metadata, mlmodel_version and unknown keys, in text and JSON: nothing the document
    holds is left out (flavors, signature and the example have their own sections)."""
    (tmp_path / "MLmodel").write_text(EVERY_KIND_OF_KEY)
    assert run(["inspect", "--format", "json", str(tmp_path)]) == 0
    header = json.loads(capsys.readouterr().out)["header"]
    assert header["mlmodel_version"] == "0.9.0"
    assert header["metadata"] == {"owner": "ana", "task": "llm/v1/chat"}
    assert header["env_vars"] == ["API_KEY"]
    assert header["team_field"] == 42
    assert "prompts" in header and header["prompts"] is None
    assert list(header)[-3:] == ["prompts", "env_vars", "team_field"]  # the document's order
    assert run(["inspect", "--color", "never", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for expected in ("mlmodel_version", "0.9.0", "owner: ana", "task: llm/v1/chat", "API_KEY"):
        assert expected in out, expected
    assert re.search(r"team_field\s+│ 42", out)
    assert re.search(r"^metadata$", out, re.MULTILINE)  # a tree of its own


def test_cli_broken_yaml_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "MLmodel").write_text("flavors:\n  sklearn: {pickled_model: model.pkl\n")
    assert run(["inspect", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "cannot read the MLmodel file" in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_cli_not_a_document_mapping_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "MLmodel").write_text("- just\n- a list\n")
    assert run(["inspect", str(tmp_path)]) == 1
    assert "not a mapping" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", ["missing", ""])
def test_cli_not_a_model_exits_2(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["inspect", str(tmp_path / suffix)]) == 2
    captured = capsys.readouterr()
    assert "mlmodel inspect:" in captured.err
    assert "Traceback" not in captured.err


def test_inspect_never_executes_model_files(tmp_path: Path) -> None:
    """A pickle that would run code if loaded is only listed."""
    import pickle

    model = tmp_path / "m"
    shutil.copytree(LEGACY, model)
    marker = tmp_path / "ran"

    class Boom:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            import os

            return (os.system, (f"touch {marker}",))

    (model / "model.pkl").write_bytes(pickle.dumps(Boom()))
    result = inspect_model(model)
    assert not marker.exists()
    assert [p.path for p in result.pickles.pickles] == ["model.pkl"]
    item = result.pickles.pickles[0]
    assert item.dangerous is True
    assert any(name.endswith("system") for name in item.imports)


def test_dangerous_pickle_is_flagged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "m"
    shutil.copytree(LEGACY, model)
    # protocol 0: os.system('true'), never loaded
    (model / "model.pkl").write_bytes(b"cos\nsystem\n(S'true'\ntR.")
    result = inspect_model(model)
    item = result.pickles.pickles[0]
    assert item.imports == ["os.system"]
    assert item.dangerous is True and item.dangerous_imports[0].startswith("os.system")
    assert run(["inspect", str(model)]) == 0
    out = capsys.readouterr().out
    assert "DANGEROUS" in out and "os.system" in out


# -- the loading verdict ------------------------------------------------------------------

PYFUNC_MODEL = (
    "flavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n"
    "    python_model: python_model.pkl\n"
)
#: protocol 2: myproject.model.MyModel() and a list of floats, never unpickled
PROJECT_CLASS = b"\x80\x02cmyproject.model\nMyModel\n)\x81]G?\xf0\x00\x00\x00\x00\x00\x00a\x86."


def _pyfunc(tmp_path: Path, pickle_bytes: bytes) -> Path:
    model = tmp_path / "m"
    model.mkdir()
    (model / "MLmodel").write_text(PYFUNC_MODEL)
    (model / "python_model.pkl").write_bytes(pickle_bytes)
    return model


def test_an_allowlisted_model_loads_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    (item,) = inspect_model(GOOD).pickles.pickles
    assert item.allowlist == "sklearn" and item.loads_by_default is True
    assert item.needs_trust == []
    assert run(["inspect", "--color", "never", str(GOOD)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "verdict: loads by default (every import is on the sklearn allowlist)" in out
    assert "needs trust" not in out


def test_a_project_class_needs_trust(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = _pyfunc(tmp_path, PROJECT_CLASS)
    (item,) = inspect_model(model).pickles.pickles
    assert item.allowlist == "python_function"
    assert item.loads_by_default is False and item.dangerous is False
    assert item.imports == item.needs_trust == ["myproject.model.MyModel"]
    assert run(["inspect", "--color", "never", str(model)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "myproject.model.MyModel (needs trust)" in out
    assert (
        "verdict: needs the loader's trust: 1 import(s) not on the python_function allowlist: "
        "myproject.model.MyModel (--trust-type, a signature, or --allow-unsafe)"
    ) in out
    assert run(["inspect", "--format", "json", str(model)]) == 0
    (entry,) = json.loads(capsys.readouterr().out)["pickles"]["pickles"]
    assert entry["allowlist"] == "python_function"
    assert entry["loads_by_default"] is False
    assert entry["needs_trust"] == ["myproject.model.MyModel"]


def test_a_dangerous_pickle_needs_trust_and_says_why(tmp_path: Path) -> None:
    model = _pyfunc(tmp_path, b"\x80\x02csix\nexec_\nX\x01\x00\x00\x001\x85R.")
    (item,) = inspect_model(model).pickles.pickles
    assert item.loads_by_default is False and item.needs_trust == ["six.exec_"]
    assert item.dangerous_imports == ["six.exec_: runs source code (six.exec_ is exec)"]


def test_a_pickle_not_scanned_to_the_end_needs_trust(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = _pyfunc(tmp_path, b"\x80\x02]q\x00(K\x01")  # truncated: no STOP
    (item,) = inspect_model(model).pickles.pickles
    assert item.error is not None and item.needs_trust == []
    assert item.loads_by_default is False
    assert run(["inspect", "--color", "never", str(model)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "needs the loader's trust: it could not be scanned to the end" in out


def test_a_file_judged_by_the_loader_module_s_framework(tmp_path: Path) -> None:
    """mlflow.sklearn's pyfunc file is judged by scikit-learn's list, and so is a pickle the
    document does not reference in a directory with a sklearn flavor."""
    model = tmp_path / "m"
    shutil.copytree(GOOD, model)
    (model / "extra.pkl").write_bytes((model / "model.pkl").read_bytes())
    pickles = {p.path: p for p in inspect_model(model).pickles.pickles}
    assert pickles["model.pkl"].allowlist == pickles["extra.pkl"].allowlist == "sklearn"
    assert pickles["extra.pkl"].loads_by_default is True
