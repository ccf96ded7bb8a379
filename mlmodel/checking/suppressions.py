"""Inline suppressions: ``# mlmodel: disable=CODE[,CODE...]``, honoured by every command.

A comment at the end of a line silences those codes on that line. A comment on
a line of its own silences them for the entry that starts on the next line,
its whole block included. Codes may be prefixes (``MLM1``); a retired code
silences its replacement (``MLM101`` silences ``V402``). Security findings
(``MLM5xx``) are never silenced by a comment inside the model. ``lint`` reports
suppressions that silence nothing (MLM001), like ruff's unused ``noqa``; the
``isolated`` option of every command ignores inline suppressions altogether.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from mlmodel.core.codes import CODES, SECURITY_PREFIX, canonical
from mlmodel.core.diagnostics import Diagnostic
from mlmodel.yamlio.tree import KeyPath, ParsedYaml

MARKER = "mlmodel:"
_PATTERN = re.compile(
    r"#[ \t]*mlmodel:[ \t]*disable=([A-Za-z0-9_]+(?:[ \t]*,[ \t]*[A-Za-z0-9_]+)*)"
)


@dataclass(slots=True)
class Suppression:
    line: int
    column: int
    codes: tuple[str, ...]
    first_line: int
    last_line: int
    used: set[str] = field(default_factory=set)

    def covers(self, code: str, line: int | None) -> str | None:
        """The suppression code that silences ``code`` at ``line``, if any (never a
        security code)."""
        if line is None or not self.first_line <= line <= self.last_line:
            return None
        if code.startswith(SECURITY_PREFIX):
            return None
        for entry in self.codes:
            if code.startswith(entry) or (entry in CODES and canonical(entry) == code):
                return entry
        return None


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def find_suppressions(text: str, parsed: ParsedYaml) -> list[Suppression]:
    if MARKER not in text:
        return []
    scalars = [(s.start, s.end) for s in parsed.spans.values() if s.kind == "scalar"]
    lines = text.splitlines()
    found = []
    for match in _PATTERN.finditer(text):
        index = match.start()
        if any(start <= index < end for start, end in scalars):
            continue  # inside a string, not a comment
        line = _line_of(text, index)
        line_start = text.rfind("\n", 0, index) + 1
        codes = tuple(c.strip().upper() for c in match.group(1).split(","))
        first = last = line
        if not text[line_start:index].strip():
            first, last = _block_after(text, parsed, lines, line)
        found.append(Suppression(line, index - line_start + 1, codes, first, last))
    return found


def silence(diagnostics: Iterable[Diagnostic], suppressions: list[Suppression]) -> list[Diagnostic]:
    """The diagnostics no suppression covers; marks the suppression entries used."""
    kept = []
    for diagnostic in diagnostics:
        silenced = False
        for suppression in suppressions:
            entry = suppression.covers(diagnostic.code, diagnostic.line)
            if entry is not None:
                suppression.used.add(entry)
                silenced = True
        if not silenced:
            kept.append(diagnostic)
    return kept


def _block_after(text: str, parsed: ParsedYaml, lines: list[str], line: int) -> tuple[int, int]:
    """Lines of the entry starting on the first content line after ``line``."""
    from mlmodel.yamlio.edit import content_end

    target = line + 1
    while target <= len(lines) and (
        not lines[target - 1].strip() or lines[target - 1].lstrip().startswith("#")
    ):
        target += 1
    best: KeyPath | None = None
    for path, span in parsed.spans.items():
        start_line = span.key_line if span.key_line is not None else span.line
        if path and start_line == target and (best is None or len(path) < len(best)):
            best = path
    if best is None:
        return target, target
    end = content_end(parsed, best)
    return target, max(target, _line_of(text, max(end - 1, 0)))
