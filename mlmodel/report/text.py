"""Human output: compiler-style findings with the offending source line (rich)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from mlmodel.core.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from rich.console import Console

    from mlmodel.core.results import FileReport, ValidationResult
    from mlmodel.report import ReportOptions

MAX_EXCERPT = 160
#: Unicode categories shown as escapes: controls, format (bidi overrides), surrogates,
#: line and paragraph separators
_ESCAPED = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
NEWLINE = "\n"  # kept in messages and hints: they may span lines
#: the line breaks of YAML 1.1, as MLflow's PyYAML counts lines
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(result: ValidationResult) -> str:
    files = _plural(len(result.reports), "file")
    if not result.errors and not result.warnings:
        return f"{files} checked: no problems found"
    return (
        f"{files} checked: {_plural(result.errors, 'error')}, {_plural(result.warnings, 'warning')}"
    )


def fixable_line(result: ValidationResult) -> str:
    """``[*] 2 fixable with --fix (1 more with --fix --unsafe-fixes)``, or empty."""
    safety = Counter(d.fix for d in result.diagnostics)
    safe, unsafe = safety["safe"], safety["unsafe"]
    if not safe:
        return f"{unsafe} fixable with --fix --unsafe-fixes" if unsafe else ""
    more = f" ({unsafe} more with --fix --unsafe-fixes)" if unsafe else ""
    return f"[*] {safe} fixable with --fix{more}"


def escape_control(text: str, *, keep: str = "") -> str:
    """Control and format characters (NUL, ESC, bidi overrides...) as ``\\xNN``/``\\uNNNN``,
    so a binary or hostile file cannot drive the terminal; the characters in ``keep`` stay."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char in keep or unicodedata.category(char) not in _ESCAPED:
            out.append(char)
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(f"\\u{ord(char):04x}")
    return "".join(out)


def excerpt(line: str, column: int | None) -> tuple[str, int | None]:
    """The source line as shown (tabs as one space, control characters escaped, long
    lines cut) and the 0-based offset of ``column`` in it."""
    source = line.expandtabs(1)
    offset = None if column is None else len(escape_control(source[: column - 1]))
    shown = escape_control(source)
    if len(shown) > MAX_EXCERPT:
        shown = shown[: MAX_EXCERPT - 3] + "..."
    return shown, offset


def write_text(result: ValidationResult, stream: TextIO, options: ReportOptions) -> None:
    if not result.diagnostics:
        # The common case in a pre-commit hook: no need to load rich.
        if not options.quiet:
            stream.write(summary(result) + "\n")
        return
    from rich.markup import escape

    from mlmodel.report.console import make_console

    console = make_console(stream, color=options.color)
    for d in result.general:
        _write_one(console, d, [])
    for report in result.reports:
        if not report.diagnostics:
            continue
        lines = _source_lines(report, options)
        for d in report.diagnostics:
            _write_one(console, d, lines)
    if options.quiet:
        return
    style = "bold red" if result.errors else "bold yellow"
    console.print(f"[{style}]{escape(summary(result))}[/]")
    fixable = fixable_line(result)
    if fixable:
        console.print(escape(fixable))


#: excerpts are read back only from a file that was read (and so was within --max-bytes)
MAX_EXCERPT_SOURCE_BYTES = 1024 * 1024 * 1024


def _source_lines(report: FileReport, options: ReportOptions) -> list[str]:
    """The file's lines, for excerpts; never read when no finding has a line (a file too
    large, a FIFO), and never anything but a regular file."""
    text = options.sources.get(report.path)
    if text is None:
        from mlmodel.core.fsio import read_regular_bytes

        if not any(d.line is not None for d in report.diagnostics):
            return []
        try:
            local = Path(report.local_path or report.path)
            data = read_regular_bytes(local, max_bytes=MAX_EXCERPT_SOURCE_BYTES)
        except (OSError, ValueError):
            return []
        text = data.decode("utf-8-sig", errors="replace")
    return _LINE_BREAK.split(text)


def _write_one(console: Console, d: Diagnostic, lines: list[str]) -> None:
    from rich.markup import escape

    color = "red" if d.severity is Severity.ERROR else "yellow"
    mark = " [*]" if d.fix == "safe" else ""
    console.print(
        f"[bold]{escape(escape_control(d.location()))}[/]: [{color}]{d.severity.value}[/] "
        f"[bold]{d.code}[/]{escape(mark)} {escape(escape_control(d.message, keep=NEWLINE))}"
    )
    if d.line is not None and 0 < d.line <= len(lines):
        source, offset = excerpt(lines[d.line - 1], d.column)
        gutter = f"{d.line:>5} | "
        console.print(f"[dim]{gutter}[/]{escape(source)}")
        if offset is not None and offset <= len(source):
            console.print(" " * (len(gutter) + offset) + f"[{color}]^[/]")
    if d.hint:
        console.print(f"      [cyan]hint:[/] {escape(escape_control(d.hint, keep=NEWLINE))}")


def statistics(result: ValidationResult) -> list[tuple[str, int, Severity, str | None]]:
    """(code, count, severity, fix safety) per code, most frequent first."""
    counts: Counter[str] = Counter()
    first: dict[str, Diagnostic] = {}
    for d in result.diagnostics:
        counts[d.code] += 1
        first.setdefault(d.code, d)
    return [
        (code, count, first[code].severity, first[code].fix)
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def _code_name(code: str) -> str:
    from mlmodel.core.codes import CODES

    found = CODES.get(code)
    return found.name if found is not None else ""


def write_statistics(result: ValidationResult, stream: TextIO, options: ReportOptions) -> None:
    """One line per code: count, code, ``[*]`` when --fix fixes it, the code's name."""
    rows = statistics(result)
    width = max((len(str(count)) for _, count, _, _ in rows), default=1)
    for code, count, severity, safety in rows:
        mark = "[*]" if safety == "safe" else "   "
        line = f"{count:>{width}}  {code:<7} {mark} {severity.value:<7} {_code_name(code)}"
        stream.write(line.rstrip() + "\n")
    if not options.quiet:
        stream.write(summary(result) + "\n")
