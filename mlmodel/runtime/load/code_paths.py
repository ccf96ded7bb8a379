"""``code`` directories: user code a flavor needs on the import path (MLflow §6 step 7)."""

from __future__ import annotations

import sys
from pathlib import Path


def add_code_to_path(model_dir: Path, code: object) -> None:
    """Prepend ``<model_dir>/<code>`` to ``sys.path`` (once) when the flavor names one."""
    if not code:
        return
    entry = str((Path(model_dir) / str(code)).resolve())
    if entry not in sys.path:
        sys.path.insert(0, entry)
