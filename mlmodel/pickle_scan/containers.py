"""Entry points: scan a file or bytes, looking through the containers pickles come in.

* a plain pickle (one or several in a row: joblib and legacy torch files write more than one);
* a compressed pickle: gzip (``joblib.dump(..., compress=("gzip", 3))``, ``.pkl.gz``), zlib
  (``joblib.dump(..., compress=3)``), bz2 and xz/lzma. Decompression is streamed and bounded:
  more than ``max_bytes`` of output stops the scan with an error (a decompression bomb);
* a zip archive (torch ``.pt``, ``.skops``, any file starting with a zip local header):
  every member named ``*.pkl``, ``*.pickle`` or ``*.joblib`` is scanned from the archive,
  streamed, never extracted. A file that merely *ends* like a zip but starts like a pickle
  is scanned as a pickle, because that is how ``pickle.load`` reads it.

Never raises on bad input: an unreadable, empty, truncated or garbage file gives a result
with ``error`` set (which is never safe), keeping the imports found before the failure.
Reads are bounded by the real size of the data, so a huge declared length allocates nothing.
"""

from __future__ import annotations

import bz2
import io
import lzma
import zipfile
import zlib
from pathlib import Path
from typing import IO, BinaryIO, Final, Protocol

from mlmodel.pickle_scan.opcodes import ScanError, Scanner
from mlmodel.pickle_scan.results import PickleScan
from mlmodel.pickle_scan.sniff import FileKind, lfs_pointer_oid, sniff_bytes

__all__ = ["DEFAULT_MAX_BYTES", "scan_pickle", "scan_pickle_bytes"]

DEFAULT_MAX_BYTES: Final = 512 * 1024 * 1024
PICKLE_MEMBER_SUFFIXES: Final = (".pkl", ".pickle", ".joblib")
_CHUNK: Final = 64 * 1024
_SNIFF: Final = 64 * 1024


class _BoundedReader:
    """A read-only stream that never asks its source for more than what is left."""

    def __init__(self, raw: IO[bytes], size: int) -> None:
        self._raw = raw
        self._size = size
        self._pos = 0

    def read(self, n: int = -1, /) -> bytes:
        left = self._size - self._pos
        data = self._raw.read(left if n < 0 or n > left else n)
        self._pos += len(data)
        return data

    def readline(self) -> bytes:
        data = self._raw.readline(self._size - self._pos)
        self._pos += len(data)
        return data

    def tell(self) -> int:
        return self._pos

    def at_end(self) -> bool:
        return self._pos >= self._size


class _Decompressor(Protocol):
    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...

    @property
    def eof(self) -> bool: ...


class _Inflater:
    """A forward-only stream over decompressed data, bounded to ``limit`` bytes of output."""

    def __init__(self, raw: IO[bytes], kind: FileKind, limit: int) -> None:
        self._raw = raw
        self._kind = kind
        self._limit = limit
        self._d: _Decompressor = _decompressor(kind)
        self._pending = b""
        self._buffer = bytearray()
        self._pos = 0
        self._produced = 0
        self._done = False

    def _more(self) -> None:
        if self._d.eof:
            self._done = True
            return
        if self._pending:
            data, self._pending = self._pending, b""
        elif not getattr(self._d, "needs_input", True):
            data = b""  # bz2/lzma hold unread input themselves
        else:
            data = self._raw.read(_CHUNK)
            if not data:
                self._done = True  # truncated input: the pickle parser reports where
                return
        try:
            out = self._d.decompress(data, _CHUNK)
        except (OSError, ValueError, EOFError, zlib.error, lzma.LZMAError) as exc:
            raise ScanError(f"{self._kind.value} data is corrupt: {exc}") from exc
        self._pending = bytes(getattr(self._d, "unconsumed_tail", b""))
        self._produced += len(out)
        if self._produced > self._limit:
            raise ScanError(
                f"{self._kind.value} data decompresses to more than {self._limit} bytes "
                "(max_bytes): not scanned to the end"
            )
        self._buffer += out

    def _fill(self, n: int) -> None:
        while len(self._buffer) < n and not self._done:
            self._more()

    def read(self, n: int = -1, /) -> bytes:
        if n < 0:
            while not self._done:
                self._more()
            n = len(self._buffer)
        self._fill(n)
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        self._pos += len(data)
        return data

    def readline(self) -> bytes:
        while b"\n" not in self._buffer and not self._done:
            self._more()
        end = self._buffer.find(b"\n")
        return self.read(end + 1 if end >= 0 else len(self._buffer))

    def tell(self) -> int:
        return self._pos

    def at_end(self) -> bool:
        self._fill(1)
        return not self._buffer


