"""typer application: the root command and :func:`run`, which maps exceptions to exit codes.

Each command lives in its own module (``cli/<name>_cmd.py``) and registers itself on
:data:`app` with ``@app.command()``; :func:`run` imports only the module of the command
asked for (all of them for help), so ``mlmodel validate`` does not pay for building the others.
"""

from __future__ import annotations

from typing import Annotated

import typer

from mlmodel import __version__
from mlmodel.cli.errors import EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_USAGE

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
    "predict": "mlmodel.cli.predict_cmd",
    "generate-dockerfile": "mlmodel.cli.dockerfile_cmd",
    "rule": "mlmodel.cli.rule_cmd",
    "download": "mlmodel.cli.download_cmd",
    "sign": "mlmodel.cli.sign_cmd",
    "verify": "mlmodel.cli.verify_cmd",
}


def _command(argv: list[str]) -> str | None:
    return next((arg for arg in argv if not arg.startswith("-")), None)


def register_commands(command: str | None) -> None:
    import importlib

    wanted = [COMMAND_MODULES[command]] if command in COMMAND_MODULES else COMMAND_MODULES.values()
    for module in wanted:
        importlib.import_module(module)
    for info in app.registered_commands:
        if info.help is None and info.callback is not None and info.callback.__doc__:
            info.help = reflowed(info.callback.__doc__)


def reflowed(doc: str) -> str:
    """A docstring as help text: each paragraph one line, which the help screen wraps to
    the terminal (rich keeps the source's line breaks, wrapping them twice when narrow)."""
    import inspect

    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def run(argv: list[str]) -> int:
    """Run the CLI on ``argv`` and return the exit code (never raises SystemExit).

    The one place exceptions become exit codes: a :class:`~mlmodel.core.errors.MLModelError`
    or an ``OSError`` a command lets through is printed as ``mlmodel COMMAND: message``
    with the code :func:`mlmodel.cli.errors.exit_code` gives; a missing module that an
    extra installs names the extra (exit 2); anything else is a bug, reported in one line
    (exit 1), never as a traceback.
    """
    from mlmodel.cli.errors import report
    from mlmodel.core.errors import MLModelError

    command = _command(argv)
    known = command if command in COMMAND_MODULES else None
    register_commands(command)
    try:
        app(args=argv, prog_name="mlmodel")
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        return code if isinstance(code, int) else EXIT_FINDINGS
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except (MLModelError, OSError) as exc:
        return report(known, exc)
    except ModuleNotFoundError as exc:  # an optional module no command translated itself
        from mlmodel.core.errors import missing_extra

        missing = missing_extra(exc, f"mlmodel {known}" if known else "mlmodel")
        if missing is not None:
            return report(known, missing)
        return _internal_error(exc)
    except Exception as exc:  # noqa: BLE001 - a bug must not surface as a traceback
        return _internal_error(exc)
    return 0


def _internal_error(exc: Exception) -> int:
    """A bug, in one line (exit 1), never as a traceback."""
    typer.echo(f"mlmodel: internal error: {type(exc).__name__}: {exc} (please report it)", err=True)
    return EXIT_FINDINGS


__all__ = ["COMMAND_MODULES", "EXIT_USAGE", "app", "run"]
