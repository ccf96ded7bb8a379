"""The CLI's PATH arguments: bad paths, duplicates, stdin, --recursive, several paths for
inspect and convert, and one model-directory rule for a file of any name."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlmodel.cli.app import run
from tests.conftest import EXAMPLES

GOOD = EXAMPLES / "sklearn-3x"
LEGACY = EXAMPLES / "mlflow-docs-2018"
GIT = shutil.which("git")


def write_model(folder: Path, text: str, name: str = "MLmodel") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_text(text, encoding="utf-8")
    return target


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


# -- bad paths, duplicates -----------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_a_bad_path_is_reported_and_the_others_are_checked(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write_model(tmp_path / "bad", "mlflow_version: 2.10\nflavors: {}\n").parent
    missing = tmp_path / "missing"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run([command, str(missing), str(bad), str(empty), str(GOOD)]) == 2
    out = capsys.readouterr()
    assert f"mlmodel {command}: {missing}: no such file or directory" in out.err
    assert f"mlmodel {command}: {empty}: directory has no MLmodel file" in out.err
    assert "2 files checked" in out.out
    assert f"{bad / 'MLmodel'}:1:" in out.out


def test_a_bad_path_exits_2_even_with_exit_zero(tmp_path: Path) -> None:
    assert run(["validate", "--exit-zero", str(tmp_path / "missing"), str(GOOD)]) == 2


def test_the_same_file_given_twice_is_checked_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = write_model(tmp_path / "m", "flavors: {}\n")
    link = tmp_path / "link"
    link.symlink_to(model.parent)
    argv = [str(model.parent), str(model), str(tmp_path / "m" / "." / "MLmodel"), str(link)]
    assert run(["validate", "--format", "json", *argv]) == 1
    found = json.loads(capsys.readouterr().out)
    assert [d["code"] for d in found] == ["V202"]


def test_inspect_takes_several_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["inspect", "--format", "json", str(GOOD), str(LEGACY)]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [Path(item["path"]).parent.name for item in found] == ["sklearn-3x", "mlflow-docs-2018"]
    assert run(["inspect", "-f", "json", str(GOOD), str(tmp_path / "missing")]) == 2
    assert len(json.loads(capsys.readouterr().out)) == 1  # still a list: two paths were given
    assert run(["inspect", str(GOOD), str(tmp_path / "missing"), str(LEGACY)]) == 2
    out = capsys.readouterr()
    assert "missing: no such file or directory" in out.err
    assert str(GOOD / "MLmodel") in out.out and str(LEGACY / "MLmodel") in out.out


def test_inspect_unreadable_file_exits_1_after_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = write_model(tmp_path / "broken", "flavors: [\n")
    assert run(["inspect", str(broken), str(GOOD)]) == 1
    out = capsys.readouterr()
    assert "cannot read the MLmodel file" in out.err
    assert str(GOOD / "MLmodel") in out.out


def test_convert_takes_several_paths_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    legacy = (
        "time_created: 2018-05-25 17:28:53.35\nflavors:\n  python_function:\n    loader_module: x\n"
    )
    first = write_model(tmp_path / "a", legacy)
    second = write_model(tmp_path / "b", legacy)
    assert run(["convert", "--upgrade", "--in-place", str(first), str(second)]) == 0
    for model in (first, second):
        assert "utc_time_created" in model.read_text()
    assert run(["convert", str(first), str(second)]) == 2
    assert "several paths need --in-place" in capsys.readouterr().err


# -- one model-directory rule for a file of any name --------------------------------------


def test_a_file_of_any_name_is_checked_with_its_folder_in_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "flavors:\n  sklearn:\n    pickled_model: model.pkl\n"
    target = write_model(tmp_path / "folder", text, name="model.yaml")
    assert run(["validate", "--format", "json", str(target)]) == 1
    found = json.loads(capsys.readouterr().out)
    assert [d["code"] for d in found] == ["V500"]
    assert "--no-check-files" in found[0]["hint"]
    assert run(["inspect", "--format", "json", str(target)]) == 0
    inspected = json.loads(capsys.readouterr().out)
    assert inspected["model_dir"] == str(target.parent)
    assert [f["path"] for f in inspected["files"]] == ["model.yaml"]

    (target.parent / "model.pkl").write_bytes(b"\x80\x04N.")
    assert run(["validate", str(target)]) == 0
    capsys.readouterr()
    assert run(["inspect", "--format", "json", str(target)]) == 0
    inspected = json.loads(capsys.readouterr().out)
    assert {f["path"] for f in inspected["files"]} == {"model.yaml", "model.pkl"}
    assert [p["path"] for p in inspected["pickles"]["pickles"]] == ["model.pkl"]
    # lint reads the same folder: model_size_bytes is compared with the folder's files
    (target.parent / "weights.bin").write_bytes(b"\0" * 200_000)
    target.write_text(text + "model_size_bytes: 10\n", encoding="utf-8")
    assert run(["lint", "--format", "json", "--select", "MLM405", str(target)]) == 0
    assert [d["code"] for d in json.loads(capsys.readouterr().out)] == ["MLM405"]


# -- stdin -----------------------------------------------------------------------------------


def test_validate_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = b"flavors:\n  sklearn: {}\n  python_function:\n    loader_module: mlflow.sklearn\n"
    feed_stdin(monkeypatch, text + b"    model_path: model.pkl\n")
    assert run(["validate", "-"]) == 1
    out = capsys.readouterr().out
    assert "<stdin>:2:3: error V201" in out  # no model directory: no V500 for the pickle
    assert "V500" not in out
    assert "    2 |   sklearn: {}" in out  # the excerpt comes from what was read


def test_lint_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_stdin(
        monkeypatch, b"mlflow_version: 2.10\nflavors:\n  python_function:\n    loader_module: m\n"
    )
    assert run(["lint", "--format", "json", "-", str(GOOD)]) == 0
    found = json.loads(capsys.readouterr().out)
    # a float version: V402 (the retired MLM101 is reported as V402)
    assert ("<stdin>", 1, "V402") in {(d["path"], d["line"], d["code"]) for d in found}
    feed_stdin(monkeypatch, b"flavors: {}\n")
    assert run(["lint", "--fix", "-"]) == 2


# -- --recursive -------------------------------------------------------------------------------


def _tree(root: Path) -> None:
    for name in ("models/a", "models/deep/er/b", "ignored/c", "models/build/d"):
        shutil.copytree(GOOD, root / name)
    (root / ".gitignore").write_text("ignored/\n", encoding="utf-8")
    (root / "models" / ".gitignore").write_text("build/\n", encoding="utf-8")


def _checked(out: str) -> list[str]:
    return sorted(line.split(":")[0] for line in out.splitlines() if "MLmodel" in line)


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_recursive_finds_every_mlmodel_and_respects_gitignore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert GIT is not None
    _tree(tmp_path)
    subprocess.run([GIT, "init", "-q", str(tmp_path)], check=True)
    assert run(["validate", "--recursive", "--statistics", str(tmp_path)]) == 0
    assert "2 files checked" in capsys.readouterr().out
    assert run(["lint", "-r", "--format", "json", str(tmp_path / "models")]) == 0
    paths = {Path(d["path"]).parent.name for d in json.loads(capsys.readouterr().out)}
    assert paths <= {"a", "b"}


def test_recursive_outside_git_walks_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlmodel.cli.discover import find_mlmodel_files

    _tree(tmp_path)
    (tmp_path / ".git").mkdir()  # a .git folder that is not a repository is still skipped
    shutil.copytree(GOOD, tmp_path / ".git" / "e")
    found = find_mlmodel_files(tmp_path)
    assert {p.parent.name for p in found} == {"a", "b", "c", "d"}


def test_recursive_with_nothing_found_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["validate", "-r", str(tmp_path)]) == 2
    assert "no MLmodel file below it" in capsys.readouterr().err
