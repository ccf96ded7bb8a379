"""What a file is, from its first bytes: never deserialised, never decompressed in full.

:func:`sniff_bytes` names the container kind of a file head (pickle, a compressed wrapper,
zip, HDF5, a Git LFS pointer, empty...); :func:`is_pickle` answers "would ``pickle.load``
(or ``joblib.load``) read this file as a pickle", by content and not by name: protocol 2+
pickles start with ``PROTO``; protocol 0-1 pickles are recognised by parsing their first
opcodes; gzip, zlib (joblib ``compress=``), bz2 and xz wrappers are looked into (a bounded
decompression of the head only).
"""

from __future__ import annotations

import io
import re
import zlib
from enum import Enum
from pathlib import Path
from typing import Final

__all__ = [
    "LFS_POINTER_PREFIX",
    "FileKind",
    "is_pickle",
    "is_pickle_bytes",
    "lfs_pointer_oid",
    "sniff_bytes",
    "sniff_file",
]

HEAD_BYTES: Final = 64 * 1024
LFS_POINTER_PREFIX: Final = b"version https://git-lfs.github.com/spec/"
_LFS_OID = re.compile(rb"^oid sha256:([0-9a-f]{64})$", re.MULTILINE)
_LFS_SIZE = re.compile(rb"^size (\d+)$", re.MULTILINE)
#: opcodes a protocol 0-1 pickle can start with (they push something onto the empty stack)
_PROTO0_START: Final = frozenset(b"(cNIJKLMFGSTUVXBC]})ldti")
#: C-unpickler-only integer syntax (``I0x1``): pickletools refuses it, ``pickle.load`` not
_C_ONLY_INT: Final = re.compile(rb"[IL][-+]?0[xXoObB]?[0-9a-fA-F_]*L?\n")


class FileKind(Enum):
    EMPTY = "empty"
    PICKLE = "pickle"
    GZIP = "gzip"
    ZLIB = "zlib"
    BZ2 = "bz2"
    XZ = "xz"
    ZIP = "zip"
    HDF5 = "hdf5"
    LFS_POINTER = "git-lfs-pointer"
    OTHER = "other"

    @property
    def compressed(self) -> bool:
        return self in (FileKind.GZIP, FileKind.ZLIB, FileKind.BZ2, FileKind.XZ)


def _zlib_header(head: bytes) -> bool:
    return len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0


def sniff_bytes(head: bytes) -> FileKind:
    """The container kind of a file whose first bytes are ``head`` (64 KiB is plenty)."""
    if not head:
        return FileKind.EMPTY
    if head.startswith(LFS_POINTER_PREFIX):
        return FileKind.LFS_POINTER
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return FileKind.ZIP
    if head.startswith(b"\x1f\x8b"):
        return FileKind.GZIP
    if head.startswith(b"BZh"):
        return FileKind.BZ2
    if head.startswith(b"\xfd7zXZ\x00"):
        return FileKind.XZ
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        return FileKind.HDF5
    if _looks_like_pickle(head):
        return FileKind.PICKLE
    if _zlib_header(head):
        return FileKind.ZLIB
    return FileKind.OTHER


def _looks_like_pickle(head: bytes) -> bool:
    if head[0] == 0x80:
        return len(head) >= 2 and head[1] <= 5
    if head[0] not in _PROTO0_START:
        return False
    import pickletools  # protocol 0/1 only: not loaded for the usual binary pickle

    ops = 0
    try:
        for op, _arg, _pos in pickletools.genops(io.BytesIO(head)):
            ops += 1
            if op.name == "STOP" or ops >= 64:
                return True
    except Exception:  # noqa: BLE001 - any parse failure decides "no" below
        if ops == 0:
            return _C_ONLY_INT.match(head) is not None
        # the head ended inside the pickle (a long file): parsing went well so far
        return len(head) >= HEAD_BYTES and ops >= 2
    return False


def _decompressed_head(kind: FileKind, head: bytes) -> bytes:
    """The first bytes of a compressed head's content (bounded; partial input is fine)."""
    import bz2
    import lzma

    try:
        if kind is FileKind.GZIP:
            return zlib.decompressobj(wbits=47).decompress(head, 4096)
        if kind is FileKind.ZLIB:
            return zlib.decompressobj().decompress(head, 4096)
        if kind is FileKind.BZ2:
            return bz2.BZ2Decompressor().decompress(head, 4096)
        if kind is FileKind.XZ:
            return lzma.LZMADecompressor().decompress(head, 4096)
    except (OSError, ValueError, EOFError, zlib.error, lzma.LZMAError):
        return b""
    return b""


def is_pickle_bytes(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a pickle or a compressed wrapper of one."""
    kind = sniff_bytes(head)
    if kind is FileKind.PICKLE:
        return True
    if kind.compressed:
        inner = _decompressed_head(kind, head)
        return bool(inner) and sniff_bytes(inner) is FileKind.PICKLE
    return False


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of a regular file (raises OSError otherwise)."""
    with Path(path).open("rb") as handle:
        return handle.read(size)


def sniff_file(path: Path) -> FileKind:
    """The container kind of a file, from its first bytes (OSError when unreadable)."""
    return sniff_bytes(read_head(path))


def is_pickle(path: Path) -> bool:
    """Whether ``path`` is a regular file holding a pickle (or a gzip/zlib/bz2/xz one).

    By content, never by name; never raises: an unreadable path, a folder, a FIFO or a
    device is not a pickle (nothing but a regular file is ever opened).
    """
    try:
        if not Path(path).is_file():
            return False
        return is_pickle_bytes(read_head(path))
    except OSError:
        return False


def lfs_pointer_oid(head: bytes) -> tuple[str, int] | None:
    """(sha256 oid, size) of a Git LFS pointer file, None if ``head`` is not one."""
    if not head.startswith(LFS_POINTER_PREFIX):
        return None
    oid = _LFS_OID.search(head)
    size = _LFS_SIZE.search(head)
    return (
        oid.group(1).decode("ascii") if oid else "?",
        int(size.group(1)) if size else -1,
    )
