"""The published JSON Schema (``schema/``): up to date, valid, and agreeing with mlmodel.

JSON Schema cannot say everything mlmodel checks (signature JSON strings, referenced files,
YAML-level problems...), but what it says must agree with mlmodel's structural verdict:
``check-jsonschema`` and ``jsonschema`` accept a document exactly when mlmodel finds no
structural error in it, and flag the keys mlmodel flags.
"""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from pydantic import BaseModel, ConfigDict

from mlmodel.checking import json_schema
from mlmodel.checking.validate import validate_bytes
from mlmodel.cli.app import run
from mlmodel.core.diagnostics import Diagnostic
from mlmodel.flavors.registry import FlavorSpec, default_registry
from mlmodel.generators import json_schema as export
from mlmodel.yamlio.tree import dotted
from tests.conftest import ROOT, corpus_files, requires_corpus

SCHEMA_DIR = ROOT / "schema"
DOCUMENT = SCHEMA_DIR / "mlmodel.schema.json"
CASES = ROOT / "tests" / "cases"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _published() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    return schema


def _builtin_names() -> list[str]:
    return sorted(default_registry().builtins())


# -- (a) the published files are what the generator gives -------------------------------------


def test_published_files_match_the_generator() -> None:
    stale = export.stale_files(SCHEMA_DIR)
    assert not stale, (
        f"schema/ is out of date with the models or the flavor registry: {', '.join(stale)}. "
        f"Regenerate with: {export.REGENERATE}"
    )


def test_published_files_are_stably_formatted() -> None:
    for relative, text in export.existing_files(SCHEMA_DIR).items():
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n", relative
        assert "\r" not in text, relative


def test_write_and_check_a_schema_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export.main(["--check", "--dir", str(tmp_path)]) == 1
    assert export.REGENERATE in capsys.readouterr().err
    assert export.main(["--write", "--dir", str(tmp_path)]) == 0
    assert export.main(["--check", "--dir", str(tmp_path)]) == 0
    assert export.existing_files(tmp_path) == export.existing_files(SCHEMA_DIR)
    # a flavor file the registry no longer has is stale, and --write deletes it
    gone = tmp_path / "flavors" / "not_a_flavor.schema.json"
    gone.write_text("{}\n", encoding="utf-8")
    assert export.stale_files(tmp_path) == ["flavors/not_a_flavor.schema.json"]
    assert export.main(["--write", "--dir", str(tmp_path)]) == 0
    assert not gone.exists()
    assert export.main(["--check", "--dir", str(tmp_path)]) == 0


# -- (b) valid draft 2020-12 schemas ----------------------------------------------------------


def test_cli_prints_the_published_schema_and_it_is_valid(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["schema"]) == 0
    out = capsys.readouterr().out
    assert out == DOCUMENT.read_text(encoding="utf-8")
    schema = json.loads(out)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DIALECT
    assert schema["$id"] == json_schema.DOCUMENT_ID
    assert schema["title"]
    assert schema["required"][0] == "flavors"


@pytest.mark.parametrize("name", _builtin_names())
def test_every_flavor_schema_is_valid(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["schema", "--flavor", name]) == 0
    schema = json.loads(capsys.readouterr().out)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DIALECT
    assert schema["$id"] == f"{json_schema.ID_PREFIX}flavor:{name}"
    assert schema == json.loads(
        (SCHEMA_DIR / "flavors" / f"{name}.schema.json").read_text(encoding="utf-8")
    )


def test_flavors_come_from_the_registry() -> None:
    flavors = _published()["properties"]["flavors"]
    assert sorted(flavors["properties"]) == _builtin_names()
    assert flavors["minProperties"] == 1
    assert flavors["additionalProperties"] == {"type": "object"}
    files = {p.name for p in (SCHEMA_DIR / "flavors").glob("*.schema.json")}
    assert files == {f"{name}.schema.json" for name in _builtin_names()}


