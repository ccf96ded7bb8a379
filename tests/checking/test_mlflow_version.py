"""``--mlflow-version``: golden cases at every release boundary the format reference names,
and the 2.x/3.x ones checked against real MLflow releases (3.17.2 installed here; 2.9.2 in a
virtual environment built under a temporary folder by a ``slow`` test)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mlmodel.checking.validate import validate_bytes, validate_file
from mlmodel.cli.app import run
from mlmodel.core.releases import NEWEST, Release

OLD_MLFLOW = "2.9.2"
OLD_MLFLOW_REQUIREMENTS = [f"mlflow-skinny=={OLD_MLFLOW}", "numpy", "pandas", "scikit-learn<1.6"]
INSTALL_SECONDS = 540

PYFUNC = "  python_function:\n    loader_module: mlflow.pyfunc.model\n    python_model: m.pkl\n"


def _signature(*specs: dict[str, object]) -> str:
    text = json.dumps(json.dumps(list(specs)))
    return f"flavors:\n{PYFUNC}signature:\n  inputs: {text}\n"


def _column(name: str, kind: str, **keys: object) -> str:
    """An MLmodel whose signature has one column ``name`` of type ``kind``, its keys in
    MLflow's order (type, items or values, name, required or optional)."""
    flags: dict[str, object] = {k: keys.pop(k) for k in ("required", "optional") if k in keys}
    return _signature({"type": kind, **keys, "name": name, **flags})


@dataclass(frozen=True)
class Case:
    """A document that one release boundary splits: ``before`` (the last release without
    the feature) gets ``code`` at ``line``, ``boundary`` does not (``removal``: the
    reverse). ``probe`` says how to ask a real MLflow whether it loads the model."""

    name: str
    boundary: str
    before: str
    code: str
    line: int
    text: str
    removal: bool = False
    probe: tuple[str, str] | None = None  # (kind, argument) for _PROBE
    files: dict[str, bytes] = field(default_factory=dict)


