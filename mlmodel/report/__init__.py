"""Formatters: a name-to-function table; each writes a result to a stream."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from mlmodel.api import ValidationResult

Formatter = Callable[[ValidationResult, TextIO], None]


def _text(result: ValidationResult, stream: TextIO) -> None:
    from mlmodel.report.text import write_text

    write_text(result, stream)


def _json(result: ValidationResult, stream: TextIO) -> None:
    from mlmodel.report.machine import write_json

    write_json(result, stream)


def _github(result: ValidationResult, stream: TextIO) -> None:
    from mlmodel.report.machine import write_github

    write_github(result, stream)


def _sarif(result: ValidationResult, stream: TextIO) -> None:
    from mlmodel.report.sarif import write_sarif

    write_sarif(result, stream)


FORMATTERS: dict[str, Formatter] = {
    "text": _text,
    "json": _json,
    "github": _github,
    "sarif": _sarif,
}
