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
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from mlmodel.core.codes import diagnostic
from mlmodel.core.diagnostics import Diagnostic
from mlmodel.yamlio.spans import MAPPING, NONE, SCALAR, SEQUENCE, KeyPath, Span, SpanTable

#: KeyPath is re-exported: the type every user of positions names
__all__ = [
    "MAX_INT_DIGITS",
    "KeyPath",
    "Limits",
    "ParsedYaml",
    "TreeBuilder",
    "build_tree",
    "dotted",
]


_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(
    _TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp", "binary")
)
_MAPPING_TAGS = frozenset(_TAG + name for name in ("map", "set"))
_SEQUENCE_TAGS = frozenset(_TAG + name for name in ("seq", "omap", "pairs"))
_MERGE_TAG = _TAG + "merge"
_INT_TAG = _TAG + "int"
_STR_TAG = _TAG + "str"
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


@dataclass
class ParsedYaml:
    """The result of parsing: plain data, spans by key path, YAML diagnostics."""

    data: Any
    spans: SpanTable
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


def _style(event: Any) -> str | None:
    style = getattr(event, "style", None)
    return style or None


def _end_line(start_mark: Any, end_mark: Any) -> int:
    line = int(end_mark.line) + 1
    if end_mark.column == 0 and end_mark.line > start_mark.line:
        line -= 1
    return line


_KINDS: dict[type, str] = {}
#: PyYAML's implicit scalar resolvers by first character (the empty string for ''), each list
#: followed by the wildcard ones, as ``BaseResolver.resolve`` tries them
_WILDCARD: list[tuple[str, Any]] = list(Resolver.yaml_implicit_resolvers.get(None, []))
_IMPLICIT: dict[str, list[tuple[str, Any]]] = {
    first: [*resolvers, *_WILDCARD]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
    if first is not None
}


def _kind(event: Any) -> str:
    """``Scalar``, ``MappingStart``, ``SequenceStart``, ``Alias``, ``MappingEnd``...: the same
    names in PyYAML's and ruamel.yaml's event classes."""
    cls = type(event)
    kind = _KINDS.get(cls)
    if kind is None:
        kind = _KINDS[cls] = cls.__name__[: -len("Event")]
    return kind


def _scalar_event_class(event: Any) -> type:
    """The scalar event class of the parser that gave ``event`` (PyYAML's or ruamel.yaml's)."""
    module = sys.modules[type(event).__module__]
    cls: type = module.ScalarEvent
    return cls


class _Events:
    """Parser events, one at a time: live from a parser (recording what anchored nodes hold,
    so an alias can replay them), or replayed from such a recording."""

    def __init__(self, events: Iterator[Any], *, replay: bool = False) -> None:
        self._events = events
        self._next: Any = None
        self.replay = replay
        self.recorders: list[list[Any]] = []

    def peek(self) -> Any:
        if self._next is None:
            self._next = next(self._events)
        return self._next

    def take(self) -> Any:
        event = self._next
        if event is None:
            event = next(self._events)
        else:
            self._next = None
        if self.recorders:
            for recorder in self.recorders:
                recorder.append(event)
        return event


