"""``mlmodel rule``: explain a code from the catalogue (``mlmodel rule V402``, ``--all``)."""

from __future__ import annotations

import enum
import sys
from typing import Annotated

import typer

from mlmodel.cli.app import app
from mlmodel.cli.errors import usage
from mlmodel.cli.options import ColorOption
from mlmodel.cli.output import ColorChoice


class RuleFormat(enum.StrEnum):
    """The values of ``mlmodel rule --format``."""

    text = "text"
    json = "json"
    markdown = "markdown"


@app.command()
def rule(
    code: Annotated[
        str | None,
        typer.Argument(metavar="CODE", help="A code: V402, MLM104...", show_default=False),
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="List every code.")] = False,
    output_format: Annotated[
        RuleFormat,
        typer.Option(
            "--format",
            "-f",
            help="text: for a terminal; json: code, name, family, severity, fix, title, "
            "description (Markdown) and examples; markdown: the code's documentation page. "
            "With --all: one line a code, a JSON list, or every page.",
        ),
    ] = RuleFormat.text,
    color: ColorOption = ColorChoice.auto,
) -> None:
    """Explain a code (name, family, severity, fix, description and examples), or list them.

    Exit status: 0, or 2 for an unknown code.
    """
    from mlmodel.core.codes import CODES

    if show_all or code is None:
        if code is not None:
            raise usage("rule", "give a CODE or --all, not both")
        if output_format is not RuleFormat.text:
            _write_each(list(CODES), output_format)
            raise typer.Exit(0)
        width = max(len(entry.name) for entry in CODES.values())
        for listed in CODES.values():
            fix = f" [{listed.fix} fix]" if listed.fix else ""
            summary = (
                f"retired: reported as {listed.replaced_by}" if listed.retired else listed.summary
            )
            typer.echo(
                f"{listed.code:<7} {listed.name:<{width}}  {listed.family:<8} "
                f"{listed.severity.value:<7} {summary}{fix}"
            )
        raise typer.Exit(0)
    found = CODES.get(code.strip().upper())
    if found is None:
        raise usage("rule", f"unknown code {code!r}; see mlmodel rule --all")
    if output_format is RuleFormat.text:
        from mlmodel.checking.lint.rule_doc import rule_doc
        from mlmodel.cli.output import use_color
        from mlmodel.report.rule_text import write_rule

        write_rule(rule_doc(found.code), sys.stdout, color=use_color(color, sys.stdout))
    else:
        _write_each([found.code], output_format, several=False)
    raise typer.Exit(0)


def _write_each(codes: list[str], output_format: RuleFormat, *, several: bool = True) -> None:
    """JSON (a list with ``several``) or Markdown pages (separated by a blank line)."""
    if output_format is RuleFormat.json:
        import json

        from mlmodel.checking.lint.rule_doc import rule_record

        records = [rule_record(code) for code in codes]
        json.dump(records if several else records[0], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        from mlmodel.checking.lint.rule_doc import rule_markdown

        sys.stdout.write("\n".join(rule_markdown(code) for code in codes))
