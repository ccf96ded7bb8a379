"""What validate and lint share after the work: colour, the report, the output file, the
exit code."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from mlmodel.cli.errors import EXIT_CLEAN, EXIT_USAGE, report, usage
from mlmodel.cli.options import ColorChoice

if TYPE_CHECKING:
    from mlmodel.cli.paths import Collected
    from mlmodel.report import ReportOptions


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