def _skops_like() -> bytes:
    """A zip holding a skops ``schema.json`` (the container a skops file is)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.json", json.dumps({"__class__": "LinearRegression"}))
    return buffer.getvalue()


UUID = "model_uuid: 0123456789abcdef0123456789abcdef\n"
TENSOR: dict[str, object] = {"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}
CODE_MODEL = "mlflow.pyfunc.loaders.code_model"
LZMA = "    python_model: python_model.pkl.xz\n    python_model_compression: lzma\n"
FASTAI = "  fastai:\n    data: model.fastai\n    fastai_version: 2.7.12\n"
DIVINER = "  diviner:\n    data: model.div\n    diviner_version: 0.1.1\n"
DIFFUSERS = "  diffusers:\n    base_model: b\n    adapter_type: lora\n    adapter_weights: adapter_weights\n"
SKOPS_SKLEARN = (
    "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    model_path: model.skops\n"
    "  sklearn:\n    pickled_model: model.skops\n    serialization_format: skops\n"
)
MODEL = ("model", "")  # probe: does mlflow.models.Model.load read it


def _module(name: str) -> tuple[str, str]:  # probe: is the module there
    return ("module", name)


# fmt: off
CASES = [
    #    name                        boundary before code  line MLmodel text, then removal, probe, files
    Case("top-level-key",            "1.7",  "1.6",  "V213", 5, f"flavors:\n{PYFUNC}{UUID}"),
    Case("tensor-spec",              "1.14", "1.13", "V213", 6, _signature(TENSOR)),
    Case("datetime-column",          "1.16", "1.15", "V213", 6, _column("t", "datetime")),
    Case("array-column",             "2.10", "2.9",  "V213", 6, _column("a", "array", items={"type": "double"}, required=True), probe=MODEL),
    Case("required-key",             "2.10", "2.9",  "V213", 6, _column("a", "double", required=True), probe=MODEL),
    Case("map-column",               "2.12", "2.11", "V213", 6, _column("m", "map", values={"type": "string"}), probe=MODEL),
    Case("code-model-loader",        "2.12.2", "2.12.1", "V213", 3, f"flavors:\n  python_function:\n    loader_module: {CODE_MODEL}\n", probe=_module(CODE_MODEL)),
    Case("sparkml-vector-column",    "2.16", "2.15", "V213", 6, _column("v", "sparkml_vector"), probe=MODEL),
    Case("any-column",               "2.19", "2.18", "V213", 6, _column("x", "any"), probe=MODEL),
    Case("optional-key",             "2.18", "2.17", "V308", 6, _column("a", "double", optional=True), removal=True, probe=MODEL),
    Case("fastai-removed",           "3.0",  "2.22", "V209", 5, f"flavors:\n{PYFUNC}{FASTAI}", removal=True, probe=_module("mlflow.fastai")),
    Case("diviner-removed",          "3.7",  "3.6",  "V209", 5, f"flavors:\n{PYFUNC}{DIVINER}", removal=True, probe=_module("mlflow.diviner")),
    Case("python-model-compression", "3.0",  "2.22", "V213", 5, f"flavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n{LZMA}"),
    Case("diffusers-flavor",         "3.0",  "2.22", "V213", 2, f"flavors:\n{DIFFUSERS}", probe=_module("mlflow.diffusers")),
    Case("skops-sklearn",            "3.9",  "3.8",  "V213", 7, SKOPS_SKLEARN, probe=("sklearn-format", ""), files={"model.skops": _skops_like()}),
]
# fmt: on


def _codes(text: str, version: str | None) -> list[tuple[str, int | None]]:
    found = validate_bytes(text.encode(), check_files=False, mlflow_version=version)
    return [(d.code, d.line) for d in found if d.code in ("V209", "V213", "V308")]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_release_boundary(case: Case) -> None:
    expected = [(case.code, case.line)]
    before, at = _codes(case.text, case.before), _codes(case.text, case.boundary)
    if case.removal:
        assert (before, at) == ([], expected)
    else:
        assert (before, at) == (expected, [])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_newest_is_the_default(case: Case) -> None:
    newest = _codes(case.text, str(NEWEST))
    assert _codes(case.text, None) == newest
    assert not [c for c in newest if c[0] == "V213"]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("2.9", Release(2, 9)), ("2.12.2", Release(2, 12, 2)), (" 3.0 ", Release(3, 0))],
)
def test_release_parse(text: str, parsed: Release) -> None:
    assert Release.parse(text) == parsed
    assert Release.parse(str(parsed)) == parsed


@pytest.mark.parametrize("text", ["", "3", "3.x", "v2.9", "2.9.1.1", "2.9rc1"])
def test_release_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        Release.parse(text)


def _model(tmp_path: Path, case: Case) -> Path:
    model = tmp_path / case.name
    model.mkdir()
    (model / "MLmodel").write_text(case.text, encoding="utf-8")
    for name, data in case.files.items():
        (model / name).write_bytes(data)
    return model


def test_cli_option_and_project_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = _model(tmp_path, CASES[-1])  # skops: needs 3.9
    assert run(["validate", str(model)]) == 0
    assert run(["validate", "--mlflow-version", "3.8", str(model)]) == 1
    assert "V213" in capsys.readouterr().out
    (tmp_path / ".mlmodel.toml").write_text('mlflow-version = "3.8"\n', encoding="utf-8")
    assert run(["validate", str(model)]) == 1
    assert [d.code for d in validate_file(model).diagnostics] == ["V213"]
    assert run(["validate", "--mlflow-version", "3.9", str(model)]) == 0  # the option wins
    assert run(["validate", "--isolated", str(model)]) == 0  # no configuration read
    capsys.readouterr()
    assert run(["validate", "--mlflow-version", "3.x", str(model)]) == 2
    assert "--mlflow-version" in capsys.readouterr().err
    (tmp_path / ".mlmodel.toml").write_text("mlflow-version = 3.8\n", encoding="utf-8")
    assert run(["validate", str(model)]) == 2


@pytest.mark.parametrize("text", ["9.9", "3.19", "2.23", "0.0", "1.31.2", "4.0"])
def test_unknown_release_is_a_usage_error_listing_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    model = _model(tmp_path, CASES[-1])
    capsys.readouterr()
    assert run(["validate", "--mlflow-version", text, str(model)]) == 2
    assert run(["lint", "--mlflow-version", text, str(model)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    for line in err:
        assert f"--mlflow-version: {text} is not a known MLflow release" in line
        assert "0.1-0.9, 1.0-1.30, 2.0-2.22, 3.0-3.18" in line
    # the same refusal from either configuration file
    (tmp_path / ".mlmodel.toml").write_text(f'mlflow-version = "{text}"\n', encoding="utf-8")
    assert run(["validate", str(model)]) == 2
    assert "mlflow-version: " in capsys.readouterr().err
    (tmp_path / ".mlmodel.toml").unlink()
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.mlmodel]\nmlflow-version = "{text}"\n', encoding="utf-8"
    )
    assert run(["lint", str(model)]) == 2
    assert "is not a known MLflow release" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["0.1", "0.9.1", "1.30.1", "2.22.0", "2.12.2", "3.18"])
def test_every_known_series_is_accepted(tmp_path: Path, text: str) -> None:
    assert str(Release.parse(text)) in text
    validate_bytes(b"flavors: {}\n", check_files=False, mlflow_version=text)


# -- against real MLflow releases ------------------------------------------------------------

_PROBE = """
import importlib.util, json, sys

