"""Where models fetched from URIs are kept: ``MLMODEL_CACHE_DIR`` or ``~/.cache/mlmodel``.

One entry per (tracking server, registry, pinned URI): an alias or ``latest`` is pinned to
the version it names before the entry is chosen, so a moved alias fetches the new version.
Entries are written whole (:func:`mlmodel.core.fsio.atomic_directory`) and never changed after.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from mlmodel.core.uris import ModelUri

CACHE_ENV = "MLMODEL_CACHE_DIR"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def cache_root() -> Path:
    """The cache folder (``MLMODEL_CACHE_DIR``, else ``$XDG_CACHE_HOME/mlmodel``, else
    ``~/.cache/mlmodel``)."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "mlmodel"


def _servers() -> str:
    import mlflow

    return f"{mlflow.get_tracking_uri()}\n{mlflow.get_registry_uri()}"


def cache_entry(parsed: ModelUri) -> Path:
    """The cache directory of a (pinned) model URI: a readable slug and a digest of the
    servers and the URI."""
    digest = hashlib.sha256(f"{_servers()}\n{parsed.uri}".encode()).hexdigest()[:20]
    slug = _UNSAFE.sub("-", parsed.uri.split(":", 1)[1]).strip("-.")[:60] or "model"
    return cache_root() / "models" / f"{slug}-{digest}"


__all__ = ["CACHE_ENV", "cache_entry", "cache_root"]
