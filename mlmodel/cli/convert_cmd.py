"""``mlmodel convert``: parse options, call :func:`mlmodel.checking.convert.convert`, print or write."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mlmodel.cli.app import app
from mlmodel.cli.errors import usage
from mlmodel.cli.options import IsolatedOption, ModelPaths

if TYPE_CHECKING:
    from mlmodel.checking.convert import ConversionResult, Format


class TargetFormat(enum.StrEnum):
    json = "json"
    yaml = "yaml"


@app.command()
def convert(
    paths: ModelPaths,
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
        bool, typer.Option("--in-place", help="Write back to each MLmodel file itself.")
    ] = False,
    isolated: IsolatedOption = False,  # convert reads no configuration: always isolated
) -> None:
    """Convert MLmodel files between YAML and JSON; --upgrade modernises legacy documents,
    keeping comments. Prints to stdout unless -o or --in-place is given (atomic writes);
    several paths need --in-place. - reads an MLmodel from stdin (no model directory:
    --upgrade looks at no file beside it; --in-place does not apply).

    Exit status: 0, 1 when an MLmodel file cannot be read, 2 for usage errors (a bad
    path: the other paths are still converted).
    """
    from mlmodel.checking.convert import convert as convert_model
    from mlmodel.checking.convert import convert_document
    from mlmodel.cli.errors import report
    from mlmodel.cli.paths import collect, read_stdin_document, refuse_remote
    from mlmodel.core.errors import ParseError, UsageError

    if output is not None and in_place:
        raise usage("convert", "-o/--output and --in-place exclude each other")
    if in_place:
        try:
            refuse_remote(paths, "convert --in-place")
        except UsageError as exc:
            raise usage("convert", str(exc)) from None
    collected = collect(paths)
    if collected.stdin and in_place:
        raise usage("convert", "--in-place writes back to files; - (stdin) has none (use -o)")
    given = len(collected.files) + len(collected.failures) + collected.stdin
    if given > 1 and not in_place:
        raise usage("convert", "several paths need --in-place (one output for each file)")
    codes = [report("convert", failure) for failure in collected.failures]
    target_format: Format | None = to.value if to else None
    for path in [*collected.files, *([None] if collected.stdin else [])]:
        try:
            if path is None:
                document = read_stdin_document()
                result = convert_document(document, to=target_format, upgrade=upgrade)
            else:
                result = convert_model(path, to=target_format, upgrade=upgrade)
        except ParseError as exc:
            codes.append(report("convert", exc))
            continue
        _describe_steps(result)
        target = result.source if in_place else output
        if target is None:
            _print(result.output)
            continue
        try:
            written = result.write(target)
        except UsageError as exc:  # the cached copy of a remote model
            codes.append(report("convert", exc))
            continue
        except OSError as exc:
            problem = UsageError(f"cannot write {target}: {exc.strerror or exc}")
            codes.append(report("convert", problem))
            continue
        typer.echo(f"wrote {written}", err=True)
    raise typer.Exit(max(codes, default=0))


def _describe_steps(result: ConversionResult) -> None:
    for step in result.steps:
        old = f" (was {step.old})" if step.old is not None else ""
        typer.echo(f"upgrade: {step.key}: {step.action} {step.new}{old}: {step.reason}", err=True)
    for skipped in result.skipped:
        typer.echo(f"upgrade: {skipped.key}: left unchanged: {skipped.reason}", err=True)


def _print(output: bytes) -> None:
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(output.decode("utf-8"))
        return
    sys.stdout.flush()
    buffer.write(output)
    buffer.flush()
