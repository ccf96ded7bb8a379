"""Round-trip MLmodel documents: read, edit like a mapping, write back minimal changes.

An unedited document writes back byte-identical (BOM, line endings, a missing
final newline, comments, quoting, key order, timestamps as written). Each edit
patches only the lines of the value it changes, in the file's own style, and is
checked by re-parsing; an edit that would not read back as asked raises
:class:`~mlmodel.core.errors.EditError` and leaves the document unchanged.
"""

from __future__ import annotations

import copy
import datetime
import os
from collections.abc import Iterator, MutableMapping, MutableSequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from mlmodel.core.codes import diagnostic
from mlmodel.core.diagnostics import Diagnostic
from mlmodel.core.errors import EditError, ParseError
from mlmodel.core.fsio import FileStamp, write_file
from mlmodel.yamlio.edit import TextEditor, detect_layout
from mlmodel.yamlio.source import Source, decode, read_mlmodel_bytes
from mlmodel.yamlio.tree import KeyPath, Limits, ParsedYaml, dotted


@dataclass(frozen=True, slots=True)
class Position:
    """1-based line and column of a key and of its value."""

    line: int
    column: int
    key_line: int | None = None
    key_column: int | None = None


def _parse(text: str, limits: Limits) -> ParsedYaml:
    from mlmodel.yamlio.parse import parse_roundtrip

    return parse_roundtrip(text, limits)


def _parse_fast(text: str, limits: Limits) -> ParsedYaml:
    from mlmodel.yamlio.parse import parse_fast

    return parse_fast(text, limits)


#: what messages call a document read from no file, unless it is given a name
UNNAMED = "<string>"


def parse_failure(path: Path | str | None, diagnostics: list[Diagnostic]) -> ParseError:
    """The error for a document that cannot be read: its first diagnostic as ``validate``
    prints it (``where:line:col: error CODE message (hint)``; where is a path, or a name
    such as ``<stdin>``)."""
    return ParseError(str(diagnostics[0].with_file(str(path or UNNAMED))), diagnostics)


#: "no new value" for :meth:`MLmodelDocument.rename`
_KEEP: Any = object()


