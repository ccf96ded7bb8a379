"""What validate and lint share around the work: the paths collected (bad ones reported),
colour, the report, the output file, the exit code (:class:`Reporting`).

No typer here until a command ends with ``typer.Exit`` (:meth:`Reporting.exit`) or a message
is printed: :mod:`mlmodel.cli.direct` runs validate without typer."""

from __future__ import annotations

import enum
import io
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from mlmodel.cli.errors import EXIT_CLEAN, EXIT_USAGE, report, usage

if TYPE_CHECKING:
    from mlmodel.cli.paths import Collected
    from mlmodel.core.results import ValidationResult
    from mlmodel.report import ReportOptions


class ColorChoice(enum.StrEnum):
    """The values of ``--color``."""

    auto = "auto"
    always = "always"
    never = "never"


@dataclass(frozen=True)
class Reporting:
    """The output options of a checking command (``--format``, ``-o``, ``--color``,
    ``--quiet``, ``--statistics``, ``--exit-zero``) and the steps every such command takes
    with them: collect the paths, write the report, exit. ``--statistics`` with a format
    that has none is refused when it is made."""

    command: str
    output_format: str
    output_file: Path | None
    color: ColorChoice
    quiet: bool
    statistics: bool
    exit_zero: bool

    def __post_init__(self) -> None:
        check_statistics(self.command, self.output_format, self.statistics)

    def collect(
        self, paths: Sequence[str | Path], *, recursive: bool, stdin_refused: str | None = None
    ) -> Collected:
        """The MLmodel files of ``paths``, the bad paths reported; exits at once when there
        is nothing to check. ``stdin_refused``: why ``-`` is a usage error, if it is one."""
        from mlmodel.cli.paths import collect

        collected = collect(paths, recursive=recursive)
        if collected.stdin and stdin_refused:
            raise usage(self.command, stdin_refused)
        report_failures(self.command, collected)
        if not collected.files and not collected.stdin:
            self.exit(0, collected)
        return collected

    def write(self, result: ValidationResult, sources: dict[str, str]) -> None:
        """The report of ``result`` in ``--format`` to stdout or ``-o``."""
        from mlmodel.report import FORMATTERS

        options = report_options(
            self.color,
            self.output_file,
            quiet=self.quiet,
            statistics=self.statistics,
            sources=sources,
        )
        write_report(
            lambda stream: FORMATTERS[self.output_format](result, stream, options),
            self.output_file,
            self.command,
        )

    def exit_code(self, findings_code: int, collected: Collected) -> int:
        """2 when a path was bad, else ``findings_code`` (0 under ``--exit-zero``)."""
        return final_exit_code(findings_code, collected, exit_zero=self.exit_zero)

    def exit(self, findings_code: int, collected: Collected) -> NoReturn:
        """End the command (``typer.Exit``) with :meth:`exit_code`."""
        import typer

        raise typer.Exit(self.exit_code(findings_code, collected))


def use_color(choice: ColorChoice, stream: TextIO) -> bool:
    """``--color``: always, never, or (auto) when ``stream`` is a terminal and neither
    ``NO_COLOR`` (https://no-color.org) nor ``TERM=dumb`` says otherwise."""
    if choice is ColorChoice.always:
        return True
    if choice is ColorChoice.never or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def check_statistics(command: str, output_format: str, statistics: bool) -> None:
    from mlmodel.report import STATISTICS_FORMATS

    if statistics and output_format not in STATISTICS_FORMATS:
        known = " and ".join(sorted(STATISTICS_FORMATS))
        raise usage(command, f"--statistics works with --format {known}, not {output_format}")


def write_report(render: Callable[[TextIO], None], output_file: Path | None, command: str) -> None:
    """Render to stdout, or to ``output_file`` through the one safe-write home
    (:func:`mlmodel.core.fsio.write_file`: atomic, never half-written)."""
    if output_file is None:
        render(sys.stdout)
        return
    from mlmodel.core.fsio import write_file

    buffer = io.StringIO()
    render(buffer)
    try:
        write_file(output_file, buffer.getvalue().encode("utf-8"))
    except OSError as exc:
        raise usage(command, f"cannot write {output_file}: {exc.strerror or exc}") from None


def report_failures(command: str, collected: Collected) -> None:
    """Print the paths that are not models (the others are checked all the same)."""
    for failure in collected.failures:
        report(command, failure)


def final_exit_code(findings_code: int, collected: Collected, *, exit_zero: bool) -> int:
    """2 when a path was bad, else the findings' code (0 under ``--exit-zero``)."""
    if collected.failures:
        return EXIT_USAGE
    return EXIT_CLEAN if exit_zero else findings_code


def report_options(
    color: ColorChoice,
    output_file: Path | None,
    *,
    quiet: bool,
    statistics: bool,
    sources: dict[str, str] | None = None,
) -> ReportOptions:
    from mlmodel.report import ReportOptions

    if output_file is not None:
        colored = color is ColorChoice.always
    else:
        colored = use_color(color, sys.stdout)
    return ReportOptions(color=colored, quiet=quiet, statistics=statistics, sources=sources or {})
