"""--fix: expected output, every comment kept; suppressions; select/ignore; the corpus."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from mlmodel.checking.lint.engine import LintOptions, lint_paths
from mlmodel.checking.validate import validate_bytes
from mlmodel.cli.app import run
from tests.conftest import corpus_params

BASE = """\
# header comment
flavors:
  python_function:  # pyfunc comment
    loader_module: mlflow.pyfunc.model
    python_model: m.pkl
"""

FIXES = [
    (
        "MLM101",
        False,
        BASE + "    python_version: 3.10  # trailing\n",
        BASE + "    python_version: '3.10'  # trailing\n",
    ),
    (
        "MLM103",
        False,
        BASE + "utc_time_created: 2024-01-31T12:00:00+02:00  # when\n",
        BASE + "utc_time_created: '2024-01-31 10:00:00'  # when\n",
    ),
    (
        "MLM203",
        False,
        BASE + "    model_code_path: /home/alice/agent.py\n",
        BASE + "    model_code_path: agent.py\n",
    ),
    (
        "MLM102",
        True,
        "time_created: 2018-05-25T17:28:53.35  # legacy\n" + BASE,
        # renamed in place: its line, its place and its comment kept
        "utc_time_created: '2018-05-25 17:28:53.350000'  # legacy\n" + BASE,
    ),
    (
        "MLM104",
        True,
        BASE + "    conda_env: conda.yaml  # env\n",
        BASE + "    env: conda.yaml  # env\n",
    ),
]


def comments(text: str) -> list[str]:
    return re.findall(r"#[^\n]*", text)


@pytest.mark.parametrize(("code", "unsafe", "before", "after"), FIXES, ids=[f[0] for f in FIXES])
def test_fix(tmp_path: Path, code: str, unsafe: bool, before: str, after: str) -> None:
    model = tmp_path / "m"
    model.mkdir()
    (model / "MLmodel").write_text(before)
    (model / "m.pkl").write_bytes(b"\x80\x04N.")
    safe_only = lint_paths([model], LintOptions(select=(code,), fix=True))
    if unsafe:
        assert (model / "MLmodel").read_text() == before  # not without --unsafe-fixes
        assert [d.code for d in safe_only.result.diagnostics] == [code]
        result = lint_paths([model], LintOptions(select=(code,), fix=True, unsafe_fixes=True))
    else:
        result = safe_only
    text = (model / "MLmodel").read_text()
    assert text == after
    assert result.result.diagnostics == []
    assert comments(text) == comments(before)


def test_diff_shows_the_change_and_writes_nothing(tmp_path: Path) -> None:
    model = tmp_path / "m"
    model.mkdir()
    before = BASE + "    python_version: 3.10\n"
    (model / "MLmodel").write_text(before)
    result = lint_paths([model], LintOptions(select=("MLM101",), diff=True))
    assert (model / "MLmodel").read_text() == before
    (diff,) = result.diffs.values()
    assert "-    python_version: 3.10\n+    python_version: '3.10'\n" in diff
    assert [d.code for d in result.result.diagnostics] == ["V402"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BASE + "    python_version: 3.10  # mlmodel: disable=MLM101\n", []),
        (BASE + "    python_version: 3.10  # mlmodel: disable=V4\n", []),
        (BASE + "    python_version: 3.10  # mlmodel: disable=V402\n", []),
        (
            (
                "flavors:\n  # mlmodel: disable=MLM101,MLM104\n  python_function:\n"
                "    loader_module: x.y\n    python_version: 3.10\n    conda_env: c.yaml\n"
            ),
            [],
        ),
        (
            BASE + "    python_version: 3.10  # mlmodel: disable=MLM104\n",
            [("MLM001", 6), ("V402", 6)],
        ),
        (BASE + "run_id: '# mlmodel: disable=MLM101'\n    \n", []),
    ],
    ids=["line", "prefix", "v-code", "block", "unused", "in-a-string"],
)
def test_suppressions(tmp_path: Path, text: str, expected: list[tuple[str, int]]) -> None:
    model = tmp_path / "m"
    model.mkdir()
    (model / "MLmodel").write_text(text)
    options = LintOptions(select=("MLM0", "MLM101", "MLM104"), check_files=False)
    found = lint_paths([model], options).result.diagnostics
    assert sorted((d.code, d.line) for d in found) == expected


def test_select_ignore_and_configuration(tmp_path: Path) -> None:
    model = tmp_path / "m"
    model.mkdir()
    (model / "MLmodel").write_text("time_created: 2018-05-25T17:28:53.35\n" + BASE)
    codes = {d.code for d in lint_paths([model], LintOptions(check_files=False)).result.diagnostics}
    assert {"MLM102", "MLM301"} <= codes
    (tmp_path / ".mlmodel.toml").write_text('ignore = ["MLM3"]\n')
    codes = {d.code for d in lint_paths([model], LintOptions(check_files=False)).result.diagnostics}
    assert "MLM301" not in codes and "MLM102" in codes
    only = lint_paths([model], LintOptions(select=("MLM301",), ignore=(), check_files=False))
    assert {d.code for d in only.result.diagnostics} == {"MLM301"}


def test_cli_lint_fix_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "m"
    model.mkdir()
    (model / "MLmodel").write_text(BASE + "    python_version: 3.10\n")
    assert run(["lint", "--select", "MLM101", str(model)]) == 0  # warnings only
    assert run(["lint", "--select", "MLM101", "--strict", str(model)]) == 1
    assert run(["lint", "--select", "MLM101", "--diff", str(model)]) == 1
    assert run(["lint", "--select", "MLM101", "--fix", str(model)]) == 0
    assert "python_version: '3.10'" in (model / "MLmodel").read_text()
    assert run(["lint", "--select", "MLM101", "--strict", str(model)]) == 0
    assert run(["lint", str(tmp_path / "nope")]) == 2
    capsys.readouterr()


@pytest.mark.parametrize("path", corpus_params())
def test_corpus_lint_never_crashes_and_fixes_never_break(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "MLmodel"
    shutil.copyfile(path, copy)
    before = validate_bytes(copy.read_bytes(), check_files=False)
    result = lint_paths([copy], LintOptions(check_files=False))
    assert not [d for d in result.result.diagnostics if d.code == "V199"]
    lint_paths([copy], LintOptions(check_files=False, fix=True, unsafe_fixes=True))
    after = validate_bytes(copy.read_bytes(), check_files=False)
    errors_before = {(d.code, d.key) for d in before if d.is_error}
    errors_after = {(d.code, d.key) for d in after if d.is_error}
    assert errors_after <= errors_before


def test_unsafe_fixes_model_size_and_skops_types(tmp_path: Path) -> None:
    from tests.checking.test_lint_rules import LR, skops_file

    model = tmp_path / "m"
    model.mkdir()
    (model / "big.bin").write_bytes(b"x" * 200_000)
    (model / "m.skops").write_bytes(skops_file([LR]))
    before = (
        "# sizes\n" + BASE + "  sklearn:\n    pickled_model: m.skops\n"
        "    serialization_format: skops\n    skops_trusted_types:  # trust list\n"
        f"    - {LR}\n    - sklearn.svm._classes.SVC  # too much\nmodel_size_bytes: 10  # old\n"
    )
    (model / "MLmodel").write_text(before)
    options = LintOptions(select=("MLM405", "MLM502"), fix=True, unsafe_fixes=True)
    assert lint_paths([model], options).result.diagnostics == []
    after = (model / "MLmodel").read_text()
    size = 200_000 + len(skops_file([LR]))
    assert after == before.replace(
        f"    - {LR}\n    - sklearn.svm._classes.SVC  # too much\n", f"    - {LR}\n"
    ).replace("model_size_bytes: 10  # old", f"model_size_bytes: {size}  # old")
    assert [c for c in comments(before) if c not in comments(after)] == ["# too much"]


def test_a_date_without_a_time_is_reported_but_never_given_an_invented_time(
    tmp_path: Path,
) -> None:
    options = LintOptions(select=("MLM102", "MLM103"), fix=True, unsafe_fixes=True)
    for name, text, code, message in (
        (
            "legacy",
            "time_created: 2018-05-25\n" + BASE,
            "MLM102",
            "legacy key time_created",
        ),
        (
            "utc",
            BASE + "utc_time_created: 2024-01-31\n",
            "V400",
            "utc_time_created is an unquoted timestamp",
        ),
    ):
        model = tmp_path / name
        model.mkdir()
        (model / "MLmodel").write_text(text)
        found = lint_paths([model], options).result.diagnostics
        assert (model / "MLmodel").read_text() == text  # no fix: it would invent a time
        assert [d.code for d in found] == [code]
        assert found[0].message.startswith(message)
