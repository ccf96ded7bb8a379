"""Exceptions to exit codes and messages: the one place the CLI maps them.

Exit codes, the same for every command (the README's table): 0 success; 1 the model or its
input is the problem (findings, a model that does not parse, validate, load or predict, a
refused pickle or signature); 2 the invocation is the problem (a bad option, no such model
or file, an output that cannot be written, a port in use, a missing extra or Java); 130
interrupted."""

from __future__ import annotations

import typer

from mlmodel.core.errors import InvalidModelError, MLModelError, ParseError, UsageError

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def exit_code(exc: MLModelError | OSError) -> int:
    """2 for usage errors (no such model, a missing extra, a port in use) and files that
    cannot be read or written; 1 for the rest: an MLmodel file that cannot be parsed or
    does not validate (findings, as validate would report them), a model refused or
    failing to load, input the model rejects."""
    if isinstance(exc, UsageError | OSError):
        return EXIT_USAGE
    return EXIT_FINDINGS


def explain(exc: MLModelError | OSError) -> str:
    if isinstance(exc, ParseError) and not isinstance(exc, InvalidModelError):
        return f"cannot read the MLmodel file: {exc}"
    if isinstance(exc, MLModelError):  # a refused write is both: its message names the path
        return str(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    return str(exc)


def report(command: str | None, exc: MLModelError | OSError) -> int:
    """Print ``mlmodel COMMAND: message`` to stderr; return the exit code for ``exc``."""
    typer.echo(line(command, explain(exc)), err=True)
    return exit_code(exc)


def line(command: str | None, message: str) -> str:
    """``mlmodel COMMAND: message``; the message alone when it starts with the command
    already (``mlmodel serve needs the serve extra: ...``)."""
    prefix = f"mlmodel {command}" if command else "mlmodel"
    return message if message.startswith(f"{prefix} ") else f"{prefix}: {message}"


def usage(command: str, message: str) -> typer.Exit:
    """Print a usage error; ``raise usage(...)`` ends the command with exit 2."""
    typer.echo(line(command, message), err=True)
    return typer.Exit(EXIT_USAGE)
