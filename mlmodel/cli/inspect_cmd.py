"""``mlmodel inspect``: parse options, call :func:`mlmodel.inspection.inspect_model`, print
through :data:`mlmodel.report.INSPECT_FORMATTERS`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from mlmodel.cli.app import app
from mlmodel.cli.options import (
    INSPECT_TEXT,
    ColorChoice,
    ColorOption,
    InspectFormatOption,
    IsolatedOption,
    ModelPaths,
)

if TYPE_CHECKING:
    from mlmodel.inspection import Inspection


@app.command()
def inspect(
    paths: ModelPaths,
    output_format: InspectFormatOption = INSPECT_TEXT,
    color: ColorOption = ColorChoice.auto,
    isolated: IsolatedOption = False,  # inspect reads no configuration: always isolated
) -> None:
    """Show what a model holds: header, flavors, signature, example, files, environment,
    and what each pickle would import. Nothing is unpickled, imported or executed.

    A file of any name is inspected with its folder as the model directory. With several
    paths, --format json prints a list. Exit status: 0, 1 when an MLmodel file cannot be
    read, 2 for usage errors (a bad path: the other paths are still inspected).
    """
    from mlmodel.cli.errors import report
    from mlmodel.cli.output import use_color
    from mlmodel.cli.paths import collect
    from mlmodel.errors import ParseError
    from mlmodel.inspection import inspect_model
    from mlmodel.report import INSPECT_FORMATTERS, ReportOptions

    collected = collect(paths, stdin=False)
    codes = [report("inspect", failure) for failure in collected.failures]
    found: list[Inspection] = []
    for path in collected.files:
        try:
            found.append(inspect_model(path))
        except ParseError as exc:
            codes.append(report("inspect", exc))
    options = ReportOptions(color=use_color(color, sys.stdout))
    if output_format == "json" and len(collected.files) > 1:
        import json

        items = [item.to_json() for item in found]
        sys.stdout.write(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
    else:
        for number, item in enumerate(found):
            if number:
                sys.stdout.write("\n")
            INSPECT_FORMATTERS[output_format](item, sys.stdout, options)
    raise typer.Exit(max(codes, default=0))
