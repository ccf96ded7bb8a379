"""One error language (issue 17): one exception root with one class per outcome, every
diagnostic shown as ``file:line:col: severity CODE message (hint)``, a missing extra or Java
named, paths named as the user gave them, the same exit code for the same cause on every
command (usage 2, model 1), cheap checks before the model loads, and no "internal error" for
anything a user can cause."""

from __future__ import annotations

import importlib
import inspect
import os
import pickle
import re
import shutil
import socket
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import mlmodel
import mlmodel.pyfunc
from harness.child_process import ROOT, child_env, run_bounded
from harness.servers import free_port, save_classifier
from harness.signing_keys import write_key_pair
from mlmodel.cli.app import run
from mlmodel.core.diagnostics import Diagnostic, Severity
from mlmodel.core.errors import (
    EXTRAS,
    MODULE_OF_DISTRIBUTION,
    InvalidModelError,
    MissingDependencyError,
    MLModelError,
    MlmodelException,
    ModelLoadError,
    ModelNotFoundError,
    ParseError,
    PredictionError,
    SchemaEnforcementError,
    UnsafeModelError,
    UsageError,
    extra_for,
    missing_extra,
    needs_extra,
    require_modules,
)

#: a line of validate's output: file:line:col: severity CODE message
DIAGNOSTIC_LINE = re.compile(r"\S+:\d+:\d+: error V\d{3} ")
#: how long one command may take to refuse a bad input (a loaded 2-core machine)
BOUND_SECONDS = 60.0


@pytest.fixture(autouse=True)
def _trust_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLMODEL_ALLOW_UNSAFE", raising=False)
    monkeypatch.delenv("MLMODEL_NO_PICKLE", raising=False)


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A valid classifier (skops), the same with an invalid MLmodel (V200), and a
    cloudpickle pipeline whose pickle imports numpy.log1p (off the allowlist)."""
    import mlflow.sklearn
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    base = tmp_path_factory.mktemp("error-language")
    clf = save_classifier(base / "clf")
    invalid = base / "invalid"
    shutil.copytree(clf, invalid)
    text = (invalid / "MLmodel").read_text()
    (invalid / "MLmodel").write_text(
        text.replace("loader_module: mlflow.sklearn", "loader_module: 3")
    )
    frame = pd.DataFrame(
        np.abs(np.random.default_rng(0).normal(size=(40, 4))), columns=list("abcd")
    )
    pipeline = make_pipeline(FunctionTransformer(np.log1p), LogisticRegression())
    pipeline.fit(frame, (frame.a > frame.b).astype(int))
    unsafe = base / "unsafe"
    mlflow.sklearn.save_model(pipeline, str(unsafe), serialization_format="cloudpickle")
    data = base / "in.json"
    data.write_text(
        '{"dataframe_split": {"columns": ["a", "b", "c", "d"], "data": [[1, 2, 3, 4]]}}'
    )
    parquet = base / "in.parquet"
    pd.DataFrame([[1.0, 2.0, 3.0, 4.0]], columns=list("abcd")).to_parquet(parquet)
    return {"clf": clf, "invalid": invalid, "unsafe": unsafe, "json": data, "parquet": parquet}


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str]]:
    """Run the CLI in this process: (exit code, stderr), within the time bound, never an
    internal error nor a traceback nor a Diagnostic repr."""

    def call(*argv: str | Path) -> tuple[int, str]:
        start = time.monotonic()
        code = run([str(a) for a in argv])
        took = time.monotonic() - start
        err = capsys.readouterr().err
        assert took < BOUND_SECONDS, (argv, took)
        for bad in ("internal error", "Traceback", "Diagnostic(", "mlmodel-tmp"):
            assert bad not in err, (argv, err)
        return code, err

    return call


def _hide(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make ``import MODULE`` (and its submodules) fail as if it were not installed."""
    for top in modules:
        for name in [m for m in sys.modules if m == top or m.startswith(f"{top}.")]:
            monkeypatch.setitem(sys.modules, name, None)
        monkeypatch.setitem(sys.modules, top, None)


# -- one root, one class per outcome -----------------------------------------------------------


