"""Turn a composed YAML node tree into plain data plus a position for every key and value.

Both parsers (libyaml through PyYAML for speed, ruamel.yaml for round-trip
work) compose a tree of ``ScalarNode``/``MappingNode``/``SequenceNode`` objects
with the same shape. This module walks either tree the same way, so the data
and every YAML-level diagnostic are identical whichever parser ran. Scalars are
constructed with PyYAML's safe constructor: the YAML 1.1 semantics MLflow's
``yaml.safe_load`` uses (``3.10`` is a float, ``yes`` a boolean, unquoted dates
are timestamps).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from mlmodel.codes import diagnostic
from mlmodel.diagnostics import Diagnostic

KeyPath = tuple[str | int, ...]
Kind = Literal["scalar", "mapping", "sequence"]

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(
    _TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp", "binary")
)
_MAPPING_TAGS = frozenset(_TAG + name for name in ("map", "set"))
_SEQUENCE_TAGS = frozenset(_TAG + name for name in ("seq", "omap", "pairs"))
_MERGE_TAG = _TAG + "merge"
_INT_TAG = _TAG + "int"
_SURROGATE = re.compile("[\ud800-\udfff]")
_BITS_PER_DIGIT = 3.3219280948873626  # log2(10)
#: Python's default ``sys.get_int_max_str_digits()``: larger integers cannot become text
MAX_INT_DIGITS = 4300


@dataclass(frozen=True)
class Limits:
    """Guards against hostile input. Defaults fit any real MLmodel file."""

    max_bytes: int = 10 * 1024 * 1024
    max_depth: int = 64
    max_alias_expansion: int = 10_000
    #: characters of scalars that aliases may repeat (the output an alias tree expands to)
    max_alias_chars: int = 1024 * 1024


@dataclass(slots=True)
class Span:
    """Where one value (and its key, for mapping entries) sits in the text.

    Lines and columns are 1-based; ``start``/``end`` are 0-based character
    offsets into the text (``end`` exclusive).
    """

    kind: Kind
    line: int
    column: int
    start: int
    end: int
    end_line: int
    style: str | None = None
    flow: bool = False
    key_line: int | None = None
    key_column: int | None = None
    key_start: int | None = None
    key_end: int | None = None
    key_style: str | None = None
    children: list[str | int] = field(default_factory=list)


@dataclass
class ParsedYaml:
    """The result of parsing: plain data, spans by key path, YAML diagnostics."""

    data: Any
    spans: dict[KeyPath, Span]
    diagnostics: list[Diagnostic]
    complete: bool = True  # False when a limit stopped the walk: the data is partial

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    def locate(self, path: KeyPath, *, at_key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of ``path``, or of its nearest ancestor that exists."""
        while True:
            span = self.spans.get(path)
            if span is not None:
                if at_key and span.key_line is not None:
                    return span.key_line, span.key_column
                return span.line, span.column
            if not path:
                return None, None
            path = path[:-1]
            at_key = True


def _style(node: Any) -> str | None:
    style = getattr(node, "style", None)
    return style or None


def _end_line(node: Any) -> int:
    mark = node.end_mark
    line = int(mark.line) + 1
    if mark.column == 0 and mark.line > node.start_mark.line:
        line -= 1
    return line


