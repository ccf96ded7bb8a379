"""Formatters: name-to-function tables; each writes a result to a stream.

:data:`FORMATTERS` renders findings (``validate`` and ``lint``), :data:`INSPECT_FORMATTERS`
renders an inspection. The CLI builds its ``--format`` choices from these tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from mlmodel.checking.inspection import Inspection
    from mlmodel.core.results import ValidationResult


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """How to render: ``color`` (ANSI styles, text only), ``quiet`` (findings only, no
    summary), ``statistics`` (a count per code instead of each finding), ``sources``
    (the text of reports that are not files on disk, such as ``<stdin>``, by report path),
    ``several`` (several models were asked for: ``inspect --format json`` prints a list)."""

    color: bool = False
    quiet: bool = False
    statistics: bool = False
    sources: Mapping[str, str] = field(default_factory=dict)
    several: bool = False


Formatter = Callable[["ValidationResult", TextIO, ReportOptions], None]
#: inspections of one run -> stream
InspectFormatter = Callable[[list["Inspection"], TextIO, ReportOptions], None]


def _text(result: ValidationResult, stream: TextIO, options: ReportOptions) -> None:
    from mlmodel.report.text import write_statistics, write_text

    (write_statistics if options.statistics else write_text)(result, stream, options)


def _json(result: ValidationResult, stream: TextIO, options: ReportOptions) -> None:
    from mlmodel.report.machine import write_json, write_json_statistics

    (write_json_statistics if options.statistics else write_json)(result, stream)


def _github(result: ValidationResult, stream: TextIO, options: ReportOptions) -> None:
    from mlmodel.report.machine import write_github

    write_github(result, stream)


def _sarif(result: ValidationResult, stream: TextIO, options: ReportOptions) -> None:
    from mlmodel.report.sarif import write_sarif

    write_sarif(result, stream)


FORMATTERS: dict[str, Formatter] = {
    "text": _text,
    "json": _json,
    "github": _github,
    "sarif": _sarif,
}

#: the formats that can show ``--statistics`` (the others always list every finding)
STATISTICS_FORMATS = frozenset({"text", "json"})


def _inspect_text(results: list[Inspection], stream: TextIO, options: ReportOptions) -> None:
    from mlmodel.report.inspect_text import write_inspection

    for number, result in enumerate(results):
        if number:
            stream.write("\n")
        write_inspection(result, stream, options)


def _inspect_json(results: list[Inspection], stream: TextIO, options: ReportOptions) -> None:
    """One object for one model; a list of them when several were asked for."""
    import json

    items = [result.to_json() for result in results]
    shown = items if options.several or len(items) != 1 else items[0]
    stream.write(json.dumps(shown, indent=2, ensure_ascii=False) + "\n")


INSPECT_FORMATTERS: dict[str, InspectFormatter] = {
    "text": _inspect_text,
    "json": _inspect_json,
}