def _exception_classes() -> list[type[BaseException]]:
    import pkgutil

    found: list[type[BaseException]] = []
    for info in pkgutil.walk_packages(mlmodel.__path__, "mlmodel."):
        if info.name == "mlmodel.__main__":
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and obj.__module__ == module.__name__
            ):
                found.append(obj)
    return found


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")
def test_every_exception_class_derives_from_the_root() -> None:
    classes = _exception_classes()
    outside = [
        f"{c.__module__}.{c.__qualname__}"
        for c in classes
        if not issubclass(c, MLModelError) and not c.__name__.startswith("_")
    ]
    assert outside == []
    # one class per outcome: a single UnsafeModelError, a single MLModelError
    assert [c for c in classes if c.__name__ == "UnsafeModelError"] == [UnsafeModelError]
    assert len({c for c in classes if c.__name__ in ("MLModelError", "MlmodelException")}) == 1


def test_the_facades_export_the_root_s_classes() -> None:
    from mlmodel.signing import SignatureError, SigningUnavailableError

    assert MlmodelException is MLModelError
    assert mlmodel.pyfunc.MlmodelException is MLModelError
    assert mlmodel.pyfunc.UnsafeModelError is UnsafeModelError is mlmodel.UnsafeModelError
    assert mlmodel.pyfunc.InvalidModelError is InvalidModelError is mlmodel.InvalidModelError
    assert mlmodel.pyfunc.SchemaEnforcementError is SchemaEnforcementError
    assert issubclass(InvalidModelError, ParseError)
    assert issubclass(SignatureError, UnsafeModelError)
    assert issubclass(SigningUnavailableError, MissingDependencyError)
    assert issubclass(ModelNotFoundError, UsageError)
    assert issubclass(MissingDependencyError, UsageError)
    error = UnsafeModelError("refused", path="model.pkl", globals=["os.system"])
    assert error.globals == ["os.system"] and not hasattr(error, "globals_")


def _signature_error() -> MLModelError:
    from mlmodel.signing import SignatureError

    return SignatureError("changed", reason="changed", signature="model.sig", files=["a"])


# (error, MLflow error_code, CLI exit code, HTTP status in a scoring server)
OUTCOMES: list[tuple[Callable[[], MLModelError], str, int, int]] = [
    (lambda: UsageError("bad option"), "INVALID_PARAMETER_VALUE", 2, 400),
    (lambda: ModelNotFoundError("nope: no such file"), "RESOURCE_DOES_NOT_EXIST", 2, 404),
    (lambda: MissingDependencyError.for_extra("serve", "x"), "INVALID_STATE", 2, 400),
    (lambda: ParseError("x:1:1: error V100 bad"), "INVALID_PARAMETER_VALUE", 1, 400),
    (lambda: InvalidModelError("does not validate"), "INVALID_PARAMETER_VALUE", 1, 400),
    (lambda: UnsafeModelError("refused", path="p"), "PERMISSION_DENIED", 1, 403),
    (_signature_error, "PERMISSION_DENIED", 1, 403),
    (lambda: ModelLoadError("no flavor"), "INVALID_PARAMETER_VALUE", 1, 400),
    (lambda: SchemaEnforcementError("column a"), "INVALID_PARAMETER_VALUE", 1, 400),
    (lambda: PredictionError("the Spark job failed"), "INVALID_STATE", 1, 400),
]


@pytest.mark.parametrize(("make", "code", "exit_code", "status"), OUTCOMES)
def test_each_outcome_has_its_error_code_exit_code_and_http_status(
    make: Callable[[], MLModelError], code: str, exit_code: int, status: int
) -> None:
    from mlmodel.cli.errors import exit_code as cli_exit_code
    from mlmodel.scoring.errors import from_exception

    error = make()
    assert error.error_code == code
    assert cli_exit_code(error) == exit_code
    assert from_exception(error).status == status
    assert from_exception(error).message == error.message


def test_schema_enforcement_keeps_mlflow_s_error_class() -> None:
    assert SchemaEnforcementError("x").error_class == "SCHEMA_ENFORCEMENT_FAILED"
    assert MLModelError.invalid_parameter_value("x").error_code == "INVALID_PARAMETER_VALUE"


