"""Hostile input: every class of file that once ended in an internal error (V199, "internal
error", "rule ... failed"), a hang or an unbounded read gets a specific code, with a line
where one exists, an exit code of 0, 1 or 2, within a time and memory bound.

Each case is a model directory built under ``tmp_path``. One child process per case (run
with a timeout and an address-space limit) puts it through all four commands twice: the
library API (``validate_paths``, ``lint_paths``, ``inspect_model``, ``convert_model``) and
the command line (``mlmodel.cli.app.run``, the code ``python -m mlmodel`` runs). A few
cases that once hung or read whole files also run as real ``python -m mlmodel`` processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from harness.child_process import TIMEOUT_SECONDS, child_env, run_bounded
from harness.mlmodel_texts import SKLEARN_MLMODEL
from mlmodel.core.codes import CODES
from mlmodel.core.diagnostics import Severity

COMMANDS = ("validate", "lint", "inspect", "convert")

GOOD = SKLEARN_MLMODEL
CONDA = "name: mlflow-env\ndependencies:\n- python=3.11.4\n- pip\n"
PYTHON_ENV = "python: 3.11.4\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n"
PICKLE = b"\x80\x04N."  # pickle.dumps(None)

#: the child: runs one model directory through the API and the CLI, prints JSON
CHILD = r"""
import contextlib, io, json, re, sys
from pathlib import Path
from typing import Any

CODE = re.compile(r"\b(?:V\d{3}|MLM\d{3})\b")
target = sys.argv[1]
out = {}

def codes_in(text):
    return sorted(set(CODE.findall(text)))

def api(command):
    from mlmodel.core.errors import ParseError
    try:
        if command == "validate":
            from mlmodel import validate_paths
            result = validate_paths([target])
            return {"codes": [[d.code, d.line] for d in result.diagnostics]}
        if command == "lint":
            from mlmodel import LintOptions, lint_paths
            result = lint_paths([target], LintOptions())
            return {"codes": [[d.code, d.line] for d in result.result.diagnostics]}
        if command == "inspect":
            from mlmodel import inspect_model
            text = json.dumps(inspect_model(target).to_json(), default=str)
            return {"codes": [[c, None] for c in codes_in(text)]}
        from mlmodel import convert_model
        convert_model(target)
        return {"codes": []}
    except ParseError as exc:
        return {"codes": [[d.code, d.line] for d in exc.diagnostics], "raised": str(exc)}
    except Exception as exc:
        return {"internal": f"{type(exc).__name__}: {exc}"}

def cli(command):
    from mlmodel.cli.app import run
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = run([command, target])
    text = stdout.getvalue() + stderr.getvalue()
    return {"exit": code, "codes": codes_in(text), "text": text[-2000:]}

for command in sys.argv[2:]:
    out[command] = {"api": api(command), "cli": cli(command)}
