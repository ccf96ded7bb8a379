"""``mlmodel lint``: thin CLI over :mod:`mlmodel.checking.lint.engine`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from mlmodel.cli.app import app
from mlmodel.cli.errors import usage
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

if TYPE_CHECKING:
    from mlmodel.checking.lint.engine import LintOptions
    from mlmodel.core.results import FileReport

#: stdin is read up to this size, as validate's default --max-bytes
STDIN_LIMIT = 10 * 1024 * 1024


def _codes(values: list[str] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    return tuple(c.strip().upper() for v in values for c in v.split(",") if c.strip())


@app.command()
def lint(
    paths: ModelPaths,
    output_format: FormatOption = TEXT,
    select: Annotated[
        list[str] | None,
        typer.Option(
            help="Codes (V or MLM), prefixes or ALL to report (comma-separated or repeated)."
        ),
    ] = None,
    ignore: Annotated[list[str] | None, typer.Option(help="Codes or prefixes to skip.")] = None,
    fix: Annotated[bool, typer.Option("--fix", help="Apply safe fixes.")] = False,
    unsafe_fixes: Annotated[
        bool, typer.Option("--unsafe-fixes", help="Apply unsafe fixes too (with --fix).")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Show what --fix would change; write nothing.")
    ] = False,
    strict: StrictOption = False,
    check_files: Annotated[
        bool,
        typer.Option(
            "--check-files/--no-check-files",
            help="Read the model directory's other files (environment, examples, pickles).",
        ),
    ] = True,
    recursive: RecursiveOption = False,
    quiet: QuietOption = False,
    exit_zero: ExitZeroOption = False,
    statistics: StatisticsOption = False,
    output_file: OutputFileOption = None,
    color: ColorOption = ColorChoice.auto,
    isolated: IsolatedOption = False,
    mlflow_version: MLflowVersionOption = None,
) -> None:
    """Find what loads today but breaks a deployment later; fix it keeping comments.

    Exit status: 0 no errors (warnings allowed), 1 errors (or warnings with
    --strict, or changes to make with --diff), 2 usage errors (a bad path: the other
    paths are still checked).
    """
    from mlmodel.checking.lint.engine import LintOptions, lint_paths
    from mlmodel.cli.output import (
        Reporting,
    )
    from mlmodel.cli.paths import STDIN_NAME, refuse_remote
    from mlmodel.core.errors import UsageError
    from mlmodel.core.releases import release

    if unsafe_fixes and not (fix or diff):
        raise usage("lint", "--unsafe-fixes only applies with --fix or --diff")
    out = Reporting("lint", output_format, output_file, color, quiet, statistics, exit_zero)
    if fix and not diff:
        try:
            refuse_remote(paths, "lint --fix")
        except UsageError as exc:
            raise usage("lint", str(exc)) from None
    target = release(mlflow_version)
    collected = out.collect(
        paths,
        recursive=recursive,
        stdin_refused="--fix and --diff work on files, not on - (stdin)" if fix or diff else None,
    )
    options = LintOptions(
        select=_codes(select),
        ignore=_codes(ignore),
        fix=fix,
        unsafe_fixes=unsafe_fixes,
        diff=diff,
        check_files=check_files,
        isolated=isolated,
        mlflow_version=target,
    )
    result = lint_paths(collected.files, options)
    sources: dict[str, str] = {}
    if collected.stdin:
        report, sources[STDIN_NAME] = _lint_stdin(options)
        result.result.reports.append(report)
    for text in result.diffs.values():
        sys.stdout.write(text)
    out.write(result.result, sources)
    fixed = sum(len(codes) for codes in result.fixed.values())
    if fixed and not diff and not quiet:
        typer.echo(f"fixed {fixed} finding(s) in {len(result.fixed)} file(s)", err=True)
    out.exit(1 if diff and result.diffs else result.exit_code(strict=strict), collected)


def _lint_stdin(options: LintOptions) -> tuple[FileReport, str]:
    """Lint the MLmodel read from stdin, with no model directory (no file checks), and the
    project configuration of the current directory; returns the report and the text read."""
    import tempfile
    from dataclasses import replace
    from pathlib import Path

    from mlmodel.checking.config import EMPTY, load_config
    from mlmodel.checking.lint.engine import lint_paths
    from mlmodel.cli.paths import STDIN_NAME, read_stdin
    from mlmodel.core.names import MLMODEL_NAME
    from mlmodel.core.results import FileReport

    config = EMPTY if options.isolated else load_config(Path.cwd())
    options = replace(
        options,
        select=config.select if options.select is None else options.select,
        ignore=config.ignore if options.ignore is None else options.ignore,
        check_files=False,
    )
    data = read_stdin(STDIN_LIMIT)
    with tempfile.TemporaryDirectory(prefix="mlmodel-stdin-") as folder:
        target = Path(folder) / MLMODEL_NAME
        target.write_bytes(data)
        report = lint_paths([target], options).result.reports[0]
    found = [d.with_file(STDIN_NAME) for d in report.diagnostics]
    return FileReport(STDIN_NAME, found), data.decode("utf-8-sig", errors="replace")
