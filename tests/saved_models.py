"""Models saved once per test session and copied for each test that asks.

MLflow's ``save_model`` infers the model's pip requirements in a child Python that imports
MLflow and loads the model: seconds on a 2-core machine, more under load. A test that needs
a saved model as its material (to load it, tamper with it, serve it), not the save itself,
copies the one saved for the session instead. Importing this module has no side effects.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path


class SavedModels:
    """Saved model directories under ``root``, one per key, each saved at most once."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def copy(self, key: str, save: Callable[[Path], object], dest: Path) -> Path:
        """``dest``: a copy of the model that ``save(path)`` writes for ``key`` (called the
        first time ``key`` is asked for; a key always names the same ``save``)."""
        template = self._root / key
        if not template.exists():
            save(template)
        shutil.copytree(template, dest)
        return dest
