"""``mlmodel rule CODE`` for a terminal: the catalogue entry, then the code's text with its
inline literals in code style and its examples as indented (YAML-highlighted in colour)
blocks; never reStructuredText markup (rich)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, TextIO

from mlmodel.checking.lint.rule_doc import FIX_HOW, inline_parts
from mlmodel.core.codes import FAMILIES
from mlmodel.report.console import make_console

if TYPE_CHECKING:
    from rich.text import Text

    from mlmodel.checking.lint.rule_doc import RuleDoc

#: how far literal blocks are indented under their heading
INDENT = 4


def write_rule(documented: RuleDoc, stream: TextIO, *, color: bool) -> None:
    """Print one code's entry and text to ``stream`` (ANSI styles only with ``color``)."""
    from rich.text import Text

    console = make_console(stream, color=color, soft_wrap=True)
    entry = documented.entry
    console.print(Text(f"{entry.code} {entry.name}", style="bold"))
    console.print(Text(f"family:   {entry.family}: {FAMILIES[entry.family]}"))
    console.print(Text(f"severity: {entry.severity.value}"))
    console.print(Text(f"fix:      {FIX_HOW[entry.fix] if entry.fix else 'none'}"))
    if entry.security:
        console.print(Text("security: never silenced by a suppression inside the model"))
    console.print(Text(f"summary:  {documented.title}"))
    for block in documented.blocks:
        console.print()
        if block.kind == "paragraph":
            # wrapped to the terminal's width (80 when not a terminal), no trailing spaces
            for line in _paragraph(block.text, heading=block.example).wrap(console, console.width):
                line.rstrip()
                console.print(line)
        else:
            console.print(_literal(block.text, block.language or "text", color=color))


def _literal(code: str, language: str, *, color: bool) -> Text:
    """A literal block indented, highlighted for its language in colour (never padded to
    the terminal's width: no trailing spaces)."""
    from rich.syntax import Syntax
    from rich.text import Text

    if not color:
        return Text(textwrap.indent(code, " " * INDENT))
    highlighted = Syntax(code, language, theme="ansi_dark", background_color="default").highlight(
        code
    )
    shown = Text()
    for number, line in enumerate(highlighted.split("\n")):
        if number:
            shown.append("\n")
        if line.plain:
            shown.append(" " * INDENT)
        shown.append_text(line)
    return shown


def _paragraph(text: str, *, heading: bool) -> Text:
    """A paragraph without markup: literals in code style, emphasis in italics."""
    from rich.text import Text

    styles = {"": "bold" if heading else "", "code": "cyan", "emphasis": "italic"}
    shown = Text()
    for style, part in inline_parts(text):
        shown.append(part, style=styles[style])
    return shown
