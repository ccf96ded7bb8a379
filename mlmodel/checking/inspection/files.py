"""The files of a model directory with their sizes; symlinks are listed, never followed."""

from __future__ import annotations

import os
from pathlib import Path

from mlmodel.checking.inspection.types import FileEntry
from mlmodel.modeldir import is_inside

MAX_FILES = 10_000


def list_files(model_dir: Path) -> tuple[list[FileEntry], bool]:
    entries: list[FileEntry] = []
    root = model_dir.resolve()
    for current, dirs, names in os.walk(model_dir, followlinks=False):
        dirs.sort()
        here = Path(current)
        # symlinked directories are listed, never descended into
        for name in sorted([*names, *(d for d in dirs if (here / d).is_symlink())]):
            path = here / name
            relative = path.relative_to(model_dir).as_posix()
            if len(entries) >= MAX_FILES:
                return entries, True
            try:
                if path.is_symlink():
                    target = str(path.readlink())
                    resolved = path.resolve()
                    outside = not is_inside(root, resolved)
                    size = resolved.stat().st_size if not outside and resolved.is_file() else None
                    entries.append(FileEntry(relative, size, True, target, outside))
                else:
                    entries.append(FileEntry(relative, path.lstat().st_size))
            except (OSError, RuntimeError):
                entries.append(FileEntry(relative, None))
        dirs[:] = [d for d in dirs if not (here / d).is_symlink()]
    return entries, False
