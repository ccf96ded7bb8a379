"""Human output: compiler-style findings with the offending source line (rich)."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from mlmodel.api import FileReport, ValidationResult
from mlmodel.diagnostics import Diagnostic, Severity


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(result: ValidationResult) -> str:
    files = _plural(len(result.reports), "file")
    if not result.errors and not result.warnings:
        return f"{files} checked: no problems found"
    return (
        f"{files} checked: {_plural(result.errors, 'error')}, "
        f"{_plural(result.warnings, 'warning')}"
    )


def write_text(result: ValidationResult, stream: TextIO) -> None:
    if not result.diagnostics:
        # The common case in a pre-commit hook: no need to load rich.
        stream.write(summary(result) + "\n")
        return
    from rich.console import Console
    from rich.markup import escape

    console = Console(file=stream, highlight=False, soft_wrap=True)
    for d in result.general:
        _write_one(console, d, [], escape)
    for report in result.reports:
        if not report.diagnostics:
            continue
        lines = _source_lines(report)
        for d in report.diagnostics:
            _write_one(console, d, lines, escape)
    style = "bold red" if result.errors else "bold yellow"
    console.print(f"[{style}]{escape(summary(result))}[/]")


#: excerpts are read back only from a file that was read (and so was within --max-bytes)
MAX_EXCERPT_SOURCE_BYTES = 1024 * 1024 * 1024


def _source_lines(report: FileReport) -> list[str]:
    """The file's lines, for excerpts; never read when no finding has a line (a file too
    large, a FIFO), and never anything but a regular file."""
    from mlmodel.fsio import read_regular

    if not any(d.line is not None for d in report.diagnostics):
        return []
    try:
        data, _stamp = read_regular(Path(report.path), max_bytes=MAX_EXCERPT_SOURCE_BYTES)
    except (OSError, ValueError):
        return []
    return data.decode("utf-8", errors="replace").splitlines()


def _write_one(console: object, d: Diagnostic, lines: list[str], escape: object) -> None:
    from rich.console import Console

    assert isinstance(console, Console)
    esc = escape  # rich.markup.escape
    assert callable(esc)
    color = "red" if d.severity is Severity.ERROR else "yellow"
    console.print(
        f"[bold]{esc(d.location())}[/]: [{color}]{d.severity.value}[/] "
        f"[bold]{d.code}[/] {esc(d.message)}"
    )
    if d.line is not None and 0 < d.line <= len(lines):
        source = lines[d.line - 1].rstrip("\r").expandtabs(1)
        if len(source) > 160:
            source = source[:157] + "..."
        gutter = f"{d.line:>5} | "
        console.print(f"[dim]{gutter}[/]{esc(source)}")
        if d.column is not None:
            console.print(" " * (len(gutter) + d.column - 1) + f"[{color}]^[/]")
    if d.hint:
        console.print(f"      [cyan]hint:[/] {esc(d.hint)}")
