"""mlmodel convert: YAML <-> JSON, byte-identical no-ops, --upgrade of legacy documents."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from mlmodel.checking.convert import convert, upgrade_document
from mlmodel.checking.validate import validate_bytes
from mlmodel.cli.app import run
from mlmodel.core.errors import ParseError, UsageError
from mlmodel.core.timestamps import mlflow_timestamp
from mlmodel.yamlio.document import MLmodelDocument
from tests.conftest import CORPUS, EXAMPLES

GOOD = EXAMPLES / "sklearn-3x"
LEGACY = EXAMPLES / "mlflow-docs-2018"
JSON_STYLED = CORPUS / "0020.MLmodel"


def _errors(data: bytes) -> set[tuple[str, str | None]]:
    return {(d.code, d.key) for d in validate_bytes(data, check_files=False) if d.is_error}


def _legacy_copy(tmp_path: Path, comment: bool = True) -> Path:
    model = tmp_path / "legacy"
    shutil.copytree(LEGACY, model)
    if comment:
        text = (model / "MLmodel").read_text()
        text = text.replace("flavors:\n", "# kept by --upgrade\nflavors:  # the flavors\n")
        (model / "MLmodel").write_text(text)
    return model


# -- formats ------------------------------------------------------------------------------


def test_yaml_to_json_keeps_timestamps_as_written() -> None:
    result = convert(LEGACY, to="json")
    data = json.loads(result.output)
    assert data["time_created"] == "2018-05-25T17:28:53.35"
    assert data["flavors"]["sklearn"] == {"sklearn_version": "0.19.1", "pickled_model": "model.pkl"}
    assert result.source_format == "yaml" and result.target_format == "json"
    good = json.loads(convert(GOOD).output)  # default: the other format
    assert good["utc_time_created"] == "2026-11-27 12:27:34.110558"
    assert good == yaml.safe_load((GOOD / "MLmodel").read_text())


def test_json_round_trip(tmp_path: Path) -> None:
    as_json = tmp_path / "MLmodel.json"
    as_json.write_bytes(convert(GOOD, to="json").output)
    back = convert(as_json, to="yaml")
    assert back.source_format == "json"
    # MLflow's own writer gives back the file MLflow wrote
    assert back.output == (GOOD / "MLmodel").read_bytes()
    again = tmp_path / "again.json"
    again.write_bytes(back.output)
    assert convert(again, to="json").output == as_json.read_bytes()


def test_no_change_asked_is_byte_identical(tmp_path: Path) -> None:
    for model in (GOOD, LEGACY):
        result = convert(model, to="yaml")
        assert result.unchanged
        assert result.output == (model / "MLmodel").read_bytes()
    odd = tmp_path / "MLmodel"
    odd.write_bytes(b"\xef\xbb\xbf# c\r\nflavors:   {}\r\nrun_id: 'x'")
    assert convert(odd, to="yaml").output == odd.read_bytes()
    as_json = tmp_path / "j"
    as_json.write_bytes(b'{"flavors": {}}')
    assert convert(as_json, to="json").output == b'{"flavors": {}}'


@pytest.mark.skipif(not JSON_STYLED.is_file(), reason="../shared/corpus not present")
def test_json_styled_mlmodel_to_yaml() -> None:
    result = convert(JSON_STYLED)
    assert result.source_format == "json" and result.target_format == "yaml"
    text = result.output.decode()
    assert text == yaml.safe_dump(json.loads(JSON_STYLED.read_text()), default_flow_style=False)
    assert "python_version: '3.10'" in text
    assert yaml.safe_load(text) == yaml.safe_load(JSON_STYLED.read_text())
    assert _errors(result.output) <= _errors(JSON_STYLED.read_bytes())


def test_json_numbers_keep_json_types(tmp_path: Path) -> None:
    model = tmp_path / "MLmodel"
    model.write_text('{"flavors": {}, "metadata": {"tiny": 1e-05, "big": 10}}')
    back = yaml.safe_load(convert(model, to="yaml").output)
    assert back["metadata"] == {"tiny": 1e-05, "big": 10}


# -- upgrade ------------------------------------------------------------------------------


def test_upgrade_2018_docs_model(tmp_path: Path) -> None:
    model = _legacy_copy(tmp_path)
    before = (model / "MLmodel").read_bytes()
    result = convert(model, upgrade=True)
    assert result.target_format == "yaml"
    text = result.output.decode()
    assert "# kept by --upgrade\nflavors:  # the flavors\n" in text
    assert "time_created: 2018" not in text
    assert "utc_time_created: '2018-05-25 17:28:53.350000'\n" in text
    assert "    model_path: model.pkl\n" in text
    steps = {s.key: s for s in result.steps}
    assert steps["utc_time_created"].action == "rename"
    assert steps["utc_time_created"].old == "time_created: 2018-05-25T17:28:53.35"
    assert steps["flavors.python_function.model_path"].new == "model.pkl"
    assert all(s.reason for s in result.steps)
    assert "model_uuid" not in text and "mlflow_version" not in text
    # no new errors; the pyfunc loader error V201 is fixed
    assert _errors(result.output) <= _errors(before)
    assert "V201" not in {code for code, _ in _errors(result.output)}
    assert (model / "MLmodel").read_bytes() == before  # nothing written without -o/--in-place


def test_upgraded_document_loads_in_mlflow(tmp_path: Path) -> None:
    pytest.importorskip("mlflow")
    from mlflow.models import Model

    model = _legacy_copy(tmp_path)
    assert run(["convert", "--upgrade", "--in-place", str(model)]) == 0
    loaded = Model.load(str(model))
    assert loaded.utc_time_created == "2018-05-25 17:28:53.350000"
    assert not hasattr(loaded, "time_created")
    assert loaded.flavors["python_function"]["model_path"] == "model.pkl"
    assert "# kept by --upgrade" in (model / "MLmodel").read_text()


def test_upgrade_is_idempotent(tmp_path: Path) -> None:
    model = _legacy_copy(tmp_path)
    convert(model, upgrade=True).write(model / "MLmodel")
    again = convert(model, upgrade=True)
    assert again.steps == [] and again.unchanged


def test_upgrade_current_model_changes_nothing() -> None:
    result = convert(GOOD, upgrade=True)
    assert result.steps == [] and result.unchanged


LEGACY_1X = """\
# a 1.x model
artifact_path: model
databricks_runtime: 15.4
flavors:
  python_function:
    data: model.pkl
    env: conda.yaml  # the environment
    loader_module: mlflow.sklearn
    python_version: 3.10
  sklearn:
    pickled_model: model.pkl
    sklearn_version: 0.20
