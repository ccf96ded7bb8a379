"""What the CLI prints: escaped excerpts, colour, --quiet, --exit-zero, --statistics,
--output-file, -h, fixable markers."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlmodel.cli.app import COMMAND_MODULES, run
from mlmodel.core.diagnostics import Diagnostic, Severity
from mlmodel.core.results import FileReport, ValidationResult
from mlmodel.report import ReportOptions
from mlmodel.report.text import escape_control, excerpt, write_text
from tests.conftest import EXAMPLES

GOOD = EXAMPLES / "sklearn-3x"
LEGACY = EXAMPLES / "mlflow-docs-2018"
ANSI = re.compile(r"\x1b\[")


def write_model(folder: Path, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "MLmodel").write_bytes(data)
    return folder


# -- control characters in excerpts --------------------------------------------------------


def test_nul_and_escape_bytes_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = write_model(tmp_path / "m", b"flavors:\n  a: x\x1b[2J\x07y\x00z\n")
    assert run(["validate", "--color", "never", str(model)]) == 1
    out = capsys.readouterr().out
    assert "\x00" not in out and "\x1b" not in out and "\x07" not in out
    lines = out.splitlines()
    gutter = next(i for i, line in enumerate(lines) if line.startswith("    2 | "))
    shown, caret = lines[gutter], lines[gutter + 1]
    assert shown == r"    2 |   a: x\x1b[2J\x07y\x00z"
    # V105 points at the NUL byte: the caret stands under its escape
    assert caret.index("^") == shown.index(r"\x00")


@given(st.text(max_size=30), st.text(max_size=10))
def test_the_caret_stays_under_the_column(before: str, after: str) -> None:
    line = before + "X" + after
    line = re.sub("[\r\n\x85\u2028\u2029]", "", line)
    column = line.index("X") + 1 if "X" in line else None
    shown, offset = excerpt(line, column)
    assert not [c for c in shown if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp")]
    if column is not None and offset is not None and offset < len(shown) - 3:
        assert shown[offset] == "X"


def test_escape_control_keeps_printable_text() -> None:
    assert escape_control("Renée Ødegård: 1") == "Renée Ødegård: 1"
    assert escape_control("a\u202eb\tc") == r"a\u202eb\x09c"
    assert escape_control("a\nb", keep="\n") == "a\nb"


# -- colour ----------------------------------------------------------------------------------


def test_no_color_means_no_escape_sequence_at_all(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    result = ValidationResult([FileReport(str(LEGACY / "MLmodel"), _legacy_findings())])
    stream = io.StringIO()
    stream.isatty = lambda: True  # type: ignore[method-assign]
    from mlmodel.cli.output import ColorChoice, use_color

    assert use_color(ColorChoice.auto, stream) is False
    assert use_color(ColorChoice.always, stream) is True
    monkeypatch.delenv("NO_COLOR")
    assert use_color(ColorChoice.auto, stream) is True
    assert use_color(ColorChoice.never, stream) is False
    write_text(result, stream, ReportOptions(color=False))
    assert not ANSI.search(stream.getvalue())


def _legacy_findings() -> list[Diagnostic]:
    from mlmodel.checking.validate import validate_file

    return validate_file(LEGACY).diagnostics


@pytest.mark.parametrize(("choice", "styled"), [("always", True), ("never", False)])
def test_color_option(choice: str, styled: bool, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", "--color", choice, str(LEGACY)]) == 1
    assert bool(ANSI.search(capsys.readouterr().out)) is styled
    assert run(["inspect", "--color", choice, str(GOOD)]) == 0
    assert bool(ANSI.search(capsys.readouterr().out)) is styled


def test_color_auto_is_off_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", str(LEGACY)]) == 1
    assert not ANSI.search(capsys.readouterr().out)


# -- options ruff, mypy and yamllint users expect -------------------------------------------


@pytest.mark.parametrize("command", [None, *COMMAND_MODULES])
def test_h_is_help(command: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [command, "-h"] if command else ["-h"]
    assert run(argv) == 0
    assert "Usage: mlmodel" in capsys.readouterr().out


@pytest.mark.parametrize("command", list(COMMAND_MODULES))
def test_help_keeps_bracketed_words(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Rich reads ``[word]`` in a help text as markup and drops it: every bracketed word of
    every option's help (``mlmodel[spark]``, ``[tool.mlmodel]``) is printed as written."""
    import re

    import typer.main

    from mlmodel.cli.app import app, register_commands

    register_commands(command)
    click_command = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    wanted = [
        word
        for param in click_command.params
        for word in re.findall(
            r"\[[^\]\s]+\]", (getattr(param, "help", None) or "").replace("\\[", "[")
        )
    ]
    assert run([command, "--help"]) == 0
    shown = " ".join(capsys.readouterr().out.replace("\u2502", " ").split())
    for word in wanted:
        assert word in shown, (word, shown)


def test_quiet_prints_findings_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", "-q", str(GOOD)]) == 0
    assert capsys.readouterr().out == ""
    assert run(["validate", "--quiet", str(LEGACY)]) == 1
    out = capsys.readouterr().out
    assert "error V201" in out and "checked" not in out


def test_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", "--exit-zero", str(LEGACY)]) == 0
    assert "error V201" in capsys.readouterr().out
    assert run(["lint", "--exit-zero", "--strict", str(LEGACY)]) == 0


