"""``mlmodel lint``: thin CLI over :mod:`mlmodel.lint.engine`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mlmodel.cli.app import EXIT_USAGE, app
from mlmodel.cli.options import (
    FormatOption,
    IsolatedOption,
    MLflowVersionOption,
    ModelPaths,
    OutputFormat,
    StrictOption,
)


def _codes(values: list[str] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    return tuple(c.strip().upper() for v in values for c in v.split(",") if c.strip())


@app.command()
def lint(
    paths: ModelPaths,
    output_format: FormatOption = OutputFormat.text,
    select: Annotated[
        list[str] | None,
        typer.Option(help="Rule codes or prefixes to run (comma-separated or repeated)."),
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(help="Rule codes or prefixes to skip.")
    ] = None,
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
    isolated: IsolatedOption = False,
    mlflow_version: MLflowVersionOption = None,
) -> None:
    """Find what loads today but breaks a deployment later; fix it keeping comments.

    Exit status: 0 no errors (warnings allowed), 1 errors (or warnings with
    --strict, or changes to make with --diff), 2 usage errors.
    """
    from mlmodel.errors import UsageError
    from mlmodel.lint.engine import LintOptions, lint_paths
    from mlmodel.releases import release
    from mlmodel.report import FORMATTERS

    try:
        options = LintOptions(
            select=_codes(select),
            ignore=_codes(ignore),
            fix=fix,
            unsafe_fixes=unsafe_fixes,
            diff=diff,
            check_files=check_files,
            isolated=isolated,
            mlflow_version=release(mlflow_version),
        )
        result = lint_paths(paths, options)
    except UsageError as exc:
        typer.echo(f"mlmodel lint: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    for text in result.diffs.values():
        sys.stdout.write(text)
    FORMATTERS[output_format.value](result.result, sys.stdout)
    fixed = sum(len(codes) for codes in result.fixed.values())
    if fixed and not diff:
        typer.echo(f"fixed {fixed} finding(s) in {len(result.fixed)} file(s)", err=True)
    code = result.exit_code(strict=strict)
    raise typer.Exit(1 if diff and result.diffs else code)
