"""The CLI's PATH arguments: bad paths, duplicates, stdin, --recursive, several paths for
inspect and convert, and one model-directory rule for a file of any name."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlmodel.cli.app import run
from tests.conftest import EXAMPLES, ROOT

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


BAD_YAML = b"flavors:\n  sklearn: {}\nsignature: [1, 2\nrun_id: x\n"


def test_inspect_reads_stdin_with_no_model_directory(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_stdin(monkeypatch, (GOOD / "MLmodel").read_bytes())
    assert run(["inspect", "--format", "json", "-"]) == 0
    found = json.loads(capsys.readouterr().out)
    on_disk = json.loads(_inspect_json(GOOD, capsys))
    assert found["path"] == "<stdin>" and found["model_dir"] is None
    for part in ("header", "flavors", "signature"):  # the document itself
        assert found[part] == on_disk[part]
    assert found["input_example"]["type"] == on_disk["input_example"]["type"] == "dataframe"
    # nothing beside it is read, as validate and lint check no files for stdin
    assert found["files"] is None and on_disk["files"]
    assert found["pickles"]["available"] is False and found["pickles"]["pickles"] == []
    assert found["environment"]["requirements"] is None
    assert found["input_example"]["preview"] is None and on_disk["input_example"]["preview"]
    feed_stdin(monkeypatch, (GOOD / "MLmodel").read_bytes())
    assert run(["inspect", "--color", "never", "-"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("<stdin>\n")
    assert "files: none listed: no model directory" in text
    assert "not scanned: no model directory" in text


def _inspect_json(model: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert run(["inspect", "--format", "json", str(model)]) == 0
    return capsys.readouterr().out


def test_inspect_reads_stdin_among_other_paths(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_stdin(monkeypatch, (LEGACY / "MLmodel").read_bytes())
    assert run(["inspect", "--format", "json", "-", str(GOOD)]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [item["path"] for item in found] == [str(GOOD / "MLmodel"), "<stdin>"]  # stdin last


@pytest.mark.parametrize("command", ["inspect", "convert"])
@pytest.mark.parametrize(
    ("data", "where"),
    [
        (BAD_YAML, "<stdin>:4:7: error V100 invalid YAML"),
        (b"a: 1\na: 2\n", "<stdin>:2:1: error V102 duplicate key 'a'"),
        (b"- a\n- b\n", "<stdin>:1:1: error V114"),
        (b"\xff\xfe\x00", "<stdin>:1:1: error V104"),
        (b"a: \x00\n", "<stdin>:1:4: error V105"),
        (b"a: b\n" * (2 * 1024 * 1024 + 1), "<stdin>: error V112"),
    ],
    ids=["syntax", "duplicate", "not-a-mapping", "utf16", "nul", "too-large"],
)
def test_an_unreadable_stdin_document_is_a_positioned_finding(
    command: str,
    data: bytes,
    where: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    feed_stdin(monkeypatch, data)
    assert run([command, "-"]) == 1
    out = capsys.readouterr()
    assert f"mlmodel {command}: cannot read the MLmodel file: {where}" in out.err
    assert out.out == ""


def test_convert_reads_stdin_and_prints_what_the_file_converts_to(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["convert", str(GOOD)]) == 0
    from_file = capsys.readouterr().out
    feed_stdin(monkeypatch, (GOOD / "MLmodel").read_bytes())
    assert run(["convert", "-"]) == 0
    from_stdin = capsys.readouterr().out
    assert from_stdin == from_file and json.loads(from_stdin)["flavors"]["sklearn"]
    feed_stdin(monkeypatch, from_stdin.encode())  # and back: JSON on stdin gives YAML
    assert run(["convert", "-"]) == 0
    assert yaml_load(capsys.readouterr().out) == json.loads(from_stdin)


def yaml_load(text: str) -> object:
    import yaml

    return yaml.safe_load(text)


def test_convert_from_stdin_writes_to_o(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.json"
    feed_stdin(monkeypatch, (LEGACY / "MLmodel").read_bytes())
    assert run(["convert", "-", "--upgrade", "--to", "json", "-o", str(target)]) == 0
    out = capsys.readouterr()
    assert out.out == ""
    assert f"wrote {target}" in out.err
    assert "upgrade: utc_time_created" in out.err  # the legacy time_created is upgraded
    written = json.loads(target.read_text(encoding="utf-8"))
    assert "time_created" not in written and written["utc_time_created"]


def test_convert_upgrade_from_stdin_reads_no_file_of_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # the 1.x env string is upgraded to {conda, virtualenv} only when python_env.yaml
    # exists beside the file; stdin has no model directory, whatever the current one holds
    (tmp_path / "python_env.yaml").write_text("python: 3.11\n", encoding="utf-8")
    (tmp_path / "conda.yaml").write_text("name: x\n", encoding="utf-8")
    text = "flavors:\n  python_function:\n    loader_module: m\n    env: conda.yaml\n"
    monkeypatch.chdir(tmp_path)
    target = write_model(tmp_path / "m", text)
    (target.parent / "python_env.yaml").write_text("python: 3.11\n", encoding="utf-8")
    assert run(["convert", "--upgrade", str(target)]) == 0
    assert "virtualenv: python_env.yaml" in capsys.readouterr().out
    feed_stdin(monkeypatch, text.encode())
    assert run(["convert", "--upgrade", "-"]) == 0
    out = capsys.readouterr()
    assert "virtualenv" not in out.out
    assert "env: conda.yaml" in out.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--in-place", "-"], "--in-place writes back to files; - (stdin) has none"),
        (["--in-place", "-", str(GOOD)], "--in-place writes back to files; - (stdin) has none"),
        (["-", str(GOOD)], "several paths need --in-place"),
    ],
)
def test_convert_stdin_usage_errors(
    args: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    feed_stdin(monkeypatch, (GOOD / "MLmodel").read_bytes())
    assert run(["convert", *args]) == 2
    out = capsys.readouterr()
    assert message in out.err and out.out == ""


@pytest.mark.parametrize("command", ["inspect", "convert"])
def test_stdin_through_a_real_process(command: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "mlmodel", command, "-"]

    def feed(data: bytes) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            args, input=data, capture_output=True, cwd=tmp_path, env=env, timeout=120, check=False
        )

    good = feed((GOOD / "MLmodel").read_bytes())
    assert good.returncode == 0, good.stderr
    assert b"sklearn" in good.stdout
    bad = feed(BAD_YAML)
    assert bad.returncode == 1
    assert b"<stdin>:4:7: error V100" in bad.stderr
    assert b"Traceback" not in bad.stderr + bad.stdout
    assert list(tmp_path.iterdir()) == []  # nothing written beside it


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
