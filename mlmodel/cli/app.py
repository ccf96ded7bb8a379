"""typer application: parse options, call the library, print, return an exit code."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mlmodel import __version__
from mlmodel.cli.options import (
    FormatOption,
    IsolatedOption,
    MLflowVersionOption,
    ModelPaths,
    OutputFormat,
    StrictOption,
)

EXIT_USAGE = 2

app = typer.Typer(
    name="mlmodel",
    help="Fast, strict tooling for MLflow's MLmodel format (not Core ML's .mlmodel files).",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mlmodel {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Fast, strict tooling for MLflow's MLmodel format."""


@app.command()
def validate(
    paths: ModelPaths,
    output_format: FormatOption = OutputFormat.text,
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
    isolated: IsolatedOption = False,
    mlflow_version: MLflowVersionOption = None,
) -> None:
    """Check that MLflow can use each model; report problems at file:line:column.

    Exit status: 0 no errors (warnings allowed), 1 errors (or warnings with
    --strict), 2 usage errors.
    """
    from mlmodel.api import validate_paths
    from mlmodel.errors import UsageError
    from mlmodel.report import FORMATTERS
    from mlmodel.yamlio.tree import Limits

    try:
        result = validate_paths(
            paths,
            check_files=check_files,
            limits=Limits(max_bytes=max_bytes),
            isolated=isolated,
            mlflow_version=mlflow_version,
        )
    except UsageError as exc:
        typer.echo(f"mlmodel validate: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    FORMATTERS[output_format.value](result, sys.stdout)
    raise typer.Exit(result.exit_code(strict=strict))


@app.command()
def schema(
    flavor: Annotated[
        str | None,
        typer.Option(
            "--flavor",
            metavar="NAME",
            help="Print the schema of one flavor's settings (the mapping under flavors.NAME).",
            show_default=False,
        ),
    ] = None,
    list_flavors: Annotated[
        bool, typer.Option("--list-flavors", help="List the flavors mlmodel knows instead.")
    ] = False,
) -> None:
    """Print the JSON Schema (draft 2020-12) of MLmodel files, for editors and check-jsonschema.

    The same schema is published as schema/mlmodel.schema.json.

    Exit status: 0, or 2 for usage errors (an unknown flavor).
    """
    from mlmodel import json_schema as jsonschema_export
    from mlmodel.errors import UsageError

    if list_flavors:
        if flavor is not None:
            typer.echo("mlmodel schema: --flavor and --list-flavors exclude each other", err=True)
            raise typer.Exit(EXIT_USAGE)
        flavors = jsonschema_export.list_flavors()
        width = max((len(f.name) for f in flavors), default=0)
        origin_width = max((len(f.origin) for f in flavors), default=0)
        for info in flavors:
            removed = f" (removed in MLflow {info.removed_in})" if info.removed_in else ""
            line = f"{info.name:<{width}}  {info.origin:<{origin_width}}  {info.summary}{removed}"
            typer.echo(line.rstrip())
        raise typer.Exit(0)
    try:
        if flavor is None:
            found = jsonschema_export.document_schema()
        else:
            found = jsonschema_export.flavor_schema(flavor)
    except UsageError as exc:
        typer.echo(f"mlmodel schema: {exc}; see mlmodel schema --list-flavors", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    sys.stdout.write(jsonschema_export.dumps(found))


#: commands defined in their own modules with ``@app.command()``: name -> module.
#: :func:`run` imports only the module of the command asked for (all of them for help),
#: so ``mlmodel validate`` does not pay for building the other commands.
COMMAND_MODULES: dict[str, str] = {
    "lint": "mlmodel.cli.lint_cmd",
    "inspect": "mlmodel.cli.inspect_cmd",
    "convert": "mlmodel.cli.convert_cmd",
}
_DEFINED_HERE = frozenset({"validate", "schema"})


def _register_commands(argv: list[str]) -> None:
    import importlib

    asked = next((arg for arg in argv if not arg.startswith("-")), None)
    if asked in _DEFINED_HERE:
        return
    wanted = [COMMAND_MODULES[asked]] if asked in COMMAND_MODULES else COMMAND_MODULES.values()
    for module in wanted:
        importlib.import_module(module)


def run(argv: list[str]) -> int:
    """Run the CLI on ``argv`` and return the exit code (never raises SystemExit)."""
    _register_commands(argv)
    try:
        app(args=argv, prog_name="mlmodel")
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        return code if isinstance(code, int) else 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug must not surface as a traceback
        typer.echo(f"mlmodel: internal error: {type(exc).__name__}: {exc} (please report it)",
                   err=True)
        return 1
    return 0
