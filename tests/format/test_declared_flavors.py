"""Flavors a project declares as JSON Schema in pyproject.toml or .mlmodel.toml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlmodel.checking.validate import validate_paths
from mlmodel.cli.app import run
from mlmodel.core.errors import UsageError

SCHEMA_YAML = """\
$schema: https://json-schema.org/draft/2020-12/schema
type: object
required: [model_file]
properties:
  model_file: {type: string}
  threshold: {type: number, maximum: 1}
"""

MODEL = """\
flavors:
  my_flavor:
    model_file: weights.bin
    threshold: 2
  python_function:
    loader_module: my_package.loader
"""


def project(tmp_path: Path, config_name: str, config: str, model: str = MODEL) -> Path:
    (tmp_path / "schemas").mkdir(exist_ok=True)
    (tmp_path / "schemas" / "my.schema.yaml").write_text(SCHEMA_YAML)
    (tmp_path / config_name).write_text(config)
    model_dir = tmp_path / "models" / "m"
    model_dir.mkdir(parents=True)
    (model_dir / "MLmodel").write_text(model)
    return model_dir


PYPROJECT = (
    '[project]\nname = "x"\n\n[tool.mlmodel.flavors]\nmy_flavor = "schemas/my.schema.yaml"\n'
)
DOTFILE = '[flavors]\nmy_flavor = "schemas/my.schema.yaml"\n'


@pytest.mark.parametrize(
    ("name", "config"), [("pyproject.toml", PYPROJECT), (".mlmodel.toml", DOTFILE)]
)
def test_declared_schema_findings_carry_line_and_column(
    tmp_path: Path, name: str, config: str
) -> None:
    model = project(tmp_path, name, config)
    result = validate_paths([model], check_files=False)
    found = [(d.code, d.line, d.column, d.key) for d in result.diagnostics]
    assert found == [("V212", 4, 16, "flavors.my_flavor.threshold")]
    assert "2 is greater than the maximum of 1" in result.diagnostics[0].message


def test_missing_required_key_points_at_the_flavor(tmp_path: Path) -> None:
    model = project(
        tmp_path, ".mlmodel.toml", DOTFILE, "flavors:\n  my_flavor:\n    threshold: 0.5\n"
    )
    found = validate_paths([model], check_files=False).diagnostics
    assert [(d.code, d.line, d.column) for d in found] == [("V212", 3, 5)]
    assert "'model_file' is a required property" in found[0].message


def test_valid_settings_give_no_finding(tmp_path: Path) -> None:
    good = MODEL.replace("threshold: 2", "threshold: 0.5")
    model = project(tmp_path, "pyproject.toml", PYPROJECT, good)
    assert validate_paths([model], check_files=False).diagnostics == []


def test_declared_schema_adds_to_a_builtin_flavor(tmp_path: Path) -> None:
    (tmp_path / "sk.json").write_text(
        json.dumps({"type": "object", "properties": {"sklearn_version": {"pattern": "^1\\."}}})
    )
    (tmp_path / ".mlmodel.toml").write_text('[flavors]\nsklearn = "sk.json"\n')
    model = tmp_path / "m"
    model.mkdir()
    (model / "MLmodel").write_text("flavors:\n  sklearn:\n    sklearn_version: 0.24.2\n")
    codes = sorted(d.code for d in validate_paths([model], check_files=False).diagnostics)
    assert codes == ["V201", "V212"]  # the built-in schema (pickled_model) and the declared one


def test_nearest_configuration_wins_and_dotfile_before_pyproject(tmp_path: Path) -> None:
    model = project(tmp_path, "pyproject.toml", PYPROJECT)
    (model.parent / ".mlmodel.toml").write_text("[flavors]\n")  # nearer: declares nothing
    assert validate_paths([model], check_files=False).diagnostics == []
    (model.parent / ".mlmodel.toml").unlink()
    (model.parent / "pyproject.toml").write_text('[project]\nname = "inner"\n')  # no [tool.mlmodel]
    assert [d.code for d in validate_paths([model], check_files=False).diagnostics] == ["V212"]


@pytest.mark.parametrize(
    ("schema_text", "message"),
    [
        ("type: objekt\n", "not a valid JSON Schema"),
        ("properties: [1, 2]\n", "not a valid JSON Schema"),
        ("- just a list\n", "must be an object"),
        ("key: [unclosed\n", "not valid YAML"),
    ],
)
def test_a_broken_schema_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], schema_text: str, message: str
) -> None:
    model = project(tmp_path, ".mlmodel.toml", DOTFILE)
    (tmp_path / "schemas" / "my.schema.yaml").write_text(schema_text)
    with pytest.raises(UsageError, match=message):
        validate_paths([model])
    assert run(["validate", str(model)]) == 2
    err = capsys.readouterr().err
    assert "my.schema.yaml" in err and message in err


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('[flavors]\nmy_flavor = "schemas/nope.json"\n', "cannot be read"),
        ("[flavors\n", "cannot read the configuration"),
        ('colour = "red"\n', "unknown key"),
        ("flavors = 3\n", "must be a table"),
        ("[flavors]\nmy_flavor = 3\n", "must be the path"),
    ],
)
def test_a_bad_configuration_is_a_usage_error(tmp_path: Path, config: str, message: str) -> None:
    model = project(tmp_path, ".mlmodel.toml", config)
    with pytest.raises(UsageError, match=message):
        validate_paths([model])
    assert run(["validate", str(model)]) == 2


@pytest.mark.parametrize(
    "config",
    [
        '[tool]\nmlmodel.flavors.my_flavor = "schemas/my.schema.yaml"\n',
        'tool.mlmodel.flavors.my_flavor = "schemas/my.schema.yaml"\n',
        'tool = {mlmodel = {flavors = {my_flavor = "schemas/my.schema.yaml"}}}\n',
        '[ "tool" . "mlmodel" ]\nflavors = {my_flavor = "schemas/my.schema.yaml"}\n',
    ],
)
def test_every_toml_spelling_of_the_table_is_found(tmp_path: Path, config: str) -> None:
    model = project(tmp_path, "pyproject.toml", config)
    assert [d.code for d in validate_paths([model], check_files=False).diagnostics] == ["V212"]
