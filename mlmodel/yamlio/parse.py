"""The two parsers: libyaml (fast, C) and ruamel.yaml (round-trip, with comments).

Both return the same :class:`~mlmodel.yamlio.tree.ParsedYaml`; a test checks
they agree on every corpus file. ruamel is imported only on the round-trip path.
"""

from __future__ import annotations

from typing import Any

import yaml

from mlmodel.codes import diagnostic
from mlmodel.diagnostics import Diagnostic
from mlmodel.yamlio.source import tab_indentation
from mlmodel.yamlio.tree import Limits, ParsedYaml, build_tree

try:
    from yaml import CSafeLoader as _FastLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _FastLoader  # type: ignore[assignment]

_SINGLE_DOC = "expected a single document"


def _syntax_error(exc: Any, text: str) -> list[Diagnostic]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = int(mark.line) + 1 if mark is not None else None
    column = int(mark.column) + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
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
    tabs = tab_indentation(text)
    if tabs and (line is None or any(t.line == line for t in tabs) or "\t" in problem):
        return tabs
    message = f"{context}, {problem}" if context else str(problem)
    return [diagnostic("V100", f"invalid YAML: {message}", line=line, column=column)]


def _finish(root: Any, text: str, limits: Limits) -> ParsedYaml:
    if root is None:
        return ParsedYaml(
            data=None,
            spans={},
            diagnostics=[diagnostic("V113", "the file holds no YAML document", line=1, column=1)],
        )
    return build_tree(root, limits)


def _too_deep(limits: Limits) -> ParsedYaml:
    return ParsedYaml(
        data=None,
        spans={},
        diagnostics=[
            diagnostic(
                "V111", f"collections nested deeper than {limits.max_depth} levels", line=1
            )
        ],
    )


def parse_fast(text: str, limits: Limits | None = None) -> ParsedYaml:
    """Parse with libyaml: the path ``validate`` takes."""
    limits = limits or Limits()
    loader = _FastLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return ParsedYaml(data=None, spans={}, diagnostics=_syntax_error(exc, text))
    except yaml.YAMLError as exc:
        return ParsedYaml(
            data=None, spans={}, diagnostics=[diagnostic("V100", f"invalid YAML: {exc}")]
        )
    except RecursionError:
        return _too_deep(limits)
    finally:
        loader.dispose()
    return _finish(root, text, limits)


def _ruamel_yaml() -> Any:
    from ruamel.yaml import YAML

    parser = YAML(typ="rt", pure=True)
    parser.version = (1, 1)  # resolve scalars like MLflow's PyYAML does
    return parser


def compose_roundtrip(text: str) -> Any:
    """Compose with ruamel.yaml, keeping comments on the nodes."""
    return _ruamel_yaml().compose(text)


def parse_roundtrip(text: str, limits: Limits | None = None) -> ParsedYaml:
    """Parse with ruamel.yaml: the path round-trip documents take."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    limits = limits or Limits()
    try:
        root = compose_roundtrip(text)
    except MarkedYAMLError as exc:
        return ParsedYaml(data=None, spans={}, diagnostics=_syntax_error(exc, text))
    except YAMLError as exc:
        return ParsedYaml(
            data=None, spans={}, diagnostics=[diagnostic("V100", f"invalid YAML: {exc}")]
        )
    except RecursionError:
        return _too_deep(limits)
    return _finish(root, text, limits)