run_id: 8c1f0e4d2a7b4e0f9d3c6b5a4e2f1d0c
utc_time_created: 2019-03-04T05:06:07+01:00
"""


def test_upgrade_1x_steps(tmp_path: Path) -> None:
    (tmp_path / "MLmodel").write_text(LEGACY_1X)
    (tmp_path / "python_env.yaml").write_text("python: 3.10.1\n")
    document = MLmodelDocument.from_bytes(LEGACY_1X.encode(), path=tmp_path / "MLmodel")
    upgraded = upgrade_document(document)
    steps, skipped = upgraded.steps, upgraded.skipped
    assert skipped == []
    data = document.data
    assert data["utc_time_created"] == "2019-03-04 04:06:07"
    assert data["flavors"]["python_function"]["env"] == {
        "conda": "conda.yaml",
        "virtualenv": "python_env.yaml",
    }
    assert data["flavors"]["python_function"]["model_path"] == "model.pkl"
    assert data["flavors"]["python_function"]["data"] == "model.pkl"
    assert data["flavors"]["python_function"]["python_version"] == "3.10"
    assert data["flavors"]["sklearn"]["sklearn_version"] == "0.20"
    assert data["databricks_runtime"] == "15.4"
    assert "utc_time_created: '2019-03-04 04:06:07'\n" in document.text
    assert "python_version: '3.10'" in document.text
    assert document.text.startswith("# a 1.x model\n")
    assert {s.key for s in steps} == {
        "utc_time_created",
        "flavors.python_function.env",
        "flavors.python_function.model_path",
        "flavors.python_function.python_version",
        "flavors.sklearn.sklearn_version",
        "databricks_runtime",
    }
    assert _errors(document.to_bytes()) <= _errors(LEGACY_1X.encode())


def test_upgrade_leaves_env_string_without_python_env(tmp_path: Path) -> None:
    (tmp_path / "MLmodel").write_text(LEGACY_1X)
    result = convert(tmp_path, upgrade=True)
    assert yaml.safe_load(result.output)["flavors"]["python_function"]["env"] == "conda.yaml"
    assert [s.key for s in result.skipped] == ["flavors.python_function.env"]
    assert "# the environment" in result.output.decode()


def test_upgrade_never_invents_values(tmp_path: Path) -> None:
    (tmp_path / "MLmodel").write_text(
        "time_created: sometime last spring\nflavors:\n  python_function:\n"
        "    loader_module: mlflow.sklearn\n"
    )
    result = convert(tmp_path, upgrade=True)
    assert result.steps == [] and result.unchanged
    assert {s.key for s in result.skipped} == {
        "time_created",
        "flavors.python_function.model_path",
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2018-05-25T17:28:53.35", "2018-05-25 17:28:53.350000"),
        ("2018-05-25 17:28:53", "2018-05-25 17:28:53"),
        ("2018-05-25T17:28:53.000000Z", "2018-05-25 17:28:53"),
        ("2018-05-25T17:28:53+02:00", "2018-05-25 15:28:53"),
        ("2018-05-25", None),
        ("yesterday", None),
    ],
)
def test_mlflow_timestamp(value: str, expected: str | None) -> None:
    assert mlflow_timestamp(value) == expected


def test_utc_time_created_reformatted(tmp_path: Path) -> None:
    (tmp_path / "MLmodel").write_text(
        "flavors: {}\nutc_time_created: '2020-01-02T03:04:05.123456Z'  # when\n"
    )
    result = convert(tmp_path, upgrade=True)
    assert result.output == b"flavors: {}\nutc_time_created: '2020-01-02 03:04:05.123456'  # when\n"


# -- CLI ----------------------------------------------------------------------------------


def test_cli_prints_and_writes(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert run(["convert", "--to", "yaml", str(GOOD)]) == 0
    assert capsysbinary.readouterr().out == (GOOD / "MLmodel").read_bytes()
    target = tmp_path / "out.json"
    assert run(["convert", str(GOOD), "-o", str(target)]) == 0
    assert json.loads(target.read_text())["mlflow_version"] == "3.17.2"
    assert capsysbinary.readouterr().out == b""


def test_cli_upgrade_in_place_reports_steps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = _legacy_copy(tmp_path)
    assert run(["convert", "--upgrade", "--in-place", str(model)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "upgrade: utc_time_created: rename" in captured.err
    assert "flavors.python_function.model_path" in captured.err
    assert "utc_time_created: '2018-05-25 17:28:53.350000'" in (model / "MLmodel").read_text()
    assert not list(model.glob(".MLmodel.*"))  # no temporary file left


def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["convert", str(tmp_path / "missing")]) == 2
    assert run(["convert", str(GOOD), "-o", str(tmp_path / "x"), "--in-place"]) == 2
    assert run(["convert", "--to", "xml", str(GOOD)]) == 2
    (tmp_path / "MLmodel").write_text("flavors: [\n")
    assert run(["convert", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "cannot read the MLmodel file" in err and "Traceback" not in err


def test_library_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        convert(tmp_path)
    (tmp_path / "MLmodel").write_text("flavors: {\n")
    with pytest.raises(ParseError):
        convert(tmp_path)