def verdict(kind, argument, path):
    try:
        if kind == "model":
            from mlflow.models import Model
            Model.load(path)
            return True
        elif kind == "module":
            try:
                return importlib.util.find_spec(argument) is not None
            except ModuleNotFoundError:
                return False
        else:
            import mlflow.sklearn
            try:
                mlflow.sklearn.load_model(path)
                return True
            except Exception as exc:
                return "Unrecognized serialization format" not in str(exc)
    except Exception:
        return False

print(json.dumps([verdict(*job) for job in json.loads(sys.argv[1])]))
"""


def _loads(python: str, models: list[tuple[Case, Path]]) -> list[bool]:
    """Whether the MLflow of ``python`` loads each model: one process asks for all of them
    (MLflow's import is most of a probe's time)."""
    jobs = []
    for case, model in models:
        assert case.probe is not None
        jobs.append([*case.probe, str(model)])
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [python, "-c", _PROBE, json.dumps(jobs)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env=env,
    )
    verdicts: list[bool] = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(verdicts) == len(jobs) and all(isinstance(v, bool) for v in verdicts), verdicts
    return verdicts


@pytest.fixture(scope="session")
def old_mlflow_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A Python with mlflow-skinny 2.9.2, built under a temporary folder (uv's cache too) by
    the uv of the dev extra (pip took about 30 s here; uv, from an empty cache, 2 s)."""
    from mlmodel.environments.interpreters import uv_binary

    folder = tmp_path_factory.mktemp("mlflow-old")
    uv = uv_binary()
    assert uv is not None, "the dev extra installs uv (mlmodel[uv])"
    python = str(folder / "venv" / "bin" / "python")
    env = {**os.environ, "UV_CACHE_DIR": str(folder / "uv-cache")}
    env.pop("VIRTUAL_ENV", None)
    commands = [
        [str(uv), "venv", "--quiet", "--python", sys.executable, str(folder / "venv")],
        # pip's venv brought setuptools, whose pkg_resources MLflow 2.9 imports
        [
            str(uv),
            "pip",
            "install",
            "--quiet",
            "--python",
            python,
            *OLD_MLFLOW_REQUIREMENTS,
            "setuptools<81",
        ],
    ]
    try:
        for command in commands:
            subprocess.run(
                command, capture_output=True, timeout=INSTALL_SECONDS, check=True, env=env
            )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot install mlflow-skinny {OLD_MLFLOW} here: {exc}")
    return python


PROBED = [c for c in CASES if c.probe is not None]


@pytest.fixture(scope="module")
def release_loads(
    old_mlflow_python: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], bool]:
    """(release, case name) -> whether that real release loads the case's model."""
    base = tmp_path_factory.mktemp("probed")
    models = [(case, _model(base, case)) for case in PROBED]
    found = {}
    for python, version in ((old_mlflow_python, OLD_MLFLOW), (sys.executable, "3.17.2")):
        for case, loads in zip(PROBED, _loads(python, models), strict=True):
            found[version, case.name] = loads
    return found


@pytest.mark.slow  # builds a venv with MLflow 2.9.2: minutes
@pytest.mark.parametrize("case", PROBED, ids=lambda c: c.name)
def test_verdicts_match_real_releases(
    case: Case, release_loads: dict[tuple[str, str], bool]
) -> None:
    """For each release, mlmodel says the model cannot be loaded (V213, V209 or V308)
    exactly when that real release fails to load it."""
    for version in (OLD_MLFLOW, "3.17.2"):
        refused = bool(_codes(case.text, version))
        assert refused == (not release_loads[version, case.name]), (version, case.name)


def test_lint_judges_removed_flavors_against_the_release(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fastai = next(c for c in CASES if c.name == "fastai-removed")
    model = _model(tmp_path, fastai)
    assert run(["lint", "--select", "V209", "--format", "json", str(model)]) == 0
    assert [d["code"] for d in json.loads(capsys.readouterr().out)] == ["V209"]
    args = ["lint", "--select", "V209", "--format", "json", "--mlflow-version", "2.22"]
    assert run([*args, str(model)]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert run(["lint", "--mlflow-version", "two", str(model)]) == 2
