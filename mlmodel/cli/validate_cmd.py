"""``mlmodel validate``: its options and help; the work is
:func:`mlmodel.cli.validate_run.run_validate` (which :mod:`mlmodel.cli.direct` calls too)."""

from __future__ import annotations

from typing import Annotated

import typer

from mlmodel.cli.app import app
from mlmodel.cli.options import (
    TEXT,
    ColorOption,
    ExitZeroOption,
    FormatOption,
    IsolatedOption,
    MLflowVersionOption,
    ModelPaths,
    OutputFileOption,
    QuietOption,
    RecursiveOption,
    StatisticsOption,
    StrictOption,
)
from mlmodel.cli.output import ColorChoice
from mlmodel.cli.validate_run import DEFAULT_MAX_BYTES


@app.command()
def validate(
    paths: ModelPaths,
    output_format: FormatOption = TEXT,
    strict: StrictOption = False,
    check_files: Annotated[
        bool,
        typer.Option(
            "--check-files/--no-check-files",
            help="Check that referenced files exist inside the model directory.",
        ),
    ] = True,
    max_bytes: Annotated[
        int, typer.Option(min=1, help="Refuse MLmodel files larger than this.")
    ] = DEFAULT_MAX_BYTES,
    recursive: RecursiveOption = False,
    quiet: QuietOption = False,
    exit_zero: ExitZeroOption = False,
    statistics: StatisticsOption = False,
    output_file: OutputFileOption = None,
    color: ColorOption = ColorChoice.auto,
    isolated: IsolatedOption = False,
    mlflow_version: MLflowVersionOption = None,
) -> None:
    """Check that MLflow can use each model; report problems at file:line:column.

    Exit status: 0 no errors (warnings allowed), 1 errors (or warnings with
    --strict), 2 usage errors (a bad path: the other paths are still checked).
    """
    from mlmodel.cli.validate_run import run_validate

    raise typer.Exit(
        run_validate(
            paths,
            output_format=output_format,
            strict=strict,
            check_files=check_files,
            max_bytes=max_bytes,
            recursive=recursive,
            quiet=quiet,
            exit_zero=exit_zero,
            statistics=statistics,
            output_file=output_file,
            color=color,
            isolated=isolated,
            mlflow_version=mlflow_version,
        )
    )
