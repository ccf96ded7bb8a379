"""``mlmodel validate`` without typer (:mod:`mlmodel.cli.direct`): the same output and exit
code as the typer command for every command line it reads, typer's for every other, and its
options are the typer command's (names, values, defaults)."""

from __future__ import annotations

import inspect
import io
import sys
from pathlib import Path
from typing import Any

import pytest

from mlmodel.cli.app import run, run_typer
from mlmodel.cli.direct import FLAGS, VALUED, parse_validate, run_direct
from tests.conftest import EXAMPLES

GOOD = EXAMPLES / "sklearn-3x"
LEGACY = EXAMPLES / "mlflow-docs-2018"  # warnings
BAD_TEXT = "mlflow_version: 2.10\nflavors: {python_function: {loader_module: 3}}\n"


@pytest.fixture
def models(tmp_path: Path) -> dict[str, str]:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "MLmodel").write_text(BAD_TEXT, encoding="utf-8")
    tree = tmp_path / "tree"
    (tree / "a" / "m").mkdir(parents=True)
    (tree / "a" / "m" / "MLmodel").write_text(BAD_TEXT, encoding="utf-8")
    return {
        "GOOD": str(GOOD),
        "LEGACY": str(LEGACY),
        "BAD": str(bad),
        "TREE": str(tree),
        "MISSING": str(tmp_path / "missing"),
    }


#: command lines the direct path reads (names in capitals are models of the fixture)
READ = [
    ["GOOD"],
    ["LEGACY"],
    ["BAD"],
    ["GOOD", "BAD", "LEGACY", "GOOD"],
    ["MISSING"],
    ["MISSING", "GOOD"],
    ["--strict", "LEGACY"],
    ["LEGACY", "--strict", "--no-strict"],
    ["-q", "BAD"],
    ["--quiet", "LEGACY"],
    ["--exit-zero", "BAD"],
    ["--exit-zero", "MISSING", "BAD"],
    ["--statistics", "BAD", "LEGACY"],
    ["--statistics", "-f", "json", "BAD"],
    ["--statistics", "--format", "sarif", "BAD"],  # a usage error
    ["-f", "json", "BAD", "LEGACY"],
    ["--format=github", "BAD"],
    ["BAD", "--format", "text", "-f", "json"],
    ["--color", "always", "LEGACY"],
    ["--color=never", "BAD"],
    ["--no-check-files", "GOOD"],
    ["--check-files", "--no-check-files", "--check-files", "GOOD"],
    ["--max-bytes", "10", "GOOD"],
    ["--max-bytes=100000", "BAD"],
    ["--mlflow-version", "2.9", "LEGACY"],
    ["--mlflow-version=1.0", "GOOD"],
    ["--mlflow-version", "nope", "GOOD"],  # a usage error
    ["-r", "TREE"],
    ["--recursive", "-q", "TREE", "GOOD"],
    ["--isolated", "BAD"],
]


def _argv(args: list[str], models: dict[str, str]) -> list[str]:
    return ["validate", *(models.get(arg, arg) for arg in args)]


