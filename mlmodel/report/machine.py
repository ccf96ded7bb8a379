"""Machine-readable output: JSON and GitHub Actions workflow commands."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from mlmodel.core.results import ValidationResult


def write_json(result: ValidationResult, stream: TextIO) -> None:
    """A JSON list of findings: path, line, column, code, severity, message (+ hint, key)."""
    json.dump([d.to_dict() for d in result.diagnostics], stream, indent=2)
    stream.write("\n")


def write_json_statistics(result: ValidationResult, stream: TextIO) -> None:
    """``--statistics``: a JSON list of ``{code, count, severity, fix}``, most frequent first."""
    from mlmodel.report.text import statistics

    rows = [
        {"code": code, "count": count, "severity": severity.value, "fix": safety}
        for code, count, severity, safety in statistics(result)
    ]
    json.dump(rows, stream, indent=2)
    stream.write("\n")


def _escape_data(value: str) -> str:
    from mlmodel.report.text import escape_control

    escaped = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escape_control(escaped)


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def write_github(result: ValidationResult, stream: TextIO) -> None:
    """``::error file=...,line=...,col=...,title=...::message`` lines for GitHub Actions."""
    for d in result.diagnostics:
        props = [f"file={_escape_property(d.file or '')}"]
        if d.line is not None:
            props.append(f"line={d.line}")
        if d.column is not None:
            props.append(f"col={d.column}")
        props.append(f"title={_escape_property('mlmodel ' + d.code)}")
        message = d.message + (f" (hint: {d.hint})" if d.hint else "")
        stream.write(f"::{d.severity.value} {','.join(props)}::{_escape_data(message)}\n")
