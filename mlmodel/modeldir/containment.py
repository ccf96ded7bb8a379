"""Which paths stay inside a model directory: a path as written in an MLmodel file classified
against the directory (absolute, ``..`` escapes, symlinks leading out, names no file system
accepts), with ``stat`` calls only; nothing is opened.
"""

from __future__ import annotations

import posixpath
import re
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

__all__ = [
    "MAX_NAME_BYTES",
    "MAX_PATH_BYTES",
    "Located",
    "PathProblem",
    "inside",
    "is_inside",
    "is_regular_file",
    "locate",
    "path_problem",
    "relative_posix",
    "resolved",
]

_WINDOWS_ABSOLUTE = re.compile(r"^([A-Za-z]:[\\/]|\\\\)")

PathProblem = Literal["absolute", "escapes", "symlink-outside", "unusable"]

#: what POSIX file systems accept: a name (one component) and a whole path, in bytes
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4096


def path_problem(value: str) -> str | None:
    """Why no file system can hold the relative path ``value`` (None when one can).

    Such a path makes ``stat`` and ``open`` raise (``ValueError`` for a NUL,
    ``ENAMETOOLONG`` for a long name) instead of saying the file is missing.
    """
    if "\x00" in value:
        return "holds a NUL character"
    encoded = value.encode("utf-8", "surrogateescape")
    if len(encoded) > MAX_PATH_BYTES:
        return f"is {len(encoded)} bytes long; paths have at most {MAX_PATH_BYTES}"
    for part in encoded.replace(b"\\", b"/").split(b"/"):
        if len(part) > MAX_NAME_BYTES:
            return f"has a name of {len(part)} bytes; file names have at most {MAX_NAME_BYTES}"
    return None


def is_regular_file(path: Path) -> bool:
    """Whether ``path`` is a regular file (symlinks followed); False, never an exception, for
    a FIFO, a device, a missing file or a path no file system accepts."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):
        return False


@dataclass(frozen=True, slots=True)
class Located:
    """Where a model-relative path leads.

    ``target`` is ``model_dir / path`` (normalised, symlinks not resolved) when the path
    stays inside the model directory; ``problem`` says why it does not otherwise
    (``resolved`` then holds where a symlink leads).
    """

    target: Path | None
    problem: PathProblem | None = None
    resolved: Path | None = None


def locate(model_dir: Path, relative: str) -> Located:
    """Classify ``relative`` (as written in an MLmodel file) against ``model_dir``.

    Absolute paths (POSIX or Windows), ``..`` escapes and symlinks resolving outside the
    model directory are problems, and so is a path no file system accepts
    (:func:`path_problem`); the target need not exist.
    """
    if path_problem(relative) is not None:
        return Located(None, "unusable")
    if relative.startswith("/") or _WINDOWS_ABSOLUTE.match(relative):
        return Located(None, "absolute")
    normal = posixpath.normpath(relative)
    if normal == ".." or normal.startswith("../"):
        return Located(None, "escapes")
    root = resolved(model_dir)
    target = root / normal
    leads_to = resolved(target)
    if leads_to != root and root not in leads_to.parents:
        return Located(None, "symlink-outside", leads_to)
    return Located(target)


def inside(model_dir: Path, relative: str) -> Path | None:
    """``model_dir / relative`` when that stays inside the model directory, else None.

    Symlinks are resolved; the path need not exist.
    """
    if not relative:
        return None
    return locate(model_dir, relative).target


def is_inside(model_dir: Path, path: Path) -> bool:
    """Whether ``path`` (absolute or relative to the working directory) resolves to a place
    inside ``model_dir``."""
    root = resolved(model_dir)
    leads_to = resolved(path)
    return leads_to == root or root in leads_to.parents


def relative_posix(model_dir: Path, path: Path) -> str:
    """``path`` relative to the model directory, with ``/`` separators."""
    return PurePosixPath(resolved(path).relative_to(resolved(model_dir))).as_posix()


def resolved(path: Path) -> Path:
    """``path`` with its symlinks resolved; its absolute form when it cannot be resolved (a
    symlink loop, a name no file system accepts)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return path.absolute()
