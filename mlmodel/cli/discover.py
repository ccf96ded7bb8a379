"""``--recursive``: every MLmodel file below a directory, skipping what .gitignore ignores.

Inside a git work tree git itself lists the files (``git ls-files --cached --others
--exclude-standard``), so every .gitignore, ``.git/info/exclude`` and the global excludes file
apply exactly as git applies them, and ignored folders are never walked. Elsewhere (no git,
or not a repository) the folders are walked and nothing is ignored but ``.git`` folders, as
git would do outside a repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from mlmodel.core.names import MLMODEL_NAME

GIT_TIMEOUT_SECONDS = 60


def find_mlmodel_files(root: Path) -> list[Path]:
    """The MLmodel files below ``root`` (``root``'s own included), sorted, never symlinked
    folders' contents."""
    listed = _git_listed(root)
    found = listed if listed is not None else _walk(root)
    return sorted(path for path in found if path.is_file())


def _git_listed(root: Path) -> list[Path] | None:
    git = shutil.which("git")
    if git is None:
        return None
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    try:
        done = subprocess.run(
            [
                git,
                "-C",
                str(root),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
                "--",
                f":(glob)**/{MLMODEL_NAME}",
            ],
            capture_output=True,
            check=False,
            env=env,
            timeout=GIT_TIMEOUT_SECONDS,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:  # not inside a work tree
        return None
    names = done.stdout.decode("utf-8", errors="surrogateescape").split("\0")
    # --cached repeats a path with a merge conflict once per stage
    unique = dict.fromkeys(name for name in names if name)
    return [root / name for name in unique if Path(name).name == MLMODEL_NAME]


def _walk(root: Path) -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        if MLMODEL_NAME in files:
            found.append(Path(folder) / MLMODEL_NAME)
    return found
