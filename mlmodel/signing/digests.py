"""Streaming digests of every file of a model directory, by model-signing's path rules.

The files are those model-signing 1.1.1 hashes with its ``files`` serialisation: every
file below the directory, hidden ones included, as a POSIX path relative to it, except
the signature itself and git's own files at the top (``.git/``, ``.github/``,
``.gitattributes``, ``.gitignore``, which model-signing always leaves out). A symlink is
refused unless the signature says the signer followed them (model-signing's
``allow_symlinks``, off by default): then a link to a file is hashed as that file and a
link to a folder is skipped, as model-signing does. A FIFO, socket or device is never
opened. Each file is read in 1 MiB chunks into one buffer: memory does not grow with file
size.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from mlmodel.core.fsio import NotRegularFileError, kind_of
from mlmodel.signing.names import DEFAULT_SIGNATURE

CHUNK_BYTES: Final = 1 << 20
#: what model-signing leaves out of every model directory (``ignore_git_paths``)
GIT_PATHS: Final = (".git", ".github", ".gitattributes", ".gitignore")
_HASHLIB_NAMES: Final = {"sha256": "sha256", "blake2": "blake2b"}


@dataclass
class DirectoryDigests:
    """The files of a model directory: ``digests`` (relative POSIX path -> hex digest);
    ``irregular`` (path -> what it is) the entries that are not hashed as files (a symlink
    where symlinks are not followed, a broken link, a FIFO...); ``size`` the bytes hashed;
    ``stopped`` what bound stopped the hashing before the end (then ``digests`` is partial)."""

    digests: dict[str, str] = field(default_factory=dict)
    irregular: dict[str, str] = field(default_factory=dict)
    size: int = 0
    stopped: str | None = None


def _excluded(relative: str, exclude: Iterable[str]) -> bool:
    return any(relative == e or relative.startswith(e.rstrip("/") + "/") for e in exclude)


def _entries(model_dir: Path, exclude: tuple[str, ...], follow: bool) -> list[tuple[str, str]]:
    """(relative path, kind) of every entry that is not a folder, sorted; kind is "file",
    "symlink-file" (followed), or the words for what it is."""
    found: list[tuple[str, str]] = []
    pending = [""]
    while pending:
        prefix = pending.pop()
        with os.scandir(model_dir / prefix if prefix else model_dir) as entries:
            for entry in entries:
                relative = f"{prefix}{entry.name}"
                if _excluded(relative, exclude):
                    continue
                if entry.is_symlink():
                    found.append((relative, _symlink_kind(Path(entry.path), follow)))
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(relative + "/")
                elif entry.is_file(follow_symlinks=False):
                    found.append((relative, "file"))
                else:
                    found.append((relative, kind_of(entry.stat(follow_symlinks=False).st_mode)))
    return sorted(found)


def _symlink_kind(path: Path, follow: bool) -> str:
    if not follow:
        return "a symlink"
    try:
        info = path.stat()
    except OSError:
        return "a broken symlink"
    if stat.S_ISDIR(info.st_mode):
        return "skip"  # model-signing neither hashes nor enters a linked folder
    return "symlink-file" if stat.S_ISREG(info.st_mode) else "a symlink to " + kind_of(info.st_mode)


def file_digest(
    path: Path,
    algorithm: str = "sha256",
    *,
    follow_symlinks: bool = False,
    buffer: bytearray | None = None,
) -> str:
    """The hex digest of one regular file, read in chunks; refuses (without reading) a
    symlink unless ``follow_symlinks``, and anything that is not a regular file
    (:class:`~mlmodel.core.fsio.NotRegularFileError`)."""
    digest = hashlib.new(_HASHLIB_NAMES.get(algorithm, algorithm))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotRegularFileError(errno.ELOOP, "a symlink, not followed", str(path)) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(
                errno.EINVAL, f"{kind_of(info.st_mode)}, not a regular file", str(path)
            )
        chunk = buffer if buffer is not None else bytearray(CHUNK_BYTES)
        view = memoryview(chunk)
        while count := os.readv(fd, [view]):
            digest.update(view[:count])
    finally:
        os.close(fd)
    return digest.hexdigest()


def hash_directory(
    model_dir: Path,
    *,
    algorithm: str = "sha256",
    exclude: Iterable[str] = (DEFAULT_SIGNATURE,),
    allow_symlinks: bool = False,
    max_bytes: int | None = None,
    max_seconds: float | None = None,
) -> DirectoryDigests:
    """Digests of every file of ``model_dir`` (see the module docstring), leaving out
    :data:`GIT_PATHS` and ``exclude`` (paths relative to the directory; a folder leaves out
    what it holds). With ``max_bytes`` nothing is hashed when the files add up to more; with
    ``max_seconds`` hashing stops when the time is up; ``stopped`` then says which."""
    result = DirectoryDigests()
    entries = _entries(model_dir, (*GIT_PATHS, *exclude), allow_symlinks)
    if max_bytes is not None:
        total = 0
        for relative, kind in entries:
            if kind in ("file", "symlink-file"):
                total += (model_dir / relative).stat().st_size
        if total > max_bytes:
            result.stopped = f"the files add up to {total} bytes, above the {max_bytes}-byte bound"
            return result
    started = time.monotonic()
    buffer = bytearray(CHUNK_BYTES)
    for relative, kind in entries:
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            result.stopped = f"the time bound ({max_seconds:g} s) stopped the hashing"
            return result
        if kind == "skip":
            continue
        if kind not in ("file", "symlink-file"):
            result.irregular[relative] = kind
            continue
        path = model_dir / relative
        try:
            result.digests[relative] = file_digest(
                path, algorithm, follow_symlinks=kind == "symlink-file", buffer=buffer
            )
        except NotRegularFileError as exc:  # replaced while we looked
            result.irregular[relative] = exc.strerror or "not a regular file"
            continue
        result.size += path.stat().st_size
    return result


def file_digests(
    model_dir: Path,
    *,
    signature_name: str = DEFAULT_SIGNATURE,
    algorithm: str = "sha256",
    allow_symlinks: bool = False,
) -> dict[str, str]:
    """Relative POSIX path -> hex digest (SHA-256 by default) of every file of ``model_dir``
    that a signature covers (every file but the signature and git's files at the top).
    Raises :class:`~mlmodel.core.fsio.NotRegularFileError` for a symlink (unless
    ``allow_symlinks``), a FIFO, a socket or a device, as model-signing refuses them."""
    found = hash_directory(
        model_dir, algorithm=algorithm, exclude=(signature_name,), allow_symlinks=allow_symlinks
    )
    if found.irregular:
        relative, what = next(iter(found.irregular.items()))
        raise NotRegularFileError(
            errno.EINVAL,
            f"{what}: a signature covers regular files only",
            str(model_dir / relative),
        )
    return found.digests


__all__ = [
    "CHUNK_BYTES",
    "DEFAULT_SIGNATURE",
    "GIT_PATHS",
    "DirectoryDigests",
    "file_digest",
    "file_digests",
    "hash_directory",
]