@pytest.mark.parametrize(
    "error",
    [
        UnsafeModelError("refused", path="model.pkl", globals=["os.system"]),
        MissingDependencyError.for_extra("sklearn", "loading this model", "sklearn"),
        InvalidModelError("bad", [Diagnostic("V200", Severity.ERROR, "m", file="f", line=1)]),
        ModelNotFoundError("nope: no such file or directory"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_survive_pickling_with_their_attributes(error: MLModelError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)


def test_fsio_refusals_are_usage_errors_and_oserrors(tmp_path: Path) -> None:
    from mlmodel.core.fsio import NotRegularFileError, read_regular

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFileError) as caught:
        read_regular(fifo, max_bytes=10)
    assert isinstance(caught.value, UsageError) and isinstance(caught.value, OSError)
    assert str(caught.value) == f"{fifo}: a FIFO, not a regular file"
    assert caught.value.filename == str(fifo)


# -- diagnostics as validate prints them ------------------------------------------------------


def _diagnostic(line: int, code: str = "V200", hint: str | None = None) -> Diagnostic:
    return Diagnostic(
        code, Severity.ERROR, f"problem {line}", file="m/MLmodel", line=line, column=3, hint=hint
    )


def test_parse_errors_show_every_diagnostic_as_validate_prints_it() -> None:
    first, second = _diagnostic(1, hint="do this"), _diagnostic(2, "V201")
    error = ParseError(str(first), [first, second])
    assert str(error).splitlines() == [
        "m/MLmodel:1:3: error V200 problem 1 (do this)",
        "  m/MLmodel:2:3: error V201 problem 2",
    ]
    many = InvalidModelError(
        "m/MLmodel: the model does not validate", [_diagnostic(i) for i in range(1, 26)]
    )
    lines = str(many).splitlines()
    assert len(lines) == 1 + 20 + 1 and lines[-1] == "  ... and 5 more"
    assert "Diagnostic(" not in str(many)


def test_the_gate_s_listing_is_not_repeated(models: dict[str, Path]) -> None:
    with pytest.raises(InvalidModelError) as caught:
        mlmodel.pyfunc.load_model(models["invalid"])
    text = str(caught.value)
    lines = [line for line in text.splitlines() if DIAGNOSTIC_LINE.search(line)]
    assert len(lines) == len(caught.value.diagnostics) == 1
    assert lines[0].strip() == str(caught.value.diagnostics[0])
    with pytest.raises(ParseError) as parsed:  # Model.load passes the same gate
        mlmodel.Model.load(models["invalid"])
    text = str(parsed.value)
    lines = [line for line in text.splitlines() if DIAGNOSTIC_LINE.search(line)]
    assert len(lines) == len(parsed.value.diagnostics) == 1
    assert re.match(r"\s*.*/invalid/MLmodel:\d+:\d+: error V200 ", lines[0])


# -- a missing optional dependency names its extra --------------------------------------------


def _requirement_modules(requirement: str, extras: dict[str, list[str]]) -> set[str]:
    name = re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower()
    if name == "mlmodel":  # mlmodel[sklearn]: another extra's requirements
        inner = requirement.partition("[")[2].partition("]")[0].split(",")
        return set().union(*(_modules_of(extras, e.strip()) for e in inner))
    return {MODULE_OF_DISTRIBUTION.get(name, name.replace("-", "_"))}


def _modules_of(extras: dict[str, list[str]], extra: str) -> set[str]:
    return set().union(*(_requirement_modules(r, extras) for r in extras[extra]))


def test_the_extras_table_is_pyproject_s() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras: dict[str, list[str]] = project["optional-dependencies"]
    runtime = {name for name in extras if name not in ("dev", "docs")}  # docs: the site only
    assert set(EXTRAS) == runtime
    for extra in runtime:
        assert set(EXTRAS[extra]) == _modules_of(extras, extra), extra


@pytest.mark.parametrize(
    ("module", "preferred", "extra"),
    [
        ("uvicorn", (), "serve"),
        ("pyarrow.parquet", ("serve",), "serve"),
        ("pyarrow", ("spark",), "spark"),
        ("pandas", (), "sklearn"),
        ("sklearn.tree", ("serve",), "sklearn"),
        ("mlflow", (), "tracking"),
        ("model_signing", (), "sign"),
        ("OpenSSL", (), "sign"),
        ("pyspark.sql", (), "spark"),
        ("xgboost", (), "xgboost"),
        ("no_such_module", (), None),
    ],
)
def test_a_module_maps_to_the_extra_that_installs_it(
    module: str, preferred: tuple[str, ...], extra: str | None
) -> None:
    assert extra_for(module, preferred) == extra
    error = missing_extra(
        ModuleNotFoundError(f"No module named {module!r}", name=module), "it", preferred
    )
    if extra is None:
        assert error is None
    else:
        assert error is not None and error.extra == extra
        assert str(error).startswith(f'it needs the {extra} extra: pip install "mlmodel[{extra}]"')


def test_needs_extra_translates_only_modules_an_extra_installs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _hide(monkeypatch, "uvicorn")
    with (
        pytest.raises(
            MissingDependencyError, match=r'needs the serve extra: pip install "mlmodel\[serve\]"'
        ),
        needs_extra("serve", "mlmodel serve"),
    ):
        import uvicorn  # noqa: F401
    with pytest.raises(ModuleNotFoundError), needs_extra("serve", "mlmodel serve"):
        importlib.import_module("no_such_module_anywhere")
    with pytest.raises(MissingDependencyError, match="no module named 'uvicorn'"):
        require_modules("serve", "mlmodel serve", ("starlette", "uvicorn"))


# (command line, modules hidden, extra named); MODEL, INPUT, PARQUET, PORT, KEY, PUB, OUT
# stand for the fixtures
MISSING_EXTRAS = [
    (["serve", "MODEL", "--port", "PORT"], ["uvicorn"], "serve"),
    (["serve", "MODEL", "--port", "PORT"], ["starlette"], "serve"),
    (["predict", "MODEL", "-i", "INPUT"], ["pandas"], "serve"),
    (["predict", "MODEL", "-i", "INPUT"], ["pyarrow"], "serve"),
    (["predict", "MODEL", "-i", "INPUT"], ["skops", "sklearn"], "sklearn"),
    (["download", "runs:/0123abc/model", "OUT"], ["mlflow"], "tracking"),
    (["validate", "models:/churn/1"], ["mlflow"], "tracking"),
    (["predict", "MODEL", "--engine", "spark", "-i", "PARQUET", "-o", "OUT"], ["pyspark"], "spark"),
    (["sign", "MODEL", "--key", "KEY"], ["model_signing"], "sign"),
    (["verify", "MODEL", "--key", "PUB"], ["model_signing"], "sign"),
]


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    pair = write_key_pair(tmp_path_factory.mktemp("keys"), "key")
    return pair.private, pair.public


@pytest.mark.parametrize(
    ("argv", "hidden", "extra"), MISSING_EXTRAS, ids=lambda v: v if isinstance(v, str) else None
)
def test_a_missing_extra_is_named_with_its_install_line(
    argv: list[str],
    hidden: list[str],
    extra: str,
    models: dict[str, Path],
    keys: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., tuple[int, str]],
) -> None:
    model = tmp_path / "model"
    shutil.copytree(models["clf"], model)
    values = {
        "MODEL": str(model),
        "INPUT": str(models["json"]),
        "PARQUET": str(models["parquet"]),
        "PORT": str(free_port()),
        "KEY": str(keys[0]),
        "PUB": str(keys[1]),
        "OUT": str(tmp_path / "out"),
    }
    monkeypatch.chdir(tmp_path)  # MLflow's client would create ./mlflow.db
    _hide(monkeypatch, *hidden)
    code, err = cli(*(values.get(a, a) for a in argv))
    assert code == 2, err
    assert f'pip install "mlmodel[{extra}]"' in err
    assert err.startswith(f"mlmodel {argv[0]}")
    assert err.count(f"mlmodel {argv[0]}") == 1, err  # the command named once


def test_a_module_no_command_translated_is_still_named_by_the_cli(
    models: dict[str, Path], monkeypatch: pytest.MonkeyPatch, cli: Callable[..., tuple[int, str]]
) -> None:
    import mlmodel.checking.inspection

    def missing(*args: object, **kwargs: object) -> Any:
        raise ModuleNotFoundError("No module named 'orjson'", name="orjson")

    monkeypatch.setattr(mlmodel.checking.inspection, "inspect_model", missing)
    code, err = cli("inspect", models["clf"])
    assert code == 2
    assert 'mlmodel inspect needs the serve extra: pip install "mlmodel[serve]"' in err


def test_a_bug_is_still_an_internal_error(
    models: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import mlmodel.checking.inspection

    def bug(*args: object, **kwargs: object) -> Any:
        raise ModuleNotFoundError("No module named 'no_such_module'", name="no_such_module")

    monkeypatch.setattr(mlmodel.checking.inspection, "inspect_model", bug)
    assert run(["inspect", str(models["clf"])]) == 1
    assert "internal error: ModuleNotFoundError" in capsys.readouterr().err


# -- Java 17 for --engine spark ---------------------------------------------------------------


def _spark_predict(models: dict[str, Path], tmp_path: Path, **env: str) -> tuple[int, str]:
    start = time.monotonic()
    done = run_bounded(
        [
            sys.executable, "-m", "mlmodel", "predict", str(models["clf"]), "--engine", "spark",
            "-i", str(models["parquet"]), "-o", str(tmp_path / "out"),
        ],
        env=child_env(**env),
        cwd=tmp_path,
    )  # fmt: skip
    assert time.monotonic() - start < BOUND_SECONDS
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    return done.returncode, done.stderr


def test_spark_without_java_names_java_17_and_java_home(
    models: dict[str, Path], tmp_path: Path
) -> None:
    empty = tmp_path / "jdk"
    empty.mkdir()
    no_java = str(Path(sys.executable).parent)  # this venv: python, no java
    code, err = _spark_predict(models, tmp_path, JAVA_HOME=str(empty), PATH=no_java)
    assert code == 2, err
    assert "Java 17" in err and f"JAVA_HOME is {empty}" in err
    env = child_env(PATH=no_java)
    env.pop("JAVA_HOME", None)
    done = run_bounded(
        [
            sys.executable, "-m", "mlmodel", "predict", str(models["clf"]), "--engine", "spark",
            "-i", str(models["parquet"]), "-o", str(tmp_path / "out"),
        ],
        env=env,
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Java 17" in done.stderr and "JAVA_HOME is not set" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_java_that_cannot_start_spark_names_java_17(
    models: dict[str, Path], tmp_path: Path
) -> None:
    """A java that exits at once (too old, broken): pyspark's JAVA_GATEWAY_EXITED."""
    fake = tmp_path / "jdk" / "bin" / "java"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\necho 'UnsupportedClassVersionError' >&2\nexit 1\n")
    fake.chmod(0o755)
    code, err = _spark_predict(models, tmp_path, JAVA_HOME=str(fake.parent.parent))
    assert code == 2, err
    assert "Java 17" in err and "the Java gateway exited" in err and "JAVA_HOME" in err


def test_a_jvm_error_is_the_spark_job_s_one_line_cause() -> None:
    from mlmodel.spark.batch import spark_failure

    class JavaException:
        def getMessage(self) -> str:
            return "[FAILED_READ_FILE.CANNOT_READ_FILE_FOOTER] in.json is not Parquet.\nat ..."

    class Py4JJavaError(Exception):
        java_exception = JavaException()

    error = spark_failure(Py4JJavaError("An error occurred while calling o34.parquet"), "i", "o")
    assert isinstance(error, PredictionError)
    assert str(error) == (
        "the Spark job failed: [FAILED_READ_FILE.CANNOT_READ_FILE_FOOTER] in.json is not Parquet."
    )


# -- the same exit code for the same cause ----------------------------------------------------

MISSING_PATH = [
    ["validate", "NOPE"],
    ["lint", "NOPE"],
    ["inspect", "NOPE"],
    ["convert", "NOPE"],
    ["serve", "NOPE", "--port", "PORT"],
    ["predict", "NOPE", "-i", "INPUT"],
    ["generate-dockerfile", "NOPE", "-o", "OUT"],
    ["download", "NOPE", "OUT"],
    ["sign", "NOPE", "--key", "KEY"],
    ["verify", "NOPE", "--key", "KEY"],
]


@pytest.mark.parametrize("argv", MISSING_PATH, ids=lambda argv: argv[0])
def test_a_missing_model_exits_2_on_every_command(
    argv: list[str],
    models: dict[str, Path],
    tmp_path: Path,
    cli: Callable[..., tuple[int, str]],
) -> None:
    nope = tmp_path / "nope"
    values = {
        "NOPE": str(nope),
        "PORT": str(free_port()),
        "INPUT": str(models["json"]),
        "OUT": str(tmp_path / "out"),
        "KEY": str(tmp_path / "key.pem"),
    }
    code, err = cli(*(values.get(a, a) for a in argv))
    assert code == 2, err
    assert f"{nope}: no such " in err


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "URI"],
        ["inspect", "URI"],
        ["serve", "URI", "--port", "PORT"],
        ["predict", "URI", "-i", "INPUT"],
        ["generate-dockerfile", "URI", "-o", "OUT"],
        ["download", "URI", "OUT"],
    ],
    ids=lambda argv: argv[0],
)
@pytest.mark.parametrize("uri", ["http://example.com/model", "https://example.com/m/"])
def test_an_http_uri_is_a_usage_error(
    argv: list[str],
    uri: str,
    models: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., tuple[int, str]],
) -> None:
    monkeypatch.chdir(tmp_path)
    values = {
        "URI": uri,
        "PORT": str(free_port()),
        "INPUT": str(models["json"]),
        "OUT": str(tmp_path / "out"),
    }
    code, err = cli(*(values.get(a, a) for a in argv))
    assert code == 2, err
    assert f"{uri}: not a model URI MLflow's client can download" in err
    assert "/mlflow-artifacts/artifacts" in err
    assert list(tmp_path.iterdir()) == []  # refused before MLflow's client (no ./mlflow.db)


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_a_busy_port_is_refused_before_the_model_is_read(
    busy_port: int,
    models: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., tuple[int, str]],
) -> None:
    import mlmodel.serve.server

    def never(*args: object) -> Any:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(mlmodel.serve.server, "load_config", never)
    code, err = cli("serve", models["clf"], "--port", busy_port)
    assert code == 2, err
    assert f"127.0.0.1:{busy_port}: the port is in use" in err and "--port" in err
    code, err = cli("serve", "no-such-model", "--port", busy_port)  # the port is checked first
    assert code == 2 and "the port is in use" in err and "no-such-model" not in err


