"""Where every key and value of a parsed YAML document sits: one table for the whole parse.

A file of a million keys has a million value nodes. Holding each position as a Python
object (a span object, nine ints, a key-path tuple and a dict entry per node) costs
several times the file's own data, so a :class:`SpanTable` keeps the numbers in flat
arrays indexed by node id (nine machine integers per node), the kind and styles in byte
arrays, and per container the keys of its children in order with their node ids beside
them. A :class:`Span` is a small view made on demand when a position is asked for; the
table is read like a ``Mapping[KeyPath, Span]``.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Iterator, Mapping
from typing import Any, Literal

KeyPath = tuple[str | int, ...]
Kind = Literal["scalar", "mapping", "sequence"]

#: the numbers kept per node, in this order
_START, _END, _LINE, _COLUMN, _END_LINE, _KEY_LINE, _KEY_COLUMN, _KEY_START, _KEY_END = range(9)
_NUMBERS = 9
NONE = -1  # "no such number" (a key position of a node that is not a mapping value)
#: offsets up to this fit a 32-bit signed array; a longer text takes 64-bit numbers
_NARROW_LIMIT = 2**31 - 1

KINDS: tuple[Kind, ...] = ("scalar", "mapping", "sequence")
SCALAR, MAPPING, SEQUENCE = 0, 1, 2
_FLOW = 4  # bit set beside the kind for a flow collection ({...} or [...])
#: the styles parsers give; any other one is added to a table's own list when met
_STYLES: tuple[str | None, ...] = (None, "'", '"', "|", ">")

#: the children of every scalar: shared (a scalar never has children)
NO_CHILDREN: list[str | int] = []


class Span:
    """Where one value (and its key, for mapping entries) sits in the text: a view of one
    node of a :class:`SpanTable`.

    Lines and columns are 1-based; ``start``/``end`` are 0-based character offsets into
    the text (``end`` exclusive).
    """

    __slots__ = ("_node", "_table")

    def __init__(self, table: SpanTable, node: int) -> None:
        self._table = table
        self._node = node

    def _get(self, index: int) -> int:
        return self._table.numbers[self._node * _NUMBERS + index]

    def _maybe(self, index: int) -> int | None:
        value = self._table.numbers[self._node * _NUMBERS + index]
        return None if value == NONE else value

    @property
    def kind(self) -> Kind:
        return KINDS[self._table.kinds[self._node] & 3]

    @property
    def flow(self) -> bool:
        return bool(self._table.kinds[self._node] & _FLOW)

    @property
    def style(self) -> str | None:
        return self._table.style_names[self._table.styles[self._node]]

    @property
    def key_style(self) -> str | None:
        return self._table.style_names[self._table.key_styles[self._node]]

    @property
    def children(self) -> list[str | int]:
        """The keys (mapping) or indices (sequence) written in this collection, in order;
        a duplicate key once, merged-in keys (``<<``) not at all."""
        return self._table.children.get(self._node, NO_CHILDREN)

    @property
    def start(self) -> int:
        return self._get(_START)

    @property
    def end(self) -> int:
        return self._get(_END)

    @property
    def line(self) -> int:
        return self._get(_LINE)

    @property
    def column(self) -> int:
        return self._get(_COLUMN)

    @property
    def end_line(self) -> int:
        return self._get(_END_LINE)

    @property
    def key_line(self) -> int | None:
        return self._maybe(_KEY_LINE)

    @property
    def key_column(self) -> int | None:
        return self._maybe(_KEY_COLUMN)

    @property
    def key_start(self) -> int | None:
        return self._maybe(_KEY_START)

    @property
    def key_end(self) -> int | None:
        return self._maybe(_KEY_END)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Span):
            return NotImplemented
        return self._table is other._table and self._node == other._node

    def __hash__(self) -> int:
        return hash((id(self._table), self._node))

    def __repr__(self) -> str:
        return (
            f"Span({self.kind}, {self.line}:{self.column}-{self.end_line}, "
            f"[{self.start}:{self.end}], key={self.key_line}:{self.key_column})"
        )


class SpanTable(Mapping[KeyPath, Span]):
    """The spans of a parse by key path, stored per node (see the module docstring).

    Nodes are added by the tree builder (:meth:`add`, :meth:`set_key`, :meth:`set_end`,
    :meth:`add_child`...); node id ``-1`` stands for "no node" (a value the builder
    skipped: a bad tag, a limit reached), which has no span. A path is found by walking
    from the root through each container's children: a sequence's by index, a mapping's
    through a key index built the first time one of its keys is looked up.
    """

    def __init__(self, text_size: int = 0) -> None:
        self.numbers: array[int] = array("i" if text_size <= _NARROW_LIMIT else "q")
        self.kinds: array[int] = array("B")
        self.styles: array[int] = array("B")
        self.key_styles: array[int] = array("B")
        self.style_names: list[str | None] = list(_STYLES)
        self._style_codes: dict[str | None, int] = {s: i for i, s in enumerate(_STYLES)}
        self._style_codes[""] = 0
        #: per container node: its children's keys or indices, and their node ids beside them
        self.children: dict[int, list[str | int]] = {}
        self._child_nodes: dict[int, array[int]] = {}
        #: per mapping node: keys a merge (``<<``) added, not among its children
        self._merged: dict[int, dict[str | int, int]] = {}
        #: per mapping node, built on first lookup: key -> node id
        self._index: dict[int, dict[str | int, int]] = {}
        self.root = NONE

    # -- building -----------------------------------------------------------------------

    def style_code(self, style: str | None) -> int:
        code = self._style_codes.get(style)
        if code is None:
            code = self._style_codes[style] = len(self.style_names)
            self.style_names.append(style)
        return code

    def add(
        self,
        kind: int,
        start: int,
        end: int,
        line: int,
        column: int,
        end_line: int,
        *,
        style: str | None = None,
        flow: bool = False,
    ) -> int:
        """A new node (no key position yet); returns its id."""
        node = len(self.kinds)
        self.numbers.extend((start, end, line, column, end_line, NONE, NONE, NONE, NONE))
        self.kinds.append(kind | (_FLOW if flow else 0))
        self.styles.append(self.style_code(style) if style else 0)
        self.key_styles.append(0)
        if kind != SCALAR:
            self.children[node] = []
            self._child_nodes[node] = array("i")
        return node

    def add_keyed_scalar(
        self,
        numbers: tuple[int, int, int, int, int, int, int, int, int],
        style: str | None,
        key_style: str | None,
    ) -> int:
        """A new scalar node that is a mapping's value, all nine numbers known at once (the
        builder's most common node); returns its id."""
        node = len(self.kinds)
        self.numbers.extend(numbers)
        self.kinds.append(SCALAR)
        self.styles.append(self.style_code(style) if style else 0)
        self.key_styles.append(self.style_code(key_style) if key_style else 0)
        return node

    def set_key(
        self, node: int, line: int, column: int, start: int, end: int, style: str | None
    ) -> None:
        at = node * _NUMBERS
        numbers = self.numbers
        numbers[at + _KEY_LINE] = line
        numbers[at + _KEY_COLUMN] = column
        numbers[at + _KEY_START] = start
        numbers[at + _KEY_END] = end
        self.key_styles[node] = self.style_code(style) if style else 0

    def set_end(self, node: int, end: int, end_line: int) -> None:
        at = node * _NUMBERS
        self.numbers[at + _END] = end
        self.numbers[at + _END_LINE] = end_line

    def entries(self, container: int) -> tuple[list[str | int], array[int]]:
        """A container's children (keys or indices) and their node ids (-1: no span), for
        the builder to append to; :meth:`changed` once the container is complete."""
        return self.children[container], self._child_nodes[container]

    def changed(self, container: int) -> None:
        self._index.pop(container, None)

    def add_merged(self, container: int, key: str, node: int) -> None:
        """A key a merge (``<<``) adds to a mapping, with the node of its value."""
        self._merged.setdefault(container, {})[key] = node
        self._index.pop(container, None)

    def child(self, container: int, key: str | int) -> int:
        """The node id of ``container``'s child ``key``; -1 when there is none."""
        nodes = self._child_nodes.get(container)
        if nodes is None:
            return NONE
        if self.kinds[container] & 3 == SEQUENCE:
            if type(key) is int and 0 <= key < len(nodes):
                return nodes[key]
            return NONE
        index = self._index.get(container)
        if index is None:
            index = dict(zip(self.children[container], nodes, strict=True))
            index.update(self._merged.get(container, {}))
            self._index[container] = index
        return index.get(key, NONE)

    # -- reading ------------------------------------------------------------------------

    def node(self, path: KeyPath) -> int:
        """The node id at ``path``; -1 when there is none."""
        node = self.root
        for key in path:
            if node == NONE:
                return NONE
            node = self.child(node, key)
        return node

    def get(self, path: KeyPath, default: Any = None) -> Any:
        node = self.node(path)
        return default if node == NONE else Span(self, node)

    def __getitem__(self, path: KeyPath) -> Span:
        node = self.node(path)
        if node == NONE:
            raise KeyError(path)
        return Span(self, node)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and self.node(path) != NONE

    def _pairs(self, node: int) -> Iterator[tuple[str | int, int]]:
        pairs: Iterator[tuple[str | int, int]] = zip(
            self.children[node], self._child_nodes[node], strict=True
        )
        merged = self._merged.get(node)
        return itertools.chain(pairs, merged.items()) if merged else pairs

    def _walk(self) -> Iterator[tuple[KeyPath, int]]:
        """Every (path, node id), parents before children, children in written order, then
        the keys merges added."""
        if self.root == NONE:
            return
        yield (), self.root
        if self.root not in self.children:
            return
        stack: list[tuple[KeyPath, Iterator[tuple[str | int, int]]]] = [
            ((), self._pairs(self.root))
        ]
        while stack:
            path, pairs = stack[-1]
            for key, node in pairs:
                if node == NONE:
                    continue
                inner = (*path, key)
                yield inner, node
                if node in self.children:
                    stack.append((inner, self._pairs(node)))
                    break
            else:
                stack.pop()

    def __iter__(self) -> Iterator[KeyPath]:
        return (path for path, _ in self._walk())

    def __len__(self) -> int:
        return sum(1 for _ in self._walk())

    def __bool__(self) -> bool:
        return self.root != NONE

    def items(self) -> Iterator[tuple[KeyPath, Span]]:  # type: ignore[override]
        return ((path, Span(self, node)) for path, node in self._walk())

    def values(self) -> Iterator[Span]:  # type: ignore[override]
        return (Span(self, node) for _, node in self._walk())
