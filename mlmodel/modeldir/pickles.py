"""Which files of a model directory are pickles, each with the document key that references
it. Detection is :mod:`mlmodel.pickle_scan`'s, by content and never by name; nothing is
unpickled."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlmodel.modeldir.containment import inside, resolved
from mlmodel.modeldir.references import referenced_paths
from mlmodel.yamlio.tree import KeyPath

if TYPE_CHECKING:
    from mlmodel.pickle_scan import ScanBudget

__all__ = ["pickle_files"]


def pickle_files(
    model_dir: Path,
    data: Mapping[str, Any],
    *,
    every_file: bool = False,
    budget: ScanBudget | None = None,
    lfs_pointers: bool = False,
) -> list[tuple[KeyPath | None, Path]]:
    """The pickles of a model directory, each with the key that references it.

    The files the document references, and every file inside the folders it references,
    that resolve inside the model directory and hold pickles by content (a pickle, a
    compressed one, a zip of pickles such as a torch file: see
    :func:`mlmodel.pickle_scan.select_pickles`). With ``every_file``, every other regular
    file of the directory too (key None). In-directory symlinks are followed, others never.
    There is no cap on the number of files: the work is bounded by ``budget`` (bytes read
    and time), and ``budget.stopped`` says when the bound cut the list short. With
    ``lfs_pointers``, Git LFS pointers (committed in place of a file) are listed too.
    """
    from mlmodel.pickle_scan import ScanBudget, select_pickles

    root = resolved(model_dir)
    budget = budget if budget is not None else ScanBudget()
    seen: set[Path] = set()
    found: list[tuple[KeyPath | None, Path]] = []
    for key, value, _ref in referenced_paths(data):
        target = inside(root, value)
        if target is None:
            continue
        files, _ = select_pickles(root, [target], budget, seen=seen, lfs_pointers=lfs_pointers)
        found.extend((key, path) for path in files)
        if budget.stopped is not None:
            return found
    if every_file:
        files, _ = select_pickles(root, [root], budget, seen=seen, lfs_pointers=lfs_pointers)
        found.extend((None, path) for path in files)
    return found
