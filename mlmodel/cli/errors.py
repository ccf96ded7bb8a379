"""Exceptions to exit codes and messages: the one place the CLI maps them."""

from __future__ import annotations

import typer

from mlmodel.core.errors import MLModelError, ParseError, UsageError

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def exit_code(exc: MLModelError | OSError) -> int:
    """2 for usage errors and files that cannot be read or written, 1 for an MLmodel file
    that cannot be parsed (a finding about the file, as validate would report it)."""
    if isinstance(exc, UsageError | OSError):
        return EXIT_USAGE
    return EXIT_FINDINGS


def explain(exc: MLModelError | OSError) -> str:
    from mlmodel.runtime.errors import InvalidModelError

    if isinstance(exc, InvalidModelError):  # a ParseError too; its message says it all
        return str(exc)
    if isinstance(exc, ParseError):
        return f"cannot read the MLmodel file: {exc}"
    if isinstance(exc, MLModelError):  # a refused write is both: its message names the path
        return str(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    return str(exc)


def report(command: str | None, exc: MLModelError | OSError) -> int:
    """Print ``mlmodel COMMAND: message`` to stderr; return the exit code for ``exc``."""
    prefix = f"mlmodel {command}" if command else "mlmodel"
    typer.echo(f"{prefix}: {explain(exc)}", err=True)
    return exit_code(exc)


def usage(command: str, message: str) -> typer.Exit:
    """Print a usage error; ``raise usage(...)`` ends the command with exit 2."""
    typer.echo(f"mlmodel {command}: {message}", err=True)
    return typer.Exit(EXIT_USAGE)