class TreeBuilder:
    """Builds data and spans from parser events; see the module docstring.

    Streaming: no node tree is composed, so memory is the data and the spans, not the
    parser's objects; an anchored node's events are kept to replay for its aliases.
    """

    def __init__(self, limits: Limits, text_size: int = 0) -> None:
        self.limits = limits
        self.spans = SpanTable(text_size)
        self.diagnostics: list[Diagnostic] = []
        self._constructor = SafeConstructor()
        self._anchors: dict[str, list[Any]] = {}
        self._anchor_marks: dict[str, Any] = {}
        self._open_anchors: set[str] = set()  # anchored collections not yet complete
        self._expanded = 0
        self._expanded_chars = 0
        self._halted = False
        self._unreadable = False  # a value MLflow's reader refuses or mangles: data is partial
        self._entry_marks: list[Any] = []  # start marks of the mapping keys being walked

    @property
    def halted(self) -> bool:
        return self._halted

    @property
    def complete(self) -> bool:
        return not (self._halted or self._unreadable)

    # -- the stream ---------------------------------------------------------------------

    def build(self, events: Iterator[Any]) -> tuple[bool, Any]:
        """(whether the stream holds a document, its data). Raises the parser's errors, and
        a ``ComposerError`` for a second document or an undefined or duplicate anchor."""
        source = _Events(events)
        source.take()  # StreamStart
        if _kind(source.peek()) == "StreamEnd":
            return False, None
        document = source.take()  # DocumentStart
        data, self.spans.root = self._node(source, (), 0)
        source.take()  # DocumentEnd
        after = source.peek()
        if _kind(after) != "StreamEnd":
            raise ComposerError(
                "expected a single document in the stream",
                document.start_mark,
                "but found another document",
                after.start_mark,
            )
        return True, data

    # -- anchors ------------------------------------------------------------------------

    def _open_anchor(self, source: _Events, event: Any) -> list[Any] | None:
        anchor = (
            None if source.replay or _kind(event) == "Alias" else getattr(event, "anchor", None)
        )
        if anchor is None:
            return None
        if anchor in self._anchor_marks:
            raise ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                self._anchor_marks[anchor],
                "second occurrence",
                event.start_mark,
            )
        self._anchor_marks[anchor] = event.start_mark
        self._open_anchors.add(anchor)
        recorder: list[Any] = []
        source.recorders.append(recorder)
        return recorder

    def _close_anchor(self, source: _Events, anchor: str, recorder: list[Any]) -> None:
        source.recorders.remove(recorder)
        self._open_anchors.discard(anchor)
        self._anchors[anchor] = recorder

    def _replay(self, event: Any) -> list[Any] | None:
        """The events an alias stands for; None for a collection that contains the alias."""
        recorded = self._anchors.get(event.anchor)
        if recorded is not None:
            return recorded
        if event.anchor in self._open_anchors:
            return None
        raise ComposerError(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)

    def _skip(self, source: _Events) -> None:
        """Consume one node's events without building it (anchors in it still count)."""
        level = 0
        open_: list[tuple[int, str, list[Any]]] = []
        while True:
            event = source.peek()
            recorder = self._open_anchor(source, event)
            source.take()
            kind = _kind(event)
            if kind in ("MappingStart", "SequenceStart"):
                level += 1
                if recorder is not None:
                    open_.append((level, event.anchor, recorder))
            elif kind in ("MappingEnd", "SequenceEnd"):
                if open_ and open_[-1][0] == level:
                    _, anchor, done = open_.pop()
                    self._close_anchor(source, anchor, done)
                level -= 1
            elif recorder is not None:  # an anchored scalar
                self._close_anchor(source, event.anchor, recorder)
            if level == 0:
                return

    # -- nodes --------------------------------------------------------------------------

    def _report(self, code: str, message: str, at: Any, path: KeyPath, **kw: Any) -> None:
        self.diagnostics.append(
            diagnostic(
                code,
                message,
                line=int(at.start_mark.line) + 1,
                column=int(at.start_mark.column) + 1,
                key=dotted(path),
                **kw,
            )
        )

    def _count_expansion(self, event: Any, path: KeyPath) -> bool:
        """Count one node an alias repeats; False (and halt) beyond the limits."""
        self._expanded += 1
        if _kind(event) == "Scalar":
            self._expanded_chars += len(event.value)
        too_many = self._expanded > self.limits.max_alias_expansion
        if not too_many and self._expanded_chars <= self.limits.max_alias_chars:
            return True
        self._halted = True
        # a replayed node carries its anchor's position: point at the entry using it
        at = _At(self._entry_marks[-1]) if self._entry_marks else event
        self._report(
            "V110",
            f"aliases expand to more than {self.limits.max_alias_expansion} nodes"
            if too_many
            else f"aliases expand to more than {self.limits.max_alias_chars} characters",
            at,
            path,
            hint="this looks like a YAML bomb; MLmodel files need no aliases",
        )
        return False

    def _node(self, source: _Events, path: KeyPath, depth: int) -> tuple[Any, int]:
        """The value of the next node and the id of its span (-1: skipped, no span)."""
        event = source.peek()
        if self._halted:
            self._skip(source)
            return None, NONE
        kind = _kind(event)
        if kind == "Alias":
            source.take()
            recorded = self._replay(event)
            if recorded is None:
                self._halted = True
                self._report(
                    "V111",
                    f"collections nested deeper than {self.limits.max_depth} levels: an alias "
                    "refers to a collection that contains it",
                    event,
                    path,
                )
                return None, NONE
            return self._node(_Events(iter(recorded), replay=True), path, depth)
        if source.replay and not self._count_expansion(event, path):
            self._skip(source)
            return None, NONE
        if depth > self.limits.max_depth:
            self._halted = True
            self._report(
                "V111",
                f"collections nested deeper than {self.limits.max_depth} levels",
                event,
                path,
            )
            self._skip(source)
            return None, NONE
        recorder = self._open_anchor(source, event)
        if kind == "Scalar":
            source.take()
            if recorder is not None:
                self._close_anchor(source, event.anchor, recorder)
            at = self._add(event, SCALAR)
            return self._scalar(event, self._scalar_tag(event), path), at
        tag = event.tag
        if tag is None or tag == "!":
            tag = _TAG + ("map" if kind == "MappingStart" else "seq")
        if not self._check_tag(event, tag, path, kind):
            if recorder is not None:
                source.recorders.remove(recorder)  # _skip records it afresh
                self._anchor_marks.pop(event.anchor, None)
                self._open_anchors.discard(event.anchor)
            self._skip(source)
            return None, NONE
        built = (
            self._mapping(source, path, depth)
            if kind == "MappingStart"
            else self._sequence(source, path, depth)
        )
        if recorder is not None:
            self._close_anchor(source, event.anchor, recorder)
        return built

    def _add(self, event: Any, kind: int) -> int:
        """A node for ``event`` in the span table (its key position is set apart)."""
        start_mark = event.start_mark
        return self.spans.add(
            kind,
            start_mark.index,
            event.end_mark.index,
            start_mark.line + 1,
            start_mark.column + 1,
            _end_line(start_mark, event.end_mark),
            style=event.style if kind == SCALAR else None,
            flow=bool(getattr(event, "flow_style", False)),
        )

    def _scalar_tag(self, event: Any) -> str:
        """The scalar's tag, resolving implicit ones the way PyYAML (and so MLflow) does
        (``BaseResolver.resolve`` for a scalar, inlined: it runs once per key and value)."""
        tag = event.tag
        if tag is not None and tag != "!":
            return str(tag)
        if event.implicit[0]:
            value: str = event.value
            for resolved, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
                if regexp.match(value):
                    return str(resolved)
        return _STR_TAG

    def _check_tag(self, event: Any, tag: str, path: KeyPath, kind: str) -> bool:
        allowed = _MAPPING_TAGS if kind == "MappingStart" else _SEQUENCE_TAGS
        if tag in allowed:
            return True
        if tag in _SCALAR_TAGS or tag == _MERGE_TAG:
            noun = "mapping" if kind == "MappingStart" else "sequence"
            self._report("V109", f"the tag {tag!r} does not apply to a {noun}", event, path)
            return False
        return self._bad_tag(event, tag, path)

    def _bad_tag(self, event: Any, tag: str, path: KeyPath) -> bool:
        if tag.startswith(_TAG + "python/"):
            self._report(
                "V108",
                f"the tag !!{tag[len(_TAG) :]} asks YAML to run Python; it is never constructed",
                event,
                path,
                hint="MLflow's safe loader refuses it too; remove the tag",
            )
        else:
            shown = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
            self._report(
                "V109",
                f"unknown tag {shown}; YAML safe loading (and so MLflow) cannot read it",
                event,
                path,
            )
        return False

    def _scalar(self, event: Any, tag: str, path: KeyPath) -> Any:
        text: str = event.value
        if tag == _STR_TAG:
            value: Any = text  # what SafeConstructor gives, without its per-node cost
        elif tag not in _SCALAR_TAGS:
            if tag == _MERGE_TAG:
                return "<<"
            self._bad_tag(event, tag, path)
            return None
        elif tag == _INT_TAG and len(text) > _max_digits():
            self._too_large(event, path)
            return None
        else:
            probe = yaml.ScalarNode(tag, text, style=_style(event))
            try:
                value = self._constructor.construct_object(probe)
            except Exception as exc:  # noqa: BLE001 - PyYAML's constructors fail in many ways
                self._unreadable = True
                shown = text if len(text) <= 40 else text[:39] + "…"
                self._report(
                    "V117",
                    f"{shown!r} cannot be read as !!{tag[len(_TAG) :]}: {type(exc).__name__}: {exc}"
                    if shown
                    else f"an empty value cannot be read as !!{tag[len(_TAG) :]}",
                    event,
                    path,
                    hint="remove the tag or write a value of that type",
                )
                return None
            if isinstance(value, int) and value.bit_length() > _max_bits():
                self._too_large(event, path)
                return None
        if isinstance(value, str) and _SURROGATE.search(value):
            self._unreadable = True
            self._report(
                "V120",
                "the string holds a lone surrogate (an escape such as \\ud800): it is not "
                "Unicode text and cannot be written as UTF-8",
                event,
                path,
                hint="write the character itself, or a surrogate pair as one \\U escape",
            )
            return None
        return value

    def _too_large(self, event: Any, path: KeyPath) -> None:
        self._unreadable = True
        self._report(
            "V119",
            f"an integer of more than {_max_digits()} digits: Python refuses to convert it "
            "to or from text",
            event,
            path,
            hint="MLmodel values are never this large; is this the right value?",
        )

    def _key_event(self, source: _Events) -> Any:
        """The next key's scalar event (an alias of a scalar stands for it), else None."""
        event = source.peek()
        kind = _kind(event)
        if kind == "Scalar":
            return source.take()
        if kind == "Alias":
            recorded = self._anchors.get(event.anchor)
            if recorded is not None and len(recorded) == 1:
                source.take()
                return recorded[0]
        return None

    def _mapping(self, source: _Events, path: KeyPath, depth: int) -> tuple[dict[str, Any], int]:
        start = source.take()
        table = self.spans
        node = self._add(start, MAPPING)
        keys, nodes = table.entries(node)
        positions: dict[str | int, int] | None = None  # key -> place, from the first duplicate
        result: dict[str, Any] = {}
        merges: list[tuple[dict[str, Any], int]] = []
        scalar_event: Any = None if source.replay else _scalar_event_class(start)
        max_depth = self.limits.max_depth
        while _kind(source.peek()) != "MappingEnd":
            key_event = self._key_event(source)
            if key_event is None:
                self._report(
                    "V107",
                    "a mapping or sequence used as a key",
                    source.peek(),
                    path,
                    hint="MLmodel keys are plain strings",
                )
                self._skip(source)  # the key
                self._skip(source)  # its value
                continue
            key_tag = self._scalar_tag(key_event)
            if key_tag == _MERGE_TAG:
                merges.extend(self._merge_sources(source, path, depth))
                continue
            key = self._scalar(key_event, key_tag, path)
            if not isinstance(key, str):
                if key is not None or not self._unreadable:
                    self._report(
                        "V106",
                        f"the key {key_event.value!r} is read as {type(key).__name__}, "
                        "not a string",
                        key_event,
                        path,
                        hint=f"quote it: '{key_event.value}'",
                    )
                self._skip(source)
                continue
            child = (*path, key)
            place = NONE  # where a duplicate key's first occurrence is
            if key in result:
                if positions is None:
                    positions = {k: i for i, k in enumerate(keys)}
                place = positions[key]
                first = nodes[place]
                first_line = Span(table, first).key_line if first != NONE else None
                self._report(
                    "V102",
                    f"duplicate key {key!r} (first at line "
                    f"{first_line if first_line is not None else '?'}); "
                    "YAML readers disagree on which value wins",
                    key_event,
                    child,
                )
            key_mark = key_event.start_mark
            value_event: Any = source.peek()
            if (
                type(value_event) is scalar_event
                and value_event.anchor is None
                and not (source.replay or self._halted or depth >= max_depth)
            ):
                # the common case, inlined: a key and a scalar value
                source.take()
                mark = value_event.start_mark
                at = table.add_keyed_scalar(
                    (
                        mark.index,
                        value_event.end_mark.index,
                        mark.line + 1,
                        mark.column + 1,
                        _end_line(mark, value_event.end_mark),
                        key_mark.line + 1,
                        key_mark.column + 1,
                        key_mark.index,
                        key_event.end_mark.index,
                    ),
                    value_event.style,
                    key_event.style,
                )
                result[key] = self._scalar(value_event, self._scalar_tag(value_event), child)
            else:
                self._entry_marks.append(key_mark)
                result[key], at = self._node(source, child, depth + 1)
                self._entry_marks.pop()
                if at != NONE:
                    table.set_key(
                        at,
                        key_mark.line + 1,
                        key_mark.column + 1,
                        key_mark.index,
                        key_event.end_mark.index,
                        _style(key_event),
                    )
            if place == NONE:
                if positions is not None:
                    positions[key] = len(keys)
                keys.append(key)
                nodes.append(at)
            elif at != NONE:
                nodes[place] = at  # the value that wins is the last one
        end = source.take()
        table.set_end(node, end.end_mark.index, _end_line(start.start_mark, end.end_mark))
        table.changed(node)
        for data, merged in merges:
            for key in data:
                if key not in result:
                    result[key] = data[key]
                    table.add_merged(node, key, table.child(merged, key))
        return result, node

    def _merge_sources(
        self, source: _Events, path: KeyPath, depth: int
    ) -> list[tuple[dict[str, Any], int]]:
        """The mappings a merge key (<<) names (data and node id): an alias, a mapping, or a
        sequence of them."""
        found: list[tuple[dict[str, Any], int]] = []
        event = source.peek()
        if _kind(event) == "SequenceStart" and not self._halted:
            source.take()
            while _kind(source.peek()) != "SequenceEnd":
                found.extend(self._merge_one(source, path, depth))
            source.take()
        else:
            found.extend(self._merge_one(source, path, depth))
        return found

    def _merge_one(
        self, source: _Events, path: KeyPath, depth: int
    ) -> list[tuple[dict[str, Any], int]]:
        event = source.peek()
        if self._halted:
            self._skip(source)
            return []
        target = event
        if _kind(event) == "Alias":
            recorded = self._replay(event)
            if recorded is None:
                source.take()
                self._unreadable = True
                self._report(
                    "V118",
                    "a merge key (<<) refers to a mapping that contains it: the merge never ends",
                    event,
                    path,
                    hint="merge another mapping, or remove the merge key",
                )
                return []
            target = recorded[0]
        if _kind(target) != "MappingStart":
            self._report("V100", "a merge key (<<) must refer to a mapping", target, path)
            self._skip(source)
            return []
        if depth + 1 > self.limits.max_depth:
            self._halted = True
            self._report(
                "V111",
                f"collections nested deeper than {self.limits.max_depth} levels",
                target,
                path,
            )
            self._skip(source)
            return []
        # the merged mapping is a node of its own, reached from no path: the mapping that
        # merges it links the keys it adds to their values' nodes
        data, node = self._node(source, path, depth + 1)
        return [(data, node)] if isinstance(data, dict) and node != NONE else []

    def _sequence(self, source: _Events, path: KeyPath, depth: int) -> tuple[list[Any], int]:
        start = source.take()
        node = self._add(start, SEQUENCE)
        indices, nodes = self.spans.entries(node)
        items = []
        index = 0
        while _kind(source.peek()) != "SequenceEnd":
            item, at = self._node(source, (*path, index), depth + 1)
            items.append(item)
            indices.append(index)
            nodes.append(at)
            index += 1
        end = source.take()
        self.spans.set_end(node, end.end_mark.index, _end_line(start.start_mark, end.end_mark))
        return items, node


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


def build_tree(events: Iterator[Any], limits: Limits, text_size: int = 0) -> ParsedYaml:
    """Data, spans and YAML diagnostics from a parser's events (PyYAML's or ruamel.yaml's).

    Raises what the parser raises, and PyYAML's ``ComposerError`` where its composer would
    (a second document, an undefined or duplicate anchor).
    """
    builder = TreeBuilder(limits, text_size)
    found, data = builder.build(events)
    if not found:
        return ParsedYaml(
            data=None,
            spans=SpanTable(),
            diagnostics=[diagnostic("V113", "the file holds no YAML document", line=1, column=1)],
        )
    return ParsedYaml(
        data=data,
        spans=builder.spans,
        diagnostics=builder.diagnostics,
        complete=builder.complete,
    )
