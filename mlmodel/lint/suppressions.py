"""Inline suppressions: ``# mlmodel: disable=MLM101[,MLM2...]``.

A comment at the end of a line silences those codes on that line. A comment on
a line of its own silences them for the entry that starts on the next line,
its whole block included. Codes may be prefixes (``MLM1``). Suppressions that
silence nothing are reported (MLM001), like ruff's unused ``noqa``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mlmodel.yamlio.document import MLmodelDocument
from mlmodel.yamlio.edit import content_end

_PATTERN = re.compile(r"#[ \t]*mlmodel:[ \t]*disable=([A-Za-z0-9_]+(?:[ \t]*,[ \t]*[A-Za-z0-9_]+)*)")


@dataclass(slots=True)
class Suppression:
    line: int
    column: int
    codes: tuple[str, ...]
    first_line: int
    last_line: int
    used: set[str] = field(default_factory=set)

    def covers(self, code: str, line: int | None) -> str | None:
        """The suppression code that silences ``code`` at ``line``, if any."""
        if line is None or not self.first_line <= line <= self.last_line:
            return None
        for entry in self.codes:
            if code.startswith(entry):
                return entry
        return None


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def find_suppressions(document: MLmodelDocument) -> list[Suppression]:
    text = document.text
    parsed = document.parsed
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
            first, last = _block_after(document, lines, line)
        found.append(Suppression(line, index - line_start + 1, codes, first, last))
    return found


def _block_after(document: MLmodelDocument, lines: list[str], line: int) -> tuple[int, int]:
    """Lines of the entry starting on the first content line after ``line``."""
    target = line + 1
    while target <= len(lines) and (
        not lines[target - 1].strip() or lines[target - 1].lstrip().startswith("#")
    ):
        target += 1
    parsed = document.parsed
    best = None
    for path, span in parsed.spans.items():
        start_line = span.key_line if span.key_line is not None else span.line
        if path and start_line == target and (best is None or len(path) < len(best)):
            best = path
    if best is None:
        return target, target
    end = content_end(parsed, best)
    return target, max(target, _line_of(document.text, max(end - 1, 0)))