class MLmodelDocument(MutableMapping[str, Any]):
    """An MLmodel file held as text, with mapping access to its content."""

    def __init__(
        self,
        source: Source,
        *,
        path: Path | None = None,
        limits: Limits | None = None,
        stamp: FileStamp | None = None,
        name: str | None = None,
    ):
        self._source = source
        self._stamp = stamp
        self._limits = limits or Limits()
        self.path = path
        #: what messages call the document: the name given (``<stdin>``, a fetched model's
        #: ``runs:/<id>/model/MLmodel``), else its path
        self.name = name if name is not None else (str(path) if path is not None else UNNAMED)
        self._text = source.text
        # the fast parser (libyaml) reads; the round-trip parser runs only once an edit is
        # asked for (both give the same data, spans and diagnostics)
        self._parsed = _parse_fast(self._text, self._limits)
        self._roundtrip = False
        errors = [d for d in self._parsed.diagnostics if d.is_error]
        if errors:
            raise parse_failure(self.name, errors)
        if not isinstance(self._parsed.data, dict):
            code, what = (
                ("V113", "empty (null)")
                if self._parsed.data is None
                else ("V114", "not a mapping of keys to values")
            )
            found = diagnostic(code, f"the document is {what}", line=1, column=1)
            raise parse_failure(self.name, [found])

    # -- construction -----------------------------------------------------------------

    @classmethod
    def from_bytes(
        cls,
        data: bytes,
        *,
        path: Path | None = None,
        limits: Limits | None = None,
        stamp: FileStamp | None = None,
        name: str | None = None,
    ) -> MLmodelDocument:
        """A document from a file's bytes; ``stamp`` (taken when ``path`` was read) lets
        :meth:`write` refuse to overwrite a change made on disk since. ``name`` is what
        messages call the document (``<stdin>``, a model URI); default: ``path``."""
        limits = limits or Limits()
        where = name if name is not None else path
        if len(data) > limits.max_bytes:
            found = diagnostic(
                "V112", f"the file is {len(data)} bytes, above the {limits.max_bytes}-byte limit"
            )
            raise parse_failure(where, [found])
        source, problems = decode(data)
        if source is None:
            raise parse_failure(where, list(problems))
        return cls(source, path=path, limits=limits, stamp=stamp, name=name)

    @classmethod
    def read(
        cls, path: Path, *, limits: Limits | None = None, name: str | None = None
    ) -> MLmodelDocument:
        """Read a regular MLmodel file for round-trip edits, remembering what was read.

        A file that is too large or not a regular file (a FIFO, a device) raises
        :class:`ParseError` carrying the V112 or V115 diagnostic; nothing is read then.
        ``name`` is what messages call the file (default: ``path``).
        """
        limits = limits or Limits()
        try:
            data, stamp = read_mlmodel_bytes(path, limits.max_bytes)
        except ParseError as exc:
            if name is None or not exc.diagnostics:
                raise
            raise parse_failure(name, exc.diagnostics) from None
        return cls.from_bytes(data, path=path, limits=limits, stamp=stamp, name=name)

    @classmethod
    def from_text(cls, text: str) -> MLmodelDocument:
        return cls.from_bytes(text.encode("utf-8"))

    # -- content ----------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The document's current text."""
        return self._text

    @property
    def parsed(self) -> ParsedYaml:
        return self._parsed

    @property
    def data(self) -> dict[str, Any]:
        """A deep copy of the content as plain Python data."""
        data: dict[str, Any] = copy.deepcopy(self._parsed.data)
        return data

    def to_dict(self) -> dict[str, Any]:
        return self.data

    def _get(self, path: KeyPath) -> Any:
        value: Any = self._parsed.data
        for part in path:
            value = value[part]
        return value

    def _wrap(self, path: KeyPath) -> Any:
        value = self._get(path)
        if isinstance(value, dict):
            return MappingView(self, path)
        if isinstance(value, list):
            return SequenceView(self, path)
        return value

    def __getitem__(self, key: str) -> Any:
        return self._wrap((key,))

    def __setitem__(self, key: str, value: Any) -> None:
        self.set((key,), value)

    def __delitem__(self, key: str) -> None:
        self.delete((key,))

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._parsed.data))

    def __len__(self) -> int:
        return len(self._parsed.data)

    def __contains__(self, key: object) -> bool:
        return key in self._parsed.data

    def position(self, *path: str | int) -> Position:
        """Where a key and its value sit (1-based)."""
        span = self._parsed.spans.get(tuple(path))
        if span is None:
            raise KeyError(path)
        return Position(span.line, span.column, span.key_line, span.key_column)

    # -- editing ----------------------------------------------------------------------

    def snapshot(self) -> tuple[str, ParsedYaml]:
        """The current state, for :meth:`restore` (undo several edits as one)."""
        return self._text, self._parsed

    def restore(self, state: tuple[str, ParsedYaml]) -> None:
        self._text, self._parsed = state

    def _apply(self, new_text: str, expected: Any) -> None:
        parsed = _parse(new_text, self._limits)
        if not parsed.ok or parsed.data != expected:
            raise EditError("the edit did not read back as asked; document left unchanged")
        self._text = new_text
        self._parsed = parsed

    def _editor(self) -> TextEditor:
        if not self._roundtrip:
            parsed = _parse(self._text, self._limits)
            if parsed.ok:  # else keep the fast parse: the edit is checked by re-parsing anyway
                self._parsed = parsed
            self._roundtrip = True
        layout = detect_layout(self._parsed, self._source.newline)
        return TextEditor(self._text, self._parsed, layout)

    def set(self, path: KeyPath, value: Any) -> None:
        """Set the value at ``path``, adding the last key when it is missing.

        Setting a scalar to the value it already has leaves the text untouched.
        """
        value = _plain(value)
        check_representable(value)
        if not path:
            raise EditError("cannot replace the whole document; set its keys instead")
        parent = self._get(path[:-1])
        key = path[-1]
        if isinstance(parent, list):
            if not isinstance(key, int) or not -len(parent) <= key < len(parent):
                raise EditError(f"index {key!r} out of range")
            key = key % len(parent)
        elif not isinstance(parent, dict) or not isinstance(key, str):
            where = dotted(path[:-1]) or "the document"
            raise EditError(f"cannot set {key!r}: {where} is not a mapping")
        elif key in parent and _same_scalar(parent[key], value):
            return
        path = (*path[:-1], key)
        expected = copy.deepcopy(self._parsed.data)
        container = expected
        for part in path[:-1]:
            container = container[part]
        container[key] = value
        self._apply(self._editor().set(path, value), expected)

    def rename(self, path: KeyPath, new_key: str, value: Any = _KEEP) -> None:
        """Rename the key at ``path`` to ``new_key`` in place: the entry keeps its position
        and its comments. ``value``, when given, replaces the value in the same edit (both
        happen or neither)."""
        if not path or not isinstance(path[-1], str):
            raise EditError(f"cannot rename {path!r}: not a mapping key")
        parent = self._get(path[:-1])
        if not isinstance(parent, dict) or path[-1] not in parent:
            raise EditError(f"no such key: {dotted(path)}")
        if new_key in parent:
            raise EditError(f"cannot rename {dotted(path)}: {new_key!r} exists already")
        expected = copy.deepcopy(self._parsed.data)
        container = expected
        for part in path[:-1]:
            container = container[part]
        old = container[path[-1]]
        renamed = {
            (new_key if k == path[-1] else k): (v if k != path[-1] else old)
            for k, v in container.items()
        }
        container.clear()
        container.update(renamed)
        text = self._editor().rename(path, new_key)
        if value is not _KEEP:
            value = _plain(value)
            container[new_key] = value
            parsed = _parse(text, self._limits)
            if not parsed.ok:
                raise EditError("the rename did not read back; document left unchanged")
            layout = detect_layout(parsed, self._source.newline)
            text = TextEditor(text, parsed, layout).set((*path[:-1], new_key), value)
        self._apply(text, expected)

    def delete(self, path: KeyPath) -> None:
        expected = copy.deepcopy(self._parsed.data)
        container = expected
        for part in path[:-1]:
            container = container[part]
        del container[path[-1]]
        if isinstance(path[-1], int):
            path = (*path[:-1], path[-1] % (len(container) + 1))
        self._apply(self._editor().delete(path), expected)

    # -- output -----------------------------------------------------------------------

    def dumps(self) -> str:
        return self._text

    def to_bytes(self) -> bytes:
        return self._source.encode(self._text)

    @property
    def stamp(self) -> FileStamp | None:
        """What :attr:`path` held when it was read (``None`` for a document not read from disk)."""
        return self._stamp

    def write(self, path: str | Path | None = None) -> Path:
        """Write through :func:`mlmodel.core.fsio.write_file`: never a half-written file.

        Writing back to the file it was read from raises
        :class:`~mlmodel.core.fsio.ChangedOnDiskError` when that file changed on disk since.
        """
        target = Path(path) if path is not None else self.path
        if target is None:
            raise EditError("no path to write to")
        return self.write_bytes(target, self.to_bytes())

    def write_bytes(self, target: Path, data: bytes) -> Path:
        """Write ``data`` (this document, or a conversion of it) to ``target``, checking
        for changes on disk when ``target`` is the file this document was read from."""
        own = self.path is not None and same_path(target, self.path)
        expected = self._stamp if own else None
        written = write_file(target, data, expected=expected)
        if own and data == self.to_bytes():
            self._stamp = FileStamp.of(written.stat(), data)
        elif own:
            self._stamp = None  # the file no longer holds this document
        return target


