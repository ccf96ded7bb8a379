"""typer application: the root command, :func:`run_typer`, and :func:`run` (the CLI as the
``mlmodel`` command runs it).

Each command lives in its own module (``cli/<name>_cmd.py``) and registers itself on
:data:`app` with ``@app.command()``; :func:`run_typer` imports only the module of the command
asked for (all of them for help), so ``mlmodel lint`` does not pay for building the others.
``mlmodel validate PATH...`` usually does not get here at all: :mod:`mlmodel.cli.direct` runs
it without typer.
"""

from __future__ import annotations

from typing import Annotated

import typer

from mlmodel import __version__
from mlmodel.cli.errors import EXIT_USAGE

app = typer.Typer(
    name="mlmodel",
    help="Fast, strict tooling for MLflow's MLmodel format (not Core ML's .mlmodel files).",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
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


#: command name -> the module that defines it
COMMAND_MODULES: dict[str, str] = {
    "validate": "mlmodel.cli.validate_cmd",
    "lint": "mlmodel.cli.lint_cmd",
    "inspect": "mlmodel.cli.inspect_cmd",
    "convert": "mlmodel.cli.convert_cmd",
    "schema": "mlmodel.cli.schema_cmd",
    "serve": "mlmodel.cli.serve_cmd",
    "openapi": "mlmodel.cli.openapi_cmd",
    "predict": "mlmodel.cli.predict_cmd",
    "generate-dockerfile": "mlmodel.cli.dockerfile_cmd",
    "rule": "mlmodel.cli.rule_cmd",
    "download": "mlmodel.cli.download_cmd",
    "sign": "mlmodel.cli.sign_cmd",
    "verify": "mlmodel.cli.verify_cmd",
    "env": "mlmodel.cli.env_cmd",
}


def _command(argv: list[str]) -> str | None:
    return next((arg for arg in argv if not arg.startswith("-")), None)


def register_commands(command: str | None) -> None:
    import importlib

    wanted = [COMMAND_MODULES[command]] if command in COMMAND_MODULES else COMMAND_MODULES.values()
    for module in wanted:
        importlib.import_module(module)
    infos = list(app.registered_commands)
    for group in app.registered_groups:  # ``mlmodel env check``: a group's commands
        if group.typer_instance is not None:
            infos.extend(group.typer_instance.registered_commands)
    for info in infos:
        if info.help is None and info.callback is not None and info.callback.__doc__:
            info.help = reflowed(info.callback.__doc__)


def reflowed(doc: str) -> str:
    """A docstring as help text: each paragraph one line, which the help screen wraps to
    the terminal (rich keeps the source's line breaks, wrapping them twice when narrow)."""
    import inspect

    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def run(argv: list[str]) -> int:
    """Run the CLI on ``argv`` and return the exit code (never raises SystemExit), as the
    ``mlmodel`` command does: ``mlmodel validate PATH...`` with only the options
    :mod:`mlmodel.cli.direct` knows runs without building the typer application (same
    output, same exit code); everything else through :func:`run_typer`."""
    from mlmodel.cli.direct import run_direct

    code = run_direct(argv)
    return run_typer(argv) if code is None else code


def run_typer(argv: list[str]) -> int:
    """Run ``argv`` through the typer application and return the exit code.

    Exceptions become exit codes in :func:`mlmodel.cli.errors.guarded`: a
    :class:`~mlmodel.core.errors.MLModelError` or an ``OSError`` a command lets through is
    printed as ``mlmodel COMMAND: message`` with the code :func:`mlmodel.cli.errors.exit_code`
    gives; a missing module that an extra installs names the extra (exit 2); anything else
    is a bug, reported in one line (exit 1), never as a traceback.
    """
    from mlmodel.cli.errors import guarded

    command = _command(argv)
    known = command if command in COMMAND_MODULES else None
    register_commands(command)

    def call() -> None:
        app(args=argv, prog_name="mlmodel")

    return guarded(known, call)


__all__ = ["COMMAND_MODULES", "EXIT_USAGE", "app", "run", "run_typer"]