print(json.dumps(out))
"""


def run_child(
    target: Path, commands: tuple[str, ...] = COMMANDS
) -> dict[str, dict[str, dict[str, Any]]]:
    # each case takes about a second on an idle machine
    done = run_bounded(
        [sys.executable, "-c", CHILD, str(target), *commands],
        env=child_env(PYDANTIC_DISABLE_PLUGINS="__all__"),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, dict[str, dict[str, Any]]] = json.loads(done.stdout)
    return result


# -- the cases -----------------------------------------------------------------------------


def _model(tmp: Path, text: str | bytes, **files: str | bytes) -> Path:
    model = tmp / "model"
    model.mkdir(parents=True)
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    (model / "MLmodel").write_bytes(data)
    for name, content in files.items():
        path = model / name.replace("__", ".")
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return model


def _complete(tmp: Path, text: str, **files: str | bytes) -> Path:
    """A valid model (every referenced file present) with ``text`` as its MLmodel."""
    defaults: dict[str, str | bytes] = {
        "conda__yaml": CONDA,
        "python_env__yaml": PYTHON_ENV,
        "requirements__txt": "scikit-learn==1.3.0\n",
        "model__pkl": PICKLE,
    }
    return _model(tmp, text, **{**defaults, **files})


def _fifo(tmp: Path, name: str) -> Path:
    model = _complete(tmp, GOOD)
    (model / name).unlink(missing_ok=True)
    os.mkfifo(model / name)
    return model


def _sparse_mlmodel(tmp: Path) -> Path:
    model = _model(tmp, GOOD)
    with (model / "MLmodel").open("r+b") as handle:
        handle.truncate(3 * 1024**3)  # sparse: no disk used
    return model


def _deep(open_: str, close: str, depth: int) -> str:
    return open_ * depth + close * depth


_EXAMPLE_INFO = (
    "saved_input_example_info:\n  artifact_path: input_example.json\n  type: ndarray\n"
    "  format: tf-serving\n"
)


@dataclass(frozen=True)
class Hostile:
    """One class of hostile input: how to build it and what each command must report.

    ``expect`` maps a command to the code it must report (``None``: no particular code,
    only no internal error); ``line`` is where validate reports it (None: no line exists).
    """

    name: str
    build: Callable[[Path], Path]
    expect: dict[str, str | None]
    line: int | None = None
    exits: dict[str, tuple[int, ...]] = field(default_factory=dict)


def _all(code: str) -> dict[str, str | None]:
    return dict.fromkeys(COMMANDS, code)


def _validate_only(code: str, inspect: str | None = None) -> dict[str, str | None]:
    return {"validate": code, "lint": None, "inspect": inspect, "convert": None}


CASES = [
    # control characters: with a tab (PyYAML's pure reader), without, DEL, in a key
    Hostile("control_with_tab", lambda t: _model(t, "a: 1\t\x12\n"), _all("V116"), 1),
    Hostile("control_no_tab", lambda t: _model(t, "a: b\nc: \x07\n"), _all("V116"), 2),
    Hostile("control_del", lambda t: _model(t, GOOD + "x: \x7f\n"), _all("V116"), 18),
    Hostile("control_in_key_tab", lambda t: _model(t, "a:\n\tb\x01: 1\n"), _all("V116"), 2),
    # merge keys that refer to their own mapping; an alias inside its own anchor
    Hostile("merge_self_root", lambda t: _model(t, "&a\n<<: *a\n"), _all("V118"), 2),
    Hostile("merge_self_nested", lambda t: _model(t, "a: &x\n  b: 1\n  <<: *x\n"), _all("V118"), 3),
    Hostile("merge_self_in_list", lambda t: _model(t, "a: &x\n  <<: [*x]\n"), _all("V118"), 2),
    Hostile("alias_cycle", lambda t: _model(t, GOOD + "x: &x [*x]\n"), _all("V111"), 18),
    # bare, empty and malformed typed scalars
    Hostile("typed_timestamp_bare", lambda t: _model(t, "!!timestamp"), _all("V117"), 1),
    Hostile("typed_bool_bare", lambda t: _model(t, "!!bool"), _all("V117"), 1),
    Hostile("typed_float_empty", lambda t: _model(t, "a: !!float"), _all("V117"), 1),
    Hostile("typed_int_empty", lambda t: _model(t, "a: !!int"), _all("V117"), 1),
    Hostile("typed_int_word", lambda t: _model(t, GOOD + "x: !!int abc\n"), _all("V117"), 18),
    Hostile("typed_binary_bad", lambda t: _model(t, GOOD + "x: !!binary 'a'\n"), _all("V117"), 18),
    Hostile(
        "typed_timestamp_bad",
        lambda t: _model(t, GOOD + "x: !!timestamp 2020-13-45\n"),
        _all("V117"),
        18,
    ),
    Hostile("typed_key", lambda t: _model(t, GOOD + "!!int : 1\n"), _all("V117"), 18),
    # integers beyond Python's digit limit: hex, decimal, sexagesimal
    Hostile(
        "int_hex_huge",
        lambda t: _model(t, GOOD.replace("model_path: model.pkl", "model_path: 0x" + "f" * 3572)),
        _all("V119"),
        5,
    ),
    Hostile(
        "int_decimal_huge", lambda t: _model(t, GOOD + "x: " + "9" * 5000 + "\n"), _all("V119"), 18
    ),
    Hostile(
        "int_sexagesimal_huge",
        lambda t: _model(t, GOOD + "x: 1" + ":59" * 1500 + "\n"),
        _all("V119"),
        18,
    ),
    # escapes that are no Unicode character: libyaml and PyYAML's pure reader (a tab)
    Hostile("surrogate", lambda t: _model(t, 'a: "\\ud800"\n'), _all("V120"), 1),
    Hostile(
        "surrogate_pure_reader", lambda t: _model(t, 'a: "\\ud800"\nb: "\t"\n'), _all("V120"), 1
    ),
    Hostile(
        "escape_beyond_unicode_pure_reader",
        lambda t: _model(t, 'a: "\\U00110000"\nb: "\t"\n'),
        _all("V120"),
        1,
    ),
    Hostile("escape_beyond_unicode", lambda t: _model(t, 'a: "\\U00110000"\n'), _all("V120"), 1),
    Hostile("surrogate_key", lambda t: _model(t, GOOD + '"\\udfff": 1\n'), _all("V120"), 18),
    # a signature nested beyond what JSON readers take
    Hostile(
        "signature_deep",
        lambda t: _complete(t, GOOD + f"signature:\n  inputs: '{_deep('[', ']', 1000)}'\n"),
        _validate_only("V309", inspect="V309"),
        19,
    ),
    Hostile(
        "signature_deep_objects",
        lambda t: _complete(
            t, GOOD + "signature:\n  outputs: '" + '{"a":' * 5000 + "1" + "}" * 5000 + "'\n"
        ),
        _validate_only("V309", inspect="V309"),
        19,
    ),
    # paths no file system can hold
    Hostile(
        "path_nul",
        lambda t: _complete(t, GOOD.replace("model_path: model.pkl", 'model_path: "m\\0.pkl"')),
        _validate_only("V509"),
        5,
    ),
    Hostile(  # the model files check (V505-V508) must not open it either
        "path_nul_both_flavors",
        lambda t: _complete(
            t,
            GOOD.replace("model_path: model.pkl", 'model_path: "m\\0.pkl"').replace(
                "pickled_model: model.pkl", 'pickled_model: "m\\0.pkl"'
            ),
        ),
        _validate_only("V509"),
        5,
    ),
    Hostile(
        "path_long_name",
        lambda t: _complete(t, GOOD.replace("model_path: model.pkl", "model_path: " + "a" * 300)),
        _validate_only("V509"),
        5,
    ),
    Hostile(
        "path_long_total",
        lambda t: _complete(
            t, GOOD.replace("model_path: model.pkl", "model_path: " + "d/" * 2100 + "m")
        ),
        _validate_only("V509"),
        5,
    ),
    Hostile(
        "path_long_code_folder",
        lambda t: _complete(
            t,
            GOOD.replace(
                "    loader_module: mlflow.sklearn\n",
                "    loader_module: custom_mod\n    code: " + "c" * 300 + "\n",
            ),
        ),
        _validate_only("V509"),
        5,
    ),
    # side files nested 20,000 deep, an alias bomb, a FIFO
    Hostile(
        "conda_deep",
        lambda t: _complete(t, GOOD, conda__yaml="a: " + _deep("[", "]", 20000) + "\n"),
        _validate_only("V510", inspect="V510"),
        8,
    ),
    Hostile(
        "python_env_bomb",
        lambda t: _complete(
            t,
            GOOD,
            python_env__yaml="a: &a [x,x,x,x,x,x,x,x,x,x]\n"
            + "".join(
                f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            ),
        ),
        _validate_only("V510", inspect="V510"),
        9,
    ),
    Hostile(
        "input_example_deep",
        lambda t: _complete(t, GOOD + _EXAMPLE_INFO, input_example__json=_deep("[", "]", 20000)),
        _validate_only("V510", inspect="V510"),
        19,
    ),
    Hostile(
        "conda_fifo", lambda t: _fifo(t, "conda.yaml"), _validate_only("V510", inspect="V510"), 8
    ),
    Hostile("pickle_fifo", lambda t: _fifo(t, "model.pkl"), dict.fromkeys(COMMANDS)),
    # the MLmodel file itself: a FIFO, a sparse 3 GiB file, 1,000 nested brackets, a YAML bomb
    Hostile("mlmodel_fifo", lambda t: _fifo(t, "MLmodel"), _all("V115")),
    Hostile("mlmodel_sparse_3gib", _sparse_mlmodel, _all("V112")),
    Hostile(
        "brackets_1000", lambda t: _model(t, "a: " + _deep("[", "]", 1000) + "\n"), _all("V111"), 1
    ),
    Hostile(
        "alias_output_bomb",
        lambda t: _model(
            t, GOOD + "x: &x " + "y" * 200_000 + "\nz: [" + ", ".join(["*x"] * 100) + "]\n"
        ),
        _all("V110"),
        19,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_gets_a_specific_code(case: Hostile, tmp_path: Path) -> None:
    target = case.build(tmp_path)
    outcome = run_child(target)
    for command in COMMANDS:
        api, cli = outcome[command]["api"], outcome[command]["cli"]
        where = f"{case.name} {command}"
        assert "internal" not in api, f"{where}: {api}"
        api_codes = [code for code, _line in api["codes"]]
        assert "V199" not in api_codes, f"{where}: {api}"
        assert "V199" not in cli["codes"], f"{where}: {cli['text']}"
        assert "internal error" not in cli["text"], f"{where}: {cli['text']}"
        assert "failed:" not in cli["text"], f"{where}: {cli['text']}"
        assert cli["exit"] in (0, 1, 2), f"{where}: {cli}"
        expected = case.expect[command]
        if expected is None:
            continue
        assert expected in api_codes, f"{where}: expected {expected}, got {api}"
        assert expected in cli["codes"], f"{where}: expected {expected}, got {cli['text']}"
        if command == "validate":
            lines = [line for code, line in api["codes"] if code == expected]
            assert case.line in lines, f"{where}: expected line {case.line}, got {api}"
            error = CODES[expected].severity is Severity.ERROR
            assert cli["exit"] == (1 if error else 0), f"{where}: {cli}"
        if command in ("inspect", "convert") and "raised" in api:
            error = CODES[expected].severity is Severity.ERROR
            assert cli["exit"] == (1 if error else 0), f"{where}: {cli}"


def test_one_bad_file_hides_nothing_of_the_others(tmp_path: Path) -> None:
    """validate and lint several models at once: each keeps its own findings."""
    broken = _model(tmp_path / "a", "a: 1\t\x12\n")
    fifo = _fifo(tmp_path / "b", "MLmodel")
    missing = _model(tmp_path / "c", GOOD)  # its referenced files are missing: V500
    long_path = _complete(
        tmp_path / "d", GOOD.replace("model_path: model.pkl", "model_path: " + "a" * 300)
    )
    from mlmodel import LintOptions, lint_paths, validate_paths

    paths = [broken, fifo, missing, long_path]
    result = validate_paths(paths)
    codes = [{d.code for d in report.diagnostics} for report in result.reports]
    assert codes[0] == {"V116"}
    assert codes[1] == {"V115"}
    assert "V500" in codes[2]
    assert "V509" in codes[3] and "V500" not in codes[3]
    linted = lint_paths(paths, LintOptions())
    codes = [{d.code for d in report.diagnostics} for report in linted.result.reports]
    assert codes[0] == {"V116"} and codes[1] == {"V115"}
    assert "MLM301" in codes[2] and "MLM301" in codes[3]
    assert not any("V199" in c for c in codes)


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c.name in ("mlmodel_fifo", "pickle_fifo", "mlmodel_sparse_3gib")],
    ids=lambda c: c.name,
)
@pytest.mark.parametrize("command", COMMANDS)
def test_real_processes_never_hang_or_read_whole_files(
    case: Hostile, command: str, tmp_path: Path
) -> None:
    target = case.build(tmp_path)
    done = run_bounded([sys.executable, "-m", "mlmodel", command, str(target)])
    assert done.returncode in (0, 1), done.stderr
    assert "internal error" not in done.stdout + done.stderr
    expected = case.expect[command]
    if expected is not None:
        assert expected in done.stdout + done.stderr


def test_sarif_for_a_directory_name_that_is_not_utf8(tmp_path: Path) -> None:
    name = os.fsdecode(b"model-\xff")
    model = tmp_path / name
    model.mkdir()
    (model / "MLmodel").write_text(GOOD, encoding="utf-8")
    env = child_env()
    for command in ("validate", "lint"):
        done = subprocess.run(
            [sys.executable, "-m", "mlmodel", command, "-f", "sarif", name],
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            env=env,
            cwd=tmp_path,
            check=False,
        )
        assert done.returncode in (0, 1), done.stderr
        log = json.loads(done.stdout)
        uris = {
            location["physicalLocation"]["artifactLocation"]["uri"]
            for run in log["runs"]
            for result in run["results"]
            for location in result["locations"]
        }
        assert uris == {"model-%FF/MLmodel"}
