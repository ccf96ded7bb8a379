"""The cache of created environments: one folder per key under a root, a ``ready`` marker
written last, one ``flock`` file per key.

Layout (``MLMODEL_ENV_ROOT``, default ``$XDG_CACHE_HOME/mlmodel/envs`` or
``~/.cache/mlmodel/envs``)::

    <root>/<key>/            the environment (a venv), built in place
    <root>/<key>/ready       its metadata (JSON), written last: no marker, not ready
    <root>/<key>/used        touched at each use (prune --older-than reads it)
    <root>/.locks/<key>.lock the key's lock

A venv is not relocatable (its scripts embed its path), so an environment is built at the
path it is used from, under the key's exclusive lock; the marker is written to a temporary
file and renamed into place last, so a creation that is killed leaves a folder without a
marker, which no run uses: the next creation (under the lock) removes it first, and
``mlmodel env prune`` removes it. A process using an environment holds the key's lock
shared for its lifetime (the lock's descriptor survives ``exec``), so prune never removes
an environment in use, and a creation excludes every user.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlmodel.core.errors import UsageError

__all__ = [
    "READY_MARKER",
    "CachedEnvironment",
    "KeyLock",
    "env_root",
    "is_ready",
    "list_environments",
    "prune",
    "read_marker",
    "remove_unfinished",
    "write_marker",
]

READY_MARKER = "ready"
USED_MARKER = "used"
LOCKS = ".locks"
#: how long a run waits for another run's creation of the same environment
DEFAULT_LOCK_TIMEOUT = 1800.0


def env_root() -> Path:
    """``MLMODEL_ENV_ROOT``, else ``$XDG_CACHE_HOME/mlmodel/envs``, else
    ``~/.cache/mlmodel/envs``."""
    configured = os.environ.get("MLMODEL_ENV_ROOT")
    if configured:
        return Path(configured)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "mlmodel" / "envs"


def read_marker(env_dir: Path) -> dict[str, Any] | None:
    """The metadata of a ready environment, or None when it has no (readable) marker."""
    try:
        data = json.loads((env_dir / READY_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_ready(env_dir: Path) -> bool:
    return read_marker(env_dir) is not None


def write_marker(env_dir: Path, metadata: dict[str, Any]) -> None:
    """Publish ``env_dir`` as ready: the marker is written whole or not at all
    (:func:`mlmodel.core.fsio.write_file`: a temporary sibling, fsynced, renamed into place),
    the last step of a creation."""
    from mlmodel.core.fsio import write_file

    write_file(env_dir / READY_MARKER, json.dumps(metadata, indent=2, sort_keys=True).encode())
    (env_dir / USED_MARKER).touch()


def touch_used(env_dir: Path) -> None:
    with contextlib.suppress(OSError):
        (env_dir / USED_MARKER).touch()


def remove_unfinished(env_dir: Path) -> bool:
    """Remove ``env_dir`` when it exists without a marker (a killed creation); whether it
    did. Call it under the key's exclusive lock."""
    if env_dir.exists() and not is_ready(env_dir):
        shutil.rmtree(env_dir, ignore_errors=True)
        return True
    return False


class KeyLock:
    """The ``flock`` of one key: shared while an environment is used, exclusive while it is
    created or removed. The descriptor is inheritable, so the lock outlives an ``exec``."""

    def __init__(self, root: Path, key: str) -> None:
        folder = root / LOCKS
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{key}.lock"
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)

    def try_lock(self, exclusive: bool) -> bool:
        """Take the lock without waiting; whether it was taken."""
        try:
            fcntl.flock(self.fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                return False
            raise
        return True

    def lock(
        self,
        exclusive: bool,
        timeout: float,
        on_wait: Callable[[], None] | None = None,
        interval: float = 0.1,
    ) -> None:
        """Take the lock, waiting at most ``timeout`` seconds (``on_wait`` is called once
        when it must wait); a :class:`~mlmodel.core.errors.UsageError` past the timeout."""
        deadline = time.monotonic() + timeout
        waited = False
        while not self.try_lock(exclusive):
            if not waited and on_wait is not None:
                on_wait()
            waited = True
            if time.monotonic() > deadline:
                raise UsageError(
                    f"gave up after {timeout:.0f} s waiting for the lock {self.path} (another "
                    "mlmodel creating or removing this environment); retry, or set "
                    "MLMODEL_ENV_LOCK_TIMEOUT"
                )
            time.sleep(interval)

    def unlock(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)

    def keep_across_exec(self) -> None:
        os.set_inheritable(self.fd, True)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


def lock_timeout() -> float:
    """``MLMODEL_ENV_LOCK_TIMEOUT`` seconds, else :data:`DEFAULT_LOCK_TIMEOUT`."""
    try:
        return float(os.environ.get("MLMODEL_ENV_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT))
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


@dataclass(frozen=True, slots=True)
class CachedEnvironment:
    """One folder of the cache."""

    key: str
    path: Path
    metadata: dict[str, Any] | None  #: the marker's content; None: unfinished
    last_used: float  #: seconds since the epoch
    in_use: bool  #: its lock is held (a run uses it, or creates it)

    @property
    def ready(self) -> bool:
        return self.metadata is not None


def _last_used(env_dir: Path) -> float:
    for name in (USED_MARKER, READY_MARKER, "."):
        with contextlib.suppress(OSError):
            return (env_dir / name).stat().st_mtime
    return 0.0


def _held(root: Path, key: str) -> bool:
    lock = KeyLock(root, key)
    try:
        if lock.try_lock(exclusive=True):
            lock.unlock()
            return False
        return True
    finally:
        lock.close()


def list_environments(root: Path | None = None) -> list[CachedEnvironment]:
    """The environments of the cache (unfinished ones too), most recently used first."""
    root = env_root() if root is None else root
    if not root.is_dir():
        return []
    found: list[CachedEnvironment] = []
    for entry in root.iterdir():
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        key = entry.name
        found.append(
            CachedEnvironment(key, entry, read_marker(entry), _last_used(entry), _held(root, key))
        )
    return sorted(found, key=lambda env: -env.last_used)


def prune(
    *,
    older_than_days: float | None = None,
    everything: bool = False,
    dry_run: bool = False,
    root: Path | None = None,
    now: float | None = None,
) -> tuple[list[CachedEnvironment], list[CachedEnvironment]]:
    """Remove unfinished environments, and ready ones unused for ``older_than_days`` days
    (or all with ``everything``); never one whose lock is held. Returns (removed, kept in
    use): with ``dry_run`` what would be removed, nothing is."""
    root = env_root() if root is None else root
    now = time.time() if now is None else now
    removed: list[CachedEnvironment] = []
    busy: list[CachedEnvironment] = []
    for env in list_environments(root):
        stale = older_than_days is not None and now - env.last_used > older_than_days * 86400
        if env.ready and not (everything or stale):
            continue
        lock = KeyLock(root, env.key)
        try:
            if not lock.try_lock(exclusive=True):
                busy.append(env)
                continue
            if not dry_run:
                shutil.rmtree(env.path, ignore_errors=True)
            removed.append(env)
        finally:
            lock.close()
    return removed, busy