def test_description_says_what_json_schema_cannot_check() -> None:
    description = _published()["description"]
    for words in ("signature", "JSON strings", "files", "loader_module", "YAML"):
        assert words in description


class _Inner(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    path: str


class _Outer(BaseModel):
    """A test flavor whose loader reads it."""

    model_config = ConfigDict(extra="allow", strict=True)
    inner: _Inner
    mode: str | None = None


_SPEC = FlavorSpec(
    name="testflavor",
    schema=f"{__name__}:_Outer",
    summary="a flavor for this test",
    loader_modules=("testflavor.loader",),
)


def test_flavor_definitions_are_renamed_into_the_document() -> None:
    schema = json_schema.document_schema([*default_registry().builtins().values(), _SPEC])
    Draft202012Validator.check_schema(schema)
    assert "_Inner" not in schema["$defs"]
    assert schema["$defs"]["flavor.testflavor"]["properties"]["inner"] == {
        "$ref": "#/$defs/flavor.testflavor._Inner"
    }
    validator = Draft202012Validator(schema)
    good = {"flavors": {"testflavor": {"inner": {"path": "x"}, "extra": 1}}}
    assert not list(validator.iter_errors(good))
    bad = {"flavors": {"testflavor": {"inner": {"path": 1}}}}
    assert [list(e.absolute_path) for e in validator.iter_errors(bad)] == [
        ["flavors", "testflavor", "inner", "path"]
    ]
    # a python_function loader module that reads testflavor needs it in the document
    pyfunc = {"python_function": {"loader_module": "testflavor.loader"}}
    errors = list(validator.iter_errors({"flavors": pyfunc}))
    assert [e.message for e in errors] == ["'testflavor' is a required property"]


def test_a_loader_tied_to_several_flavors_needs_one_of_them() -> None:
    other = FlavorSpec(
        name="otherflavor",
        schema=f"{__name__}:_Outer",
        loader_modules=("testflavor.loader",),
        loader_needs_flavor=False,
    )
    validator = Draft202012Validator(json_schema.document_schema([_SPEC, other]))
    pyfunc = {"python_function": {"loader_module": "testflavor.loader"}}
    assert list(validator.iter_errors({"flavors": pyfunc}))
    for name in ("testflavor", "otherflavor"):
        flavors = {**pyfunc, name: {"inner": {"path": "x"}}}
        assert not list(validator.iter_errors({"flavors": flavors})), name
    # no tied flavor needs the loader's flavor: nothing is required
    alone = json_schema.document_schema([other])
    assert not list(Draft202012Validator(alone).iter_errors({"flavors": pyfunc}))


def test_unknown_keys_and_flavors_are_allowed() -> None:
    validator = Draft202012Validator(_published())
    document = {
        "flavors": {
            "python_function": {"loader_module": "my_loader", "my_key": [1]},
            "sklearn": {"pickled_model": "model.pkl", "future_key": {"a": 1}},
            "my_flavor": {"anything": None},
        },
        "my_top_level_key": "x",
        "signature": {"inputs": "[]", "my_part": 1},
    }
    assert not list(validator.iter_errors(document))


# -- timestamps: what YAML readers give for an unquoted one ----------------------------------

UNQUOTED_TIMESTAMPS = """\
flavors:
  python_function:
    loader_module: my_loader
utc_time_created: 2024-05-01 10:20:30.123456
time_created: 2018-05-02
"""


def test_unquoted_timestamps_as_yaml_readers_give_them() -> None:
    assert not [d for d in validate_bytes(UNQUOTED_TIMESTAMPS.encode()) if d.is_error]
    loaded = yaml.safe_load(UNQUOTED_TIMESTAMPS)
    assert isinstance(loaded["utc_time_created"], datetime.datetime)
    assert isinstance(loaded["time_created"], datetime.date)
    # JSON has no dates: a YAML-to-JSON reader gives a string (check-jsonschema gives the
    # text as written; a JSON dump of yaml.safe_load's result gives the ISO form)
    for text in ("2024-05-01 10:20:30.123456", loaded["utc_time_created"].isoformat()):
        document = {**_jsonable(loaded), "utc_time_created": text}
        assert not list(Draft202012Validator(_published()).iter_errors(document))


# -- (c) check-jsonschema over the corpus -----------------------------------------------------

STRUCTURAL_CODES = "V2"  # V2xx errors: structure and types of the document and its flavors
INPUT_EXAMPLE_TYPE = "V305"  # saved_input_example_info.type: a V203 with its own code


def _is_structural(d: Diagnostic) -> bool:
    return d.is_error and (d.code.startswith(STRUCTURAL_CODES) or d.code == INPUT_EXAMPLE_TYPE)


def _check_jsonschema() -> str | None:
    beside = Path(sys.executable).with_name("check-jsonschema")
    return str(beside) if beside.is_file() else shutil.which("check-jsonschema")


def _run_check_jsonschema(files: list[Path], chunks: int = 4) -> set[str]:
    """The files check-jsonschema rejects (schema errors or unparsable YAML)."""
    tool = _check_jsonschema()
    assert tool is not None
    rejected: set[str] = set()
    size = max(1, -(-len(files) // chunks))
    for start in range(0, len(files), size):
        batch = [str(f) for f in files[start : start + size]]
        argv = [tool, "--schemafile", str(DOCUMENT), "--default-filetype", "yaml"]
        done = subprocess.run(
            [*argv, "-o", "json", *batch], capture_output=True, text=True, check=False
        )
        assert done.returncode in (0, 1), done.stderr
        report = json.loads(done.stdout)
        for entry in (*report.get("errors", []), *report.get("parse_errors", [])):
            rejected.add(entry["filename"])
    return rejected


needs_check_jsonschema = pytest.mark.skipif(
    _check_jsonschema() is None, reason="check-jsonschema is not installed"
)


@needs_check_jsonschema
@requires_corpus
def test_check_jsonschema_agrees_with_mlmodel_on_the_corpus() -> None:
    files = corpus_files()
    rejected = _run_check_jsonschema(files)
    disagree: list[str] = []
    for path in files:
        found = validate_bytes(path.read_bytes(), check_files=False)
        if any(d.is_error and d.code.startswith("V1") for d in found):
            # YAML-level errors (0006, 0190: not YAML at all): no structure to compare;
            # check-jsonschema cannot parse them either
            assert str(path) in rejected, path.name
            continue
        structural = [f"{d.code} {d.key}" for d in found if _is_structural(d)]
        if bool(structural) != (str(path) in rejected):
            verdict = "rejects" if str(path) in rejected else "accepts"
            disagree.append(f"{path.name}: check-jsonschema {verdict}, mlmodel: {structural}")
    assert not disagree, "\n".join(disagree)
    assert len(rejected) < len(files) // 10  # the corpus is nearly all valid


@needs_check_jsonschema
def test_check_jsonschema_on_timestamps_and_flavors(tmp_path: Path) -> None:
    """check-jsonschema reads unquoted timestamps as strings; flavors are required."""
    pyfunc = "flavors:\n  python_function:\n    loader_module: my_loader\n"
    cases = {  # name -> (text, check-jsonschema accepts it, mlmodel accepts it)
        "unquoted_timestamps": (UNQUOTED_TIMESTAMPS, True, True),
        "no_flavors": ("run_id: abc\n", False, False),
        "empty_flavors": ("flavors: {}\n", False, False),
        "null_flavor": ("flavors:\n  sklearn:\n", False, False),
        "unknown_flavor": ("flavors:\n  my_flavor: {a: 1}\n", True, True),
        # Known disagreement, named in the schema's description: check-jsonschema reads YAML
        # 1.2, where `yes` is a string; MLflow (and mlmodel) read YAML 1.1, where it is true.
        "yaml_11_boolean": (pyfunc + "    streamable: yes\n", False, True),
    }
    files: list[Path] = []
    for name, (text, *_) in cases.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "MLmodel").write_text(text, encoding="utf-8")
        files.append(folder / "MLmodel")
    rejected = _run_check_jsonschema(files, chunks=1)
    for (name, (text, accepted, valid)), path in zip(cases.items(), files, strict=True):
        assert (str(path) not in rejected) is accepted, name
        assert (not any(_is_structural(d) for d in validate_bytes(text.encode()))) is valid, name


# -- (d) jsonschema and mlmodel flag the same keys --------------------------------------------

#: case -> why jsonschema rejects it although mlmodel finds no structural error (none so far:
#: documents that are not mappings are YAML-level codes in mlmodel, compared below).
EXEMPT: dict[str, str] = {}

#: mlmodel's codes for a document that is not a mapping: JSON Schema says so at the root.
NOT_A_MAPPING = ("V113", "V114")


def _jsonable(value: Any) -> Any:
    """What a YAML-to-JSON reader gives: string keys, timestamps as ISO strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _error_paths(error: ValidationError) -> set[str]:
    """Where an error is, and where the errors of its anyOf/oneOf branches are."""
    paths = {dotted(tuple(error.absolute_path))}
    for sub in error.context or ():
        paths |= _error_paths(sub)
    return paths


def _within(path: str, parent: str) -> bool:
    return not parent or path == parent or path.startswith((f"{parent}.", f"{parent}["))


def _agreement_files() -> list[Any]:
    cases = sorted(CASES.glob("*/*/MLmodel"))
    params = [pytest.param(p, id=f"{p.parent.parent.name}/{p.parent.name}") for p in cases]
    params += [pytest.param(p, id=f"corpus/{p.stem}") for p in corpus_files()]
    return params


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    return Draft202012Validator(_published())


def _assert_agreement(data: bytes, name: str, validator: Draft202012Validator) -> None:
    try:
        loaded = yaml.safe_load(data)  # as MLflow reads it
    except (yaml.YAMLError, RecursionError):
        pytest.skip("PyYAML cannot load it (mlmodel reports a YAML-level error)")
    found = [d for d in validate_bytes(data, check_files=False) if d.is_error]
    expected = [d for d in found if _is_structural(d) or d.code in NOT_A_MAPPING]
    errors = list(validator.iter_errors(_jsonable(loaded)))
    flagged = set().union(*(_error_paths(e) for e in errors)) if errors else set()
    if not expected:
        if name in EXEMPT:
            assert errors, f"{name} is listed in EXEMPT but jsonschema accepts it now"
            return
        assert not errors, [f"{dotted(tuple(e.absolute_path))}: {e.message}" for e in errors]
        return
    for d in expected:
        # the required-flavor rule is on the flavors mapping; mlmodel points at loader_module
        hits = [p for p in flagged if _within(p, d.key) or (d.code == "V208" and _within(d.key, p))]
        assert hits, f"mlmodel reports {d.code} at {d.key or '(root)'}; jsonschema: {flagged}"
    # and every jsonschema error is about a key mlmodel flags (or one inside or above it)
    for error in errors:
        where = dotted(tuple(error.absolute_path))
        assert any(_within(where, d.key) or _within(d.key, where) for d in expected), (
            f"jsonschema: {where}: {error.message}; mlmodel: {[(d.code, d.key) for d in found]}"
        )


@pytest.mark.parametrize("path", _agreement_files())
def test_jsonschema_flags_what_mlmodel_flags(path: Path, validator: Draft202012Validator) -> None:
    name = f"{path.parent.parent.name}/{path.parent.name}" if CASES in path.parents else path.name
    _assert_agreement(path.read_bytes(), name, validator)


def _loader_needing_its_flavor() -> str:
    for spec in default_registry().builtins().values():
        if spec.loader_needs_flavor and spec.loader_modules:
            return f"python_function:\n    loader_module: {spec.loader_modules[0]}\n"
    return "python_function:\n    loader_module: mlflow.xgboost\n  xgboost: {}\n"


_PYFUNC = "flavors:\n  python_function:\n    loader_module: "
#: small documents for rules the golden cases may not reach
INLINE = {
    "flavors_null": "flavors:\n",
    "flavors_a_list": "flavors: [python_function]\n",
    "flavor_null": "flavors:\n  sklearn:\n",
    "unknown_flavor_scalar": "flavors:\n  my_flavor: 1\n",
    "version_boolean": "flavors: {my_flavor: {}}\nmlflow_version: true\n",
    "loader_not_dotted": _PYFUNC + "my-loader.py\n",
    "loader_mlflow_itself": _PYFUNC + "mlflow\n",
    "loader_needs_its_flavor": "flavors:\n  " + _loader_needing_its_flavor(),
    "sklearn_loader_model_path_null": _PYFUNC + "mlflow.sklearn\n    model_path: null\n",
    "sklearn_loader_legacy_data": _PYFUNC + "mlflow.sklearn\n    data: model.pkl\n",
    "pyfunc_model_empty_python_model": _PYFUNC + "mlflow.pyfunc.model\n    python_model: ''\n",
    "pyfunc_model_from_code": _PYFUNC + "mlflow.pyfunc.model\n    model_code_path: /a/m.py\n",
    "input_example_null_type": "flavors: {my_flavor: {}}\nsaved_input_example_info:\n"
    "  artifact_path: input_example.json\n  type: null\n",
    "yaml_11_boolean": _PYFUNC + "my_loader\n    streamable: yes\n",
}


@pytest.mark.parametrize("name", sorted(INLINE))
def test_jsonschema_flags_what_mlmodel_flags_inline(
    name: str, validator: Draft202012Validator
) -> None:
    _assert_agreement(INLINE[name].encode(), name, validator)


def test_exemptions_name_existing_cases() -> None:
    for name in EXEMPT:
        assert (CASES / name / "MLmodel").is_file(), name


# -- JSON Schema disagreements mlmodel knows about -------------------------------------------


def test_json_schema_counts_a_whole_float_as_an_integer() -> None:
    """Known limit, named in the schema's description: 1.0 is an integer to JSON Schema."""
    text = "flavors:\n  my_flavor: {}\nmodel_size_bytes: 1234.0\n"
    assert [d.code for d in validate_bytes(text.encode()) if d.is_error] == ["V200"]
    assert not list(Draft202012Validator(_published()).iter_errors(yaml.safe_load(text)))
    assert "1.0 as an integer" in _published()["description"]


# -- (e) the command line ---------------------------------------------------------------------


def test_unknown_flavor_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["schema", "--flavor", "nope"]) == 2
    captured = capsys.readouterr()
    assert not captured.out
    assert "unknown flavor 'nope'" in captured.err
    assert run(["schema", "--flavor", "skearn"]) == 2
    assert "did you mean 'sklearn'?" in capsys.readouterr().err


def test_list_flavors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["schema", "--list-flavors"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines]
    assert {"python_function", "sklearn"} <= set(names)
    assert names == sorted(names)
    pyfunc = next(line for line in lines if line.startswith("python_function "))
    assert "built-in" in pyfunc
    infos = {info.name: info for info in json_schema.list_flavors()}
    assert infos["sklearn"].origin == "built-in"
    assert infos["sklearn"].summary


def test_flavor_and_list_flavors_exclude_each_other() -> None:
    assert run(["schema", "--flavor", "sklearn", "--list-flavors"]) == 2


def test_schema_command_in_a_fresh_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mlmodel", "schema", "--flavor", "sklearn"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["$id"] == f"{json_schema.ID_PREFIX}flavor:sklearn"


def test_generating_never_imports_jsonschema() -> None:
    probe = (
        "import sys; from mlmodel.generators import json_schema as e; e.generate_files(); "
        "print('jsonschema' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "False"