def test_statistics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = write_model(tmp_path / "a", b"run_id: job-1\nflavors: {}\n")
    second = write_model(tmp_path / "b", b"run_id: job-2\nflavors:\n  sklearn: {}\n")
    assert run(["validate", "--statistics", str(first), str(second)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"2  V401 +warning +\S+", lines[0])
    assert {line.split()[1] for line in lines[1:-1]} == {"V201", "V202"}
    assert lines[-1] == "2 files checked: 2 errors, 2 warnings"
    assert run(["validate", "--statistics", "--format", "json", str(first), str(second)]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {"code": "V401", "count": 2, "severity": "warning", "fix": None}
    assert run(["validate", "--statistics", "--format", "sarif", str(first)]) == 2


def test_output_file_is_written_atomically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    assert run(["validate", "-f", "json", "--output-file", str(target), str(LEGACY)]) == 1
    assert capsys.readouterr().out == ""
    assert [d["code"] for d in json.loads(target.read_text())] == ["V201"]
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # no temporary left
    assert run(["lint", "-o", str(tmp_path / "missing" / "r.txt"), str(GOOD)]) == 2
    assert "cannot write" in capsys.readouterr().err


# -- fixable findings ----------------------------------------------------------------------


def test_fixable_findings_are_marked() -> None:
    findings: list[Diagnostic] = [
        Diagnostic("MLM101", Severity.WARNING, "float version", "m/MLmodel", 1, 17, fix="safe"),
        Diagnostic("MLM405", Severity.WARNING, "size", "m/MLmodel", 2, 1, fix="unsafe"),
        Diagnostic("MLM405", Severity.WARNING, "size", "m/MLmodel", 3, 1, fix="unsafe"),
        Diagnostic("V202", Severity.ERROR, "no flavors", "m/MLmodel", 4, 1),
    ]
    stream = io.StringIO()
    write_text(ValidationResult([FileReport("m/MLmodel", findings)]), stream, ReportOptions())
    lines = stream.getvalue().splitlines()
    assert "warning MLM101 [*] float version" in lines[0]
    assert "warning MLM405 size" in lines[1]
    assert lines[-1] == "[*] 1 fixable with --fix (2 more with --fix --unsafe-fixes)"


def test_no_fix_line_when_nothing_is_fixable(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", str(LEGACY)]) == 1
    assert "fixable" not in capsys.readouterr().out


def test_inspect_escapes_control_characters_in_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = b'flavors:\n  custom:\n    note: "a\\e[2Jb\\0c"\nmetadata:\n  "k\\a": "\\e]0;title\\a"\n'
    model = write_model(tmp_path / "m", text)
    assert run(["inspect", "--color", "never", str(model)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x00" not in out and "\x07" not in out
    assert r"note: a\x1b[2Jb\x00c" in out


def test_github_annotations_escape_control_characters() -> None:
    from mlmodel.report.machine import write_github

    found = Diagnostic("V100", Severity.ERROR, "bad \x1b[31mred\x00", "m/MLmodel", 1, 1)
    stream = io.StringIO()
    write_github(ValidationResult([FileReport("m/MLmodel", [found])]), stream)
    assert (
        stream.getvalue()
        == r"::error file=m/MLmodel,line=1,col=1,title=mlmodel V100::bad \x1b[31mred\x00" + "\n"
    )


def test_a_refused_write_names_the_file_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = write_model(tmp_path / "m", b"mlflow_version: 2.10\nflavors: {}\n")
    (model / "MLmodel").chmod(0o444)
    assert run(["lint", "--fix", str(model)]) == 2
    err = capsys.readouterr().err
    assert err.count(str(model / "MLmodel")) == 1, err
    assert "read-only file; not written" in err


def test_lint_statistics_mark_what_fix_fixes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = b"mlflow_version: 2.10\ntime_created: 2018-05-25 17:28:53.35\nflavors:\n  x: {}\n"
    model = write_model(tmp_path / "m", text)
    assert run(["lint", "--statistics", "--select", "V402,MLM102", str(model)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"1  MLM102 +warning legacy-time-created", lines[0])
    assert re.fullmatch(r"1  V402 +\[\*\] warning version-format", lines[1])


@pytest.mark.parametrize("command", list(COMMAND_MODULES))
def test_help_paragraphs_flow(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal wide enough, each paragraph of a command's help is one line: the
    docstring's own line breaks are not kept (they made ragged text when wrapped again)."""
    import inspect

    import typer.rich_utils

    from mlmodel.cli.app import COMMAND_MODULES as MODULES
    from mlmodel.cli.app import app, register_commands

    monkeypatch.setattr(typer.rich_utils, "MAX_WIDTH", 1000)
    register_commands(command)
    groups = [
        g.typer_instance for g in app.registered_groups if g.name == command and g.typer_instance
    ]
    found = [  # a command, or each command of a group (mlmodel env list, ...)
        ([command] if not groups else [command, str(i.name)], i)
        for i in (groups[0].registered_commands if groups else app.registered_commands)
        if i.callback is not None and i.callback.__module__ == MODULES[command]
    ]
    assert found
    for argv, info in found:
        assert info.callback is not None
        paragraphs = inspect.cleandoc(info.callback.__doc__ or "").split("\n\n")
        assert run([*argv, "--help"]) == 0
        shown = [line.strip() for line in capsys.readouterr().out.splitlines()]
        for paragraph in paragraphs:
            assert " ".join(paragraph.split()) in shown, paragraph
