"""Which files of a model directory are pickles, by content, within a bound of work.

Every regular file below the given paths is sniffed (its first bytes, never the whole file):
a pickle named ``.bin`` or with no suffix at all is found, a torch zip named ``.bin`` too,
and so is a symlink to a pickle when it stays inside the model directory. There is no cap
on the number of files (a cap hides the file after it); the work is bounded by the bytes
read and the time spent instead, and a result says when a bound stopped it.
"""

from __future__ import annotations

import os
import stat
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from mlmodel.pickle_scan.containers import (
    DEFAULT_MAX_BYTES,
    PICKLE_MEMBER_SUFFIXES,
    scan_pickle,
)
from mlmodel.pickle_scan.results import PickleScan
from mlmodel.pickle_scan.sniff import (
    HEAD_BYTES,
    FileKind,
    is_pickle_bytes,
    read_head,
    sniff_bytes,
)

__all__ = ["DirectoryScan", "ScanBudget", "holds_pickles", "scan_pickles", "select_pickles"]

DEFAULT_MAX_TOTAL_BYTES: Final = 4 * 1024 * 1024 * 1024
DEFAULT_MAX_SECONDS: Final = 120.0


@dataclass
class ScanBudget:
    """Bytes and seconds a directory scan may spend; ``stopped`` says which bound hit."""

    max_bytes: int = DEFAULT_MAX_TOTAL_BYTES
    max_seconds: float = DEFAULT_MAX_SECONDS
    spent_bytes: int = 0
    started: float = field(default_factory=time.monotonic)
    stopped: str | None = None

    def spend(self, n: int) -> None:
        self.spent_bytes += n

    def left(self) -> int:
        return max(0, self.max_bytes - self.spent_bytes)

    def check(self) -> bool:
        """Whether more work is allowed; when not, ``stopped`` says which bound hit."""
        if self.stopped is None:
            if self.spent_bytes >= self.max_bytes:
                self.stopped = f"the byte bound ({self.max_bytes} bytes read) stopped the scan"
            elif time.monotonic() - self.started > self.max_seconds:
                self.stopped = f"the time bound ({self.max_seconds:g} s) stopped the scan"
        return self.stopped is None


def _regular(path: Path) -> os.stat_result | None:
    try:
        info = path.stat()  # follows symlinks: the target decides
    except OSError:
        return None
    return info if stat.S_ISREG(info.st_mode) else None


def _files(root: Path, targets: Iterable[Path], seen: set[Path]) -> Iterator[Path]:
    """Regular files below ``targets`` (resolved, inside ``root``, each once: ``seen``)."""
    pending = list(targets)
    while pending:
        path = pending.pop(0)
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):
            continue
        if resolved in seen or not resolved.is_relative_to(root):
            continue
        seen.add(resolved)
        if resolved.is_dir():
            try:
                children = sorted(resolved.iterdir())
            except OSError:
                continue
            pending[:0] = children
        elif _regular(resolved) is not None:
            yield resolved


def _holds_pickles(path: Path, head: bytes, lfs_pointers: bool) -> bool:
    kind = sniff_bytes(head)
    if kind is FileKind.ZIP:
        return _zip_has_pickles(path)
    if kind is FileKind.LFS_POINTER:
        return lfs_pointers
    return is_pickle_bytes(head)


def holds_pickles(path: Path) -> bool:
    """Whether ``path`` is a regular file holding pickles by content: a pickle, a compressed
    pickle, or a zip with pickle members (a torch file, whatever its name). Never raises."""
    if _regular(path) is None:
        return False
    try:
        return _holds_pickles(path, read_head(path, HEAD_BYTES), False)
    except OSError:
        return False


def select_pickles(
    root: Path,
    targets: Iterable[Path],
    budget: ScanBudget | None = None,
    *,
    seen: set[Path] | None = None,
    lfs_pointers: bool = False,
) -> tuple[list[Path], ScanBudget]:
    """Files below ``targets`` that are pickles (plain, compressed, or zips holding pickles),
    sniffed by content; ``budget.stopped`` when cut short. Paths (resolved) in ``seen`` are
    skipped, and the paths visited are added to it. With ``lfs_pointers``, Git LFS pointer
    files are selected too (scanning one names it as such)."""
    budget = budget or ScanBudget()
    found: list[Path] = []
    for path in _files(root.resolve(), targets, set() if seen is None else seen):
        if not budget.check():
            break
        try:
            head = read_head(path, HEAD_BYTES)
        except OSError:
            continue
        if _holds_pickles(path, head, lfs_pointers):
            found.append(path)
        budget.spend(len(head))
    return found, budget


def _zip_has_pickles(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return any(n.lower().endswith(PICKLE_MEMBER_SUFFIXES) for n in archive.namelist())
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return False


@dataclass(frozen=True)
class DirectoryScan:
    """The scan of every pickle below some paths of a model directory."""

    scans: tuple[tuple[Path, PickleScan], ...]
    stopped: str | None = None  #: the bound that stopped the walk or the scans, if any

    @property
    def safe(self) -> bool:
        return self.stopped is None and all(s.safe for _p, s in self.scans)


def scan_pickles(
    root: Path,
    targets: Iterable[Path],
    budget: ScanBudget | None = None,
    *,
    seen: set[Path] | None = None,
) -> DirectoryScan:
    """Select the pickles below ``targets`` by content and scan each, within ``budget``
    (``seen``: see :func:`select_pickles`)."""
    files, budget = select_pickles(root, targets, budget, seen=seen)
    scans: list[tuple[Path, PickleScan]] = []
    for path in files:
        if not budget.check():
            break
        scan = scan_pickle(path, max_bytes=min(DEFAULT_MAX_BYTES, budget.left()))
        scans.append((path, scan))
        info = _regular(path)
        budget.spend(info.st_size if info else 0)
    return DirectoryScan(tuple(scans), budget.stopped)