@pytest.mark.parametrize("args", READ, ids=" ".join)
def test_direct_prints_and_exits_as_typer(
    args: list[str], models: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = _argv(args, models)
    assert parse_validate(argv) is not None
    direct = run_direct(argv)
    direct_out = capsys.readouterr()
    typer_code = run_typer(argv)
    typer_out = capsys.readouterr()
    assert (direct, direct_out.out, direct_out.err) == (typer_code, typer_out.out, typer_out.err)
    assert direct_out.out or direct_out.err


def test_stdin_the_same_both_ways(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    results = []
    for runner in (run_direct, run_typer):
        data = BAD_TEXT.encode()
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        code = runner(["validate", "-", str(GOOD)])
        results.append((code, capsys.readouterr()))
    assert results[0] == results[1]
    assert results[0][0] == 1 and "<stdin>:" in results[0][1].out


#: command lines left to typer
DECLINED = [
    [],
    ["--version"],
    ["-h"],
    ["lint", "GOOD"],
    ["inspect", "GOOD"],
    ["validate"],
    ["validate", "-h"],
    ["validate", "GOOD", "--help"],
    ["validate", "--", "GOOD"],
    ["validate", "-rq", "GOOD"],
    ["validate", "-o", "out.txt", "GOOD"],
    ["validate", "--output-file=out.txt", "GOOD"],
    ["validate", "--format", "xml", "GOOD"],
    ["validate", "--format", "JSON", "GOOD"],
    ["validate", "-f=json", "GOOD"],
    ["validate", "-fjson", "GOOD"],
    ["validate", "GOOD", "--format"],
    ["validate", "--format", "--strict", "GOOD"],
    ["validate", "--color", "sometimes", "GOOD"],
    ["validate", "--max-bytes", "0", "GOOD"],
    ["validate", "--max-bytes", "1_000", "GOOD"],
    ["validate", "--max-bytes", "-5", "GOOD"],
    ["validate", "--max-bytes", "\u0661\u0662", "GOOD"],
    ["validate", "--mlflow-version", "-2", "GOOD"],
    ["validate", "--strict=1", "GOOD"],
    ["validate", "--no-quiet", "GOOD"],
    ["validate", "--stric", "GOOD"],
    ["validate", "-x", "GOOD"],
]


@pytest.mark.parametrize("argv", DECLINED, ids=" ".join)
def test_everything_else_is_left_to_typer(
    argv: list[str], models: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [models.get(arg, arg) for arg in argv]
    assert parse_validate(argv) is None
    assert run_direct(argv) is None
    assert capsys.readouterr() == ("", "")  # declined before doing anything


def test_shell_completion_is_left_to_typer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["validate", str(GOOD)]
    assert parse_validate(argv) is not None
    monkeypatch.setenv("_MLMODEL_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "mlmodel validate --stri")
    monkeypatch.setenv("COMP_CWORD", "2")
    assert parse_validate(argv) is None
    code = run(argv)
    out = capsys.readouterr()
    assert "checked" not in out.out  # typer answered the request: nothing was validated
    assert (code, out) == (run_typer(argv), capsys.readouterr())


def test_help_and_usage_errors_are_typers(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", "--help"]) == 0
    assert "Usage: mlmodel validate" in capsys.readouterr().out
    assert run(["validate", "--format", "xml", str(GOOD)]) == 2
    assert "xml" in capsys.readouterr().err


def _validate_click_command() -> Any:
    import typer.main

    from mlmodel.cli.app import app, register_commands

    register_commands("validate")
    return typer.main.get_command(app).commands["validate"]  # type: ignore[attr-defined]


def test_the_options_are_the_typer_commands() -> None:
    """Each option read here is an option of the typer command, for the same parameter: a
    flag sets the value click gives it (True for its name, False for its ``--no-`` twin), an
    option with a value is not a flag. (An option the typer command has and this table
    lacks is only slower: typer reads that command line.)"""
    command = _validate_click_command()
    by_name: dict[str, tuple[str, bool | None]] = {}
    for param in command.params:
        if param.param_type_name != "option":
            continue
        for opt in param.opts:
            by_name[opt] = (param.name, True if param.is_flag else None)
        for opt in param.secondary_opts:
            by_name[opt] = (param.name, False)
    for opt, (parameter, value) in FLAGS.items():
        assert by_name.get(opt) == (parameter, value), opt
    for opt, parameter in VALUED.items():
        assert by_name.get(opt) == (parameter, None), opt
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    assert [(p.name, p.nargs) for p in arguments] == [("paths", -1)]


def test_the_defaults_are_the_typer_commands() -> None:
    """What the direct path leaves out takes run_validate's defaults: the typer command's."""
    from mlmodel.cli.validate_cmd import validate
    from mlmodel.cli.validate_run import run_validate

    typer_defaults = {name: p.default for name, p in inspect.signature(validate).parameters.items()}
    direct_defaults = {
        name: p.default for name, p in inspect.signature(run_validate).parameters.items()
    }
    assert typer_defaults == direct_defaults
    assert set(direct_defaults) >= {name for name, _ in FLAGS.values()} | set(VALUED.values())