def test_a_busy_port_names_the_keyword_for_python_callers(busy_port: int) -> None:
    from mlmodel.serve.server import ServeOptions, check_address

    with pytest.raises(UsageError, match=r"the port is in use .*choose another port="):
        check_address(ServeOptions(model="m", port=busy_port))
    with pytest.raises(UsageError, match="cannot listen there"):
        check_address(ServeOptions(model="m", host="no-such-host.invalid", port=busy_port))


def test_predict_checks_its_paths_before_loading_and_names_them_as_given(
    models: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., tuple[int, str]],
) -> None:
    import mlmodel.runtime.gate

    def never(*args: object) -> Any:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(mlmodel.runtime.gate, "load_trusted", never)
    output = tmp_path / "no" / "such" / "dir" / "out.json"
    code, err = cli("predict", models["clf"], "-i", models["json"], "-o", output)
    assert code == 2
    assert err.startswith(f"mlmodel predict: {output}: no such directory")
    code, err = cli("predict", models["clf"], "-i", tmp_path / "absent.json")
    assert code == 2 and f"{tmp_path / 'absent.json'}: no such file or directory" in err


def test_writes_name_the_target_as_given_never_the_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlmodel.core.fsio import atomic_directory, write_file

    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError) as caught:
        write_file("missing/out.json", b"{}")
    assert caught.value.filename == "missing/out.json"
    with pytest.raises(FileNotFoundError) as inside, atomic_directory("model") as folder:
        (folder / "sub" / "file").write_bytes(b"x")
    assert inside.value.filename == f"model{os.sep}sub{os.sep}file"
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    from tests.tracking_store import sqlite_store

    with sqlite_store(tmp_path_factory.mktemp("store")):
        yield


