"""What ``mlmodel validate`` does once its options are parsed, without typer.

:mod:`mlmodel.cli.validate_cmd` (the typer command, its options and help) and
:mod:`mlmodel.cli.direct` (the same command parsed without typer) both end here. Nothing
here imports typer: a usage error does, when it prints (:func:`mlmodel.cli.errors.usage`),
and so does :meth:`~mlmodel.cli.output.Reporting.collect` when no path is left to check.
"""

from __future__ import annotations

from pathlib import Path

from mlmodel.cli.output import ColorChoice

#: --max-bytes when not given
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def run_validate(
    paths: list[str],
    *,
    output_format: str = "text",
    strict: bool = False,
    check_files: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
    recursive: bool = False,
    quiet: bool = False,
    exit_zero: bool = False,
    statistics: bool = False,
    output_file: Path | None = None,
    color: ColorChoice = ColorChoice.auto,
    isolated: bool = False,
    mlflow_version: str | None = None,
) -> int:
    """Validate ``paths``, write the report, and return the exit code (the defaults are the
    command's). A usage error, or no path left to check, raises the ``typer.Exit`` of
    :func:`mlmodel.cli.errors.usage` or :meth:`~mlmodel.cli.output.Reporting.exit`."""
    from mlmodel.checking.validate import validate_bytes, validate_paths
    from mlmodel.cli.output import Reporting
    from mlmodel.cli.paths import STDIN_NAME, read_stdin
    from mlmodel.core.releases import release
    from mlmodel.core.results import FileReport
    from mlmodel.yamlio.tree import Limits

    out = Reporting("validate", output_format, output_file, color, quiet, statistics, exit_zero)
    target = release(mlflow_version)
    collected = out.collect(paths, recursive=recursive)
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
    out.write(result, sources)
    return out.exit_code(result.exit_code(strict=strict), collected)
