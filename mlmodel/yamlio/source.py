"""Bytes to text, with the checks that come before any YAML parsing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from mlmodel.core.codes import diagnostic
from mlmodel.core.diagnostics import Diagnostic
from mlmodel.core.errors import ParseError

if TYPE_CHECKING:
    from mlmodel.core.fsio import FileStamp

_T = TypeVar("_T")

UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


@dataclass(frozen=True)
class Source:
    """Decoded document text and the layout facts needed to write it back."""

    text: str
    bom: bool
    newline: str
    final_newline: bool

    def encode(self, text: str | None = None) -> bytes:
        body = (self.text if text is None else text).encode("utf-8")
        return UTF8_BOM + body if self.bom else body


def read_mlmodel_bytes(path: Path, max_bytes: int) -> tuple[bytes, FileStamp]:
    """The bytes of an MLmodel file and what was read, or :class:`ParseError` carrying the
    V112 (too large: its size is checked before a byte is read) or V115 (not a regular
    file, unreadable) diagnostic."""
    from mlmodel.core.fsio import read_regular

    return _read_or_diagnose(path, max_bytes, lambda: read_regular(path, max_bytes=max_bytes))


def read_mlmodel_data(path: Path, max_bytes: int) -> bytes:
    """:func:`read_mlmodel_bytes` for a file that is only checked, never written back (no
    :class:`~mlmodel.core.fsio.FileStamp`, so no SHA-256 of it: validate's cold start)."""
    from mlmodel.core.fsio import read_regular_bytes

    return _read_or_diagnose(path, max_bytes, lambda: read_regular_bytes(path, max_bytes=max_bytes))


def _read_or_diagnose(path: Path, max_bytes: int, read: Callable[[], _T]) -> _T:
    from mlmodel.core.fsio import FileTooLargeError

    try:
        return read()
    except FileTooLargeError:
        try:
            size = f"{path.stat().st_size} bytes"
        except OSError:
            size = "larger"
        found = diagnostic(
            "V112",
            f"the file is {size}, above the {max_bytes}-byte limit",
            hint="MLmodel files are small; is this the right file? (--max-bytes raises the limit)",
        )
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        found = diagnostic("V115", f"cannot read the file: {reason}")
    raise ParseError(str(found.with_file(str(path))), [found])  # as validate prints it


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset; CR, LF and CRLF end lines."""
    before = data[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    line_start = before.rfind(b"\n") + 1
    column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
    return before.count(b"\n") + 1, column


def detect_newline(text: str) -> str:
    """The file's own line ending: the first one found, ``\\n`` when none."""
    index = text.find("\n")
    if index == -1:
        return "\r" if "\r" in text else "\n"
    return "\r\n" if index > 0 and text[index - 1] == "\r" else "\n"


def decode(data: bytes) -> tuple[Source | None, list[Diagnostic]]:
    """Decode an MLmodel file: UTF-8 (a BOM is fine), no NUL bytes."""
    for mark, name in _OTHER_BOMS:
        if data.startswith(mark):
            return None, [
                diagnostic(
                    "V104",
                    f"the file is {name} encoded; MLflow reads MLmodel files as UTF-8",
                    line=1,
                    column=1,
                    hint="re-save the file as UTF-8",
                )
            ]
    nul = data.find(b"\x00")
    if nul != -1:
        line, column = _byte_position(data, nul)
        return None, [
            diagnostic(
                "V105",
                "the file contains a NUL byte; it is binary, not YAML text",
                line=line,
                column=column,
            )
        ]
    bom = data.startswith(UTF8_BOM)
    body = data[len(UTF8_BOM) :] if bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _byte_position(body, exc.start)
        return None, [
            diagnostic(
                "V104",
                f"the file is not valid UTF-8 (byte 0x{body[exc.start]:02x})",
                line=line,
                column=column,
                hint="re-save the file as UTF-8",
            )
        ]
    source = Source(
        text=text,
        bom=bom,
        newline=detect_newline(text),
        final_newline=text.endswith(("\n", "\r")),
    )
    return source, []


def tab_indentation(text: str) -> list[Diagnostic]:
    """Tabs in the indentation of lines: YAML forbids them."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip(" \t")
        indent = line[: len(line) - len(stripped)]
        if "\t" in indent and stripped:
            found.append(
                diagnostic(
                    "V101",
                    "a tab character in indentation; YAML allows only spaces there",
                    line=number,
                    column=indent.index("\t") + 1,
                    hint="indent with spaces",
                )
            )
    return found