@pytest.mark.usefixtures("tracking")
def test_download_errors_name_the_model_as_given(
    models: dict[str, Path], tmp_path: Path, cli: Callable[..., tuple[int, str]]
) -> None:
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    (empty / "notes.txt").write_text("no MLmodel here")
    code, err = cli("download", empty, tmp_path / "a")
    assert code == 2 and f"{empty}: not a model (no MLmodel file at its root)" in err
    code, err = cli("download", models["invalid"], tmp_path / "b")
    assert code == 1
    assert re.search(rf"{re.escape(str(models['invalid']))}/MLmodel:\d+:\d+: error V200 ", err)
    if Path("/proc/self").is_dir():  # no folder can be created in /proc, even by root
        code, err = cli("download", models["clf"], "/proc/mlmodel-download-test")
        assert code == 2 and "/proc/mlmodel-download-test: No such file or directory" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-model"]


# -- diagnostics and refusals on every command ------------------------------------------------


@pytest.mark.usefixtures("tracking")
@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "MODEL", "--port", "PORT", "--workers", "1"],
        ["predict", "MODEL", "-i", "INPUT"],
        ["generate-dockerfile", "MODEL", "-o", "OUT"],
        ["download", "MODEL", "OUT"],
    ],
    ids=lambda argv: argv[0],
)
def test_an_invalid_model_is_shown_as_validate_shows_it(
    argv: list[str],
    models: dict[str, Path],
    tmp_path: Path,
    cli: Callable[..., tuple[int, str]],
) -> None:
    values = {
        "MODEL": str(models["invalid"]),
        "PORT": str(free_port()),
        "INPUT": str(models["json"]),
        "OUT": str(tmp_path / "out"),
    }
    code, err = cli(*(values.get(a, a) for a in argv))
    assert code == 1, err
    assert re.search(rf"  {re.escape(str(models['invalid']))}/MLmodel:\d+:\d+: error V200 ", err)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "MODEL", "--port", "PORT", "--workers", "1"],
        ["serve", "MODEL", "--port", "PORT", "--workers", "2"],
        ["predict", "MODEL", "-i", "INPUT"],
        ["generate-dockerfile", "MODEL", "-o", "OUT"],
    ],
    ids=lambda argv: "-".join(a for a in argv if a[0].islower() or a[0] == "-")[:40],
)
def test_an_unsafe_pickle_refusal_names_the_cli_options(
    argv: list[str],
    models: dict[str, Path],
    tmp_path: Path,
    cli: Callable[..., tuple[int, str]],
) -> None:
    values = {
        "MODEL": str(models["unsafe"]),
        "PORT": str(free_port()),
        "INPUT": str(models["json"]),
        "OUT": str(tmp_path / "out"),
    }
    code, err = cli(*(values.get(a, a) for a in argv))
    assert code == 1, err
    assert "refusing to unpickle" in err and "numpy.log1p" in err
    assert "--trust-type numpy.log1p" in err and "--allow-unsafe" in err
    assert "--trusted-key" in err
    assert "allow_unsafe=True" not in err and "trusted_types=" not in err