class TreeBuilder:
    """Walks one composed tree; see the module docstring."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.spans: dict[KeyPath, Span] = {}
        self.diagnostics: list[Diagnostic] = []
        self._constructor = SafeConstructor()
        self._resolver = Resolver()
        self._seen: set[int] = set()
        self._expanded = 0
        self._expanded_chars = 0
        self._open: set[int] = set()  # mappings being walked, to catch a merge of itself
        self._halted = False
        self._unreadable = False  # a value MLflow's reader refuses or mangles: data is partial
        self._entry_marks: list[Any] = []  # start marks of the mapping keys being walked

    @property
    def halted(self) -> bool:
        return self._halted

    @property
    def complete(self) -> bool:
        return not (self._halted or self._unreadable)

    def build(self, root: Any) -> Any:
        return self._walk(root, (), 0)

    def _tag(self, node: Any) -> str:
        """The node's tag, resolving implicit plain scalars the way PyYAML does.

        ruamel.yaml's YAML 1.1 resolver differs from PyYAML's in corners (it reads
        ``n`` as a boolean); MLflow reads with PyYAML, so PyYAML decides.
        """
        ctag = getattr(node, "ctag", None)
        if ctag is not None and ctag.handle is None and type(node).__name__ == "ScalarNode":
            implicit = (not _style(node), bool(_style(node)))
            resolved = self._resolver.resolve(  # type: ignore[no-untyped-call]
                yaml.ScalarNode, node.value, implicit
            )
            return str(resolved)
        return str(node.tag)

    def _report(self, code: str, message: str, node: Any, path: KeyPath, **kw: Any) -> None:
        self.diagnostics.append(
            diagnostic(
                code,
                message,
                line=int(node.start_mark.line) + 1,
                column=int(node.start_mark.column) + 1,
                key=dotted(path),
                **kw,
            )
        )

    def _span(self, node: Any, kind: Kind) -> Span:
        return Span(
            kind=kind,
            line=int(node.start_mark.line) + 1,
            column=int(node.start_mark.column) + 1,
            start=int(node.start_mark.index),
            end=int(node.end_mark.index),
            end_line=_end_line(node),
            style=_style(node) if kind == "scalar" else None,
            flow=bool(getattr(node, "flow_style", False)),
        )

    def _walk(self, node: Any, path: KeyPath, depth: int) -> Any:
        if self._halted:
            return None
        if id(node) in self._seen:
            self._expanded += 1
            if isinstance(node.value, str):
                self._expanded_chars += len(node.value)
            too_many = self._expanded > self.limits.max_alias_expansion
            if too_many or self._expanded_chars > self.limits.max_alias_chars:
                self._halted = True
                # an alias node carries its anchor's position: point at the entry using it
                at = _At(self._entry_marks[-1]) if self._entry_marks else node
                self._report(
                    "V110",
                    f"aliases expand to more than {self.limits.max_alias_expansion} nodes"
                    if too_many
                    else f"aliases expand to more than {self.limits.max_alias_chars} characters",
                    at,
                    path,
                    hint="this looks like a YAML bomb; MLmodel files need no aliases",
                )
                return None
        else:
            self._seen.add(id(node))
        if depth > self.limits.max_depth:
            self._halted = True
            self._report(
                "V111", f"collections nested deeper than {self.limits.max_depth} levels", node, path
            )
            return None
        kind = type(node).__name__
        tag = self._tag(node)
        if kind == "ScalarNode":
            self.spans[path] = self._span(node, "scalar")
            return self._scalar(node, tag, path)
        if not self._check_tag(node, tag, path, kind):
            return None
        if kind == "MappingNode":
            return self._mapping(node, path, depth)
        return self._sequence(node, path, depth)

    def _check_tag(self, node: Any, tag: str, path: KeyPath, kind: str) -> bool:
        allowed = _MAPPING_TAGS if kind == "MappingNode" else _SEQUENCE_TAGS
        if tag in allowed:
            return True
        if tag in _SCALAR_TAGS or tag == _MERGE_TAG:
            self._report(
                "V109", f"the tag {tag!r} does not apply to a {kind[:-4].lower()}", node, path
            )
            return False
        return self._bad_tag(node, tag, path)

    def _bad_tag(self, node: Any, tag: str, path: KeyPath) -> bool:
        if tag.startswith(_TAG + "python/"):
            self._report(
                "V108",
                f"the tag !!{tag[len(_TAG):]} asks YAML to run Python; it is never constructed",
                node,
                path,
                hint="MLflow's safe loader refuses it too; remove the tag",
            )
        else:
            shown = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
            self._report(
                "V109",
                f"unknown tag {shown}; YAML safe loading (and so MLflow) cannot read it",
                node,
                path,
            )
        return False

    def _scalar(self, node: Any, tag: str, path: KeyPath) -> Any:
        if tag not in _SCALAR_TAGS:
            if tag == _MERGE_TAG:
                return "<<"
            self._bad_tag(node, tag, path)
            return None
        if tag == _INT_TAG and len(node.value) > _max_digits():
            return self._too_large(node, path)
        probe = yaml.ScalarNode(tag, node.value, style=_style(node))
        try:
            value = self._constructor.construct_object(probe)
        except Exception as exc:  # noqa: BLE001 - PyYAML's constructors fail in many ways
            shown = node.value if len(node.value) <= 40 else node.value[:39] + "…"
            self._unreadable = True
            self._report(
                "V117",
                f"{shown!r} cannot be read as !!{tag[len(_TAG):]}: "
                f"{type(exc).__name__}: {exc}" if shown else
                f"an empty value cannot be read as !!{tag[len(_TAG):]}",
                node,
                path,
                hint="remove the tag or write a value of that type",
            )
            return None
        if isinstance(value, int) and value.bit_length() > _max_bits():
            return self._too_large(node, path)
        if isinstance(value, str) and _SURROGATE.search(value):
            self._unreadable = True
            self._report(
                "V120",
                "the string holds a lone surrogate (an escape such as \\ud800): it is not "
                "Unicode text and cannot be written as UTF-8",
                node,
                path,
                hint="write the character itself, or a surrogate pair as one \\U escape",
            )
            return None
        return value

    def _too_large(self, node: Any, path: KeyPath) -> None:
        self._unreadable = True
        self._report(
            "V119",
            f"an integer of more than {_max_digits()} digits: Python refuses to convert it "
            "to or from text",
            node,
            path,
            hint="MLmodel values are never this large; is this the right value?",
        )

    def _mapping(self, node: Any, path: KeyPath, depth: int) -> dict[str, Any]:
        self._open.add(id(node))
        try:
            return self._mapping_entries(node, path, depth)
        finally:
            self._open.discard(id(node))

    def _mapping_entries(self, node: Any, path: KeyPath, depth: int) -> dict[str, Any]:
        span = self._span(node, "mapping")
        self.spans[path] = span
        result: dict[str, Any] = {}
        merged: list[tuple[Any, KeyPath]] = []
        for key_node, value_node in node.value:
            if type(key_node).__name__ != "ScalarNode":
                self._report(
                    "V107", "a mapping or sequence used as a key", key_node, path,
                    hint="MLmodel keys are plain strings",
                )
                continue
            key_tag = self._tag(key_node)
            if key_tag == _MERGE_TAG:
                merged.append((value_node, path))
                continue
            key = self._scalar(key_node, key_tag, path)
            if not isinstance(key, str):
                self._report(
                    "V106",
                    f"the key {key_node.value!r} is read as {type(key).__name__}, not a string",
                    key_node,
                    path,
                    hint=f"quote it: '{key_node.value}'",
                )
                continue
            child = (*path, key)
            if key in result:
                first = self.spans[child]
                self._report(
                    "V102",
                    f"duplicate key {key!r} (first at line {first.key_line}); "
                    "YAML readers disagree on which value wins",
                    key_node,
                    child,
                )
            else:
                span.children.append(key)
            self._entry_marks.append(key_node.start_mark)
            value = self._walk(value_node, child, depth + 1)
            self._entry_marks.pop()
            if child in self.spans:
                value_span = self.spans[child]
                value_span.key_line = int(key_node.start_mark.line) + 1
                value_span.key_column = int(key_node.start_mark.column) + 1
                value_span.key_start = int(key_node.start_mark.index)
                value_span.key_end = int(key_node.end_mark.index)
                value_span.key_style = _style(key_node)
            result[key] = value
        for value_node, at in merged:
            self._merge(result, value_node, at, depth)
        return result

    def _merge(self, result: dict[str, Any], node: Any, path: KeyPath, depth: int) -> None:
        sources = node.value if type(node).__name__ == "SequenceNode" else [node]
        for source in sources:
            if self._halted:
                return
            if type(source).__name__ != "MappingNode":
                self._report("V100", "a merge key (<<) must refer to a mapping", source, path)
                continue
            if id(source) in self._open:
                self._unreadable = True
                self._report(
                    "V118",
                    "a merge key (<<) refers to a mapping that contains it: the merge never ends",
                    _At(node.start_mark),
                    path,
                    hint="merge another mapping, or remove the merge key",
                )
                continue
            if depth + 1 > self.limits.max_depth:
                self._halted = True
                self._report(
                    "V111",
                    f"collections nested deeper than {self.limits.max_depth} levels",
                    source,
                    path,
                )
                return
            if id(source) in self._seen:
                self._expanded += 1
            self._seen.add(id(source))
            # walk the merged mapping into its own span table, then keep the spans of the
            # keys it adds: linear in the merged mapping's size
            outer, self.spans = self.spans, {}
            try:
                data = self._mapping(source, path, depth + 1)
            finally:
                inner, self.spans = self.spans, outer
            added = {key for key in data if key not in result}
            for key in data:
                if key in added:
                    result[key] = data[key]
            for sub, span in inner.items():
                if len(sub) > len(path) and sub[len(path)] in added:
                    self.spans[sub] = span

    def _sequence(self, node: Any, path: KeyPath, depth: int) -> list[Any]:
        span = self._span(node, "sequence")
        self.spans[path] = span
        items = []
        for index, item in enumerate(node.value):
            span.children.append(index)
            items.append(self._walk(item, (*path, index), depth + 1))
        return items


def _max_digits() -> int:
    """Python's default limit on digits converted between int and text."""
    return MAX_INT_DIGITS


def _max_bits() -> int:
    return int(_max_digits() * _BITS_PER_DIGIT)


class _At:
    """Something with a ``start_mark``, for reporting at a position other than a node's."""

    def __init__(self, mark: Any) -> None:
        self.start_mark = mark


def dotted(path: KeyPath) -> str:
    """``("flavors", "sklearn", 0)`` -> ``flavors.sklearn[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def build_tree(root: Any, limits: Limits) -> ParsedYaml:
    builder = TreeBuilder(limits)
    data = builder.build(root)
    return ParsedYaml(
        data=data,
        spans=builder.spans,
        diagnostics=builder.diagnostics,
        complete=builder.complete,
    )
