"""The pre-commit hooks of .pre-commit-hooks.yaml, run for real with ``pre-commit try-repo``.

try-repo clones this repository at its HEAD commit (so the hook files must be committed) and
pip-installs it into a new environment in a temporary store of its own, every time: the test
needs the package registry (pip's cache makes the second invocation quicker). The commit is
passed with ``--ref``: without it try-repo adds uncommitted changes to tracked files but not
untracked files, a mix that breaks while someone's work in progress spans both. ``PRE_COMMIT_HOME`` points at a temporary folder all
the same, so nothing reads or writes the user's pre-commit cache.

The try-repo test is marked ``slow``: CI (``.ci/run``) runs it; a quick local run skips it
with ``pytest -m "not slow"``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLES, ROOT

GIT = shutil.which("git")


def _pre_commit() -> list[str] | None:
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    found = shutil.which("pre-commit")
    return [found] if found else None


PRE_COMMIT = _pre_commit()


def test_hook_manifest() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"mlmodel-validate", "mlmodel-lint"}
    assert hooks["mlmodel-validate"]["entry"] == "mlmodel validate"
    assert hooks["mlmodel-lint"]["entry"] == "mlmodel lint"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["files"] == "(^|/)MLmodel$"
        assert hook["pass_filenames"] is True
        assert hook["description"]


def _git(repo: Path, *args: str, env: dict[str, str]) -> str:
    assert GIT is not None
    done = subprocess.run(
        [GIT, *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


@pytest.mark.slow
@pytest.mark.skipif(GIT is None, reason="git is not installed")
@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")
def test_try_repo_mlmodel_validate(tmp_path: Path) -> None:
    assert GIT is not None and PRE_COMMIT is not None
    # Hermetic: our own pre-commit cache, and no GIT_* variables from an enclosing hook.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    env["PRE_COMMIT_COLOR"] = "never"
    try:
        head = _git(ROOT, "rev-parse", "--verify", "HEAD", env=env)
    except subprocess.CalledProcessError:
        pytest.skip(f"{ROOT} is not a git repository with a commit")
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q", env=env)
    shutil.copytree(EXAMPLES / "sklearn-3x", repo / "models" / "good")
    _git(repo, "add", ".", env=env)

    def try_repo() -> subprocess.CompletedProcess[str]:
        started = time.monotonic()
        done = subprocess.run(
            [*PRE_COMMIT, "try-repo", str(ROOT), "mlmodel-validate", "--ref", head, "--all-files"],
            check=False,
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        print(f"try-repo: exit {done.returncode} in {time.monotonic() - started:.1f}s")
        print(done.stdout, done.stderr, sep="\n")
        return done

    good = try_repo()
    assert good.returncode == 0, good.stdout + good.stderr
    assert "mlmodel validate" in good.stdout
    assert "Passed" in good.stdout

    bad = repo / "models" / "bad"
    bad.mkdir()
    (bad / "MLmodel").write_text("flavors: {}\n", encoding="utf-8")
    _git(repo, "add", ".", env=env)

    failed = try_repo()
    assert failed.returncode != 0
    assert "Failed" in failed.stdout
    assert "models/bad/MLmodel:1:10: error V202" in failed.stdout
    assert "models/good/MLmodel" not in failed.stdout  # clean files are not reported
