"""``mlmodel validate``: parse options, call :func:`mlmodel.checking.validate.validate_paths`, report."""

from __future__ import annotations

from typing import Annotated

import typer

from mlmodel.cli.app import app
from mlmodel.cli.options import (
    TEXT,
    ColorChoice,
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
    ] = 10 * 1024 * 1024,
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
    from mlmodel.checking.validate import validate_bytes, validate_paths
    from mlmodel.cli.output import (
        check_statistics,
        final_exit_code,
        report_failures,
        report_options,
        write_report,
    )
    from mlmodel.cli.paths import STDIN_NAME, collect, read_stdin
    from mlmodel.core.releases import release
    from mlmodel.core.results import FileReport
    from mlmodel.report import FORMATTERS
    from mlmodel.yamlio.tree import Limits

    check_statistics("validate", output_format, statistics)
    target = release(mlflow_version)
    collected = collect(paths, recursive=recursive)
    report_failures("validate", collected)
    if not collected.files and not collected.stdin:
        raise typer.Exit(final_exit_code(0, collected, exit_zero=exit_zero))
    limits = Limits(max_bytes=max_bytes)
    result = validate_paths(
        collected.files,
        check_files=check_files,
        limits=limits,
        isolated=isolated,
        mlflow_version=target,
    )
    sources: dict[str, str] = {}
    if collected.stdin:
        # no model directory to look into: the referenced files are not checked
        data = read_stdin(max_bytes)
        found = validate_bytes(data, check_files=False, limits=limits, mlflow_version=target)
        result.reports.append(FileReport(STDIN_NAME, [d.with_file(STDIN_NAME) for d in found]))
        sources[STDIN_NAME] = data.decode("utf-8-sig", errors="replace")
    options = report_options(
        color, output_file, quiet=quiet, statistics=statistics, sources=sources
    )
    write_report(
        lambda stream: FORMATTERS[output_format](result, stream, options), output_file, "validate"
    )
    code = result.exit_code(strict=strict)
    raise typer.Exit(final_exit_code(code, collected, exit_zero=exit_zero))