def test_python_callers_are_told_the_keyword_arguments(models: dict[str, Path]) -> None:
    with pytest.raises(UnsafeModelError) as caught:
        mlmodel.pyfunc.load_model(models["unsafe"])
    assert "allow_unsafe=True" in str(caught.value) and "trusted_types=" in str(caught.value)
    assert caught.value.globals == ["numpy.log1p"]


def test_the_documented_exit_code_table_is_the_cli_s() -> None:
    from mlmodel.cli import errors

    section = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    table = section[: section.index("\n\n", section.index("| exit |"))]
    documented = {int(code) for code in re.findall(r"^\| `(\d+)` \|", table, flags=re.MULTILINE)}
    assert documented == {
        errors.EXIT_CLEAN,
        errors.EXIT_FINDINGS,
        errors.EXIT_USAGE,
        errors.EXIT_INTERRUPTED,
    }
    assert "a port in use" in table and "a missing extra or Java" in table


def test_loading_with_trusted_keys_names_the_sign_extra(
    models: dict[str, Path],
    keys: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mlmodel.signing import sign_model

    model = tmp_path / "signed"
    shutil.copytree(models["clf"], model)
    sign_model(model, keys[0])
    _hide(monkeypatch, "model_signing")
    with pytest.raises(MissingDependencyError) as caught:
        mlmodel.pyfunc.load_model(model, trusted_keys=[keys[1]])
    assert caught.value.extra == "sign"
    assert str(caught.value).startswith(
        'checking a signature (trusted keys) needs the sign extra: pip install "mlmodel[sign]"'
    )


def test_a_tracking_store_mlflow_refuses_is_a_usage_error(
    cli: Callable[..., tuple[int, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MLflow 3 refuses a file tracking store when its client is made: one line naming the
    URI, exit 2 (it was an internal error)."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", (tmp_path / "mlruns").as_uri())
    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE", raising=False)
    code, err = cli("download", "runs:/0123456789abcdef/model", tmp_path / "out")
    assert code == 2, err
    assert "runs:/0123456789abcdef/model" in err
    assert len(err.strip().splitlines()) == 1, err
