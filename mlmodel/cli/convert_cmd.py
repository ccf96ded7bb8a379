"""``mlmodel convert``: parse options, call :func:`mlmodel.convert.convert`, print or write."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from mlmodel.cli.app import EXIT_USAGE, app
from mlmodel.cli.options import IsolatedOption, ModelPath

EXIT_BAD_MODEL = 1


class TargetFormat(enum.StrEnum):
    json = "json"
    yaml = "yaml"


@app.command()
def convert(
    path: ModelPath,
    to: Annotated[
        TargetFormat | None,
        typer.Option(
            "--to",
            help="Output format. Default: the other format, or the file's own with --upgrade.",
            show_default=False,
        ),
    ] = None,
    upgrade: Annotated[
        bool,
        typer.Option(
            "--upgrade", help="Rewrite a legacy document to the layout current MLflow writes."
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file.", show_default=False),
    ] = None,
    in_place: Annotated[
        bool, typer.Option("--in-place", help="Write back to the MLmodel file itself.")
    ] = False,
    isolated: IsolatedOption = False,  # convert reads no configuration: always isolated
) -> None:
    """Convert an MLmodel file between YAML and JSON; --upgrade modernises legacy documents,
    keeping comments. Prints to stdout unless -o or --in-place is given (atomic writes).

    Exit status: 0, 1 when the MLmodel file cannot be read, 2 for usage errors.
    """
    from mlmodel.convert import convert as convert_model
    from mlmodel.errors import ParseError, UsageError

    if output is not None and in_place:
        typer.echo("mlmodel convert: -o/--output and --in-place exclude each other", err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        result = convert_model(path, to=to.value if to else None, upgrade=upgrade)
    except UsageError as exc:
        typer.echo(f"mlmodel convert: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except ParseError as exc:
        typer.echo(f"mlmodel convert: cannot read the MLmodel file: {exc}", err=True)
        raise typer.Exit(EXIT_BAD_MODEL) from None
    for step in result.steps:
        old = f" (was {step.old})" if step.old is not None else ""
        typer.echo(f"upgrade: {step.key}: {step.action} {step.new}{old}: {step.reason}", err=True)
    for skipped in result.skipped:
        typer.echo(f"upgrade: {skipped.key}: left unchanged: {skipped.reason}", err=True)
    target = result.source if in_place else output
    if target is None:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            sys.stdout.write(result.output.decode("utf-8"))
        else:
            sys.stdout.flush()
            buffer.write(result.output)
            buffer.flush()
        raise typer.Exit(0)
    try:
        written = result.write(target)
    except OSError as exc:
        typer.echo(f"mlmodel convert: cannot write {target}: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    typer.echo(f"wrote {written}", err=True)
    raise typer.Exit(0)