def _decompressor(kind: FileKind) -> _Decompressor:
    if kind is FileKind.GZIP:
        return zlib.decompressobj(wbits=31)
    if kind is FileKind.ZLIB:
        return zlib.decompressobj()
    if kind is FileKind.BZ2:
        return bz2.BZ2Decompressor()
    return lzma.LZMADecompressor()


def _scan_zip(scanner: Scanner, archive: zipfile.ZipFile, max_bytes: int) -> None:
    budget = max_bytes
    for info in archive.infolist():
        if info.is_dir() or not info.filename.lower().endswith(PICKLE_MEMBER_SUFFIXES):
            continue
        scanner.members.append(info.filename)
        scanner.member = info.filename
        if info.file_size > budget:
            scanner.fail(f"{info.file_size} bytes uncompressed, over the max_bytes budget")
            continue
        budget -= info.file_size
        try:
            with archive.open(info) as raw:
                scanner.scan_stream(_BoundedReader(raw, info.file_size), info.filename)
        except Exception as exc:  # noqa: BLE001 - bad compression, encryption, CRC: go on
            scanner.member = info.filename
            scanner.fail(f"cannot read the member: {exc}")
    scanner.member = None


def _open_zip(stream: BinaryIO) -> zipfile.ZipFile | None:
    """The archive when the data starts with a zip header and opens as a zip."""
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        stream.seek(0)


def _scan_handle(scanner: Scanner, handle: BinaryIO, size: int, max_bytes: int) -> None:
    head = handle.read(_SNIFF)
    handle.seek(0)
    kind = sniff_bytes(head)
    if kind is FileKind.LFS_POINTER:
        oid, declared = lfs_pointer_oid(head) or ("?", -1)
        scanner.fail(
            f"a Git LFS pointer (oid sha256:{oid[:12]}..., {declared} bytes), not the file "
            "itself: run `git lfs pull`"
        )
        return
    if kind is FileKind.ZIP:
        archive = _open_zip(handle)
        if archive is not None:
            with archive:
                _scan_zip(scanner, archive, max_bytes)
            return
    if kind.compressed:
        scanner.compression = kind.value
        scanner.scan_stream(_Inflater(handle, kind, max_bytes), None)
        return
    if size > max_bytes:
        scanner.fail(f"{size} bytes, larger than max_bytes ({max_bytes})")
        return
    scanner.scan_stream(_BoundedReader(handle, size), None)


def scan_pickle_bytes(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> PickleScan:
    """Scan a pickle (a compressed pickle, or a zip of pickles) held in memory. Never raises."""
    scanner = Scanner()
    _scan_handle(scanner, io.BytesIO(data), len(data), max_bytes)
    return scanner.result()


def scan_pickle(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> PickleScan:
    """Scan a pickle file (plain, compressed, or every pickle member of a zip) without loading it.

    Never raises on bad input: a missing, unreadable, oversized, empty, truncated or garbage
    file, or anything but a regular file, gives a result whose ``error`` says why.
    """
    scanner = Scanner()
    try:
        if not Path(path).is_file():
            scanner.fail(f"cannot read {path}: not a regular file")
            return scanner.result()
        with Path(path).open("rb") as handle:
            size = handle.seek(0, io.SEEK_END)
            handle.seek(0)
            _scan_handle(scanner, handle, size, max_bytes)
    except OSError as exc:
        scanner.fail(f"cannot read {path}: {exc.strerror or exc}")
    return scanner.result()
