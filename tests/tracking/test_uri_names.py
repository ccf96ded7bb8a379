"""A model given as a URI is named by that URI in every finding, report and error.

``validate``, ``lint``, ``inspect``, ``convert`` (text, JSON, SARIF and the library results
behind them), ``Model.load`` and ``mlmodel.pyfunc.load_model`` name a fetched model
``<uri>/MLmodel`` with the exact line and column, never the cached copy's path; ``lint --fix``
and ``convert --in-place`` on a remote URI are usage errors that point to ``mlmodel download``.
Every store is MLflow's embedded sqlite store under a temporary folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pytest

import mlmodel.pyfunc
from mlmodel import Model
from mlmodel.checking.convert import convert
from mlmodel.checking.lint.engine import LintOptions, lint_file
from mlmodel.checking.validate import validate_file
from mlmodel.core.errors import ParseError, UsageError
from mlmodel.modeldir.location import ModelLocation, resolve_model_location
from mlmodel.report.sarif import artifact_location
from tests.tracking_store import sqlite_store

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")

#: V200 at 4:20 (an error), V402 at 6:17 (a warning lint --fix fixes)
BAD = (
    "artifact_path: model\n"
    "flavors:\n"
    "  python_function:\n"
    "    loader_module: 3\n"
    "    python_version: 3.10.12\n"
    "mlflow_version: 2.9\n"
)
#: V100 at 2:1: not readable as YAML
BROKEN = "flavors: [\n"
#: V502 at 3:20: a path out of the model directory
ESCAPE = "flavors:\n  sklearn:\n    pickled_model: ../../x.pkl\n"
REGISTERED = "bad-model"


@dataclass
class Store:
    root: Path
    run_id: str

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    def uri(self, name: str = "model") -> str:
        return f"runs:/{self.run_id}/{name}"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    root = tmp_path_factory.mktemp("uri-names")
    with sqlite_store(root):
        with mlflow.start_run() as run:
            logged = (("model", BAD), ("broken", BROKEN), ("unfetched", BAD), ("escape", ESCAPE))
            for name, text in logged:
                folder = root / "logged" / name
                folder.mkdir(parents=True)
                (folder / "MLmodel").write_text(text)
                mlflow.log_artifacts(str(folder), artifact_path=name)
        mlflow.register_model(f"runs:/{run.info.run_id}/model", REGISTERED)
        mlflow.MlflowClient().set_registered_model_alias(REGISTERED, "champion", "1")
        yield Store(root, run.info.run_id)


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from mlmodel.cli.app import run

    code = run(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _uris(store: Store) -> list[str]:
    return [store.uri(), f"models:/{REGISTERED}/1", f"models:/{REGISTERED}@champion"]


# -- validate and lint: text, JSON, SARIF ------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "lint"])
@pytest.mark.parametrize("form", ["runs", "version", "alias"])
def test_text_names_the_uri_with_exact_positions(
    store: Store, command: str, form: str, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = dict(zip(["runs", "version", "alias"], _uris(store), strict=True))[form]
    code, out, err = _cli([command, "--color", "never", uri], capsys)
    assert code == 1, err
    assert f"{uri}/MLmodel:4:20: error V200 " in out
    assert f"{uri}/MLmodel:6:17: warning V402 " in out
    assert "4 |     loader_module: 3" in out  # the excerpt is read from the cached copy
    assert str(store.cache) not in out + err


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_json_names_the_uri_and_keeps_its_shape(
    store: Store, command: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    uri = store.uri()
    local = tmp_path / "model"
    local.mkdir()
    (local / "MLmodel").write_text(BAD)
    code, out, err = _cli([command, "--format", "json", uri], capsys)
    assert code == 1, err
    found = json.loads(out)
    assert {(d["path"], d["line"], d["column"], d["code"]) for d in found} >= {
        (f"{uri}/MLmodel", 4, 20, "V200"),
        (f"{uri}/MLmodel", 6, 17, "V402"),
    }
    assert str(store.cache) not in out
    # the same keys as for a local model: no field added
    _, local_out, _ = _cli([command, "--format", "json", str(local)], capsys)
    assert [sorted(d) for d in found] == [sorted(d) for d in json.loads(local_out)]


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_sarif_locates_the_finding_at_the_uri(
    store: Store, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = f"models:/{REGISTERED}/1"
    code, out, err = _cli([command, "--format", "sarif", uri], capsys)
    assert code == 1, err
    results = json.loads(out)["runs"][0]["results"]
    located = {
        (
            r["ruleId"],
            json.dumps(r["locations"][0]["physicalLocation"]["artifactLocation"]),
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
        )
        for r in results
    }
    artifact = json.dumps({"uri": f"{uri}/MLmodel"})
    assert {("V200", artifact, 4, 20), ("V402", artifact, 6, 17)} <= located
    assert str(store.cache) not in out


def test_library_reports_name_the_uri_and_keep_the_cached_copy(store: Store) -> None:
    uri = store.uri()
    for report in (validate_file(uri), lint_file(uri, LintOptions()).report):
        assert report.path == f"{uri}/MLmodel"
        assert report.local_path is not None
        assert Path(report.local_path).is_relative_to(store.cache)
        assert Path(report.local_path).read_text() == BAD
        v200 = next(d for d in report.diagnostics if d.code == "V200")
        assert v200.location() == f"{uri}/MLmodel:4:20"
    # a local model: named by its path, no second path
    local = resolve_model_location(Path(str(validate_file(uri).local_path)).parent)
    assert local == ModelLocation.local(local.file)
    assert validate_file(local.file).local_path is None


def test_lint_diff_on_a_uri_names_the_uri_and_writes_nothing(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = store.uri()
    code, out, _ = _cli(["lint", "--diff", "--quiet", uri], capsys)
    assert code == 1
    assert f"--- {uri}/MLmodel\n+++ {uri}/MLmodel\n" in out
    assert "+mlflow_version: '2.9'" in out
    assert resolve_model_location(uri).file.read_text() == BAD


# -- inspect and convert -----------------------------------------------------------------------


def test_inspect_names_the_uri(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    uri = f"models:/{REGISTERED}@champion"
    code, out, err = _cli(["inspect", "--format", "json", uri], capsys)
    assert code == 0, err
    described = json.loads(out)
    assert described["path"] == f"{uri}/MLmodel"
    assert described["model_dir"] == uri
    assert "MLmodel" in [f["path"] for f in described["files"]]
    code, out, _ = _cli(["inspect", "--color", "never", uri], capsys)
    assert code == 0
    assert out.splitlines()[0] == f"{uri}/MLmodel"


@pytest.mark.parametrize("command", ["inspect", "convert"])
def test_unreadable_model_errors_name_the_uri(
    store: Store, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = store.uri("broken")
    code, out, err = _cli([command, uri], capsys)
    assert code == 1
    assert err.startswith(f"mlmodel {command}: cannot read the MLmodel file: {uri}/MLmodel:2:1: ")
    assert str(store.cache) not in out + err
    with pytest.raises(ParseError) as caught:
        convert(uri)
    assert str(caught.value).startswith(f"{uri}/MLmodel:2:1: ")


def test_convert_to_stdout_or_another_file_works_on_a_uri(
    store: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    uri = store.uri()
    code, out, err = _cli(["convert", uri], capsys)
    assert code == 0, err
    assert json.loads(out)["flavors"]["python_function"]["loader_module"] == 3
    target = tmp_path / "MLmodel.json"
    code, _, err = _cli(["convert", uri, "-o", str(target)], capsys)
    assert code == 0, err
    assert json.loads(target.read_text())["mlflow_version"] == 2.9


# -- writing a remote model is a usage error ---------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [["lint", "--fix"], ["lint", "--fix", "--unsafe-fixes"], ["convert", "--in-place"]],
)
def test_writing_a_remote_model_is_a_usage_error(
    store: Store, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    uri = store.uri("unfetched")
    code, out, err = _cli([*argv, uri], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"mlmodel {argv[0]}: {uri}: ")
    assert f"mlmodel download --allow-invalid {uri} DIR" in lines[0]
    assert f"then run `mlmodel {argv[0]} {argv[1]} DIR`" in lines[0]
    assert out == ""
    # refused before anything was fetched
    entries = store.cache / "models"
    assert not entries.exists() or not [e for e in entries.iterdir() if "unfetched" in e.name]


def test_writing_a_remote_model_through_the_library_is_refused(store: Store) -> None:
    uri = f"models:/{REGISTERED}/1"
    cached = resolve_model_location(uri).file
    with pytest.raises(UsageError, match="mlmodel download"):
        lint_file(uri, LintOptions(fix=True))
    result = convert(uri, upgrade=True)
    assert result.source == cached
    with pytest.raises(UsageError, match="mlmodel download"):
        result.write(cached)
    assert cached.read_text() == BAD
    assert lint_file(uri, LintOptions(fix=True, diff=True)).diff  # --diff writes nothing


def test_a_remote_model_with_errors_is_fixed_through_download(
    store: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The refusal names the command that gets a copy to fix; that command fetches the
    model with its errors (named where they are to be fixed), and lint --fix works there."""
    uri = store.uri()
    code, _, err = _cli(["lint", "--fix", uri], capsys)
    assert code == 2
    assert f"`mlmodel download --allow-invalid {uri} DIR`" in err
    target = tmp_path / "fixme"
    argv = ["download", "--no-progress", "--allow-invalid", uri, str(target)]
    code, out, err = _cli(argv, capsys)
    assert code == 0, err
    assert out.strip() == str(target)
    assert f"{target / 'MLmodel'}:4:20: error V200 " in err
    assert f"mlmodel lint --fix {target}" in err
    assert (target / "MLmodel").read_text() == BAD
    code, _, err = _cli(["lint", "--fix", str(target)], capsys)
    assert code == 1  # V200 has no automatic fix; V402 has
    assert "mlflow_version: '2.9'" in (target / "MLmodel").read_text()