_SCALARS = (str, bool, int, float, type(None), datetime.date)
MAX_VALUE_DEPTH = 100


def check_representable(value: Any, depth: int = 0) -> None:
    """Raise :class:`EditError` unless ``value`` is plain YAML data: strings, numbers,
    booleans, None, dates, and lists, tuples and dicts of them (scalar keys)."""
    if depth > MAX_VALUE_DEPTH:
        raise EditError(
            f"the value nests deeper than {MAX_VALUE_DEPTH} levels (or refers to itself)"
        )
    if isinstance(value, _SCALARS):
        return
    if isinstance(value, list | tuple):
        for item in value:
            check_representable(item, depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, _SCALARS):
                raise EditError(f"a mapping key of type {type(key).__name__} cannot be written")
            check_representable(item, depth + 1)
        return
    raise EditError(f"a value of type {type(value).__name__} cannot be written as YAML")


def _same_scalar(old: Any, new: Any) -> bool:
    scalar = not isinstance(old, dict | list)
    return scalar and type(old) is type(new) and bool(old == new)


def _plain(value: Any) -> Any:
    if isinstance(value, MappingView | SequenceView):
        return copy.deepcopy(value.document._get(value.path))
    return value


def same_path(a: Path, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


class MappingView(MutableMapping[str, Any]):
    """A live view of a mapping inside a document; writes go through the document."""

    def __init__(self, document: MLmodelDocument, path: KeyPath) -> None:
        self.document = document
        self.path = path

    def _data(self) -> dict[str, Any]:
        value = self.document._get(self.path)
        assert isinstance(value, dict)
        return value

    def __getitem__(self, key: str) -> Any:
        self._data()[key]
        return self.document._wrap((*self.path, key))

    def __setitem__(self, key: str, value: Any) -> None:
        self.document.set((*self.path, key), value)

    def __delitem__(self, key: str) -> None:
        if key not in self._data():
            raise KeyError(key)
        self.document.delete((*self.path, key))

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._data()))

    def __len__(self) -> int:
        return len(self._data())

    def position(self, key: str) -> Position:
        return self.document.position(*self.path, key)

    def __repr__(self) -> str:
        return f"MappingView({self._data()!r})"


class SequenceView(MutableSequence[Any]):
    """A live view of a list inside a document."""

    def __init__(self, document: MLmodelDocument, path: KeyPath) -> None:
        self.document = document
        self.path = path

    def _data(self) -> list[Any]:
        value = self.document._get(self.path)
        assert isinstance(value, list)
        return value

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return copy.deepcopy(self._data()[index])
        self._data()[index]
        return self.document._wrap((*self.path, index % len(self._data())))

    def __setitem__(self, index: Any, value: Any) -> None:
        if not isinstance(index, int):
            raise EditError("slice assignment is not supported")
        self.document.set((*self.path, index), value)

    def __delitem__(self, index: Any) -> None:
        if not isinstance(index, int):
            raise EditError("slice deletion is not supported")
        self._data()[index]
        self.document.delete((*self.path, index))

    def __len__(self) -> int:
        return len(self._data())

    def insert(self, index: int, value: Any) -> None:
        items = [*self._data()]
        items.insert(index, _plain(value))
        self.document.set(self.path, items)

    def __repr__(self) -> str:
        return f"SequenceView({self._data()!r})"
