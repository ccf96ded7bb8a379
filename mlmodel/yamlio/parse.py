"""The parsers: libyaml (fast, C) and ruamel.yaml (round-trip), checked against PyYAML.

All return the same :class:`~mlmodel.yamlio.tree.ParsedYaml`; a test checks they
agree on every corpus file and golden case. MLflow reads MLmodel files with
PyYAML's pure-Python ``yaml.safe_load``. libyaml and ruamel.yaml differ from it
in corners that all involve tabs or the extra line breaks of YAML 1.1 (NEL,
U+2028, U+2029); a text holding one of those is parsed with PyYAML's own
pure-Python reader on both paths, so the verdict is always MLflow's.
ruamel.yaml is imported only on the round-trip path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

from mlmodel.core.codes import diagnostic
from mlmodel.core.diagnostics import Diagnostic
from mlmodel.yamlio.source import tab_indentation
from mlmodel.yamlio.spans import SpanTable
from mlmodel.yamlio.tree import Limits, ParsedYaml, build_tree

try:
    from yaml import CSafeLoader as _FastLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _FastLoader  # type: ignore[assignment]

_SINGLE_DOC = "expected a single document"
_BAD_ESCAPE = "invalid Unicode character escape code"
#: what a YAML reader or scanner raises on bad text (a builder bug is none of these)
_LONG_ESCAPE = re.compile(r"\\U([0-9A-Fa-f]{8})")
_READER_ERRORS = (yaml.YAMLError, ValueError, OverflowError)
#: what YAML 1.1 readers refuse anywhere in a stream (PyYAML's Reader.NON_PRINTABLE)
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_REFERENCE_ONLY = ("\t", "\x85", "\u2028", "\u2029")


def needs_reference_parser(text: str) -> bool:
    """True when libyaml or ruamel.yaml might read ``text`` differently from MLflow."""
    return any(char in text for char in _REFERENCE_ONLY)


def _syntax_error(exc: Any, text: str, limits: Limits) -> list[Diagnostic]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = int(mark.line) + 1 if mark is not None else None
    column = int(mark.column) + 1 if mark is not None else None
    problem = str(getattr(exc, "problem", None) or exc)
    context = getattr(exc, "context", None)
    if context and _SINGLE_DOC in str(context):
        return [
            diagnostic(
                "V103",
                "more than one YAML document; an MLmodel file holds exactly one",
                line=line,
                column=column,
                hint="remove the '---' separator and what follows, or split the file",
            )
        ]
    if "nesting depth" in problem:
        return [_too_deep(text, limits)]
    if _BAD_ESCAPE in problem:
        return [
            diagnostic(
                "V120",
                "an escape that is not a Unicode character (a lone surrogate such as \\ud800, "
                "or beyond \\U0010ffff)",
                line=line,
                column=column,
                hint="write the character itself, or a surrogate pair as one \\U escape",
            )
        ]
    tabs = tab_indentation(text)
    if tabs and (line is None or any(t.line == line for t in tabs)):
        return tabs
    message = f"{context}, {problem}" if context else problem
    return [diagnostic("V100", f"invalid YAML: {message}", line=line, column=column)]


def _too_deep(text: str, limits: Limits) -> Diagnostic:
    """Where collections first nest deeper than the limit, found from parser events.

    PyYAML's pure-Python parser streams events without recursion and scans lazily
    (libyaml gives up at 1000 levels before yielding any), so this works where
    composing a tree fails. The node reported is the one the tree walker reports.
    """
    line = column = None
    parser = yaml.SafeLoader(text)
    stack: list[list[Any]] = []  # per open collection: [is_mapping, next scalar is a key]
    try:
        while parser.check_event():
            event = parser.get_event()  # type: ignore[no-untyped-call]
            is_start = isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent)
            is_node = is_start or isinstance(event, yaml.ScalarEvent | yaml.AliasEvent)
            if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                stack.pop()
                continue
            if not is_node:
                continue
            is_key = bool(stack) and stack[-1][0] and stack[-1][1]
            if stack and stack[-1][0]:
                stack[-1][1] = not stack[-1][1]
            if not is_key and len(stack) > limits.max_depth:
                line, column = event.start_mark.line + 1, event.start_mark.column + 1
                break
            if is_start:
                stack.append([isinstance(event, yaml.MappingStartEvent), True])
    except (yaml.YAMLError, RecursionError):
        pass
    finally:
        parser.dispose()
    return diagnostic(
        "V111",
        f"collections nested deeper than {limits.max_depth} levels",
        line=line if line is not None else 1,
        column=column,
    )


def _loader_events(loader: Any) -> Iterator[Any]:
    """Every event of the stream; ``get_event`` gives None after the last one."""
    events: Iterator[Any] = iter(loader.get_event, None)
    return events


def _failed(found: list[Diagnostic]) -> ParsedYaml:
    return ParsedYaml(data=None, spans=SpanTable(), diagnostics=found, complete=False)


def non_printable(text: str) -> Diagnostic | None:
    """The first character no YAML reader accepts (a control character, say), positioned."""
    found = _NON_PRINTABLE.search(text)
    if found is None:
        return None
    index = found.start()
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return diagnostic(
        "V116",
        f"the character U+{ord(found.group()):04X} is not allowed in YAML",
        line=line,
        column=column,
        hint="remove it, or write it as an escape inside a double-quoted string",
    )


def _unexpected(exc: BaseException, text: str) -> list[Diagnostic]:
    """A YAML error without a position (or a reader that failed outright)."""
    found = non_printable(text)
    if found is not None:
        return [found]
    for escape in _LONG_ESCAPE.finditer(text):  # PyYAML's scanner: chr() out of range
        if int(escape.group(1), 16) > 0x10FFFF:
            index = escape.start()
            return [
                diagnostic(
                    "V120",
                    f"the escape {escape.group()} is beyond \\U0010ffff: not a Unicode character",
                    line=text.count("\n", 0, index) + 1,
                    column=index - (text.rfind("\n", 0, index) + 1) + 1,
                )
            ]
    return [diagnostic("V100", f"invalid YAML: {type(exc).__name__}: {exc}", line=1, column=1)]


def _parse_pyyaml(text: str, limits: Limits, loader_class: type[Any]) -> ParsedYaml:
    loader = None
    try:
        loader = loader_class(text)  # PyYAML's reader checks every character here
        return build_tree(_loader_events(loader), limits, len(text))
    except yaml.MarkedYAMLError as exc:
        return _failed(_syntax_error(exc, text, limits))
    except RecursionError:
        return _failed([_too_deep(text, limits)])
    except _READER_ERRORS as exc:  # reader errors, and escapes Python refuses
        return _failed(_unexpected(exc, text))
    finally:
        if loader is not None:
            loader.dispose()


def parse_fast(text: str, limits: Limits | None = None) -> ParsedYaml:
    """Parse with libyaml: the path ``validate`` takes."""
    limits = limits or Limits()
    if needs_reference_parser(text):
        return _parse_pyyaml(text, limits, yaml.SafeLoader)
    return _parse_pyyaml(text, limits, _FastLoader)


def _ruamel_yaml() -> Any:
    from ruamel.yaml import YAML

    parser = YAML(typ="rt", pure=True)
    parser.version = (1, 1)  # resolve scalars like MLflow's PyYAML does
    return parser


def roundtrip_events(text: str) -> Iterator[Any]:
    """ruamel.yaml's parser events (comments attached)."""
    events: Iterator[Any] = _ruamel_yaml().parse(text)
    return events


def parse_roundtrip(text: str, limits: Limits | None = None) -> ParsedYaml:
    """Parse with ruamel.yaml: the path round-trip documents take."""
    limits = limits or Limits()
    if needs_reference_parser(text):
        return _parse_pyyaml(text, limits, yaml.SafeLoader)
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return build_tree(roundtrip_events(text), limits, len(text))
    except (MarkedYAMLError, yaml.MarkedYAMLError) as exc:
        return _failed(_syntax_error(exc, text, limits))
    except RecursionError:
        return _failed([_too_deep(text, limits)])
    except (*_READER_ERRORS, YAMLError) as exc:  # as in _parse_pyyaml
        return _failed(_unexpected(exc, text))