def test_download_allow_invalid_still_refuses_a_path_out_of_the_model(
    store: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    uri = store.uri("escape")
    target = tmp_path / "out"
    argv = ["download", "--no-progress", "--allow-invalid", uri, str(target)]
    code, _, err = _cli(argv, capsys)
    assert code == 1
    assert f"{uri}/MLmodel:3:20: error V502 " in err
    assert "--allow-invalid keeps a model with errors, never one whose paths lead out" in err
    assert not target.exists()
    code, _, err = _cli(["download", "--no-progress", uri, str(target)], capsys)
    assert code == 1 and "error V502" in err and not target.exists()


def test_a_local_model_is_still_fixed_in_place(tmp_path: Path) -> None:
    (tmp_path / "MLmodel").write_text(BAD)
    assert lint_file(tmp_path, LintOptions(fix=True)).fixed == ["V402"]
    assert "mlflow_version: '2.9'" in (tmp_path / "MLmodel").read_text()


# -- loading -----------------------------------------------------------------------------------


def test_load_errors_name_the_uri(store: Store) -> None:
    from mlmodel.core.errors import InvalidModelError

    uri = store.uri()
    with pytest.raises(InvalidModelError) as caught:
        mlmodel.pyfunc.load_model(uri)
    message = str(caught.value)
    assert message.startswith(f"{uri}/MLmodel: the model does not validate")
    assert str(store.cache) not in message
    assert {d.location() for d in caught.value.diagnostics} == {f"{uri}/MLmodel:4:20"}
    with pytest.raises(InvalidModelError) as parsed:  # the same class, the same lines
        Model.load(uri)
    assert isinstance(parsed.value, ParseError)  # what Model.load raised before the gate
    assert str(parsed.value).startswith(f"{uri}/MLmodel: the model does not validate")
    assert f"\n  {uri}/MLmodel:4:20: error V200 " in str(parsed.value)


# -- naming rules (no store) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "shown"),
    [
        ("runs:/abc/model", "runs:/abc/model/MLmodel"),
        ("runs:/abc/model/", "runs:/abc/model/MLmodel"),
        ("runs:/abc/model/MLmodel", "runs:/abc/model/MLmodel"),
        ("models:/name@alias", "models:/name@alias/MLmodel"),
        ("s3://bucket/path/to/model", "s3://bucket/path/to/model/MLmodel"),
    ],
)
def test_a_fetched_model_is_named_uri_slash_mlmodel(uri: str, shown: str, tmp_path: Path) -> None:
    location = ModelLocation.fetched(tmp_path / "MLmodel", uri)
    assert location.shown == shown
    assert location.remote
    assert location.shown_dir == shown.rpartition("/")[0]
    assert artifact_location(location.shown, tmp_path) == {"uri": shown}


def test_a_file_uri_names_the_local_path(tmp_path: Path) -> None:
    (tmp_path / "MLmodel").write_text(BAD)
    location = resolve_model_location(tmp_path.as_uri())
    assert location == ModelLocation.local(tmp_path / "MLmodel")
    assert not location.remote
    assert validate_file(tmp_path.as_uri()).path == str(tmp_path / "MLmodel")
