"""Exceptions to exit codes and messages: the one place the CLI maps them.

Exit codes, the same for every command (the table in docs/errors.md): 0 success; 1 the model or its
input is the problem (findings, a model that does not parse, validate, load or predict, a
refused pickle or signature); 2 the invocation is the problem (a bad option, no such model
or file, an output that cannot be written, a port in use, a missing extra or Java); 130
interrupted.

typer is imported only to print a message or end a command: the direct path of
``mlmodel validate`` (:mod:`mlmodel.cli.direct`) imports this module and pays for typer only
when it has an error to print."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mlmodel.core.errors import InvalidModelError, MLModelError, ParseError, UsageError

if TYPE_CHECKING:
    import typer

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
    import typer

    typer.echo(line(command, explain(exc)), err=True)
    return exit_code(exc)


def line(command: str | None, message: str) -> str:
    """``mlmodel COMMAND: message``; the message alone when it starts with the command
    already (``mlmodel serve needs the serve extra: ...``)."""
    prefix = f"mlmodel {command}" if command else "mlmodel"
    return message if message.startswith(f"{prefix} ") else f"{prefix}: {message}"


def usage(command: str, message: str) -> typer.Exit:
    """Print a usage error; ``raise usage(...)`` ends the command with exit 2."""
    import typer

    typer.echo(line(command, message), err=True)
    return typer.Exit(EXIT_USAGE)


def guarded(command: str | None, call: Callable[[], int | None]) -> int:
    """Call ``call`` and return its exit code (never raises SystemExit): the one place
    exceptions become exit codes. A ``SystemExit`` gives its code; a
    :class:`~mlmodel.core.errors.MLModelError` or an ``OSError`` that gets through is printed
    as ``mlmodel COMMAND: message`` with the code :func:`exit_code` gives; a missing module
    that an extra installs names the extra (exit 2); anything else is a bug, reported in one
    line (exit 1), never as a traceback."""
    try:
        code = call()
    except SystemExit as exc:
        status = exc.code
        if status is None:
            return EXIT_CLEAN
        return status if isinstance(status, int) else EXIT_FINDINGS
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except (MLModelError, OSError) as exc:
        return report(command, exc)
    except ModuleNotFoundError as exc:  # an optional module no command translated itself
        from mlmodel.core.errors import missing_extra

        missing = missing_extra(exc, f"mlmodel {command}" if command else "mlmodel")
        if missing is not None:
            return report(command, missing)
        return internal_error(exc)
    except Exception as exc:  # noqa: BLE001 - a bug must not surface as a traceback
        return internal_error(exc)
    return EXIT_CLEAN if code is None else code


def internal_error(exc: Exception) -> int:
    """A bug, in one line (exit 1), never as a traceback."""
    import typer

    typer.echo(f"mlmodel: internal error: {type(exc).__name__}: {exc} (please report it)", err=True)
    return EXIT_FINDINGS
