"""``mlmodel inspect``: parse options, call :func:`mlmodel.checking.inspection.inspect_model`, print
through :data:`mlmodel.report.INSPECT_FORMATTERS`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from mlmodel.cli.app import app
from mlmodel.cli.options import (
    INSPECT_TEXT,
    ColorOption,
    InspectFormatOption,
    IsolatedOption,
    ModelPaths,
)
from mlmodel.cli.output import ColorChoice

if TYPE_CHECKING:
    from mlmodel.checking.inspection import Inspection


@app.command()
def inspect(
    paths: ModelPaths,
    output_format: InspectFormatOption = INSPECT_TEXT,
    color: ColorOption = ColorChoice.auto,
    isolated: IsolatedOption = False,  # inspect reads no configuration: always isolated
) -> None:
    """Show what a model holds: header, flavors, signature, example, files, environment,
    and what each pickle would import. Nothing is unpickled, imported or executed.

    A file of any name is inspected with its folder as the model directory; - reads an
    MLmodel from stdin (no model directory: only the document is described). With several
    paths, --format json prints a list. Exit status: 0, 1 when an MLmodel file cannot be
    read, 2 for usage errors (a bad path: the other paths are still inspected).
    """
    from mlmodel.checking.inspection import inspect_document, inspect_model
    from mlmodel.cli.errors import report
    from mlmodel.cli.output import use_color
    from mlmodel.cli.paths import collect, read_stdin_document
    from mlmodel.core.errors import ParseError
    from mlmodel.report import INSPECT_FORMATTERS, ReportOptions

    collected = collect(paths)
    codes = [report("inspect", failure) for failure in collected.failures]
    found: list[Inspection] = []
    # stdin last, as validate and lint report it
    for path in [*collected.files, *([None] if collected.stdin else [])]:
        try:
            if path is None:
                found.append(inspect_document(read_stdin_document()))
            else:
                found.append(inspect_model(path))
        except ParseError as exc:
            codes.append(report("inspect", exc))
    several = len(collected.files) + len(collected.failures) + collected.stdin > 1
    if found or several:
        options = ReportOptions(color=use_color(color, sys.stdout), several=several)
        INSPECT_FORMATTERS[output_format](found, sys.stdout, options)
    raise typer.Exit(max(codes, default=0))
