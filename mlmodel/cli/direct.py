"""``mlmodel validate PATH...`` without typer: the command line of a pre-commit hook, parsed
here so that its start-up does not pay for the typer application.

Importing typer (with the click it vendors, its shell-completion support, ``subprocess``,
``platform``...) and building the command from the function's signature cost about a third
of a cold ``mlmodel validate``, and a hook pays that on every commit. :func:`run_direct` reads
the common forms of validate's command line itself (paths, ``-`` for stdin, the flags, and
``--format``, ``--color``, ``--max-bytes``, ``--mlflow-version`` with a valid value) and runs
:func:`mlmodel.cli.validate_run.run_validate`, which the typer command runs too. Anything else
(another command, ``-h``, an unknown option, combined short flags, ``--``, ``--output-file``,
a value that is not one of the choices or starts with ``-``, no path, shell completion) is
left to typer: :func:`run_direct` returns None and the caller runs the typer application, so
help and usage errors are typer's own. ``tests/cli/test_cli_direct.py`` checks that both ways
print the same and exit the same, and that the options here are the typer command's.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import Any, TextIO, cast

#: the variable that asks click for shell completion (click answers it before parsing)
COMPLETE_VAR = "_MLMODEL_COMPLETE"

#: validate's flags: option -> (parameter of run_validate, value)
FLAGS: dict[str, tuple[str, bool]] = {
    "--strict": ("strict", True),
    "--no-strict": ("strict", False),
    "--check-files": ("check_files", True),
    "--no-check-files": ("check_files", False),
    "--recursive": ("recursive", True),
    "-r": ("recursive", True),
    "--quiet": ("quiet", True),
    "-q": ("quiet", True),
    "--exit-zero": ("exit_zero", True),
    "--statistics": ("statistics", True),
    "--isolated": ("isolated", True),
}

#: validate's options that take a value and are read here: option -> parameter
VALUED: dict[str, str] = {
    "--format": "output_format",
    "-f": "output_format",
    "--color": "color",
    "--max-bytes": "max_bytes",
    "--mlflow-version": "mlflow_version",
}


def parse_validate(argv: list[str]) -> dict[str, Any] | None:
    """The keyword arguments of :func:`~mlmodel.cli.validate_run.run_validate` for
    ``argv`` (``["validate", ...]``), or None when typer should read it. As click does, an
    option may come after the paths, and the last of a repeated option wins."""
    if not argv or argv[0] != "validate" or os.environ.get(COMPLETE_VAR):
        return None
    paths: list[str] = []
    options: dict[str, Any] = {}
    rest = iter(argv[1:])
    for arg in rest:
        if arg == "-" or not arg.startswith("-"):
            paths.append(arg)
            continue
        flag = FLAGS.get(arg)
        if flag is not None:
            options[flag[0]] = flag[1]
            continue
        name, equals, value = arg.partition("=")
        parameter = VALUED.get(name)
        if parameter is None or (equals and not name.startswith("--")):
            return None  # unknown, or click's reading of "-f=x" (the value "=x")
        if not equals:
            given = next(rest, None)
            if given is None or given.startswith("-"):
                return None  # a missing value, or one click would take and we might not
            value = given
        converted = _convert(parameter, value)
        if converted is None:
            return None
        options[parameter] = converted
    if not paths:
        return None
    return {"paths": paths, **options}


def _convert(parameter: str, value: str) -> object | None:
    """``value`` as the typer command receives it, or None when typer should judge it."""
    if parameter == "output_format":
        from mlmodel.report import FORMATTERS

        return value if value in FORMATTERS else None
    if parameter == "color":
        from mlmodel.cli.output import ColorChoice

        try:
            return ColorChoice(value)
        except ValueError:
            return None
    if parameter == "max_bytes":
        if not (value.isascii() and value.isdigit()):
            return None
        number = int(value)
        return number if number >= 1 else None
    return value  # --mlflow-version: any text, judged by run_validate as under typer


def run_direct(argv: list[str]) -> int | None:
    """Run ``argv`` as ``mlmodel validate`` without typer and return the exit code, or None
    (having done nothing) when typer should run it."""
    options = parse_validate(argv)
    if options is None:
        return None
    from mlmodel.cli.errors import guarded
    from mlmodel.cli.validate_run import run_validate

    def call() -> int:
        try:
            return run_validate(**options)
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise
            # as click does: stdout is gone (``mlmodel validate ... | head``), exit 1 quietly
            sys.stdout = cast(TextIO, _Pacified(sys.stdout))
            sys.stderr = cast(TextIO, _Pacified(sys.stderr))
            return 1
        except Exception as exc:
            # a usage error ends the command with typer.Exit (typer is imported to print it)
            typer = sys.modules.get("typer")
            if typer is not None and isinstance(exc, typer.Exit):
                code: int = exc.exit_code
                return code
            raise

    return guarded("validate", call)


class _Pacified:
    """A stream whose flush ignores a closed pipe (click's ``PacifyFlushWrapper``)."""

    def __init__(self, wrapped: TextIO) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        try:
            self.wrapped.flush()
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)
